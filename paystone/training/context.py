"""The run context: what a task (or `evaluate_models`) may ask about the run it is part of.

A `contextvars` value rather than a global so that nested or concurrent runs (tests, threads,
asyncio) never see each other's state.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class RunContext:
    """The service, hyperparameters and outputs produced so far of the run in progress."""

    service: str
    hyperparameters: BaseModel
    outputs: Mapping[str, Any]


class NoActiveRunError(RuntimeError):
    """`current_run()` was called outside `Experiment.run()`."""


_current: ContextVar[RunContext] = ContextVar("paystone_training_run")


def current_run() -> RunContext:
    """Return the context of the task being run by `Experiment.run()`."""
    try:
        return _current.get()
    except LookupError:
        raise NoActiveRunError(
            "current_run() was called outside Experiment.run(): it is only available while a task runs; "
            "pass service/artifacts explicitly when calling from elsewhere"
        ) from None


@contextmanager
def active_run(context: RunContext) -> Iterator[RunContext]:
    """Make `context` the current run for the duration of the block (used around each task)."""
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
