"""One place that turns a failure into a clear message and a non-zero exit.

Users get ``error: <what and which value>`` rather than a traceback; ``PSML_DEBUG=1`` keeps the
traceback for platform developers.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

P = ParamSpec("P")
R = TypeVar("R")

stderr = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` as an error and return the exit to raise."""
    stderr.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)  # one line, greppable
    return typer.Exit(code)


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Decorate a command so any exception becomes ``error: ...`` and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, KeyboardInterrupt, SystemExit):
            raise
        except Exception as error:  # the CLI boundary: every failure gets a message
            if os.environ.get("PSML_DEBUG"):
                stderr.print_exception()
            raise fail(f"{error}" if str(error) else type(error).__name__) from error

    return wrapper
