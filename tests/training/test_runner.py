"""Tests of paystone.training.runner: building, validating, overriding and running task graphs."""

from __future__ import annotations

import importlib.machinery
import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, Field

from paystone.storage import runs
from paystone.storage.roots import open_store
from paystone.training.context import current_run
from paystone.training.errors import (
    ExperimentDefinitionError,
    HyperparameterError,
    NotRunError,
    OverrideError,
    TaskDefinitionError,
)
from paystone.training.results import TrainingTestResults
from paystone.training.runner import Experiment

REPO = Path(__file__).resolve().parents[2]


class Params(BaseModel):
    """Hyperparameters of the toy experiment."""

    rows: int = Field(default=4, gt=0, description="Rows of toy data to generate.")
    scale: float = Field(default=2.0, description="Factor applied by the model.")


class Dataset(list):  # a subclass, to show subclass returns are accepted where the base is expected
    pass


# -- a toy graph: load -> fit -> evaluate, with prepare as an upstream-only step --------------

calls: list[str] = []


def load(*, params: Params) -> list[float]:
    calls.append("load")
    return [float(i) for i in range(params.rows)]


def fit(data: list[float], *, params: Params) -> float:
    calls.append("fit")
    return sum(data) * params.scale


def evaluate(model: float, data: list[float]) -> TrainingTestResults:
    calls.append("evaluate")
    return TrainingTestResults(service=current_run().service, regression=[], data=[])


def small_sample(*, params: Params) -> Dataset:
    return Dataset([1.0])


def wrong_return(*, params: Params) -> str:
    return "x"


def wrong_parameter(data: str, *, params: Params) -> float:
    return 0.0


def toy(service: str = "toy") -> Experiment:
    experiment = Experiment(Params, service=service)
    experiment.add_task(load)
    experiment.add_task(fit, inbound=[load])
    experiment.add_task(evaluate, inbound=[fit, load])
    return experiment


@pytest.fixture(autouse=True)
def _reset_calls() -> None:
    calls.clear()


# -- construction -------------------------------------------------------------------------------


def test_service_is_inferred_from_the_creating_module() -> None:
    namespace: dict[str, Any] = {"__name__": "experiments.housing.train.main", "Experiment": Experiment, "P": Params}
    exec("experiment = Experiment(P)", namespace)
    assert namespace["experiment"].service == "housing"


def test_service_is_inferred_when_run_as_main_module() -> None:
    spec = importlib.machinery.ModuleSpec("experiments.sentiment.train.main", None)
    namespace: dict[str, Any] = {"__name__": "__main__", "__spec__": spec, "Experiment": Experiment, "P": Params}
    exec("experiment = Experiment(P)", namespace)
    assert namespace["experiment"].service == "sentiment"


def test_service_that_cannot_be_inferred_is_an_error() -> None:
    with pytest.raises(ExperimentDefinitionError, match=r"cannot infer the service of Experiment\(Params\)"):
        Experiment(Params)


def test_explicit_service_wins_and_must_be_an_identifier() -> None:
    assert Experiment(Params, service="demo").service == "demo"
    with pytest.raises(ExperimentDefinitionError, match="service 'a/b' is not a valid experiment name"):
        Experiment(Params, service="a/b")


def test_hyperparameter_model_is_checked() -> None:
    class Bad(BaseModel):
        depth: int = Field(description="no default")

    with pytest.raises(ExperimentDefinitionError, match="hyperparameter 'depth' of Bad has no default"):
        Experiment(Bad, service="demo")


# -- add_task validation ------------------------------------------------------------------------


def test_positional_count_must_match_inbound() -> None:
    experiment = Experiment(Params, service="demo")
    experiment.add_task(load)

    def fit_two(data: list[float], extra: int) -> float:
        return 0.0

    with pytest.raises(
        TaskDefinitionError,
        match=r"task 'fit_two' takes 2 positional parameter\(s\) \(data, extra\) but has 1 inbound task\(s\) \(load\)",
    ):
        experiment.add_task(fit_two, inbound=[load])


def test_annotation_must_match_inbound_return() -> None:
    experiment = Experiment(Params, service="demo")
    experiment.add_task(load)
    with pytest.raises(
        TaskDefinitionError,
        match=r"task 'wrong_parameter': parameter 'data' is annotated str but inbound task 'load' returns list\[float\]",
    ):
        experiment.add_task(wrong_parameter, inbound=[load])


