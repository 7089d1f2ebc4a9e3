"""Service versions (`v<major>.m<minor>`) and the seam that maps a promoted version to its run.

`resolve_version` reads `<service>/versions/v<major>/m<minor>.json` (a JSON object with a `run_id`
field). Promotion (which writes those records) lives elsewhere; serving only reads them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from paystone.serving.errors import VersionNotFoundError

if TYPE_CHECKING:
    from paystone.storage.store import ArtifactStore

_VERSION = re.compile(r"v(0|[1-9][0-9]*)\.m(0|[1-9][0-9]*)")


@dataclass(frozen=True, order=True)
class ServiceVersion:
    """A service version; `v0.m0` stands for a run that was never promoted."""

    major: int
    minor: int

    @classmethod
    def parse(cls, text: str) -> ServiceVersion:
        match = _VERSION.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"version {text!r} is malformed: expected v<major>.m<minor>, e.g. v1.m2")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def promoted(self) -> bool:
        return self != UNPROMOTED

    @property
    def path(self) -> str:
        """The URL segment form, `v1/m2`."""
        return f"v{self.major}/m{self.minor}"

    def __str__(self) -> str:
        return f"v{self.major}.m{self.minor}"


UNPROMOTED = ServiceVersion(0, 0)


class VersionResolver(Protocol):
    def __call__(self, store: ArtifactStore, service: str, major: int, minor: int) -> str: ...


def version_key(service: str, major: int, minor: int) -> str:
    """Store key of a promoted version's record."""
    return f"{service}/versions/v{major}/m{minor}.json"


def resolve_version(store: ArtifactStore, service: str, major: int, minor: int) -> str:
    """The run id that `service.v<major>.m<minor>` was promoted from."""
    from paystone.storage.errors import ArtifactNotFoundError

    key = version_key(service, major, minor)
    try:
        raw = store.read(key)
    except ArtifactNotFoundError:
        raise VersionNotFoundError(
            f"{service}.v{major}.m{minor} was never promoted: no version record at {store.describe(key)}"
        ) from None
    try:
        run_id = json.loads(raw)["run_id"]
    except (ValueError, KeyError, TypeError) as exc:
        raise VersionNotFoundError(
            f"version record {store.describe(key)} has no usable run_id field: {exc!r}"
        ) from exc
    if not isinstance(run_id, str) or not run_id:
        raise VersionNotFoundError(f"version record {store.describe(key)} has run_id {run_id!r}")
    return run_id
