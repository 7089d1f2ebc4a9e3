from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from paystone.serving.artifacts import ArtifactReference, InMemoryArtifacts, StoredArtifacts
from paystone.serving.errors import ArtifactNotAvailableError, ArtifactReferenceError, VersionNotFoundError
from paystone.serving.versions import ServiceVersion, version_key
from paystone.storage.errors import ArtifactIntegrityError
from paystone.storage.local import LocalStore
from paystone.storage.manifest import RunManifest, TaskRecord
from paystone.storage.roots import open_store
from paystone.storage.runs import artifact_key, new_run_id, write_run
from paystone.storage.serialization import serialize
from paystone.storage.store import ArtifactStore


def test_parse_a_task_name() -> None:
    ref = ArtifactReference.parse("build_model")
    assert ref == ArtifactReference(task="build_model")
    assert not ref.versioned
    assert str(ref) == "build_model"


def test_parse_a_versioned_name() -> None:
    ref = ArtifactReference.parse("housing.v1.m0.build_model")
    assert ref == ArtifactReference(task="build_model", service="housing", version=ServiceVersion(1, 0))
    assert ref.versioned
    assert str(ref) == "housing.v1.m0.build_model"


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("", "it is empty"),
        ("build-model", "a task name is a Python identifier"),
        ("housing.build_model", "2 dot-separated parts"),
        ("housing.v1.build_model", "3 dot-separated parts"),
        ("housing.1.m0.build_model", "major version part '1'"),
        ("housing.v1.0.build_model", "minor version part '0'"),
        ("housing.v01.m0.build_model", "major version part 'v01'"),
        ("hou-sing.v1.m0.build_model", "service part 'hou-sing'"),
        ("housing.v1.m0.9model", "task part '9model'"),
    ],
)
def test_parse_errors_name_the_value_and_the_part_at_fault(name: str, hint: str) -> None:
    with pytest.raises(ArtifactReferenceError) as caught:
        ArtifactReference.parse(name)
    message = str(caught.value)
    assert repr(name) in message
    assert hint in message
    assert "SERVICE.vMAJOR.mMINOR.TASK" in message


def test_in_memory_artifacts_by_task_or_full_name() -> None:
    model, other = object(), object()
    source = InMemoryArtifacts({"build_model": model, "housing.v1.m0.build_model": other})
    assert source.load(ArtifactReference.parse("build_model")) is model
    assert source.load(ArtifactReference.parse("housing.v1.m0.build_model")) is other
    with pytest.raises(ArtifactNotAvailableError, match=r"'housing\.v2\.m0\.build_model'.*build_model"):
        source.load(ArtifactReference.parse("housing.v2.m0.build_model"))


def test_in_memory_artifacts_refuse_a_malformed_key() -> None:
    with pytest.raises(ArtifactReferenceError, match="housing.v1"):
        InMemoryArtifacts({"housing.v1": 1})


def _write_run(store: ArtifactStore, service: str, artifacts: dict[str, Any]) -> str:
    data = {task: serialize(value) for task, value in artifacts.items()}
    run_id = new_run_id()
    manifest = RunManifest(
        service=service,
        run_id=run_id,
        tasks={task: TaskRecord.for_artifact(task, payload, 0.0) for task, payload in data.items()},
    )
    return write_run(store, manifest, data)


def test_stored_artifacts_read_the_served_run(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    run_id = _write_run(store, "housing", {"build_model": {"coef": [1.0, 2.0]}})
    source = StoredArtifacts(store, "housing", run_id)
    assert source.load(ArtifactReference.parse("build_model")) == {"coef": [1.0, 2.0]}


def test_stored_artifacts_resolve_a_promoted_version_of_another_service(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    other_run = _write_run(store, "sentiment", {"build_model": "sentiment model"})
    time.sleep(0.002)
    store.write(version_key("sentiment", 2, 1), f'{{"run_id": "{other_run}"}}'.encode())
    own_run = _write_run(store, "housing", {"build_model": "housing model"})
    source = StoredArtifacts(store, "housing", own_run)
    assert source.load(ArtifactReference.parse("sentiment.v2.m1.build_model")) == "sentiment model"
    with pytest.raises(VersionNotFoundError, match=r"sentiment\.v2\.m2"):
        source.load(ArtifactReference.parse("sentiment.v2.m2.build_model"))


def test_stored_artifacts_use_the_given_resolver(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    run_id = _write_run(store, "housing", {"build_model": 42})
    calls: list[tuple[str, int, int]] = []

    def resolver(store: ArtifactStore, service: str, major: int, minor: int) -> str:
        calls.append((service, major, minor))
        return run_id

    source = StoredArtifacts(store, "other", "unused", resolver=resolver)
    assert source.load(ArtifactReference.parse("housing.v4.m7.build_model")) == 42
    assert calls == [("housing", 4, 7)]


def test_stored_artifacts_refuse_an_altered_artifact(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    run_id = _write_run(store, "housing", {"build_model": 1})
    path = tmp_path / artifact_key("housing", run_id, "build_model")
    path.chmod(0o644)
    path.write_bytes(serialize(2))
    with pytest.raises(ArtifactIntegrityError):
        StoredArtifacts(store, "housing", run_id).load(ArtifactReference.parse("build_model"))


def test_stored_artifacts_read_a_run_in_cloud_storage(gcs_bucket: str) -> None:
    store = open_store(f"gs://{gcs_bucket}/root")
    run_id = _write_run(store, "housing", {"build_model": [1, 2, 3]})
    assert StoredArtifacts(store, "housing", run_id).load(ArtifactReference.parse("build_model")) == [1, 2, 3]
