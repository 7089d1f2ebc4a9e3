"""The storage interface every artifact reader and writer codes against.

Training writes runs and serving reads them through this one interface, so a run trained on a
laptop (`LocalStore`) and one trained on a VM (`GCSStore`) are laid out and verified identically.
"""

from __future__ import annotations

import abc
from pathlib import PurePosixPath

from paystone.storage.errors import ArtifactExistsError, InvalidKeyError


def validate_key(key: str) -> str:
    """Keys are clean relative paths, so they map to the same file locally and on GCS."""
    if not isinstance(key, str) or not key:
        raise InvalidKeyError(str(key), "must be a non-empty string")
    if key.startswith("/"):
        raise InvalidKeyError(key, "must be relative (no leading '/')")
    if "\\" in key:
        raise InvalidKeyError(key, "must use '/' as separator, not '\\'")
    parts = key.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise InvalidKeyError(key, "must not contain empty, '.' or '..' segments")
    if PurePosixPath(key).as_posix() != key:
        raise InvalidKeyError(key, "is not in normal form")
    return key


class ArtifactStore(abc.ABC):
    """An immutable key -> bytes store: a key, once written, always reads back the same bytes."""

    def write(self, key: str, data: bytes) -> None:
        """Store `data` under `key`; raises `ArtifactExistsError` when the key is taken."""
        if not self.create_exclusive(key, data):
            raise ArtifactExistsError(key, self.describe(key))

    @abc.abstractmethod
    def create_exclusive(self, key: str, data: bytes) -> bool:
        """Atomically create `key`; False (and nothing written) when it already exists.

        Exactly one of several concurrent callers wins, which is what makes version numbers
        race-free.
        """

    @abc.abstractmethod
    def read(self, key: str) -> bytes:
        """The bytes under `key`; raises `ArtifactNotFoundError` when absent."""

    @abc.abstractmethod
    def exists(self, key: str) -> bool:
        """Whether `key` has been written."""

    @abc.abstractmethod
    def list(self, prefix: str = "") -> list[str]:
        """Every key starting with `prefix` (plain string prefix, as on GCS), sorted."""

    @abc.abstractmethod
    def describe(self, key: str) -> str:
        """A full path or gs:// URL for `key`, so error messages point at the real object."""
