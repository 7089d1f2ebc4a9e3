from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

import paystone.cli.experiments.promote  # noqa: F401 - registers the commands
import paystone.cli.experiments.versions  # noqa: F401
from paystone.cli.main import app
from paystone.storage.roots import open_store
from tests.promotion.builders import correctness, mean_metric, results, write_candidate

runner = CliRunner()


def psml(*args: str) -> object:
    return runner.invoke(app, ["experiments", *args], env={"COLUMNS": "200"})


def test_versions_lists_each_version_with_its_metrics(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    runs = []
    for seed, errors in ((1, 40), (2, 38)):
        run = write_candidate(store, results([mean_metric("accuracy", correctness(2_000, errors, seed))], service="toy"))
        assert psml("promote", "toy", "--run", run, "--root", str(tmp_path)).exit_code == 0
        runs.append(run)
    done = psml("versions", "toy", "--root", str(tmp_path))
    assert done.exit_code == 0, done.output
    lines = [line for line in done.output.splitlines() if "v1.m" in line]
    assert len(lines) == 2
    assert "v1.m0" in lines[0] and runs[0] in lines[0] and "0.98 " in lines[0]
    assert "v1.m1" in lines[1] and runs[1] in lines[1] and "v1.m0" in lines[1] and "0.981" in lines[1]


def test_versions_of_an_unpromoted_experiment(tmp_path: Path) -> None:
    done = psml("versions", "toy", "--root", str(tmp_path))
    assert done.exit_code == 0 and "no promoted version yet" in done.output
