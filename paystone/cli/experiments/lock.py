"""``psml experiments lock NAME``: the experiment's hashed Python lock for Bazel and the images."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from paystone.cli.errors import reports_errors
from paystone.cli.experiments import app
from paystone.dependencies.locking import check_lock, lock_experiment
from paystone.discovery import get_experiment


@app.command()
@reports_errors
def lock(
    name: Annotated[str, typer.Argument(help="Experiment whose requirements.txt to lock.")],
    check: Annotated[
        bool, typer.Option("--check", help="Resolve nothing: exit 1 if the lock is missing or older than the pins.")
    ] = False,
) -> None:
    """Resolve experiments/NAME/requirements.txt plus the platform's pins into a lock with hashes.

    A range instead of `==`, or a pin that contradicts the platform's, is refused before anything
    is resolved. Writes third_party/python/experiments/NAME.lock and registers it for Bazel.
    The lock records a digest of the pins it came from; `--check` compares it with the pins now
    (each experiment's `:lock_test` Bazel target runs the same check).
    """
    get_experiment(name)
    if check:
        path = check_lock(name)
        Console(stderr=True).print(f"the lock of {name} is current: {path}")
        return
    path = lock_experiment(name)
    Console(stderr=True).print(f"locked {name}: {path}")