def test_parameter_without_annotation_is_an_error() -> None:
    experiment = Experiment(Params, service="demo")
    experiment.add_task(load)

    def untyped(data) -> float:  # type: ignore[no-untyped-def]
        return 0.0

    with pytest.raises(
        TaskDefinitionError,
        match=r"task 'untyped': parameter 'data' has no annotation; expected list\[float\] .*inbound task 'load'",
    ):
        experiment.add_task(untyped, inbound=[load])


def test_missing_return_annotation_is_an_error() -> None:
    def no_return(*, params: Params):  # type: ignore[no-untyped-def]
        return 1

    with pytest.raises(TaskDefinitionError, match=r"task 'no_return' has no return annotation; expected `-> SomeType`"):
        Experiment(Params, service="demo").add_task(no_return)


def test_unknown_inbound_and_upstream_are_named() -> None:
    experiment = Experiment(Params, service="demo")
    with pytest.raises(TaskDefinitionError, match=r"task 'fit': inbound task 'load' is unknown; .*known: none yet"):
        experiment.add_task(fit, inbound=[load])
    experiment.add_task(load)
    with pytest.raises(TaskDefinitionError, match=r"task 'evaluate': upstream task 'prepare' is unknown; .*known: load"):
        experiment.add_task(evaluate, inbound=["load", "load"], upstream=["prepare"])


def test_inbound_by_name_is_accepted() -> None:
    experiment = Experiment(Params, service="demo")
    experiment.add_task(load)
    experiment.add_task(fit, inbound=["load"])
    assert experiment.tasks["fit"].inbound == ("load",)


def test_a_different_function_with_a_known_name_is_refused() -> None:
    experiment = Experiment(Params, service="demo")
    experiment.add_task(load)

    def impostor() -> list[float]:
        return []

    impostor.__name__ = "load"
    with pytest.raises(TaskDefinitionError, match=r"inbound task 'load' is a different function from the task registered"):
        experiment.add_task(fit, inbound=[impostor])


def test_duplicate_task_is_refused() -> None:
    experiment = Experiment(Params, service="demo")
    experiment.add_task(load)
    with pytest.raises(TaskDefinitionError, match=r"task 'load' is already in the experiment"):
        experiment.add_task(load)


def test_self_reference_is_reported_as_a_cycle() -> None:
    def loop(value: float) -> float:
        return value

    with pytest.raises(TaskDefinitionError, match=r"task 'loop' lists itself as inbound: that is a cycle"):
        Experiment(Params, service="demo").add_task(loop, inbound=[loop])
    with pytest.raises(TaskDefinitionError, match=r"task 'load' lists itself as upstream: that is a cycle"):
        Experiment(Params, service="demo").add_task(load, upstream=["load"])


def test_keyword_only_parameter_that_is_not_hyperparameters_needs_a_default() -> None:
    def needs_seed(*, seed: int) -> int:
        return seed

    with pytest.raises(
        TaskDefinitionError,
        match=r"task 'needs_seed': keyword-only parameter 'seed' \(int\) has no default and is not the hyperparameters; "
        r"expected `\*, seed: Params`",
    ):
        Experiment(Params, service="demo").add_task(needs_seed)


def test_variadic_parameters_are_refused() -> None:
    def star(*values: float) -> float:
        return 0.0

    with pytest.raises(TaskDefinitionError, match=r"task 'star': parameter '\*values' is variadic"):
        Experiment(Params, service="demo").add_task(star)


# -- running ------------------------------------------------------------------------------------


def test_run_refuses_without_a_test_results_task() -> None:
    experiment = Experiment(Params, service="demo")
    experiment.add_task(load)
    with pytest.raises(ExperimentDefinitionError, match=r"experiment 'demo' has no task returning TrainingTestResults"):
        experiment.run()
    assert calls == []


def test_run_refuses_two_test_results_tasks() -> None:
    experiment = toy()

    def evaluate_again() -> TrainingTestResults:
        return TrainingTestResults(service="toy")

    experiment.add_task(evaluate_again)
    with pytest.raises(ExperimentDefinitionError, match=r"several tasks returning TrainingTestResults \(evaluate, evaluate_again\)"):
        experiment.run()


def test_run_injects_hyperparameters_and_passes_outputs_positionally() -> None:
    experiment = toy().run({"rows": 3, "scale": 10.0})
    assert experiment.outputs["load"] == [0.0, 1.0, 2.0]
    assert experiment.outputs["fit"] == 30.0
    assert experiment.outputs["evaluate"] == TrainingTestResults(service="toy")
    assert experiment.hyperparameters == Params(rows=3, scale=10.0)
    assert set(experiment.timings) == {"load", "fit", "evaluate"}
    assert all(seconds >= 0 for seconds in experiment.timings.values())


