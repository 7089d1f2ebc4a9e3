"""Where serving apps get their artifacts from, and how artifacts are named.

A reference is either a task of the served experiment (`build_model`: the artifact of that task in
the run being served) or a promoted version of any experiment (`housing.v1.m0.build_model`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from paystone.serving.errors import ArtifactNotAvailableError, ArtifactReferenceError
from paystone.serving.versions import ServiceVersion, VersionResolver, resolve_version

if TYPE_CHECKING:
    from paystone.storage.store import ArtifactStore

_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
_TASK = re.compile(_IDENTIFIER)
_VERSIONED = re.compile(
    rf"(?P<service>{_IDENTIFIER})\.v(?P<major>0|[1-9][0-9]*)\.m(?P<minor>0|[1-9][0-9]*)\.(?P<task>{_IDENTIFIER})"
)
_EXPECTED = "expected 'TASK' (e.g. 'build_model') or 'SERVICE.vMAJOR.mMINOR.TASK' (e.g. 'housing.v1.m0.build_model')"


@dataclass(frozen=True)
class ArtifactReference:
    """A parsed artifact name; `version is None` means "the run being served"."""

    task: str
    service: str | None = None
    version: ServiceVersion | None = None

    @classmethod
    def parse(cls, name: str) -> ArtifactReference:
        if not isinstance(name, str):
            raise ArtifactReferenceError(f"artifact name must be a string, got {name!r}")
        if _TASK.fullmatch(name):
            return cls(task=name)
        match = _VERSIONED.fullmatch(name)
        if match is not None:
            version = ServiceVersion(int(match["major"]), int(match["minor"]))
            return cls(task=match["task"], service=match["service"], version=version)
        raise ArtifactReferenceError(f"artifact name {name!r} is malformed: {_hint(name)}; {_EXPECTED}")

    @property
    def versioned(self) -> bool:
        return self.version is not None

    def __str__(self) -> str:
        if self.version is None:
            return self.task
        return f"{self.service}.{self.version}.{self.task}"


def _hint(name: str) -> str:
    """Say which part of a dotted name is wrong, since 'malformed' alone sends people guessing."""
    parts = name.split(".")
    if name == "":
        return "it is empty"
    if len(parts) == 1:
        return "a task name is a Python identifier"
    if len(parts) != 4:
        return f"it has {len(parts)} dot-separated parts, a versioned name has 4"
    service, major, minor, task = parts
    for label, value, pattern in (
        ("service", service, _TASK),
        ("major version", major, re.compile(r"v(0|[1-9][0-9]*)")),
        ("minor version", minor, re.compile(r"m(0|[1-9][0-9]*)")),
        ("task", task, _TASK),
    ):
        if not pattern.fullmatch(value):
            return f"its {label} part {value!r} is invalid"
    return "it does not match"


@runtime_checkable
class ArtifactSource(Protocol):
    """Anything that can produce the object behind a reference (called once per reference)."""

    def load(self, ref: ArtifactReference) -> Any: ...


class InMemoryArtifacts:
    """Artifacts given as objects, keyed by reference string (`build_model`, `housing.v1.m0.x`).

    Keys are parsed on construction, so a typo in a test's mapping fails there, not at load time.
    """

    def __init__(self, mapping: Mapping[str, Any]) -> None:
        self._objects: dict[ArtifactReference, Any] = {
            ArtifactReference.parse(name): value for name, value in mapping.items()
        }

    def load(self, ref: ArtifactReference) -> Any:
        try:
            return self._objects[ref]
        except KeyError:
            known = sorted(str(key) for key in self._objects)
            raise ArtifactNotAvailableError(
                f"no artifact {str(ref)!r} among the in-memory artifacts {known}"
            ) from None

    def __repr__(self) -> str:
        return f"InMemoryArtifacts({sorted(str(key) for key in self._objects)})"


class StoredArtifacts:
    """Artifacts of one training run in an `ArtifactStore`, plus promoted versions of any service.

    Versioned references go through `resolver` (`resolve_version` by default), which maps
    `service.vM.mN` to the run it was promoted from.
    """

    def __init__(
        self,
        store: ArtifactStore,
        service: str,
        run_id: str,
        *,
        resolver: VersionResolver = resolve_version,
    ) -> None:
        self.store = store
        self.service = service
        self.run_id = run_id
        self._resolver = resolver

    def load(self, ref: ArtifactReference) -> Any:
        from paystone.storage.runs import read_artifact

        if ref.version is None:
            return read_artifact(self.store, self.service, self.run_id, ref.task)
        assert ref.service is not None
        run_id = self._resolver(self.store, ref.service, ref.version.major, ref.version.minor)
        return read_artifact(self.store, ref.service, run_id, ref.task)

    def __repr__(self) -> str:
        return f"StoredArtifacts(service={self.service!r}, run_id={self.run_id!r})"
