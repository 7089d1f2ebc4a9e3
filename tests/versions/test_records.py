from __future__ import annotations

from pathlib import Path

import pytest

from paystone.serving.versions import resolve_version
from paystone.storage.roots import open_store
from paystone.storage.store import ArtifactStore
from paystone.training.results import TrainingTestResults
from paystone.versions.errors import InvalidVersionRecordError, VersionNotFoundError
from paystone.versions.naming import Version, version_key
from paystone.versions.records import (
    VersionRecord,
    create_version,
    latest_version,
    list_versions,
    read_version,
    run_version,
)

RESULTS = TrainingTestResults(service="housing", regression=[], data=[])


def record(major: int, minor: int, run_id: str, fingerprint: str = "fp1") -> VersionRecord:
    return VersionRecord(
        service="housing", major=major, minor=minor, run_id=run_id, schema_fingerprint=fingerprint, test_results=RESULTS
    )


@pytest.fixture(params=["local", "gcs"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ArtifactStore:
    if request.param == "local":
        return open_store(tmp_path / "root")
    bucket = request.getfixturevalue("gcs_bucket")
    return open_store(f"gs://{bucket}/root")


def test_create_is_conditional_and_never_overwrites(store: ArtifactStore) -> None:
    assert create_version(store, record(1, 0, "run-a"))
    assert not create_version(store, record(1, 0, "run-b"))
    assert read_version(store, "housing", Version(1, 0)).run_id == "run-a"


def test_listing_orders_by_major_then_minor(store: ArtifactStore) -> None:
    for major, minor, run in [(1, 0, "a"), (1, 1, "b"), (2, 0, "c"), (1, 10, "d"), (1, 2, "e")]:
        assert create_version(store, record(major, minor, run))
    store.write("housing/versions/v1/README.txt", b"not a record")
    assert [r.name for r in list_versions(store, "housing")] == ["v1.m0", "v1.m1", "v1.m2", "v1.m10", "v2.m0"]
    assert latest_version(store, "housing").name == "v2.m0"  # type: ignore[union-attr]
    assert latest_version(store, "housing", major=1).name == "v1.m10"  # type: ignore[union-attr]
    assert latest_version(store, "housing", major=3) is None
    assert run_version(store, "housing", "e").name == "v1.m2"  # type: ignore[union-attr]
    assert run_version(store, "housing", "zzz") is None


def test_serving_resolves_the_records_promotion_writes(store: ArtifactStore) -> None:
    create_version(store, record(1, 3, "20260101T000000000000Z-abcdef"))
    assert resolve_version(store, "housing", 1, 3) == "20260101T000000000000Z-abcdef"


def test_unpromoted_version_is_named(tmp_path: Path) -> None:
    with pytest.raises(VersionNotFoundError, match=r"housing\.v4\.m1 was never promoted"):
        read_version(open_store(tmp_path), "housing", Version(4, 1))


def test_record_in_the_wrong_place_is_refused(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.write(version_key("housing", Version(1, 1)), record(1, 0, "a").model_dump_json().encode())
    with pytest.raises(InvalidVersionRecordError, match="claims to be housing.v1.m0"):
        read_version(store, "housing", Version(1, 1))


def test_corrupt_record_is_named(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.write(version_key("housing", Version(1, 0)), b"{not json")
    with pytest.raises(InvalidVersionRecordError, match=r"m0\.json is invalid"):
        read_version(store, "housing", Version(1, 0))


def test_major_zero_is_reserved_for_unpromoted_runs() -> None:
    with pytest.raises(ValueError, match="major"):
        record(0, 0, "a")