def test_run_accepts_a_model_instance_and_defaults() -> None:
    assert toy().run(Params(rows=1)).outputs["load"] == [0.0]
    assert toy().run().outputs["load"] == [0.0, 1.0, 2.0, 3.0]


def test_bad_hyperparameter_value_names_the_field_before_anything_runs() -> None:
    with pytest.raises(HyperparameterError, match=r"'rows': Input should be greater than 0"):
        toy().run({"rows": 0})
    assert calls == []


def test_tasks_run_in_stable_topological_order_with_upstream() -> None:
    order: list[str] = []
    experiment = Experiment(Params, service="demo")

    def make(name: str) -> Any:
        def task() -> int:
            order.append(name)
            return 0

        task.__name__ = name
        return task

    first, second, third = make("first"), make("second"), make("third")
    experiment.add_task(first)
    experiment.add_task(second)
    experiment.add_task(third, upstream=[first])

    def report(value: int) -> TrainingTestResults:
        order.append("report")
        return TrainingTestResults(service="demo")

    experiment.add_task(report, inbound=[second], upstream=[third])
    experiment.run()
    assert order == ["first", "second", "third", "report"]


def test_tasks_see_the_run_context() -> None:
    seen: dict[str, Any] = {}
    experiment = Experiment(Params, service="demo")
    experiment.add_task(load)

    def report(data: list[float]) -> TrainingTestResults:
        run = current_run()
        seen.update(service=run.service, hyperparameters=run.hyperparameters, outputs=dict(run.outputs))
        return TrainingTestResults(service=run.service)

    experiment.add_task(report, inbound=[load])
    experiment.run({"rows": 2})
    assert seen == {"service": "demo", "hyperparameters": Params(rows=2), "outputs": {"load": [0.0, 1.0]}}


def test_a_failing_task_names_itself_and_the_run_cannot_be_saved(tmp_path: Path) -> None:
    experiment = Experiment(Params, service="demo")

    def broken() -> list[float]:
        raise RuntimeError("disk full")

    experiment.add_task(broken)
    experiment.add_task(fit, inbound=[broken])
    experiment.add_task(evaluate, inbound=[fit, broken])
    with pytest.raises(RuntimeError, match="disk full") as error:
        experiment.run()
    assert "raised by task 'broken' of experiment 'demo'" in error.value.__notes__
    with pytest.raises(NotRunError, match="has not completed a run"):
        experiment.save(str(tmp_path))


def test_test_results_task_must_really_return_them() -> None:
    experiment = Experiment(Params, service="demo")

    def liar() -> TrainingTestResults:
        return {"service": "demo"}  # type: ignore[return-value]

    experiment.add_task(liar)
    with pytest.raises(TaskDefinitionError, match=r"task 'liar' is annotated -> .*TrainingTestResults but returned a dict"):
        experiment.run()


def test_save_before_run_is_refused() -> None:
    with pytest.raises(NotRunError, match="expected run\\(\\) to finish before save\\(\\)"):
        toy().save()


# -- overrides ----------------------------------------------------------------------------------


def test_callable_override_replaces_the_task_for_one_run() -> None:
    experiment = toy()
    experiment.run(overrides={"load": small_sample})
    assert experiment.outputs["load"] == [1.0]
    assert experiment.outputs["fit"] == 2.0
    assert experiment.overrides == {"load": f"{__name__}:small_sample"}
    experiment.run()
    assert experiment.outputs["load"] == [0.0, 1.0, 2.0, 3.0]
    assert experiment.overrides == {}


def test_module_function_override() -> None:
    experiment = toy().run(overrides={"load": f"{__name__}:small_sample"})
    assert experiment.outputs["load"] == [1.0]
    assert experiment.overrides == {"load": f"{__name__}:small_sample"}


def test_override_of_unknown_task_is_refused() -> None:
    with pytest.raises(OverrideError, match=r"override for task 'lod': no such task; expected one of: load, fit, evaluate"):
        toy().run(overrides={"lod": small_sample})


def test_override_with_incompatible_parameter_is_refused_before_anything_runs() -> None:
    with pytest.raises(
        OverrideError,
        match=r"override '.*:wrong_parameter' of task 'fit': parameter 'data' is annotated str but inbound task 'load'",
    ):
        toy().run(overrides={"fit": wrong_parameter})
    assert calls == []


def test_override_with_incompatible_return_is_refused() -> None:
    with pytest.raises(
        OverrideError, match=r"override '.*:wrong_return' of task 'load' returns str but task 'load' returns list\[float\]"
    ):
        toy().run(overrides={"load": f"{__name__}:wrong_return"})


