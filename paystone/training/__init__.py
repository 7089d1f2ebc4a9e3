"""Training: an experiment's task graph (`Experiment`), its run context and its test results.

`evaluation` (which imports the serving stack) is deliberately not imported here; import
`paystone.training.evaluation` where `evaluate_models` or `goal` is needed.
"""

from paystone.training.context import NoActiveRunError, RunContext, current_run
from paystone.training.errors import (
    CommandLineError,
    ExperimentDefinitionError,
    HyperparameterError,
    NotRunError,
    OverrideError,
    TaskDefinitionError,
)
from paystone.training.results import DataTestResult, RegressionResult, TrainingTestResults
from paystone.training.runner import Experiment

__all__ = [
    "CommandLineError",
    "DataTestResult",
    "Experiment",
    "ExperimentDefinitionError",
    "HyperparameterError",
    "NoActiveRunError",
    "NotRunError",
    "OverrideError",
    "RegressionResult",
    "RunContext",
    "TaskDefinitionError",
    "TrainingTestResults",
    "current_run",
]
