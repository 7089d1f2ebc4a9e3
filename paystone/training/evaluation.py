"""Run an experiment's regression and data tests against its own serving app.

The tests talk to the serving app through an HTTP client exactly as a caller would, so what is
promoted is what was tested: the app in ``experiments/<service>/serve/app.py`` loaded with the
artifacts this training run produced, not a re-implementation of the model call.

Data tests are also run on bootstrap resamples of the hold-out set. The resample indices depend
only on the hold-out size and a fixed seed, so two runs evaluated on the same hold-out data share
them: the difference between a candidate's and the incumbent's metric on resample ``b`` is a
paired bootstrap replicate, which promotion turns into a confidence interval.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

import httpx
import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from paystone.training.context import current_run
from paystone.training.results import DataTestResult, RegressionResult, TrainingTestResults

GoalName = Literal["maximize", "minimize"]
RegressionTest = Callable[[Any], bool]
DataTest = Callable[[Any, Any, Any], float]

#: Bootstrap replicates recorded per data test; promotion pairs them with the incumbent's.
DEFAULT_RESAMPLES = 200
#: Seed of the shared resample indices. Changing it breaks pairing with earlier runs.
RESAMPLE_SEED = 20_240_601

_GOAL_ATTRIBUTE = "__psml_goal__"


class EvaluationError(Exception):
    """The experiment's tests cannot be collected or run (not a failing test)."""


class goal:  # noqa: N801 - the founding document spells the decorators `goal.maximize`
    """Decorators that give a data test's metric its direction."""

    @staticmethod
    def maximize(test: DataTest) -> DataTest:
        """Higher values of this metric are better (accuracy, R²)."""
        setattr(test, _GOAL_ATTRIBUTE, "maximize")
        return test

    @staticmethod
    def minimize(test: DataTest) -> DataTest:
        """Lower values of this metric are better (error, log loss)."""
        setattr(test, _GOAL_ATTRIBUTE, "minimize")
        return test


def goal_of(test: Callable[..., Any]) -> GoalName | None:
    """The direction a data test was decorated with, if any."""
    return getattr(test, _GOAL_ATTRIBUTE, None)


@dataclass(frozen=True)
class ExperimentTests:
    """The regression and data tests found in an experiment package."""

    regression: list[RegressionTest]
    data: list[DataTest]


def _public_functions(module: ModuleType) -> list[Callable[..., Any]]:
    """Functions defined in ``module`` itself (not imported), in source order."""
    functions = [
        value
        for name, value in vars(module).items()
        if inspect.isfunction(value) and not name.startswith("_") and value.__module__ == module.__name__
    ]
    return sorted(functions, key=lambda f: f.__code__.co_firstlineno)


def _import_tests(service: str, kind: str) -> ModuleType:
    name = f"experiments.{service}.tests.{kind}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name == name:
            raise EvaluationError(f"experiment {service!r} has no {kind} tests: expected module {name}") from error
        raise


def discover_tests(service: str) -> ExperimentTests:
    """Collect ``tests/regression.py`` and ``tests/data.py`` of an experiment, checking their shape."""
    regression = _public_functions(_import_tests(service, "regression"))
    data_module = _import_tests(service, "data")
    data: list[DataTest] = []
    for test in _public_functions(data_module):
        if goal_of(test) is None:
            raise EvaluationError(
                f"data test {data_module.__name__}.{test.__name__} has no goal: "
                "decorate it with @goal.maximize or @goal.minimize"
            )
        data.append(test)
    for test in regression:
        _check_arity(test, 1, "regression test", "(client)")
    for test in data:
        _check_arity(test, 3, "data test", "(client, X_test, y_test)")
    if not regression:
        raise EvaluationError(f"experiment {service!r} defines no regression test in tests/regression.py")
    if not data:
        raise EvaluationError(f"experiment {service!r} defines no data test in tests/data.py")
    return ExperimentTests(regression=regression, data=data)


