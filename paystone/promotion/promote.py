"""Promotion: compare a training run with the incumbent and, if it passes, make it the next version.

The incumbent is the latest version whose schema fingerprint equals the candidate's; the
candidate then becomes its next minor. When no version shares the fingerprint, the schema changed:
the candidate starts the next major at `m0`, compared with nothing, so only its regression tests
gate. A rejection writes nothing.

Claiming the number is a conditional create of the version record. When two promotions race for
the same number, the loser's create returns False; it then reads the versions again, compares
itself with the new incumbent (the winner), and tries the number after it. So every promoted
version was compared with the version just before it, and no two promotions share a number.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from paystone.promotion.comparison import Comparison, compare_results
from paystone.promotion.statistics import DEFAULT_CONFIDENCE
from paystone.storage.runs import read_manifest
from paystone.storage.store import ArtifactStore
from paystone.training.results import TrainingTestResults
from paystone.versions.fingerprint import service_schema_fingerprint
from paystone.versions.naming import FIRST_VERSION, Version
from paystone.versions.records import VersionRecord, create_version, read_version, run_version, version_numbers

#: Lost races tolerated before giving up: each loss means another promotion succeeded meanwhile.
MAX_ATTEMPTS = 64


class PromotionError(Exception):
    """Promotion cannot be attempted (no such run, no test results, already promoted...)."""


class PromotionReport(BaseModel):
    """Everything the promote command prints and writes as JSON."""

    service: str = Field(description="The experiment (service).")
    run_id: str = Field(description="The candidate training run.")
    schema_fingerprint: str = Field(description="The candidate's schema fingerprint.")
    incumbent: str | None = Field(description="The version compared with (v<major>.m<minor>); None when there is none.")
    incumbent_run_id: str | None = Field(description="The incumbent's training run.")
    schema_changed: bool = Field(description="True when no promoted version shares the candidate's schema fingerprint.")
    comparison: Comparison = Field(description="Per-test rows and the reasons for rejection, if any.")
    accepted: bool = Field(description="Whether the candidate was promoted.")
    version: str | None = Field(description="The version assigned (v<major>.m<minor>); None when rejected.")
    attempts: int = Field(default=1, ge=1, description="Version numbers tried: more than 1 when racing promotions took one first.")
    decided_at: datetime = Field(default_factory=lambda: datetime.now(UTC), description="When promotion decided (UTC).")


def candidate_results(store: ArtifactStore, service: str, run_id: str) -> TrainingTestResults:
    """The test results recorded in the run's manifest."""
    manifest = read_manifest(store, service, run_id)
    if manifest.test_results is None:
        raise PromotionError(
            f"run {run_id!r} of {service!r} has no test results in its manifest: "
            "its training did not run evaluate_models, so there is nothing to promote on"
        )
    results = TrainingTestResults.model_validate(manifest.test_results)
    if results.service != service:
        raise PromotionError(f"run {run_id!r} holds test results of service {results.service!r}, not {service!r}")
    return results


def _incumbent_for(store: ArtifactStore, service: str, fingerprint: str) -> tuple[VersionRecord | None, Version, bool]:
    """(incumbent, version to claim, schema changed) given the versions promoted so far."""
    numbers = version_numbers(store, service)
    if not numbers:
        return None, FIRST_VERSION, False
    latest_per_major: dict[int, Version] = {}
    for number in numbers:
        latest_per_major[number.major] = number
    for major in sorted(latest_per_major, reverse=True):
        record = read_version(store, service, latest_per_major[major])
        if record.schema_fingerprint == fingerprint:
            return record, record.version.next_minor(), False
    return None, Version(max(latest_per_major) + 1, 0), True


def promote(
    store: ArtifactStore,
    service: str,
    run_id: str,
    *,
    tolerances: Mapping[str, float] | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    schema_fingerprint: str | None = None,
) -> PromotionReport:
    """Promote `run_id` if it passes; the report says which version it became, or why it did not.

    `schema_fingerprint` defaults to the fingerprint of `experiments.<service>.schema` as the code
    importable now defines it (promotion runs from the checkout that trained the run).
    """
    candidate = candidate_results(store, service, run_id)
    already = run_version(store, service, run_id)
    if already is not None:
        raise PromotionError(f"run {run_id!r} of {service!r} is already version {already.name}")
    fingerprint = schema_fingerprint or service_schema_fingerprint(service)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        incumbent, target, schema_changed = _incumbent_for(store, service, fingerprint)
        comparison = compare_results(
            candidate,
            incumbent.test_results if incumbent is not None else None,
            tolerances=tolerances,
            confidence=confidence,
        )
        report = PromotionReport(
            service=service,
            run_id=run_id,
            schema_fingerprint=fingerprint,
            incumbent=incumbent.name if incumbent is not None else None,
            incumbent_run_id=incumbent.run_id if incumbent is not None else None,
            schema_changed=schema_changed,
            comparison=comparison,
            accepted=comparison.passed,
            version=str(target) if comparison.passed else None,
            attempts=attempt,
        )
        if not report.accepted:
            return report
        record = VersionRecord(
            service=service,
            major=target.major,
            minor=target.minor,
            run_id=run_id,
            schema_fingerprint=fingerprint,
            incumbent=report.incumbent,
            test_results=candidate,
            report=report.model_dump(mode="json"),
        )
        if create_version(store, record):
            return report
    raise PromotionError(
        f"could not claim a version of {service!r} for run {run_id!r} after {MAX_ATTEMPTS} attempts: "
        "other promotions kept taking the next number"
    )
