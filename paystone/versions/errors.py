"""Errors of `paystone.versions`, each naming the service, version or record at fault."""

from __future__ import annotations


class VersionError(Exception):
    """Base class of the errors raised by `paystone.versions`."""


class VersionNotFoundError(VersionError, LookupError):
    """A version that was never promoted."""


class InvalidVersionRecordError(VersionError, ValueError):
    """A version record that cannot be read back (not JSON, wrong fields, wrong place)."""
