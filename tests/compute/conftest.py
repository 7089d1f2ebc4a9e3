"""A recording stand-in for Google's Compute Engine clients.

No Google Cloud project is reachable from tests, so this is the one place a stand-in is right.
It holds one shared world of resources and enforces what Compute Engine enforces about order:
a resource cannot be created before the ones it references, nor deleted while another one
references it. Every call is recorded; failures can be injected per (method, kind).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import pytest
from google.api_core import exceptions

from paystone.compute.client import ComputeClient
from paystone.compute.ml.serving import ServingClients


class Done:
    """A finished long-running operation."""

    def result(self, timeout: float | None = None) -> None:
        return None


def _last(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def references(kind: str, resource: Any) -> list[tuple[str, str]]:
    """(kind, name) of every resource `resource` points at."""
    if kind == "instance_group_manager":
        refs = [("instance_template", _last(resource.instance_template))]
        refs += [("health_check", _last(policy.health_check)) for policy in resource.auto_healing_policies]
        return refs
    if kind == "autoscaler":
        return [("instance_group_manager", _last(resource.target))]
    return []


@dataclass
class RecordingCompute:
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, str, str]] = field(default_factory=list)
    failures: dict[tuple[str, str], Exception] = field(default_factory=dict)

    def fail(self, method: str, kind: str, error: Exception | None = None) -> None:
        self.failures[(method, kind)] = error or exceptions.ServiceUnavailable(f"injected {method} {kind} failure")

    def api(self, kind: str, client_type: type[ComputeClient[Any, Any]]) -> FakeAPI:
        self.resources.setdefault(kind, {})
        return FakeAPI(self, kind, client_type.name_argument, client_type.resource_argument)

    def serving_clients(self, project: str = "test-project", zone: str = "us-central1-a") -> ServingClients:
        real = ServingClients.create(project, zone)
        apis = {kind: self.api(kind, type(getattr(real, kind))) for kind in ServingClients.__dataclass_fields__}
        return ServingClients.create(project, zone, apis=apis)

    def mutations(self) -> list[tuple[str, str, str]]:
        return [call for call in self.calls if call[0] in {"insert", "delete", "update", "patch"}]

    def names(self) -> dict[str, list[str]]:
        return {kind: sorted(items) for kind, items in self.resources.items() if items}


@dataclass
class FakeAPI:
    world: RecordingCompute
    kind: str
    name_argument: str
    resource_argument: str

    @property
    def store(self) -> dict[str, Any]:
        return self.world.resources[self.kind]

    def _call(self, method: str, name: str) -> None:
        self.world.calls.append((method, self.kind, name))
        error = self.world.failures.get((method, self.kind))
        if error is not None:
            raise error

    def insert(self, *, project: str, zone: str | None = None, **kwargs: Any) -> Done:
        resource = kwargs[self.resource_argument]
        self._call("insert", resource.name)
        if resource.name in self.store:
            raise exceptions.Conflict(f"{self.kind} {resource.name} already exists")
        for kind, name in references(self.kind, resource):
            if name not in self.world.resources.get(kind, {}):
                raise exceptions.BadRequest(f"{self.kind} {resource.name} references missing {kind} {name}")
        self.store[resource.name] = copy.deepcopy(resource)
        return Done()

    def get(self, *, project: str, zone: str | None = None, **kwargs: Any) -> Any:
        name = kwargs[self.name_argument]
        self._call("get", name)
        if name not in self.store:
            raise exceptions.NotFound(f"{self.kind} {name}")
        return copy.deepcopy(self.store[name])

    def list(self, *, request: dict[str, Any]) -> list[Any]:
        self._call("list", request.get("filter", ""))
        return [copy.deepcopy(item) for item in self.store.values()]

    def delete(self, *, project: str, zone: str | None = None, **kwargs: Any) -> Done:
        name = kwargs[self.name_argument]
        self._call("delete", name)
        if name not in self.store:
            raise exceptions.NotFound(f"{self.kind} {name}")
        for kind, items in self.world.resources.items():
            for other_name, other in items.items():
                if (self.kind, name) in references(kind, other):
                    raise exceptions.BadRequest(f"{self.kind} {name} is in use by {kind} {other_name}")
        del self.store[name]
        return Done()

    def _replace(self, method: str, kwargs: dict[str, Any]) -> Done:
        resource = kwargs[self.resource_argument]
        name = kwargs.get(self.name_argument, resource.name)
        self._call(method, name)
        if name not in self.store:
            raise exceptions.NotFound(f"{self.kind} {name}")
        self.store[name] = copy.deepcopy(resource)
        return Done()

    def patch(self, *, project: str, zone: str | None = None, **kwargs: Any) -> Done:
        return self._replace("patch", kwargs)

    def update(self, *, project: str, zone: str | None = None, **kwargs: Any) -> Done:
        return self._replace("update", kwargs)


@pytest.fixture
def compute() -> RecordingCompute:
    return RecordingCompute()
