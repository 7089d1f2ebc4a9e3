from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from paystone.storage.errors import (
    ArtifactExistsError,
    ArtifactIntegrityError,
    ArtifactNotFoundError,
    InvalidRunError,
)
from paystone.storage.gcs import GCSStore
from paystone.storage.manifest import RunManifest, TaskRecord, sha256_hex
from paystone.storage.roots import open_store
from paystone.storage.runs import (
    artifact_key,
    latest_run,
    list_runs,
    manifest_key,
    new_run_id,
    read_artifact,
    read_manifest,
    write_run,
)
from paystone.storage.serialization import serialize
from paystone.storage.store import ArtifactStore

SERVICE = "housing"
OUTPUTS = {"load_data": {"rows": [1, 2, 3]}, "build_model": ("a", "tuple", 3)}


@pytest.fixture(params=["local", "gcs"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ArtifactStore:
    if request.param == "local":
        return open_store(tmp_path / "artifacts")
    bucket = request.getfixturevalue("gcs_bucket")
    return open_store(f"gs://{bucket}/root")


def _save(store: ArtifactStore, run_id: str | None = None) -> tuple[str, dict[str, bytes]]:
    artifacts = {task: serialize(value) for task, value in OUTPUTS.items()}
    manifest = RunManifest(
        service=SERVICE,
        run_id=run_id or new_run_id(),
        hyperparameters={"alpha": 1.0},
        tasks={task: TaskRecord.for_artifact(task, data, 0.5) for task, data in artifacts.items()},
    )
    return write_run(store, manifest, artifacts), artifacts


def _corrupt(store: ArtifactStore, key: str, change: Callable[[bytes], bytes]) -> None:
    """Replace an artifact behind the store's back (the store itself never overwrites)."""
    if isinstance(store, GCSStore):
        blob = store.client.bucket(store.bucket_name).blob(f"{store.prefix}/{key}")
        blob.upload_from_string(change(blob.download_as_bytes()))
    else:
        path = Path(store.describe(key))
        path.write_bytes(change(path.read_bytes()))


def test_write_and_read_back(store: ArtifactStore) -> None:
    run_id, artifacts = _save(store)
    manifest = read_manifest(store, SERVICE, run_id)
    assert manifest.run_id == run_id
    assert manifest.tasks["build_model"].sha256 == sha256_hex(artifacts["build_model"])
    for task, value in OUTPUTS.items():
        assert read_artifact(store, SERVICE, run_id, task) == value
    assert store.list(f"{SERVICE}/runs/{run_id}/") == [
        f"{SERVICE}/runs/{run_id}/build_model.artifact",
        f"{SERVICE}/runs/{run_id}/load_data.artifact",
        f"{SERVICE}/runs/{run_id}/manifest.json",
    ]


def test_flipped_byte_is_detected_naming_file_and_digests(store: ArtifactStore) -> None:
    run_id, artifacts = _save(store)
    key = artifact_key(SERVICE, run_id, "build_model")
    _corrupt(store, key, lambda data: data[:10] + bytes([data[10] ^ 0x01]) + data[11:])
    with pytest.raises(ArtifactIntegrityError) as info:
        read_artifact(store, SERVICE, run_id, "build_model")
    message = str(info.value)
    assert store.describe(key) in message
    assert sha256_hex(artifacts["build_model"]) in message
    assert info.value.actual_sha256 in message
    assert info.value.actual_sha256 != info.value.expected_sha256
    # The other artifact is untouched and still reads.
    assert read_artifact(store, SERVICE, run_id, "load_data") == OUTPUTS["load_data"]


def test_truncated_artifact_is_detected(store: ArtifactStore) -> None:
    run_id, artifacts = _save(store)
    key = artifact_key(SERVICE, run_id, "load_data")
    _corrupt(store, key, lambda data: data[: len(data) // 2])
    with pytest.raises(ArtifactIntegrityError, match="truncated") as info:
        read_artifact(store, SERVICE, run_id, "load_data")
    assert store.describe(key) in str(info.value)
    assert info.value.actual_size == len(artifacts["load_data"]) // 2


def test_runs_are_listed_in_order_and_incomplete_ones_skipped(store: ArtifactStore) -> None:
    assert list_runs(store, SERVICE) == []
    assert latest_run(store, SERVICE) is None
    first, _ = _save(store)
    second, _ = _save(store)
    # An interrupted run: artifacts but no manifest.
    incomplete = new_run_id()
    store.write(artifact_key(SERVICE, incomplete, "load_data"), b"x")
    assert first < second < incomplete
    assert list_runs(store, SERVICE) == [first, second]
    assert latest_run(store, SERVICE) == second
    with pytest.raises(ArtifactNotFoundError, match="incomplete"):
        read_manifest(store, SERVICE, incomplete)


def test_existing_run_is_not_overwritten(store: ArtifactStore) -> None:
    run_id, _ = _save(store)
    with pytest.raises(ArtifactExistsError, match=re.escape(store.describe(manifest_key(SERVICE, run_id)))):
        _save(store, run_id)


def test_unknown_task_names_available_tasks(store: ArtifactStore) -> None:
    run_id, _ = _save(store)
    with pytest.raises(ArtifactNotFoundError, match=r"'nope'.*build_model"):
        read_artifact(store, SERVICE, run_id, "nope")


def test_manifest_must_match_artifacts(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    manifest = RunManifest(
        service=SERVICE,
        run_id=new_run_id(),
        tasks={"fit": TaskRecord.for_artifact("fit", b"other bytes", 0.1)},
    )
    with pytest.raises(InvalidRunError, match="'fit'"):
        write_run(store, manifest, {"fit": b"bytes"})
    with pytest.raises(InvalidRunError, match="extra|without manifest"):
        write_run(store, manifest, {"fit": b"other bytes", "more": b"x"})
    assert store.list("") == []


def test_new_run_ids_sort_by_time_and_differ() -> None:
    ids = [new_run_id() for _ in range(50)]
    assert len(set(ids)) == 50
    assert ids == sorted(ids)
    assert re.fullmatch(r"\d{8}T\d{12}Z-[0-9a-f]{6}", ids[0])
