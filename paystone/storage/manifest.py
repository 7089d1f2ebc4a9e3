"""The record of one training run: what produced it and the fingerprint of every artifact."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

# Services and run ids become path segments in the store.
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def artifact_file_name(task: str) -> str:
    """The file a task's output is stored in, inside its run folder."""
    return f"{task}.artifact"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_segment(value: str, what: str) -> str:
    if not _SEGMENT.fullmatch(value) or value.endswith("."):
        raise ValueError(
            f"{what} {value!r} must be a single path segment of letters, digits, '_', '-', '.'"
        )
    return value


class TaskRecord(BaseModel):
    """Where one task's output is stored and the digest it must still have when read back."""

    artifact: str = Field(description="File name of the artifact inside the run folder, `<task>.artifact`.")
    sha256: str = Field(description="Hex sha256 of the artifact bytes as written.", pattern=r"^[0-9a-f]{64}$")
    size_bytes: int = Field(description="Length of the artifact in bytes.", ge=0)
    seconds: float = Field(description="Wall time the task took to run, in seconds.", ge=0)

    @classmethod
    def for_artifact(cls, task: str, data: bytes, seconds: float) -> TaskRecord:
        """The record for `data` as the serialized output of `task`."""
        return cls(
            artifact=artifact_file_name(task),
            sha256=sha256_hex(data),
            size_bytes=len(data),
            seconds=seconds,
        )


class RunManifest(BaseModel):
    """Written last in a run folder: a run without a manifest is incomplete and never listed."""

    service: str = Field(description="Experiment package name, e.g. `housing`.")
    run_id: str = Field(description="Sortable run identifier from `new_run_id()`.")
    created_at: datetime = Field(
        default_factory=lambda: datetime.now(UTC), description="When the run was saved (UTC)."
    )
    hyperparameters: dict[str, Any] = Field(
        default_factory=dict, description="Hyperparameter values the run used, after overrides."
    )
    overrides: dict[str, str] = Field(
        default_factory=dict, description="Task overrides: task name -> `module:function`."
    )
    code_revision: str | None = Field(
        default=None, description="Git revision of the code that trained the run, when known."
    )
    tasks: dict[str, TaskRecord] = Field(
        default_factory=dict, description="Task name -> record of its stored artifact."
    )
    test_results: dict[str, Any] | None = Field(
        default=None, description="The `TrainingTestResults` of the run, dumped to JSON data."
    )

    @field_validator("service")
    @classmethod
    def _service_is_segment(cls, value: str) -> str:
        return _check_segment(value, "service")

    @field_validator("run_id")
    @classmethod
    def _run_id_is_segment(cls, value: str) -> str:
        return _check_segment(value, "run_id")