def test_override_with_wrong_arity_is_refused() -> None:
    def takes_nothing() -> float:
        return 0.0

    with pytest.raises(OverrideError, match=r"of task 'fit' takes 0 positional parameter\(s\) \(none\) but has 1 inbound"):
        toy().run(overrides={"fit": takes_nothing})


def test_override_that_cannot_be_imported_is_refused() -> None:
    with pytest.raises(OverrideError, match=r"override for task 'load': cannot import 'nowhere_xyz:f'"):
        toy().run(overrides={"load": "nowhere_xyz:f"})


def test_override_that_is_not_callable_is_refused() -> None:
    with pytest.raises(OverrideError, match=r"override for task 'load' is a int; expected a function"):
        toy().run(overrides={"load": 3})  # type: ignore[dict-item]


# -- the train binary's command line ------------------------------------------------------------


def test_run_reads_sys_argv_when_started_as_the_train_module(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main = types.ModuleType("__main__")
    main.__spec__ = importlib.machinery.ModuleSpec("experiments.toy.train.main", None)
    monkeypatch.setitem(sys.modules, "__main__", main)
    root = tmp_path / "store"
    monkeypatch.setattr(
        sys, "argv", ["main.py", "--rows=2", f"--override=load={__name__}:small_sample", f"--root={root}"]
    )
    experiment = toy().run()
    assert experiment.hyperparameters == Params(rows=2)
    assert experiment.outputs["load"] == [1.0]
    run_id = experiment.save()
    manifest = runs.read_manifest(open_store(str(root)), "toy", run_id)
    assert manifest.overrides == {"load": f"{__name__}:small_sample"}
    assert manifest.hyperparameters == {"rows": 2, "scale": 2.0}

    monkeypatch.setattr(sys, "argv", ["main.py", "--rows=0"])
    with pytest.raises(SystemExit) as exit_info:
        toy().run()
    assert exit_info.value.code == 2
    assert "error: invalid hyperparameter(s) for Params: 'rows'" in capsys.readouterr().err

    monkeypatch.setattr(sys, "argv", ["main.py", "--override=lod=nowhere_xyz:f"])
    with pytest.raises(SystemExit) as exit_info:
        toy().run()
    assert exit_info.value.code == 2
    assert "error: override for task 'lod': no such task" in capsys.readouterr().err


def test_run_ignores_sys_argv_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["pytest", "--rows=not-a-number"])
    assert toy().run().hyperparameters == Params()


TINY_MAIN = textwrap.dedent(
    '''
    """A tiny train binary used by the runner's subprocess tests."""

    from pydantic import BaseModel, Field

    from paystone.training import Experiment, TrainingTestResults


    class Hyperparameters(BaseModel):
        """Hyperparameters of the tiny experiment."""

        depth: int = Field(default=3, description="Depth of the imaginary tree.")


    def fit(*, hp: Hyperparameters) -> int:
        return hp.depth * 2


    def evaluate(model: int) -> TrainingTestResults:
        return TrainingTestResults(service="tiny")


    if __name__ == "__main__":
        experiment = Experiment(Hyperparameters)
        experiment.add_task(fit)
        experiment.add_task(evaluate, inbound=[fit])
        experiment.run()
        experiment.save()
    '''
)


@pytest.fixture
def tiny_main(tmp_path: Path) -> Path:
    path = tmp_path / "experiments" / "tiny" / "train" / "main.py"
    path.parent.mkdir(parents=True)
    path.write_text(TINY_MAIN)
    return path


def _run_script(path: Path, *arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    environment.pop("PSML_STORAGE_ROOT", None)
    return subprocess.run(
        [sys.executable, str(path), *arguments], capture_output=True, text=True, timeout=120, cwd=cwd, env=environment
    )


def test_train_script_help(tiny_main: Path, tmp_path: Path) -> None:
    completed = _run_script(tiny_main, "--help", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert "Hyperparameters of the tiny experiment." in completed.stdout
    assert "--depth: Depth of the imaginary tree." in completed.stdout
    assert "(default: '3')" in completed.stdout
    assert "--override" in completed.stdout


def test_train_script_runs_and_saves_under_the_default_root(tiny_main: Path, tmp_path: Path) -> None:
    completed = _run_script(tiny_main, "--depth=5", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    store = open_store(str(tmp_path / "artifacts"))
    run_id = runs.latest_run(store, "tiny")
    assert run_id is not None and f"Saved run {run_id} of 'tiny'" in completed.stdout
    assert runs.read_artifact(store, "tiny", run_id, "fit") == 10
    assert "fit" in completed.stderr  # the progress display names each task
