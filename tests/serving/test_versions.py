from __future__ import annotations

from pathlib import Path

import pytest

from paystone.serving.errors import VersionNotFoundError
from paystone.serving.versions import UNPROMOTED, ServiceVersion, resolve_version, version_key
from paystone.storage.local import LocalStore


def test_parse_and_format() -> None:
    version = ServiceVersion.parse("v12.m3")
    assert (version.major, version.minor) == (12, 3)
    assert str(version) == "v12.m3"
    assert version.path == "v12/m3"
    assert version.promoted
    assert not UNPROMOTED.promoted


@pytest.mark.parametrize("bad", ["1.2", "v1", "v1.2", "v01.m0", "v1.m-1", "V1.M0", ""])
def test_parse_names_the_malformed_version(bad: str) -> None:
    with pytest.raises(ValueError, match="malformed"):
        ServiceVersion.parse(bad)


def test_resolve_version_reads_the_version_record(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.write(version_key("housing", 1, 2), b'{"run_id": "20240101T000000Z-abc"}')
    assert resolve_version(store, "housing", 1, 2) == "20240101T000000Z-abc"


def test_resolve_version_of_an_unpromoted_version_names_it(tmp_path: Path) -> None:
    with pytest.raises(VersionNotFoundError, match=r"housing\.v3\.m0 was never promoted"):
        resolve_version(LocalStore(tmp_path), "housing", 3, 0)


def test_resolve_version_refuses_a_record_without_run_id(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.write(version_key("housing", 1, 0), b'{"run": "x"}')
    with pytest.raises(VersionNotFoundError, match="run_id"):
        resolve_version(store, "housing", 1, 0)
