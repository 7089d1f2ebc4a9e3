"""The layout of training runs in a store, and verified reads of their artifacts.

Layout: `<service>/runs/<run_id>/<task>.artifact` and `<service>/runs/<run_id>/manifest.json`.
The manifest is written last, so its presence is what makes a run complete; every artifact read
is checked against the sha256 it records, so a corrupt or truncated file is never unpickled.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pydantic

from paystone.storage.errors import (
    ArtifactExistsError,
    ArtifactIntegrityError,
    ArtifactNotFoundError,
    InvalidRunError,
    StorageError,
)
from paystone.storage.manifest import RunManifest, TaskRecord, artifact_file_name, sha256_hex
from paystone.storage.serialization import deserialize
from paystone.storage.store import ArtifactStore

MANIFEST_NAME = "manifest.json"


def runs_prefix(service: str) -> str:
    return f"{service}/runs/"


def run_prefix(service: str, run_id: str) -> str:
    return f"{runs_prefix(service)}{run_id}/"


def manifest_key(service: str, run_id: str) -> str:
    return run_prefix(service, run_id) + MANIFEST_NAME


def artifact_key(service: str, run_id: str, task: str) -> str:
    return run_prefix(service, run_id) + artifact_file_name(task)


def new_run_id() -> str:
    """UTC time to the microsecond, then random hex: sorts by creation time, never collides."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"


def _check_artifacts_match(manifest: RunManifest, artifacts: Mapping[str, bytes]) -> None:
    missing = sorted(set(manifest.tasks) - set(artifacts))
    extra = sorted(set(artifacts) - set(manifest.tasks))
    if missing or extra:
        raise InvalidRunError(
            f"run {manifest.run_id!r} of {manifest.service!r}: manifest tasks and artifacts differ "
            f"(in manifest without bytes: {missing}; bytes without manifest record: {extra})"
        )
    for task, data in artifacts.items():
        record = manifest.tasks[task]
        expected_name = artifact_file_name(task)
        if record.artifact != expected_name:
            raise InvalidRunError(
                f"task {task!r}: manifest names artifact {record.artifact!r}, expected {expected_name!r}"
            )
        actual = sha256_hex(data)
        if record.sha256 != actual or record.size_bytes != len(data):
            raise InvalidRunError(
                f"task {task!r}: manifest records sha256 {record.sha256} ({record.size_bytes} bytes) "
                f"but the bytes given have sha256 {actual} ({len(data)} bytes); "
                "build records with TaskRecord.for_artifact"
            )


def write_run(store: ArtifactStore, manifest: RunManifest, artifacts: Mapping[str, bytes]) -> str:
    """Write every artifact, then the manifest; returns the run id.

    `manifest.tasks` must hold a `TaskRecord.for_artifact` record for exactly the tasks in
    `artifacts`. Every write is immutable, so an existing run id is refused, never overwritten.
    """
    _check_artifacts_match(manifest, artifacts)
    service, run_id = manifest.service, manifest.run_id
    if store.exists(manifest_key(service, run_id)):
        raise ArtifactExistsError(manifest_key(service, run_id), store.describe(manifest_key(service, run_id)))
    for task in sorted(artifacts):
        store.write(artifact_key(service, run_id, task), artifacts[task])
    store.write(manifest_key(service, run_id), manifest.model_dump_json(indent=2).encode("utf-8"))
    return run_id


def read_manifest(store: ArtifactStore, service: str, run_id: str) -> RunManifest:
    """The manifest of a complete run; `ArtifactNotFoundError` for a missing or incomplete run."""
    key = manifest_key(service, run_id)
    try:
        data = store.read(key)
    except ArtifactNotFoundError:
        raise ArtifactNotFoundError(
            key,
            store.describe(key),
            f"run {run_id!r} of service {service!r} does not exist or is incomplete",
        ) from None
    try:
        return RunManifest.model_validate_json(data)
    except pydantic.ValidationError as error:
        raise StorageError(f"manifest {store.describe(key)} is not a valid run manifest: {error}") from error


def _task_record(store: ArtifactStore, manifest: RunManifest, task: str) -> TaskRecord:
    record = manifest.tasks.get(task)
    if record is None:
        key = artifact_key(manifest.service, manifest.run_id, task)
        raise ArtifactNotFoundError(
            key,
            store.describe(key),
            f"run {manifest.run_id!r} has no task {task!r} (tasks: {sorted(manifest.tasks)})",
        )
    return record


def read_artifact_bytes(store: ArtifactStore, service: str, run_id: str, task: str) -> bytes:
    """The artifact's bytes, verified against the manifest's size and sha256."""
    record = _task_record(store, read_manifest(store, service, run_id), task)
    key = run_prefix(service, run_id) + record.artifact
    data = store.read(key)
    actual = sha256_hex(data)
    if actual != record.sha256 or len(data) != record.size_bytes:
        raise ArtifactIntegrityError(
            store.describe(key),
            expected_sha256=record.sha256,
            actual_sha256=actual,
            expected_size=record.size_bytes,
            actual_size=len(data),
        )
    return data


def read_artifact(store: ArtifactStore, service: str, run_id: str, task: str) -> Any:
    """The deserialized output of `task` in the run, after verifying its sha256."""
    return deserialize(read_artifact_bytes(store, service, run_id, task))


def list_runs(store: ArtifactStore, service: str) -> list[str]:
    """Run ids of the service's complete runs (those with a manifest), oldest first."""
    prefix = runs_prefix(service)
    run_ids = set()
    for key in store.list(prefix):
        run_id, _, name = key[len(prefix) :].partition("/")
        if name == MANIFEST_NAME:
            run_ids.add(run_id)
    return sorted(run_ids)


def latest_run(store: ArtifactStore, service: str) -> str | None:
    """The newest complete run of the service, or None when it has none."""
    runs = list_runs(store, service)
    return runs[-1] if runs else None
