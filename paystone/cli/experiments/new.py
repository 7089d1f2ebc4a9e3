"""``psml experiments new NAME --template housing|sentiment|<experiment>``: start an experiment from another."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from paystone.cli.errors import reports_errors
from paystone.cli.experiments import app
from paystone.scaffold import create
from paystone.scaffold.create import Template, create_experiment, template_names


def _existing_template(template: str) -> str:
    """Refuse, as a usage error, a template that is no experiment package of this checkout."""
    root = create.default_root()
    known = template_names(root)
    if template not in known:
        raise typer.BadParameter(f"{template!r} is not an experiment package of {root} (known: {', '.join(known) or 'none'})")
    return template


@app.command("new")
@reports_errors
def new(
    name: Annotated[str, typer.Argument(help="Name of the new experiment: a lowercase Python identifier, e.g. churn.")],
    template: Annotated[
        str,
        typer.Option(
            "--template",
            "-t",
            callback=_existing_template,
            help="Experiment to copy: the tabular template (housing), the text one (sentiment), or any existing experiment.",
        ),
    ] = Template.housing.value,
) -> None:
    """Write experiments/NAME as a copy of a template renamed throughout: it trains, serves and passes its tests as is."""
    path = create_experiment(name, template)
    console = Console()
    console.print(f"created experiment [bold]{name}[/] from template {template} at {path}")
    console.print(
        "next:\n"
        f"  psml experiments train {name}          # train, evaluate and save a run\n"
        f"  .venv/bin/python -m pytest {path.relative_to(path.parent.parent)}   # its serving tests\n"
        f"  tools/bazel test //experiments/{name}/...   # its Bazel targets (it starts with {template}'s lock)\n"
        f"then edit schema/, train/, serve/ and tests/ for your problem (docs/writing-an-experiment.md);\n"
        f"after changing requirements.txt, `psml experiments lock {name}` writes its own hashed lock."
    )
