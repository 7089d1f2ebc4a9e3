"""``psml experiments new NAME --template housing|sentiment``: start an experiment from a template."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from paystone.cli.errors import reports_errors
from paystone.cli.experiments import app
from paystone.scaffold.create import Template, create_experiment


@app.command("new")
@reports_errors
def new(
    name: Annotated[str, typer.Argument(help="Name of the new experiment: a lowercase Python identifier, e.g. churn.")],
    template: Annotated[
        Template, typer.Option("--template", "-t", help="Template to copy: tabular (housing) or text (sentiment).")
    ] = Template.housing,
) -> None:
    """Write experiments/NAME as a copy of a template renamed throughout: it trains, serves and passes its tests as is."""
    path = create_experiment(name, template)
    console = Console()
    console.print(f"created experiment [bold]{name}[/] from template {template.value} at {path}")
    console.print(
        "next:\n"
        f"  psml experiments train {name}          # train, evaluate and save a run\n"
        f"  .venv/bin/python -m pytest {path.relative_to(path.parent.parent)}   # its serving tests\n"
        f"  psml experiments lock {name}           # its hashed lock, for Bazel and images\n"
        f"then edit schema/, train/, serve/ and tests/ for your problem (docs/writing-an-experiment.md)."
    )
