"""``psml experiments lock NAME``: the experiment's hashed Python lock for Bazel and the images."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from paystone.cli.errors import reports_errors
from paystone.cli.experiments import app
from paystone.dependencies.locking import lock_experiment
from paystone.discovery import get_experiment


@app.command()
@reports_errors
def lock(name: Annotated[str, typer.Argument(help="Experiment whose requirements.txt to lock.")]) -> None:
    """Resolve experiments/NAME/requirements.txt plus the platform's pins into a lock with hashes.

    A range instead of `==`, or a pin that contradicts the platform's, is refused before anything
    is resolved. Writes third_party/python/experiments/NAME.lock and registers it for Bazel.
    """
    get_experiment(name)
    path = lock_experiment(name)
    Console(stderr=True).print(f"locked {name}: {path}")
