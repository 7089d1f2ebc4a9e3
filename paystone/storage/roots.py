"""Turn a storage root string (from a flag, env or config) into a store."""

from __future__ import annotations

import os
from pathlib import Path

from paystone.storage.gcs import GCSStore
from paystone.storage.local import LocalStore
from paystone.storage.store import ArtifactStore

DEFAULT_ROOT = "./artifacts"
ROOT_ENV = "PSML_STORAGE_ROOT"
GCS_SCHEME = "gs://"


def default_root() -> str:
    """`PSML_STORAGE_ROOT` when set (deployed runs point it at a bucket), else `./artifacts`."""
    return os.environ.get(ROOT_ENV) or DEFAULT_ROOT


def open_store(root: str | Path | None = None) -> ArtifactStore:
    """`gs://bucket[/prefix]` -> `GCSStore`; any other string or path -> `LocalStore`.

    `None` means `default_root()`.
    """
    if root is None:
        root = default_root()
    if isinstance(root, Path):
        return LocalStore(root)
    if root.startswith(GCS_SCHEME):
        bucket, _, prefix = root[len(GCS_SCHEME) :].partition("/")
        if not bucket:
            raise ValueError(f"storage root {root!r} names no bucket (expected gs://bucket/prefix)")
        return GCSStore(bucket, prefix)
    if "://" in root:
        raise ValueError(
            f"unsupported storage root {root!r}: use gs://bucket/prefix or a local path"
        )
    return LocalStore(Path(root))
