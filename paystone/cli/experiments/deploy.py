"""``psml experiments deploy NAME --version vX.mY``: the Compute Engine plan, applied with --apply.

Planning needs no credentials: the specifications are google-cloud-compute messages built from
``infrastructure/hardware.py``. ``--apply`` sends them with Application Default Credentials in
the planned order (rolling back what it created if a step fails), and refuses to deploy when the
version's artifacts, measured once loaded, do not fit ``gunicorn_workers`` times in the VM.
"""

from __future__ import annotations

import json
import os
from typing import Annotated

import typer
from rich.console import Console

from paystone.cli.errors import fail, reports_errors
from paystone.cli.experiments import app
from paystone.compute.loading import load_infrastructure
from paystone.compute.memory import measure_run_memory
from paystone.compute.ml.serving import ServingEndpoint
from paystone.compute.plan import Plan, deployment_plan, render_plan
from paystone.compute.types.deployment import ServingDeployment, parse_version
from paystone.discovery import get_experiment
from paystone.serving.errors import VersionNotFoundError
from paystone.serving.versions import resolve_version
from paystone.storage.errors import StorageError
from paystone.storage.roots import default_root, open_store

#: Where images are pushed (`HOST[:PORT]/PATH`); the same variable tools/ci/push-images reads.
IMAGE_REPOSITORY_ENV = "PSML_IMAGE_REPOSITORY"

stdout = Console()
stderr = Console(stderr=True)


def image_reference(name: str, version: str, image: str | None) -> str:
    """The serving image to run: given, or `$PSML_IMAGE_REPOSITORY/NAME:VERSION`, or a placeholder."""
    if image:
        return image
    repository = os.environ.get(IMAGE_REPOSITORY_ENV, "REGISTRY")
    return f"{repository.rstrip('/')}/{name}:{version}"


def artifact_memory(name: str, version: str, root: str) -> int | None:
    """Measured artifact memory of the version's run, or None (with a note) when it cannot be read."""
    major, minor = parse_version(version)
    try:
        run_id = resolve_version(open_store(root), name, major, minor)
        return measure_run_memory(root, name, run_id).total_bytes
    except (VersionNotFoundError, StorageError, OSError) as error:
        stderr.print(f"[yellow]note:[/] worker memory not checked: {error}")
        return None


@app.command()
@reports_errors
def deploy(
    name: Annotated[str, typer.Argument(help="Experiment to deploy.")],
    version: Annotated[str, typer.Option(help="Promoted version to serve, v<major>.m<minor>.")],
    image: Annotated[
        str | None, typer.Option(help=f"Serving image (default: ${IMAGE_REPOSITORY_ENV}/NAME:VERSION).")
    ] = None,
    project: Annotated[str | None, typer.Option(help="Google Cloud project (default: $GOOGLE_CLOUD_PROJECT).")] = None,
    root: Annotated[
        str | None, typer.Option(help="Storage root the VMs read (gs://...) (env PSML_STORAGE_ROOT).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
    apply: Annotated[
        bool, typer.Option("--apply", help="Create the resources with Application Default Credentials.")
    ] = False,
) -> None:
    """Plan (default) or apply the serving deployment of a promoted version on Compute Engine."""
    get_experiment(name)
    parse_version(version)
    root = root or default_root()
    infrastructure = load_infrastructure(name)
    plan = deployment_plan(
        name,
        version,
        infrastructure,
        image=image_reference(name, version, image),
        project=project,
        storage_root=root if str(root).startswith("gs://") else None,
        artifact_memory_bytes=artifact_memory(name, version, str(root)),
    )
    print_plan(plan, as_json)
    if not apply:
        stderr.print("plan only: nothing was created. Run again with --apply to deploy.")
        return
    if plan.memory is None:
        raise fail(f"refusing to deploy {name} {version} without measuring its artifacts: {root} has no such version")
    deployment = ServingDeployment.model_validate(
        {"target": {"service": name, "image": plan.image, "project": plan.project, "storage_root": str(root)},
         "version": version, "serving": infrastructure.serving}
    )
    actions = ServingEndpoint(deployment).deploy(memory=plan.memory)
    stderr.print(f"deployed {name} {version}: " + ", ".join(f"{a}" for a in actions))


def print_plan(plan: Plan, as_json: bool) -> None:
    """The plan on stdout, for a person or (with --json) for a program."""
    if as_json:
        typer.echo(json.dumps(plan.model_dump(mode="json"), indent=2, sort_keys=True))
    else:
        stdout.print(render_plan(plan))
