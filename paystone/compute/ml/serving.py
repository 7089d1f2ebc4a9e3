"""A served version as Compute Engine resources, deployed and undeployed in dependency order.

Deploy: health check -> instance template -> instance group manager -> autoscaler (each needs
the one before it). Undeploy: the reverse. A deploy that fails half-way undoes what it did, in
reverse: resources it created are deleted, resources it updated are put back, so a failure
never leaves a half-built endpoint behind. Deploy and undeploy can be re-run: existing
resources are updated, missing ones are skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from paystone.compute.client import (
    AutoscalerClient,
    ComputeClient,
    HealthCheckClient,
    InstanceGroupManagerClient,
    InstanceTemplateClient,
    message_to_dict,
)
from paystone.compute.memory import MemoryVerdict
from paystone.compute.types.deployment import ServingDeployment

log = logging.getLogger(__name__)


class DeploymentError(RuntimeError):
    """A deploy step failed; what the deploy had done was rolled back (see `rolled_back`)."""

    def __init__(self, message: str, *, rolled_back: list[str], rollback_failures: list[str]) -> None:
        super().__init__(message)
        self.rolled_back = rolled_back
        self.rollback_failures = rollback_failures


@dataclass(frozen=True)
class Step:
    """One resource of the endpoint, in deploy order."""

    kind: str
    name: str
    client: ComputeClient[Any, ServingDeployment]
    specification: Any

    def as_dict(self) -> dict[str, Any]:
        return message_to_dict(self.specification)


@dataclass(frozen=True)
class Action:
    """What deploy did to one resource, and how to undo it."""

    verb: Literal["created", "updated", "kept"]
    step: Step
    undo: Callable[[], None] | None


@dataclass(frozen=True)
class ServingClients:
    """The four Compute clients of a serving endpoint."""

    health_check: HealthCheckClient
    instance_template: InstanceTemplateClient
    instance_group_manager: InstanceGroupManagerClient
    autoscaler: AutoscalerClient

    @classmethod
    def create(cls, project: str, zone: str, *, apis: dict[str, Any] | None = None) -> ServingClients:
        """Clients for `project`/`zone`; `apis` maps field names to stand-ins for Google's clients."""
        apis = apis or {}
        return cls(
            health_check=HealthCheckClient(project, zone, api=apis.get("health_check")),
            instance_template=InstanceTemplateClient(project, zone, api=apis.get("instance_template")),
            instance_group_manager=InstanceGroupManagerClient(project, zone, api=apis.get("instance_group_manager")),
            autoscaler=AutoscalerClient(project, zone, api=apis.get("autoscaler")),
        )


class ServingEndpoint:
    """One version of one experiment served by an autoscaled managed instance group."""

    def __init__(self, deployment: ServingDeployment, *, clients: ServingClients | None = None) -> None:
        self.deployment = deployment
        self.clients = clients or ServingClients.create(deployment.target.project, deployment.serving.zone)

    def steps(self) -> list[Step]:
        """The resources in deploy order, with the specification each is created from."""
        names = self.deployment.names
        ordered: list[tuple[str, ComputeClient[Any, ServingDeployment]]] = [
            (names.health_check, self.clients.health_check),
            (names.instance_template, self.clients.instance_template),
            (names.instance_group_manager, self.clients.instance_group_manager),
            (names.autoscaler, self.clients.autoscaler),
        ]
        return [
            Step(kind=client.kind, name=name, client=client, specification=client.create_specification(self.deployment))
            for name, client in ordered
        ]

    def deploy(self, *, memory: MemoryVerdict | None = None) -> list[Action]:
        """Create or update every resource in order; on failure undo, in reverse, what was done."""
        if memory is not None:
            memory.raise_for_deploy()
        done: list[Action] = []
        for step in self.steps():
            try:
                done.append(self._apply(step))
            except Exception as error:
                rolled_back, failures = self._roll_back(done)
                raise DeploymentError(
                    f"deploying {step.kind} {step.name} failed ({error}); rolled back: "
                    f"{', '.join(rolled_back) or 'nothing'}"
                    + (f"; could not roll back: {', '.join(failures)}" if failures else ""),
                    rolled_back=rolled_back,
                    rollback_failures=failures,
                ) from error
        return done

    def _apply(self, step: Step) -> Action:
        client = step.client
        current = client.get(step.name)
        if current is None:
            client.create(step.specification)
            return Action("created", step, lambda: client.delete(step.name))
        if client.update_method is None:
            # Immutable (instance template): the same name means the same specification.
            return Action("kept", step, None)
        client.update(client.update_specification(current, self.deployment))
        return Action("updated", step, lambda: client.restore(current))

    def _roll_back(self, done: list[Action]) -> tuple[list[str], list[str]]:
        rolled_back: list[str] = []
        failures: list[str] = []
        for action in reversed(done):
            if action.undo is None:
                continue
            label = f"{action.step.kind} {action.step.name}"
            try:
                action.undo()
                rolled_back.append(label)
            except Exception as error:  # keep undoing the rest; report what is left
                log.error("rolling back %s failed: %s", label, error)
                failures.append(f"{label} ({error})")
        return rolled_back, failures

    def undeploy(self) -> list[str]:
        """Delete autoscaler -> group -> templates -> health check; returns what was deleted."""
        names = self.deployment.names
        deleted: list[str] = []
        clients = self.clients
        if clients.autoscaler.delete(names.autoscaler):
            deleted.append(f"{clients.autoscaler.kind} {names.autoscaler}")
        if clients.instance_group_manager.delete(names.instance_group_manager):
            deleted.append(f"{clients.instance_group_manager.kind} {names.instance_group_manager}")
        # Every template of this version (earlier updates left older ones behind).
        template_prefix = f"{names.prefix}-"
        for template in clients.instance_template.list(name_prefix=template_prefix):
            if _is_version_template(template.name, names.prefix) and clients.instance_template.delete(template.name):
                deleted.append(f"{clients.instance_template.kind} {template.name}")
        if clients.health_check.delete(names.health_check):
            deleted.append(f"{clients.health_check.kind} {names.health_check}")
        return deleted


def _is_version_template(name: str, prefix: str) -> bool:
    """`<prefix>-<8 hex>`: only this version's templates, not `<prefix>0-...` of v1.m10."""
    suffix = name.removeprefix(prefix + "-")
    return suffix != name and len(suffix) == 8 and all(c in "0123456789abcdef" for c in suffix)
