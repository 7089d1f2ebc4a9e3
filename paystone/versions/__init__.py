"""Promoted versions of a service: naming (`v<major>.m<minor>`), schema fingerprints, records.

Public API: `Version`, `version_key` (`.naming`); `service_schema_fingerprint`,
`fingerprint_schema` (`.fingerprint`); `VersionRecord`, `create_version`, `read_version`,
`list_versions`, `latest_version`, `run_version` (`.records`).
"""

from paystone.versions.errors import InvalidVersionRecordError, VersionError, VersionNotFoundError
from paystone.versions.fingerprint import (
    SchemaFingerprintError,
    fingerprint_schema,
    schema_document,
    service_schema_fingerprint,
)
from paystone.versions.naming import FIRST_VERSION, Version, version_key, versions_prefix
from paystone.versions.records import (
    VersionRecord,
    create_version,
    latest_version,
    list_versions,
    read_version,
    run_version,
    version_numbers,
)

__all__ = [
    "FIRST_VERSION",
    "InvalidVersionRecordError",
    "SchemaFingerprintError",
    "Version",
    "VersionError",
    "VersionNotFoundError",
    "VersionRecord",
    "create_version",
    "fingerprint_schema",
    "latest_version",
    "list_versions",
    "read_version",
    "run_version",
    "schema_document",
    "service_schema_fingerprint",
    "version_key",
    "version_numbers",
    "versions_prefix",
]