def _check_arity(test: Callable[..., Any], count: int, kind: str, expected: str) -> None:
    parameters = [
        p
        for p in inspect.signature(test).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    if len(parameters) != count:
        raise EvaluationError(
            f"{kind} {test.__module__}.{test.__name__} takes {len(parameters)} required "
            f"positional parameter(s); expected {count}: {test.__name__}{expected}"
        )


def take(data: Any, indices: np.ndarray) -> Any:
    """Rows ``indices`` of a hold-out container (DataFrame, Series, array or sequence)."""
    if isinstance(data, (pd.DataFrame, pd.Series)):
        return data.iloc[indices].reset_index(drop=True)
    if isinstance(data, np.ndarray):
        return data[indices]
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        return [data[int(i)] for i in indices]
    raise EvaluationError(f"cannot resample hold-out data of type {type(data).__name__}")


def holdout_fingerprint(X_test: Any, y_test: Any) -> str:
    """A digest of the hold-out data: paired comparisons are only valid when two runs share it."""
    digest = hashlib.sha256()
    for part in (X_test, y_test):
        if isinstance(part, (pd.DataFrame, pd.Series)):
            digest.update(pd.util.hash_pandas_object(part, index=False).to_numpy().tobytes())
            if isinstance(part, pd.DataFrame):
                digest.update(json.dumps(list(map(str, part.columns))).encode())
        elif isinstance(part, np.ndarray):
            digest.update(np.ascontiguousarray(part).tobytes())
        else:
            digest.update(json.dumps(part, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def resample_indices(size: int, count: int, seed: int = RESAMPLE_SEED) -> Iterator[np.ndarray]:
    """The shared bootstrap resamples of a hold-out set of ``size`` rows."""
    generator = np.random.default_rng(seed)
    for _ in range(count):
        yield generator.integers(0, size, size)


class PredictionCache:
    """Wraps a serving-app client so each distinct instance reaches the model once.

    Data tests build their requests from the hold-out rows they are given; on a bootstrap
    resample those rows repeat. Keying predictions by route, parameters and the instance's
    canonical JSON lets every replicate after the first be answered from memory, while the test
    code still sees an ordinary ``{"predictions": [...]}`` response.
    """

    def __init__(self, client: Any) -> None:
        self._client = client
        self._predictions: dict[str, Any] = {}
        self._version: Any = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def post(self, url: str, *args: Any, json: Any = None, **kwargs: Any) -> Any:  # noqa: A002
        if args or not isinstance(json, dict) or not isinstance(json.get("instances"), list):
            return self._client.post(url, *args, json=json, **kwargs)
        instances = json["instances"]
        prefix = f"{url}\x00{_canonical(json.get('parameters'))}\x00"
        # repr is several times cheaper than canonical JSON and exact for JSON values; two spellings
        # of one instance (other key order) only cost an extra model call, never a wrong answer.
        keys = [prefix + repr(instance) for instance in instances]
        missing: dict[str, Any] = {}
        for key, instance in zip(keys, instances):
            if key not in self._predictions:
                missing.setdefault(key, instance)
        if missing:
            response = self._client.post(url, json={**json, "instances": list(missing.values())}, **kwargs)
            if response.status_code != 200:
                return response
            body = response.json()
            self._version = body.get("version")
            self._predictions.update(zip(missing.keys(), body["predictions"]))
        content = {"predictions": [self._predictions[key] for key in keys], "version": self._version}
        return httpx.Response(200, json=content, request=httpx.Request("POST", f"http://testserver{url}"))


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _run_regression(test: RegressionTest, client: Any) -> RegressionResult:
    name = test.__name__
    try:
        outcome = test(client)
    except Exception as error:  # a crashing test is a failing test, with its reason kept
        return RegressionResult(name=name, passed=False, error=f"{type(error).__name__}: {error}")
    if not isinstance(outcome, (bool, np.bool_)):
        return RegressionResult(
            name=name, passed=False, error=f"returned {outcome!r} ({type(outcome).__name__}); a regression test returns a bool"
        )
    return RegressionResult(name=name, passed=bool(outcome), error=None)


def _metric(test: DataTest, client: Any, X_test: Any, y_test: Any) -> float:
    value = test(client, X_test, y_test)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise EvaluationError(f"returned {value!r} ({type(value).__name__}); a data test returns a number")
    value = float(value)
    if not math.isfinite(value):
        raise EvaluationError(f"returned {value}; a data test's metric must be finite")
    return value


def _run_data(test: DataTest, client: Any, X_test: Any, y_test: Any, resamples: int) -> DataTestResult:
    size = len(y_test)
    common = {
        "name": test.__name__,
        "goal": goal_of(test),
        "n_instances": size,
        "holdout_fingerprint": holdout_fingerprint(X_test, y_test),
    }
    cached = PredictionCache(client)
    try:
        value = _metric(test, cached, X_test, y_test)
        replicates = [
            _metric(test, cached, take(X_test, indices), take(y_test, indices))
            for indices in resample_indices(size, resamples)
        ]
    except Exception as error:  # a missing metric fails promotion; keep why
        return DataTestResult(**common, value=None, resamples=[], error=f"{type(error).__name__}: {error}")
    return DataTestResult(**common, value=value, resamples=replicates, error=None)


@contextmanager
def _serving_client(service: str, artifacts: Mapping[str, Any]) -> Iterator[Any]:
    from paystone.serving.testing import MLServingTestClient  # serving is only needed here

    try:
        module = importlib.import_module(f"experiments.{service}.serve.app")
    except ModuleNotFoundError as error:
        raise EvaluationError(f"experiment {service!r} has no serving app: expected experiments/{service}/serve/app.py") from error
    app = getattr(module, "app", None)
    if app is None:
        raise EvaluationError(f"experiments/{service}/serve/app.py defines no `app` (app = create_serving_app(...))")
    with MLServingTestClient(app, artifacts=artifacts) as client:
        yield client


def evaluate_models(
    X_test: Any,
    y_test: Any,
    *,
    artifacts: Mapping[str, Any] | None = None,
    service: str | None = None,
    resamples: int = DEFAULT_RESAMPLES,
) -> TrainingTestResults:
    """Run the experiment's regression and data tests against its serving app.

    Inside ``Experiment.run()`` the service and the artifacts (every task output so far) come from
    the current run, so a training module calls ``evaluate_models(X_test, y_test)``.
    """
    if artifacts is None or service is None:
        run = current_run()
        artifacts = dict(run.outputs) if artifacts is None else artifacts
        service = run.service if service is None else service
    if len(X_test) != len(y_test):
        raise EvaluationError(f"X_test has {len(X_test)} rows but y_test has {len(y_test)}")
    if len(y_test) == 0:
        raise EvaluationError("the hold-out set is empty: data tests need at least one instance")
    tests = discover_tests(service)
    with _serving_client(service, artifacts) as client:
        regression = [_run_regression(test, client) for test in tests.regression]
        data = [_run_data(test, client, X_test, y_test, resamples) for test in tests.data]
    results = TrainingTestResults(service=service, regression=regression, data=data)
    console = Console(stderr=True)
    if not console.is_terminal:  # logs and CI: full test names rather than an 80-column cut
        console = Console(stderr=True, width=160)
    console.print(results_table(results))
    return results


def results_table(results: TrainingTestResults) -> Table:
    """A table of test outcomes, as printed after training."""
    table = Table(title=f"{results.service}: test results on the hold-out set")
    table.add_column("test", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("result", justify="right", no_wrap=True)
    table.add_column("95% bootstrap interval", justify="right", no_wrap=True)
    for result in results.regression:
        outcome = "[green]pass[/]" if result.passed else f"[red]FAIL[/] {result.error or ''}"
        table.add_row(result.name, "regression", outcome, "")
    for data in results.data:
        if data.value is None:
            table.add_row(data.name, f"data ({data.goal})", f"[red]missing[/] {data.error}", "")
            continue
        low, high = (np.percentile(data.resamples, [2.5, 97.5]) if data.resamples else (math.nan, math.nan))
        table.add_row(data.name, f"data ({data.goal})", _number(data.value), f"[{_number(low)}, {_number(high)}]")
    return table


def _number(value: float) -> str:
    """Dollars as 74,480, shares as 0.8235: no exponent for magnitudes people read whole."""
    return f"{value:,.0f}" if abs(value) >= 1_000 else f"{value:.4g}"
