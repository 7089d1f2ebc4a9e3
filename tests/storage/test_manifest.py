from __future__ import annotations

import hashlib

import pydantic
import pytest

from paystone.storage.manifest import RunManifest, TaskRecord


def test_task_record_for_artifact() -> None:
    record = TaskRecord.for_artifact("build_model", b"abc", 1.25)
    assert record.artifact == "build_model.artifact"
    assert record.sha256 == hashlib.sha256(b"abc").hexdigest()
    assert record.size_bytes == 3
    assert record.seconds == 1.25


def test_manifest_json_round_trip() -> None:
    manifest = RunManifest(
        service="housing",
        run_id="20240101T000000000000Z-abcdef",
        hyperparameters={"alpha": 0.5},
        overrides={"fetch": "pkg.mod:small"},
        code_revision="deadbeef",
        tasks={"fit": TaskRecord.for_artifact("fit", b"x", 0.1)},
        test_results={"passed": True},
    )
    assert RunManifest.model_validate_json(manifest.model_dump_json()) == manifest
    assert manifest.created_at.tzinfo is not None


@pytest.mark.parametrize("field", ["service", "run_id"])
@pytest.mark.parametrize("value", ["a/b", "", "..", "-x"])
def test_path_like_service_or_run_id_is_refused(field: str, value: str) -> None:
    values = {"service": "housing", "run_id": "r1", field: value}
    with pytest.raises(pydantic.ValidationError, match=field):
        RunManifest(**values)


def test_bad_sha_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError, match="sha256"):
        TaskRecord(artifact="a.artifact", sha256="xyz", size_bytes=1, seconds=0)
