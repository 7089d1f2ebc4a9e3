"""Training housing end to end through `psml`: artifacts, manifest, integrity, and a gs:// root."""

from __future__ import annotations

from pathlib import Path

import pytest
from sklearn.base import RegressorMixin

from paystone.storage.errors import ArtifactIntegrityError
from paystone.storage.roots import open_store
from paystone.storage.runs import list_runs, read_artifact, read_manifest
from tests.e2e.housing.runs import QUICK_HOUSING
from tests.e2e.processes import psml, saved_run_id

pytestmark = pytest.mark.e2e

TASKS = {"load_data", "split_data", "build_model", "validate", "evaluate"}


def test_run_folder_holds_one_artifact_per_task_and_a_manifest(housing_root: Path) -> None:
    [run_id] = list_runs(open_store(housing_root), "housing")
    folder = housing_root / "housing" / "runs" / run_id
    assert {p.name for p in folder.iterdir()} == {f"{task}.artifact" for task in TASKS} | {"manifest.json"}
    manifest = read_manifest(open_store(housing_root), "housing", run_id)
    assert set(manifest.tasks) == TASKS
    assert manifest.overrides == {"load_data": "experiments.housing.train.sample:load_sample"}
    assert manifest.hyperparameters["max_iter"] == 40
    assert manifest.test_results is not None
    assert {d["name"] for d in manifest.test_results["data"]} == {"mean_absolute_error_dollars", "share_within_20_percent"}


def test_flipping_one_byte_makes_loading_fail_naming_the_file(housing_root: Path, tmp_path: Path) -> None:
    store = open_store(housing_root)
    [run_id] = list_runs(store, "housing")
    model = read_artifact(store, "housing", run_id, "build_model")
    assert isinstance(model, RegressorMixin)
    artifact = housing_root / "housing" / "runs" / run_id / "build_model.artifact"
    original = artifact.read_bytes()
    corrupted = bytearray(original)
    corrupted[len(corrupted) // 2] ^= 0x01
    try:
        artifact.write_bytes(bytes(corrupted))
        with pytest.raises(ArtifactIntegrityError, match="build_model.artifact"):
            read_artifact(store, "housing", run_id, "build_model")
    finally:
        artifact.write_bytes(original)


def test_training_prints_location_metrics_and_test_results(tmp_path: Path) -> None:
    result = psml("experiments", "train", "housing", *QUICK_HOUSING, "--root", str(tmp_path))
    assert result.returncode == 0, result.stderr
    run_id = saved_run_id(result.stdout)
    assert str(tmp_path / "housing" / "runs" / run_id) in result.stdout
    assert "mean_absolute_error_dollars" in result.stderr and "regression" in result.stderr
    assert "share_within_20_percent" in result.stderr


def test_the_same_run_against_a_gs_root_goes_through_the_storage_emulator(gcs_bucket: str, gcs_emulator: object) -> None:
    root = f"gs://{gcs_bucket}/team-a"
    result = psml("experiments", "train", "housing", *QUICK_HOUSING, "--root", root)
    assert result.returncode == 0, result.stderr
    run_id = saved_run_id(result.stdout)
    assert f"{root}/housing/runs/{run_id}" in result.stdout
    store = open_store(root)
    assert list_runs(store, "housing") == [run_id]
    manifest = read_manifest(store, "housing", run_id)
    assert set(manifest.tasks) == TASKS
    model = read_artifact(store, "housing", run_id, "build_model")
    split = read_artifact(store, "housing", run_id, "split_data")
    assert len(model.predict(split.test.X.head(5))) == 5
