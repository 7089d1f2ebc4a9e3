"""Deployment plans: every resource's specification and the order, printable without credentials.

`deployment_plan` and `training_plan` build the exact google-cloud-compute messages that
`--apply` would send (through `ServingEndpoint` and `TrainingJob`), convert them with
`type(msg).to_dict(msg)`, and add the Gunicorn settings and the worker-memory verdict. Nothing
here talks to Google Cloud.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, Field
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from paystone.compute.gunicorn import gunicorn_settings
from paystone.compute.memory import MemoryVerdict, check_worker_memory
from paystone.compute.ml.serving import ServingEndpoint
from paystone.compute.ml.training import TrainingJob
from paystone.compute.types.deployment import DeploymentTarget, ServingDeployment
from paystone.compute.types.infrastructure import Infrastructure


class PlanStep(BaseModel):
    """One resource to create, in order."""

    order: int = Field(description="Position in the deploy order, from 1.")
    kind: str = Field(description="Resource kind, e.g. `instance template`.")
    name: str = Field(description="Compute Engine resource name.")
    scope: str = Field(description="`global` or the zone.")
    specification: dict[str, Any] = Field(description="The google-cloud-compute message as a dict.")


class Plan(BaseModel):
    """What a deploy or a remote training run would create."""

    kind: Literal["serving", "training"] = Field(description="Serving endpoint or training VM.")
    service: str = Field(description="Experiment name.")
    version: str | None = Field(default=None, description="Service version (serving plans).")
    project: str = Field(description="Google Cloud project.")
    zone: str = Field(description="Zone of the VMs.")
    image: str = Field(description="Container image the VMs run.")
    machine_type: str = Field(description="Compute Engine machine type of the VMs.")
    steps: list[PlanStep] = Field(description="Resources in creation order (deletion is the reverse).")
    gunicorn: dict[str, Any] | None = Field(default=None, description="Gunicorn settings of each serving VM.")
    memory: MemoryVerdict | None = Field(default=None, description="Worker-memory check, when measured.")


def deployment_plan(
    service: str,
    version: str,
    infrastructure: Infrastructure,
    *,
    image: str,
    project: str | None = None,
    storage_root: str | None = None,
    artifact_memory_bytes: int | None = None,
) -> Plan:
    """The serving plan of `service` at `version` (health check, template, group, autoscaler)."""
    target = _target(service, image, project, storage_root)
    deployment = ServingDeployment(target=target, version=version, serving=infrastructure.serving)
    endpoint = ServingEndpoint(deployment)
    serving = infrastructure.serving
    steps = [
        PlanStep(
            order=index,
            kind=step.kind,
            name=step.name,
            scope=serving.zone if step.client.zonal else "global",
            specification=step.as_dict(),
        )
        for index, step in enumerate(endpoint.steps(), start=1)
    ]
    memory = (
        check_worker_memory(serving, artifact_memory_bytes, deploying=True)
        if artifact_memory_bytes is not None
        else None
    )
    return Plan(
        kind="serving",
        service=service,
        version=version,
        project=target.project,
        zone=serving.zone,
        image=image,
        machine_type=serving.machine_type,
        steps=steps,
        gunicorn=gunicorn_settings(serving),
        memory=memory,
    )


def training_plan(
    service: str,
    infrastructure: Infrastructure,
    *,
    image: str,
    project: str | None = None,
    storage_root: str | None = None,
    label: str | None = None,
) -> Plan:
    """The remote training plan of `service`: one VM."""
    target = _target(service, image, project, storage_root)
    job = TrainingJob.for_experiment(target, infrastructure, label=label)
    training = infrastructure.training
    return Plan(
        kind="training",
        service=service,
        project=target.project,
        zone=training.zone,
        image=image,
        machine_type=training.machine_type,
        steps=[
            PlanStep(order=1, kind=job.client.kind, name=job.name, scope=training.zone, specification=job.specification_dict())
        ],
    )


def _target(service: str, image: str, project: str | None, storage_root: str | None) -> DeploymentTarget:
    values: dict[str, Any] = {"service": service, "image": image}
    if project is not None:
        values["project"] = project
    if storage_root is not None:
        values["storage_root"] = storage_root
    return DeploymentTarget(**values)


def render_plan(plan: Plan) -> RenderableType:
    """The plan for a terminal: a summary table, then each resource's specification in order."""
    title = f"{plan.service} {plan.version}" if plan.version else f"{plan.service} training"
    summary = Table(title=f"Plan: {title}", show_header=False, box=None)
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row("project", plan.project)
    summary.add_row("zone", plan.zone)
    summary.add_row("machine type", plan.machine_type)
    summary.add_row("image", plan.image)
    order = Table(title="Order (undeploy: reverse)")
    for column in ("#", "kind", "name", "scope"):
        order.add_column(column)
    for step in plan.steps:
        order.add_row(str(step.order), step.kind, step.name, step.scope)
    parts: list[RenderableType] = [summary, order]
    for step in plan.steps:
        parts.append(
            Panel(
                Syntax(json.dumps(step.specification, indent=2, sort_keys=True), "json", word_wrap=True),
                title=f"{step.order}. {step.kind} {step.name}",
            )
        )
    if plan.gunicorn is not None:
        parts.append(
            Panel(Syntax(json.dumps(plan.gunicorn, indent=2), "json"), title="Gunicorn settings (each serving VM)")
        )
    if plan.memory is not None:
        style = "green" if plan.memory.fits else "bold red"
        parts.append(Text(f"worker memory: {plan.memory.message}", style=style))
    return Group(*parts)


def plan_text(plan: Plan, *, width: int = 120) -> str:
    """The rendered plan as plain text (for logs and tests)."""
    from rich.console import Console

    console = Console(width=width, record=True, force_terminal=False, color_system=None)
    with console.capture() as capture:
        console.print(render_plan(plan))
    return capture.get()
