from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import paystone.cli.experiments.promote  # noqa: F401 - registers the command
import paystone.cli.experiments.versions  # noqa: F401
from paystone.cli.main import app
from paystone.storage.roots import open_store
from paystone.versions.records import list_versions
from tests.promotion.builders import correctness, mean_metric, results, write_candidate

N = 2_000
GOOD = results([mean_metric("accuracy", correctness(N, 40, 1))], service="toy")
WORSE = results([mean_metric("accuracy", correctness(N, 300, 3))], service="toy")
runner = CliRunner()


def psml(*args: str) -> object:
    return runner.invoke(app, ["experiments", *args], env={"COLUMNS": "200"})


def test_promote_accepts_then_rejects_with_table_report_and_exit_status(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    first, worse = write_candidate(store, GOOD), write_candidate(store, WORSE)

    done = psml("promote", "toy", "--run", first, "--root", str(tmp_path))
    assert done.exit_code == 0, done.output
    assert "promoted to v1.m0" in done.output

    report_path = tmp_path / "reports" / "worse.json"
    done = psml("promote", "toy", "--run", worse, "--root", str(tmp_path), "--report", str(report_path))
    assert done.exit_code == 1
    assert "REJECTED" in done.output and "worse" in done.output and "(95%)" in done.output
    assert "data test accuracy is worse" in done.output
    report = json.loads(report_path.read_text())
    assert report["accepted"] is False and report["comparison"]["data"][0]["verdict"] == "worse"
    assert [r.name for r in list_versions(store, "toy")] == ["v1.m0"]


def test_tolerance_lets_a_small_drop_through(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    psml("promote", "toy", "--run", write_candidate(store, GOOD), "--root", str(tmp_path))
    worse = write_candidate(store, WORSE)
    done = psml("promote", "toy", "--run", worse, "--root", str(tmp_path), "--tolerance", "accuracy=0.2")
    assert done.exit_code == 0, done.output
    assert "v1.m1" in done.output


@pytest.mark.parametrize(
    ("value", "message"),
    [("accuracy", "expects TEST=VALUE"), ("accuracy=x", "'x' is not a number"), ("accuracy=-1", ">= 0")],
)
def test_bad_tolerance_is_named(tmp_path: Path, value: str, message: str) -> None:
    run = write_candidate(open_store(tmp_path), GOOD)
    done = psml("promote", "toy", "--run", run, "--root", str(tmp_path), "--tolerance", value)
    assert done.exit_code != 0 and message in done.output


def test_unknown_experiment_and_run_are_named(tmp_path: Path) -> None:
    done = psml("promote", "nosuch", "--run", "r", "--root", str(tmp_path))
    assert done.exit_code == 1 and "no experiment named 'nosuch'" in done.output
    done = psml("promote", "toy", "--run", "r", "--root", str(tmp_path))
    assert done.exit_code == 1 and "run 'r' of service 'toy' does not exist" in done.output
