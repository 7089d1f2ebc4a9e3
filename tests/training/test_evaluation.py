"""Tests of paystone.training.evaluation's pieces that do not need an experiment package."""

from __future__ import annotations

from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest

from paystone.training.evaluation import (
    EvaluationError,
    PredictionCache,
    _run_data,
    _run_regression,
    goal,
    goal_of,
    holdout_fingerprint,
    resample_indices,
    take,
)


class CountingClient:
    """An in-process stand-in for the serving-app client: doubles each instance's `x`."""

    def __init__(self) -> None:
        self.instances_seen = 0

    def post(self, url: str, json: dict[str, Any]) -> httpx.Response:
        self.instances_seen += len(json["instances"])
        predictions = [{"y": 2 * instance["x"]} for instance in json["instances"]]
        return httpx.Response(200, json={"predictions": predictions, "version": "v0.m0"})


def test_goal_decorators_mark_direction() -> None:
    @goal.maximize
    def accuracy(client: Any, X: Any, y: Any) -> float:
        return 1.0

    @goal.minimize
    def loss(client: Any, X: Any, y: Any) -> float:
        return 0.0

    assert goal_of(accuracy) == "maximize"
    assert goal_of(loss) == "minimize"
    assert goal_of(lambda: None) is None


def test_take_supports_frames_arrays_and_lists() -> None:
    indices = np.array([2, 0, 2])
    frame = pd.DataFrame({"a": [10, 11, 12]}, index=[5, 6, 7])
    assert take(frame, indices)["a"].tolist() == [12, 10, 12]
    assert list(take(frame, indices).index) == [0, 1, 2]
    assert take(np.array([1, 2, 3]), indices).tolist() == [3, 1, 3]
    assert take(["a", "b", "c"], indices) == ["c", "a", "c"]
    with pytest.raises(EvaluationError, match="cannot resample"):
        take(object(), indices)


def test_resample_indices_are_shared_between_runs() -> None:
    first = [r.tolist() for r in resample_indices(50, 3)]
    second = [r.tolist() for r in resample_indices(50, 3)]
    assert first == second
    assert first[0] != first[1]
    assert all(0 <= i < 50 for r in first for i in r)


def test_holdout_fingerprint_changes_with_data() -> None:
    X = pd.DataFrame({"a": [1.0, 2.0]})
    y = pd.Series([3.0, 4.0])
    assert holdout_fingerprint(X, y) == holdout_fingerprint(X.copy(), y.copy())
    assert holdout_fingerprint(X, y) != holdout_fingerprint(X, pd.Series([3.0, 5.0]))
    assert holdout_fingerprint(["x"], [1]) != holdout_fingerprint(["y"], [1])


def test_prediction_cache_calls_model_once_per_distinct_instance() -> None:
    inner = CountingClient()
    cached = PredictionCache(inner)
    body = {"instances": [{"x": 1}, {"x": 2}, {"x": 1}], "parameters": {}}
    first = cached.post("/r", json=body)
    assert first.json()["predictions"] == [{"y": 2}, {"y": 4}, {"y": 2}]
    assert inner.instances_seen == 2
    again = cached.post("/r", json={"instances": [{"x": 2}, {"x": 3}], "parameters": {}})
    assert again.json()["predictions"] == [{"y": 4}, {"y": 6}]
    assert inner.instances_seen == 3
    # other parameters are other predictions
    cached.post("/r", json={"instances": [{"x": 2}], "parameters": {"p": 1}})
    assert inner.instances_seen == 4


def test_regression_result_requires_a_bool() -> None:
    def passes(client: Any) -> bool:
        return True

    def returns_number(client: Any) -> bool:
        return 1  # type: ignore[return-value]

    def crashes(client: Any) -> bool:
        raise RuntimeError("boom")

    assert _run_regression(passes, None).passed is True
    wrong = _run_regression(returns_number, None)
    assert not wrong.passed and "returns a bool" in (wrong.error or "")
    crashed = _run_regression(crashes, None)
    assert not crashed.passed and "RuntimeError: boom" in (crashed.error or "")


def test_data_result_has_value_and_paired_resamples() -> None:
    @goal.minimize
    def mean_error(client: Any, X: pd.DataFrame, y: pd.Series) -> float:
        body = {"instances": [{"x": float(v)} for v in X["x"]], "parameters": {}}
        predictions = [p["y"] for p in client.post("/r", json=body).json()["predictions"]]
        return float(np.mean(np.abs(np.array(predictions) - y.to_numpy())))

    X = pd.DataFrame({"x": np.arange(30, dtype=float)})
    y = pd.Series(np.arange(30, dtype=float) * 2 + 1)
    inner = CountingClient()
    result = _run_data(mean_error, inner, X, y, resamples=25)
    assert result.value == pytest.approx(1.0)
    assert len(result.resamples) == 25
    assert all(r == pytest.approx(1.0) for r in result.resamples)
    assert inner.instances_seen == 30  # resamples were answered from the cache
    assert result.goal == "minimize" and result.n_instances == 30


def test_data_result_keeps_why_a_metric_is_missing() -> None:
    @goal.maximize
    def not_a_number(client: Any, X: Any, y: Any) -> float:
        return float("nan")

    result = _run_data(not_a_number, CountingClient(), [1, 2], [1, 2], resamples=2)
    assert result.value is None
    assert "finite" in (result.error or "")
