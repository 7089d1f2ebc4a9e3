"""Version names (`v<major>.m<minor>`) and where their records live in a storage root.

The record layout, `<service>/versions/v<major>/m<minor>.json` with a `run_id` field, is the one
`paystone.serving.versions.resolve_version` reads: promotion writes it, serving only reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from paystone.serving import versions as served

_MAJOR_FOLDER = re.compile(r"v(0|[1-9][0-9]*)")
_MINOR_FILE = re.compile(r"m(0|[1-9][0-9]*)\.json")


@dataclass(frozen=True, order=True)
class Version:
    """A promoted version: the major changes with the schema, the minor counts promotions within it.

    Promoted versions start at `v1.m0`; `v0` is left to serving, which uses `v0.m0` for a run that
    was never promoted.
    """

    major: int
    minor: int

    def __post_init__(self) -> None:
        if self.major < 0 or self.minor < 0:
            raise ValueError(f"version numbers must not be negative, got major={self.major}, minor={self.minor}")

    @classmethod
    def parse(cls, text: str) -> Version:
        """`"v1.m2"` -> `Version(1, 2)`; the error names the text and the expected form."""
        if not isinstance(text, str):
            raise ValueError(f"version {text!r} is malformed: expected v<major>.m<minor>, e.g. v1.m2")
        parsed = served.ServiceVersion.parse(text)  # the one parser of version names
        return cls(parsed.major, parsed.minor)

    def next_minor(self) -> Version:
        return Version(self.major, self.minor + 1)

    def next_major(self) -> Version:
        return Version(self.major + 1, 0)

    def __str__(self) -> str:
        return f"v{self.major}.m{self.minor}"


#: The first version a service gets when it is first promoted.
FIRST_VERSION = Version(1, 0)


def versions_prefix(service: str) -> str:
    """Store prefix holding every version record of `service`."""
    return f"{service}/versions/"


def version_key(service: str, version: Version) -> str:
    """Store key of one version record: `<service>/versions/v<major>/m<minor>.json`.

    Serving's `version_key` is the one definition of the layout: promotion writes exactly what
    `resolve_version` reads.
    """
    return served.version_key(service, version.major, version.minor)


def version_of_key(service: str, key: str) -> Version | None:
    """The version a store key records, or None for any other key under the versions prefix."""
    prefix = versions_prefix(service)
    if not key.startswith(prefix):
        return None
    parts = key[len(prefix) :].split("/")
    if len(parts) != 2:
        return None
    major, minor = _MAJOR_FOLDER.fullmatch(parts[0]), _MINOR_FILE.fullmatch(parts[1])
    if major is None or minor is None:
        return None
    return Version(int(major.group(1)), int(minor.group(1)))
