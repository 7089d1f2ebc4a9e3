"""Exceptions of the training runner.

Every definition problem derives from `ExperimentDefinitionError` so callers (the CLI, CI) can tell
"the experiment is written wrong" apart from "a task failed while running".
"""

from __future__ import annotations


class ExperimentDefinitionError(ValueError):
    """The experiment, one of its tasks or its hyperparameter model is defined wrongly."""


class TaskDefinitionError(ExperimentDefinitionError):
    """A task's signature, its inbound/upstream references or its place in the graph is wrong."""


class OverrideError(ExperimentDefinitionError):
    """A task override names an unknown task, cannot be imported or does not fit the task it replaces."""


class HyperparameterError(ValueError):
    """Hyperparameter values given to `run()` (or on the command line) are not valid for the model."""


class CommandLineError(ValueError):
    """The command line of a train binary cannot be parsed."""


class NotRunError(RuntimeError):
    """`save()` (or another post-run step) was called before `run()` finished."""
