"""Version records in a storage root: written once by promotion, read by listing and serving.

A record is a small JSON document at `<service>/versions/v<major>/m<minor>.json`. It is created
with the store's conditional create (exclusive link locally, `if_generation_match=0` on Cloud
Storage), so two promotions racing for the same number cannot both win: the loser sees `False`
and tries the next number. Records are never rewritten.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pydantic
from pydantic import BaseModel, Field

from paystone.storage.errors import ArtifactNotFoundError
from paystone.storage.store import ArtifactStore
from paystone.training.results import TrainingTestResults
from paystone.versions.errors import InvalidVersionRecordError, VersionNotFoundError
from paystone.versions.naming import Version, version_key, version_of_key, versions_prefix


class VersionRecord(BaseModel):
    """What a promoted version is: the run it serves, its schema, and the evidence it was promoted on."""

    service: str = Field(description="The experiment (service) this version belongs to.")
    major: int = Field(ge=1, description="Major version: changes when the schema fingerprint changes.")
    minor: int = Field(ge=0, description="Minor version: counts the promotions within the major version.")
    run_id: str = Field(min_length=1, description="The training run whose artifacts this version serves.")
    schema_fingerprint: str = Field(
        description="sha256 of the service schema (instances, parameters, predictions, routes) at promotion."
    )
    promoted_at: datetime = Field(
        default_factory=lambda: datetime.now(UTC), description="When the version record was created (UTC)."
    )
    incumbent: str | None = Field(
        default=None, description="The version the candidate was compared with (v<major>.m<minor>); None for none."
    )
    test_results: TrainingTestResults = Field(description="The run's regression and data test results.")
    report: dict[str, Any] | None = Field(
        default=None, description="The promotion report (per-test comparison) that admitted this version."
    )

    @property
    def version(self) -> Version:
        return Version(self.major, self.minor)

    @property
    def name(self) -> str:
        """`v1.m0`."""
        return str(self.version)


def create_version(store: ArtifactStore, record: VersionRecord) -> bool:
    """Create the record if its version number is free; False (and nothing written) when taken."""
    data = record.model_dump_json(indent=2).encode("utf-8")
    return store.create_exclusive(version_key(record.service, record.version), data)


def read_version(store: ArtifactStore, service: str, version: Version) -> VersionRecord:
    """The record of `service` `version`; `VersionNotFoundError` naming where it was looked for."""
    key = version_key(service, version)
    try:
        data = store.read(key)
    except ArtifactNotFoundError:
        raise VersionNotFoundError(
            f"{service}.{version} was never promoted: no version record at {store.describe(key)}"
        ) from None
    try:
        record = VersionRecord.model_validate_json(data)
    except pydantic.ValidationError as error:
        raise InvalidVersionRecordError(f"version record {store.describe(key)} is invalid: {error}") from error
    if record.service != service or record.version != version:
        raise InvalidVersionRecordError(
            f"version record {store.describe(key)} claims to be {record.service}.{record.name}, "
            f"not {service}.{version}"
        )
    return record


def version_numbers(store: ArtifactStore, service: str) -> list[Version]:
    """Every promoted version of `service`, oldest first, without reading the records."""
    prefix = versions_prefix(service)
    found = (version_of_key(service, key) for key in store.list(prefix))
    return sorted(version for version in found if version is not None)


def list_versions(store: ArtifactStore, service: str) -> list[VersionRecord]:
    """Every version record of `service`, ordered by (major, minor)."""
    return [read_version(store, service, version) for version in version_numbers(store, service)]


def latest_version(store: ArtifactStore, service: str, major: int | None = None) -> VersionRecord | None:
    """The highest version overall, or within `major`; None when there is none."""
    numbers = [v for v in version_numbers(store, service) if major is None or v.major == major]
    return read_version(store, service, numbers[-1]) if numbers else None


def run_version(store: ArtifactStore, service: str, run_id: str) -> VersionRecord | None:
    """The version a run was already promoted to, if any (a run is promoted at most once)."""
    for record in list_versions(store, service):
        if record.run_id == run_id:
            return record
    return None
