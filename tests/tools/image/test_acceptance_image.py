"""`psml experiments acceptance NAME --image LAYOUT`: the acceptance load against the serving image
itself, unpacked and run under chroot as its non-root user (root needed), then stopped."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from tests.e2e.housing.runs import QUICK_HOUSING
from tests.e2e.processes import psml, saved_run_id
from tools.image.build import BuildReport

pytestmark = pytest.mark.e2e

#: Two short stages and SLAs any working service meets: this test is about where the load lands.
QUICK = '''
from experiments.housing.tests.acceptance import housing_requests
from paystone.testing.acceptance import AcceptanceTest, ErrorRateSLA, LatencySLA, Stage

acceptance = AcceptanceTest(
    requests=housing_requests,
    stages=[Stage(name="warm", users=1, duration_seconds=1, wait_seconds=0.05),
            Stage(name="load", users=2, duration_seconds=2, wait_seconds=0.02)],
    slas=[LatencySLA(percentile=99, max_ms=5000, stage="load"), ErrorRateSLA(max_fraction=0.0)],
)
'''


@pytest.mark.skipif(os.geteuid() != 0, reason="chroot needs root")
def test_acceptance_runs_against_the_image_and_stops_it(
    housing_image: tuple[Path, BuildReport], tmp_path: Path
) -> None:
    layout, _ = housing_image
    root = tmp_path / "artifacts"
    trained = psml("experiments", "train", "housing", *QUICK_HOUSING, "--root", str(root))
    assert trained.returncode == 0, trained.stderr
    run_id = saved_run_id(trained.stdout)
    (tmp_path / "quick_image_acceptance.py").write_text(QUICK)
    reports = tmp_path / "reports"

    result = psml("experiments", "acceptance", "housing", "--image", str(layout), "--root", str(root),
                  "--run", run_id, "--config", "quick_image_acceptance:acceptance", "--output", str(reports),
                  env={"PYTHONPATH": str(tmp_path), "COLUMNS": "200"}, timeout=300)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "acceptance of housing passed: 2 of 2 verdicts met" in result.stdout
    report = json.loads((reports / "housing" / "acceptance.json").read_text())
    assert [stage["name"] for stage in report["stages"]] == ["warm", "load"]
    assert report["overall"]["requests"] > 0 and report["overall"]["failures"] == 0
    assert report["url"].startswith("http://127.0.0.1:")
    assert (reports / "housing" / "acceptance.html").read_text().count("<svg") >= 1
    port = int(report["url"].rsplit(":", 1)[1])
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))  # the container was stopped when the test ended


def test_url_and_image_together_are_refused(tmp_path: Path) -> None:
    result = psml("experiments", "acceptance", "housing", "--url", "http://127.0.0.1:9", "--image", str(tmp_path),
                  env={"COLUMNS": "200"})
    assert result.returncode == 2
    assert "give exactly one of --url URL" in result.stderr and "got --url, --image" in result.stderr


def test_a_folder_that_is_not_an_image_layout_is_named(tmp_path: Path) -> None:
    result = psml("experiments", "acceptance", "housing", "--image", str(tmp_path), env={"COLUMNS": "400"})
    assert result.returncode == 1
    assert f"{tmp_path} is not an OCI image layout" in result.stderr


def test_an_image_of_another_experiment_is_refused(housing_image: tuple[Path, BuildReport]) -> None:
    layout, _ = housing_image
    result = psml("experiments", "acceptance", "sentiment", "--image", str(layout), env={"COLUMNS": "400"})
    assert result.returncode == 1
    assert "does not serve sentiment" in result.stderr and "experiments.housing.serve.app:app" in result.stderr
