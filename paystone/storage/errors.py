"""Errors raised by `paystone.storage`.

One hierarchy so that callers (the CLI, the serving app) can catch `StorageError` and print a
message that already names the key, path or digest at fault.
"""

from __future__ import annotations


class StorageError(Exception):
    """Base class of every error raised by `paystone.storage`."""


class InvalidKeyError(StorageError, ValueError):
    """A store key is not a clean `/`-separated relative path."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"invalid artifact key {key!r}: {reason}")
        self.key = key
        self.reason = reason


class ArtifactExistsError(StorageError):
    """Artifacts are immutable: a key that was written once can never be written again."""

    def __init__(self, key: str, location: str) -> None:
        super().__init__(f"artifact {key!r} already exists at {location}; artifacts are immutable")
        self.key = key
        self.location = location


class ArtifactNotFoundError(StorageError, LookupError):
    """The key (or run, or task) asked for is not in the store."""

    def __init__(self, key: str, location: str, detail: str | None = None) -> None:
        message = f"artifact {key!r} not found at {location}"
        if detail:
            message = f"{message}: {detail}"
        super().__init__(message)
        self.key = key
        self.location = location


class ArtifactIntegrityError(StorageError):
    """The bytes read back differ from what the run manifest recorded (corrupt or truncated)."""

    def __init__(
        self,
        location: str,
        *,
        expected_sha256: str,
        actual_sha256: str,
        expected_size: int,
        actual_size: int,
    ) -> None:
        size_note = (
            f"; size {actual_size} bytes, manifest says {expected_size} (truncated or extended)"
            if actual_size != expected_size
            else ""
        )
        super().__init__(
            f"artifact {location} is corrupt: sha256 {actual_sha256} does not match the "
            f"manifest's sha256 {expected_sha256}{size_note}"
        )
        self.location = location
        self.expected_sha256 = expected_sha256
        self.actual_sha256 = actual_sha256
        self.expected_size = expected_size
        self.actual_size = actual_size


class SerializationError(StorageError):
    """An object could not be turned into bytes, or bytes back into an object."""


class UnknownSerializerError(SerializationError, ValueError):
    """The trailing tag byte names no serializer this version knows."""

    def __init__(self, tag: int) -> None:
        super().__init__(
            f"unknown serializer tag {tag} (0x{tag:02x}) at the end of the artifact; "
            "it was written by a newer paystone or is not an artifact"
        )
        self.tag = tag


class InvalidRunError(StorageError, ValueError):
    """A manifest and its artifacts disagree, so the run must not be written."""
