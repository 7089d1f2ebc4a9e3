"""Artifacts and the stores that hold them (local folders and Google Cloud Storage)."""

from paystone.storage.errors import (
    ArtifactExistsError,
    ArtifactIntegrityError,
    ArtifactNotFoundError,
    InvalidKeyError,
    InvalidRunError,
    SerializationError,
    StorageError,
    UnknownSerializerError,
)
from paystone.storage.gcs import GCSStore
from paystone.storage.local import LocalStore
from paystone.storage.manifest import RunManifest, TaskRecord
from paystone.storage.roots import DEFAULT_ROOT, ROOT_ENV, default_root, open_store
from paystone.storage.runs import (
    latest_run,
    list_runs,
    new_run_id,
    read_artifact,
    read_artifact_bytes,
    read_manifest,
    write_run,
)
from paystone.storage.serialization import SerializerTag, deserialize, serialize
from paystone.storage.store import ArtifactStore

__all__ = [
    "DEFAULT_ROOT",
    "ROOT_ENV",
    "ArtifactExistsError",
    "ArtifactIntegrityError",
    "ArtifactNotFoundError",
    "ArtifactStore",
    "GCSStore",
    "InvalidKeyError",
    "InvalidRunError",
    "LocalStore",
    "RunManifest",
    "SerializationError",
    "SerializerTag",
    "StorageError",
    "TaskRecord",
    "UnknownSerializerError",
    "default_root",
    "deserialize",
    "latest_run",
    "list_runs",
    "new_run_id",
    "open_store",
    "read_artifact",
    "read_artifact_bytes",
    "read_manifest",
    "serialize",
    "write_run",
]
