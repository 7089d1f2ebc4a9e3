from __future__ import annotations

import pytest

from paystone.serving.versions import version_key as serving_version_key
from paystone.versions.naming import FIRST_VERSION, Version, version_key, version_of_key


def test_parse_format_and_order() -> None:
    assert Version.parse("v12.m3") == Version(12, 3)
    assert str(Version(1, 0)) == "v1.m0"
    assert sorted([Version(2, 0), Version(1, 10), Version(1, 2)]) == [Version(1, 2), Version(1, 10), Version(2, 0)]
    assert FIRST_VERSION.next_minor() == Version(1, 1)
    assert Version(1, 4).next_major() == Version(2, 0)


@pytest.mark.parametrize("bad", ["1.2", "v1", "v01.m0", "v1.m-1", "V1.M0", "", "v1.m2.m3"])
def test_malformed_versions_are_named(bad: str) -> None:
    with pytest.raises(ValueError, match="malformed") as info:
        Version.parse(bad)
    assert repr(bad) in str(info.value)


def test_record_key_is_the_layout_serving_reads() -> None:
    assert version_key("housing", Version(1, 2)) == "housing/versions/v1/m2.json"
    assert version_key("housing", Version(3, 0)) == serving_version_key("housing", 3, 0)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("housing/versions/v1/m2.json", Version(1, 2)),
        ("housing/versions/v10/m0.json", Version(10, 0)),
        ("housing/versions/v1/m2.json.tmp", None),
        ("housing/versions/v1/notes.txt", None),
        ("housing/versions/v01/m2.json", None),
        ("housing/runs/x/manifest.json", None),
        ("sentiment/versions/v1/m0.json", None),
    ],
)
def test_version_of_key_recognises_only_records(key: str, expected: Version | None) -> None:
    assert version_of_key("housing", key) == expected
