"""`psml experiments acceptance` end to end: the toy experiment under Gunicorn, the real engine."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import paystone.cli.experiments.acceptance  # noqa: F401  # registers the command until __init__ imports it
from paystone.cli.main import app
from paystone.testing.acceptance.server import LocalServer

IMPOSSIBLE = '''
from experiments.toy.tests.acceptance import toy_requests
from paystone.testing.acceptance import AcceptanceTest, ArrivalRateStage, ErrorRateSLA, LatencySLA, Stage

acceptance = AcceptanceTest(
    requests=toy_requests,
    stages=[
        Stage(name="one", users=2, duration_seconds=1, wait_seconds=0.02),
        ArrivalRateStage(name="two", requests_per_second=20, duration_seconds=1),
        Stage(name="three", users=4, duration_seconds=1),
    ],
    slas=[LatencySLA(percentile=99, max_ms=0.001), ErrorRateSLA(max_fraction=0.0)],
)
'''


def test_impossible_sla_fails_with_non_zero_exit_naming_it(
    toy_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "impossible_acceptance.py").write_text(IMPOSSIBLE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "impossible_acceptance", raising=False)
    result = CliRunner().invoke(app, [
        "experiments", "acceptance", "toy", "--serve", "--workers", "1", "--root", str(toy_root),
        "--config", "impossible_acceptance:acceptance", "--output", str(tmp_path / "reports"),
    ])
    assert result.exit_code == 1, result.output
    output = " ".join(result.output.split())  # Rich wraps long lines at the terminal width
    assert "acceptance of toy failed: p99 latency <= 0.001 ms (whole run)" in output
    report = json.loads((tmp_path / "reports" / "toy" / "acceptance.json").read_text())
    assert [s["name"] for s in report["stages"]] == ["one", "two", "three"]
    assert report["overall"]["failures"] == 0 and report["overall"]["requests"] > 0
    assert report["workers"] == 1 and report["url"].startswith("http://127.0.0.1:")
    assert (tmp_path / "reports" / "toy" / "acceptance.html").is_file()


EASY = '''
from experiments.toy.tests.acceptance import toy_requests
from paystone.testing.acceptance import AcceptanceTest, ErrorRateSLA, Stage

acceptance = AcceptanceTest(
    requests=toy_requests,
    stages=[Stage(name="a", users=1, duration_seconds=0.5), Stage(name="b", users=2, duration_seconds=0.5),
            Stage(name="c", users=1, duration_seconds=0.5)],
    slas=[ErrorRateSLA(max_fraction=0.0)],
)
'''


def test_url_runs_against_a_running_service(
    noop_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "easy_acceptance.py").write_text(EASY)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "easy_acceptance", raising=False)
    result = CliRunner().invoke(app, [
        "experiments", "acceptance", "toy", "--url", noop_server.url, "--config", "easy_acceptance:acceptance",
        "--output", str(tmp_path / "reports"),
    ])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "acceptance of toy passed: 1 of 1 verdicts met" in output
    report = json.loads((tmp_path / "reports" / "toy" / "acceptance.json").read_text())
    assert report["path"] == "/toy" and report["passed"] is True


def test_url_and_serve_are_exclusive(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["experiments", "acceptance", "toy"])
    assert result.exit_code == 2 and "exactly one of --url" in result.output
