"""``psml experiments ...``: the commands of an experiment's lifecycle."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Work with experiment packages (experiments/<name>).",
    no_args_is_help=True,
)

# Each module registers its command(s) on `app`.
from paystone.cli.experiments import acceptance, deploy, listing, lock, new, promote, serve, train, versions  # noqa: E402,F401
