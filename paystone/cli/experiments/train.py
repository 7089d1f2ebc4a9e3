"""``psml experiments train NAME``: the same run as ``python -m experiments.NAME.train.main``."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from paystone.cli.errors import fail, reports_errors
from paystone.cli.experiments import app
from paystone.discovery import get_experiment
from paystone.training.flags import parse_mapping


def parse_assignments(values: list[str], option: str) -> dict[str, str]:
    """``["a=1", "b=x"]`` -> ``{"a": "1", "b": "x"}``, naming the malformed value."""
    parsed: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip():
            raise fail(f"{option} expects NAME=VALUE, got {value!r}")
        if key in parsed:
            raise fail(f"{option} names {key!r} twice")
        parsed[key.strip()] = rest
    return parsed


def hyperparameter_table(model: type[BaseModel]) -> Table:
    """Every hyperparameter with its type, default and description."""
    table = Table(title=f"hyperparameters ({model.__name__}); set with --set NAME=VALUE")
    table.add_column("name")
    table.add_column("type")
    table.add_column("default")
    table.add_column("description")
    for field_name, field in model.model_fields.items():
        annotation = getattr(field.annotation, "__name__", str(field.annotation))
        table.add_row(field_name, annotation, repr(field.default), field.description or "")
    return table


def build_experiment(name: str) -> Any:
    """Import ``experiments.NAME.train.main`` and call its ``build()``."""
    module = get_experiment(name).module("train.main")
    build = getattr(module, "build", None)
    if build is None:
        raise fail(f"experiments/{name}/train/main.py defines no build() returning its Experiment")
    return build()


@app.command(context_settings={"help_option_names": []})
@reports_errors
def train(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Experiment to train (see `psml experiments list`).")] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", metavar="NAME=VALUE", help="Override a hyperparameter; repeatable."),
    ] = None,
    override: Annotated[
        list[str] | None,
        typer.Option(
            "--override",
            metavar="TASK=module:function",
            help="Replace a task for this run by a function with a compatible signature; repeatable.",
        ),
    ] = None,
    root: Annotated[
        str | None,
        typer.Option(help="Storage root for the run: a folder or gs://bucket/prefix (env PSML_STORAGE_ROOT; default ./artifacts)."),
    ] = None,
    remote: Annotated[
        bool, typer.Option("--remote", help="Plan the run on a Compute Engine VM from infrastructure/hardware.py instead.")
    ] = False,
    apply: Annotated[bool, typer.Option("--apply", help="With --remote: create the VM (Application Default Credentials).")] = False,
    image: Annotated[
        str | None, typer.Option(help="With --remote: the experiment's image (default: $PSML_IMAGE_REPOSITORY/NAME:latest).")
    ] = None,
    help_: Annotated[
        bool, typer.Option("--help", "-h", help="Show this help and, with NAME, the experiment's hyperparameters.")
    ] = False,
) -> None:
    """Train an experiment: run its task graph, evaluate it, and save every artifact with a manifest."""
    if help_ or name is None:
        typer.echo(ctx.get_help())
        if name is not None:
            Console().print(hyperparameter_table(build_experiment(name).hyperparameters_model))
        raise typer.Exit(0 if help_ else 2)
    if remote:
        train_remotely(name, image=image, root=root, apply=apply, sets=set_ or [], overrides=override or [])
        return
    if apply:
        raise fail("--apply goes with --remote: a local run needs no resources created")
    experiment = build_experiment(name)
    experiment.run(
        # parsed exactly as the train binary's flags are (JSON for list and dict fields)
        hyperparameters=parse_mapping(experiment.hyperparameters_model, parse_assignments(set_ or [], "--set")),
        overrides=parse_assignments(override or [], "--override"),
    )
    experiment.save(root)


def train_remotely(name: str, *, image: str | None, root: str | None, apply: bool, sets: list[str], overrides: list[str]) -> None:
    """Plan (or, with --apply, launch) the training VM; a deployed run takes no overrides."""
    from paystone.cli.experiments.deploy import image_reference
    from paystone.compute.loading import load_infrastructure
    from paystone.compute.ml.training import TrainingJob
    from paystone.compute.plan import render_plan, training_plan
    from paystone.compute.types.deployment import DeploymentTarget

    if sets or overrides:
        raise fail("a remote run trains with the experiment's defaults: --set and --override are for local runs")
    get_experiment(name)
    infrastructure = load_infrastructure(name)
    reference = image_reference(name, "latest", image)
    storage = root if root and root.startswith("gs://") else None
    plan = training_plan(name, infrastructure, image=reference, storage_root=storage)
    Console().print(render_plan(plan))
    if not apply:
        Console(stderr=True).print("plan only: nothing was created. Run again with --apply to start the VM.")
        return
    target = DeploymentTarget(service=name, image=reference, **({"storage_root": storage} if storage else {}))
    vm = TrainingJob.for_experiment(target, infrastructure).launch()
    Console(stderr=True).print(f"started training VM {vm}; it powers off when the run is saved")
