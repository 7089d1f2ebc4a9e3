"""Tests of saving runs: `Experiment.save()` and paystone.training.saving."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from paystone.storage import runs
from paystone.storage.roots import ROOT_ENV, open_store
from paystone.training.results import DataTestResult, RegressionResult, TrainingTestResults
from paystone.training.runner import Experiment
from paystone.training.saving import code_revision


class Params(BaseModel):
    rows: int = Field(default=3, description="Rows of toy data.")


def load(*, params: Params) -> list[int]:
    return list(range(params.rows))


def total(data: list[int]) -> int:
    return sum(data)


def evaluate(model: int) -> TrainingTestResults:
    return TrainingTestResults(
        service="toy",
        regression=[RegressionResult(name="positive", passed=model > 0)],
        data=[
            DataTestResult(
                name="mae", goal="minimize", value=0.5, resamples=[0.4, 0.6], n_instances=3, holdout_fingerprint="f"
            )
        ],
    )


def small() -> list[int]:
    return [7]


def experiment() -> Experiment:
    built = Experiment(Params, service="toy")
    built.add_task(load)
    built.add_task(total, inbound=[load])
    built.add_task(evaluate, inbound=[total])
    return built


def test_save_writes_one_artifact_per_task_and_the_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trained = experiment().run({"rows": 4}, overrides={"load": f"{__name__}:small"})
    run_id = trained.save(str(tmp_path))

    folder = tmp_path / "toy" / "runs" / run_id
    assert sorted(p.name for p in folder.iterdir()) == [
        "evaluate.artifact",
        "load.artifact",
        "manifest.json",
        "total.artifact",
    ]
    assert f"Saved run {run_id} of 'toy' to {folder}" in capsys.readouterr().out

    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["service"] == "toy" and manifest["run_id"] == run_id
    assert manifest["hyperparameters"] == {"rows": 4}
    assert manifest["overrides"] == {"load": f"{__name__}:small"}
    for task in ("load", "total", "evaluate"):
        record = manifest["tasks"][task]
        data = (folder / record["artifact"]).read_bytes()
        assert record["sha256"] == hashlib.sha256(data).hexdigest()
        assert record["size_bytes"] == len(data)
        assert record["seconds"] == pytest.approx(trained.timings[task])
    assert manifest["test_results"]["passed"] is True
    assert manifest["test_results"]["data"][0]["resamples"] == [0.4, 0.6]

    store = open_store(str(tmp_path))
    assert runs.read_artifact(store, "toy", run_id, "load") == [7]
    assert runs.read_artifact(store, "toy", run_id, "evaluate") == trained.outputs["evaluate"]


def test_root_falls_back_to_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ROOT_ENV, str(tmp_path / "from-env"))
    run_id = experiment().run().save()
    assert runs.list_runs(open_store(str(tmp_path / "from-env")), "toy") == [run_id]


def test_each_save_is_a_new_run(tmp_path: Path) -> None:
    trained = experiment().run()
    first, second = trained.save(str(tmp_path)), trained.save(str(tmp_path))
    assert first != second
    assert runs.list_runs(open_store(str(tmp_path)), "toy") == sorted([first, second])


def test_save_to_cloud_storage(gcs_bucket: str) -> None:
    root = f"gs://{gcs_bucket}/team"
    run_id = experiment().run().save(root)
    store = open_store(root)
    assert runs.read_artifact(store, "toy", run_id, "total") == 3
    assert runs.read_manifest(store, "toy", run_id).test_results["passed"] is True  # type: ignore[index]


def _git(directory: Path, *arguments: str) -> str:
    return subprocess.run(
        ["git", "-C", str(directory), "-c", "user.name=t", "-c", "user.email=t@example.invalid", *arguments],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def test_code_revision_clean_dirty_and_outside_git(tmp_path: Path) -> None:
    assert code_revision(tmp_path) is None
    _git(tmp_path, "init", "-q")
    (tmp_path / "main.py").write_text("x = 1\n")
    _git(tmp_path, "add", "main.py")
    _git(tmp_path, "commit", "-q", "-m", "first")
    head = _git(tmp_path, "rev-parse", "HEAD")
    assert code_revision(tmp_path) == head
    (tmp_path / "main.py").write_text("x = 2\n")
    assert code_revision(tmp_path) == f"{head}-dirty"
