"""`Experiment`: a graph of plain-function tasks, validated when built, run serially, saved as a run.

Everything that can be checked without running (signatures, references, cycles, overrides,
hyperparameter values, the presence of the test-results task) is checked before the first task
starts, because the tasks that follow a mistake are usually the expensive ones.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from paystone.training.context import RunContext, active_run
from paystone.training.errors import (
    CommandLineError,
    ExperimentDefinitionError,
    HyperparameterError,
    NotRunError,
    OverrideError,
    TaskDefinitionError,
)
from paystone.training.flags import define_flags, parse_command_line
from paystone.training.graph import topological_order
from paystone.training.hyperparameters import check_model, validate_hyperparameters
from paystone.training.overrides import reference_of, resolve_function
from paystone.training.results import TrainingTestResults
from paystone.training.service import caller_module, main_module_is_train_main, service_of
from paystone.training.signatures import Inbound, TaskSignature, check_signature, describe_type, is_assignable

TaskFunction = Callable[..., Any]
TaskReference = TaskFunction | str


@dataclass(frozen=True)
class Task:
    """One node of the graph: the function and where its inputs come from."""

    name: str
    function: TaskFunction
    inbound: tuple[str, ...]
    upstream: tuple[str, ...]
    signature: TaskSignature

    @property
    def returns(self) -> object:
        return self.signature.returns


class Experiment:
    """The training graph of one experiment, built in its `train/main.py`."""

    def __init__(self, Hyperparameters: type[BaseModel], *, service: str | None = None) -> None:  # noqa: N803
        self.Hyperparameters = check_model(Hyperparameters)
        define_flags(self.Hyperparameters)  # refuse field names that clash with the binary's own flags now
        module = caller_module()
        inferred = service_of(module)
        if service is None and inferred is None:
            raise ExperimentDefinitionError(
                f"cannot infer the service of Experiment({Hyperparameters.__name__}) created in module "
                f"{module.name or '<unknown>'!r}; expected it to be created inside experiments.<service>... "
                "or to be given service='<name>'"
            )
        self._module_file = module.file
        self.service: str = service if service is not None else inferred  # type: ignore[assignment]
        if not self.service.isidentifier():
            raise ExperimentDefinitionError(
                f"service {self.service!r} is not a valid experiment name; expected a Python identifier"
            )
        self._tasks: dict[str, Task] = {}
        self.outputs: dict[str, Any] = {}
        self.timings: dict[str, float] = {}
        self.hyperparameters: BaseModel | None = None
        self.overrides: dict[str, str] = {}
        self._root_flag: str | None = None
        self._completed = False

    @property
    def hyperparameters_model(self) -> type[BaseModel]:
        """The hyperparameter model class (for tooling that lists or validates hyperparameters)."""
        return self.Hyperparameters

    @property
    def tasks(self) -> Mapping[str, Task]:
        """Read-only view of the tasks in insertion order."""
        return MappingProxyType(self._tasks)

    # -- building -----------------------------------------------------------------------------

    def add_task(
        self,
        task: TaskFunction,
        inbound: Sequence[TaskReference] = (),
        upstream: Sequence[TaskReference] = (),
    ) -> TaskFunction:
        """Add `task`, fed positionally by `inbound` tasks' outputs and run after `upstream` ones."""
        name = self._name_of(task)
        if name in self._tasks:
            raise TaskDefinitionError(
                f"task '{name}' is already in the experiment; expected each task (function name) once"
            )
        inbound_names = tuple(self._reference(name, item, "inbound") for item in inbound)
        upstream_names = tuple(self._reference(name, item, "upstream") for item in upstream)
        signature = check_signature(
            task,
            label=f"task '{name}'",
            inbound=self._inbound(inbound_names),
            hyperparameter_model=self.Hyperparameters,
        )
        self._tasks[name] = Task(name, task, inbound_names, upstream_names, signature)
        return task

    @staticmethod
    def _name_of(task: object) -> str:
        name = getattr(task, "__name__", None)
        if not callable(task) or not isinstance(name, str):
            raise TaskDefinitionError(f"task {task!r} is not a named function; expected a `def` function")
        return name

    def _reference(self, task: str, item: TaskReference, role: str) -> str:
        name = item if isinstance(item, str) else getattr(item, "__name__", repr(item))
        if name == task:
            raise TaskDefinitionError(
                f"task '{task}' lists itself as {role}: that is a cycle; expected only tasks added before it"
            )
        known = self._tasks.get(name)
        if known is None:
            listing = ", ".join(self._tasks) or "none yet"
            raise TaskDefinitionError(
                f"task '{task}': {role} task '{name}' is unknown; expected a task added before it "
                f"(known: {listing})"
            )
        if not isinstance(item, str) and item is not known.function:
            raise TaskDefinitionError(
                f"task '{task}': {role} task '{name}' is a different function from the task registered "
                f"as '{name}' ({reference_of(known.function)}); expected that function or its name"
            )
        return name

    def _inbound(self, names: Sequence[str]) -> list[Inbound]:
        return [Inbound(name, self._tasks[name].returns) for name in names]

    # -- running ------------------------------------------------------------------------------

    def run(
        self,
        hyperparameters: BaseModel | Mapping[str, Any] | None = None,
        overrides: Mapping[str, TaskReference] | None = None,
    ) -> Experiment:
        """Run every task once, in topological order; `outputs` holds each task's result.

        With no arguments, the experiment's own train binary (`python -m
        experiments.<service>.train.main`) takes both from its command line.
        """
        root_flag: str | None = None
        if hyperparameters is None and overrides is None and main_module_is_train_main(self.service):
            with self._command_line_errors():
                command_line = parse_command_line(self.Hyperparameters, sys.argv)
                values = command_line.hyperparameters
                plan, recorded = self._apply_overrides(command_line.overrides)
            root_flag = command_line.root
        else:
            values = validate_hyperparameters(self.Hyperparameters, hyperparameters)
            plan, recorded = self._apply_overrides(overrides or {})
        results_task = self._test_results_task()
        order = topological_order({name: (*t.inbound, *t.upstream) for name, t in self._tasks.items()})

        self._completed = False
        self.hyperparameters, self.overrides, self._root_flag = values, recorded, root_flag
        self.outputs, self.timings = {}, {}
        console = Console(stderr=True)
        with Progress(
            SpinnerColumn(finished_text="[green]done[/]"),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            for name in order:
                self._run_task(progress, name, *plan[name], values)
        self._check_test_results(results_task)
        self._completed = True
        return self

    @staticmethod
    @contextmanager
    def _command_line_errors() -> Iterator[None]:
        """A mistake on the train binary's command line is a usage error (exit 2), not a traceback."""
        try:
            yield
        except (CommandLineError, HyperparameterError, OverrideError) as error:
            print(f"error: {error}", file=sys.stderr)
            raise SystemExit(2) from None

    def _run_task(
        self, progress: Progress, name: str, function: TaskFunction, signature: TaskSignature, values: BaseModel
    ) -> None:
        task = self._tasks[name]
        arguments = [self.outputs[source] for source in task.inbound]
        keywords = dict.fromkeys(signature.hyperparameter_parameters, values)
        context = RunContext(self.service, values, MappingProxyType(dict(self.outputs)))
        line = progress.add_task(name, total=1)
        start = time.perf_counter()
        try:
            with active_run(context):
                self.outputs[name] = function(*arguments, **keywords)
        except BaseException as error:
            progress.update(line, description=f"{name} [red]failed[/]")
            error.add_note(f"raised by task '{name}' of experiment '{self.service}'")
            raise
        finally:
            self.timings[name] = time.perf_counter() - start
            progress.stop_task(line)
        progress.update(line, completed=1)

    def _test_results_task(self) -> str:
        found = [name for name, task in self._tasks.items() if self._returns_test_results(task.returns)]
        if not found:
            raise ExperimentDefinitionError(
                f"experiment '{self.service}' has no task returning TrainingTestResults; expected one task "
                "that returns paystone.training.evaluation.evaluate_models(...) (annotated "
                "`-> TrainingTestResults`): promotion reads its output"
            )
        if len(found) > 1:
            raise ExperimentDefinitionError(
                f"experiment '{self.service}' has several tasks returning TrainingTestResults "
                f"({', '.join(found)}); expected exactly one, the run's test results"
            )
        return found[0]

    @staticmethod
    def _returns_test_results(annotation: object) -> bool:
        return isinstance(annotation, type) and issubclass(annotation, TrainingTestResults)

    def _check_test_results(self, name: str) -> None:
        output = self.outputs[name]
        if not isinstance(output, TrainingTestResults):
            raise TaskDefinitionError(
                f"task '{name}' is annotated -> {describe_type(self._tasks[name].returns)} but returned a "
                f"{type(output).__name__}; expected the TrainingTestResults of evaluate_models"
            )

    def _apply_overrides(
        self, overrides: Mapping[str, TaskReference]
    ) -> tuple[dict[str, tuple[TaskFunction, TaskSignature]], dict[str, str]]:
        """Validate every override like `add_task`; return what to call per task plus the manifest strings."""
        plan = {name: (task.function, task.signature) for name, task in self._tasks.items()}
        recorded: dict[str, str] = {}
        for name, replacement in overrides.items():
            task = self._tasks.get(name)
            if task is None:
                raise OverrideError(
                    f"override for task '{name}': no such task; expected one of: {', '.join(self._tasks)}"
                )
            if isinstance(replacement, str):
                function, reference = resolve_function(replacement, task=name), replacement
            elif callable(replacement):
                function, reference = replacement, reference_of(replacement)
            else:
                raise OverrideError(
                    f"override for task '{name}' is a {type(replacement).__name__}; expected a function "
                    "or a 'module:function' string"
                )
            label = f"override {reference!r} of task '{name}'"
            try:
                signature = check_signature(
                    function,
                    label=label,
                    inbound=self._inbound(task.inbound),
                    hyperparameter_model=self.Hyperparameters,
                )
            except TaskDefinitionError as error:
                raise OverrideError(str(error)) from None
            if not is_assignable(signature.returns, task.returns):
                raise OverrideError(
                    f"{label} returns {describe_type(signature.returns)} but task '{name}' returns "
                    f"{describe_type(task.returns)}; expected {describe_type(task.returns)} or a subclass"
                )
            plan[name], recorded[name] = (function, signature), reference
        return plan, recorded

    # -- saving -------------------------------------------------------------------------------

    def save(self, root: str | None = None) -> str:
        """Write every output as `<task>.artifact` plus the run manifest; print where; return the run id.

        Root: the argument, else `--root` from the command line, else `$PSML_STORAGE_ROOT`, else
        `./artifacts`.
        """
        if not self._completed or self.hyperparameters is None:
            raise NotRunError(
                f"experiment '{self.service}' has not completed a run; expected run() to finish before save()"
            )
        from paystone.training.saving import save_run  # storage is only needed once a run is saved

        return save_run(
            root=root if root is not None else self._root_flag,
            service=self.service,
            hyperparameters=self.hyperparameters,
            overrides=self.overrides,
            outputs=self.outputs,
            timings=self.timings,
            test_results=self.outputs[self._test_results_task()],
            source=self._module_file,
        )
