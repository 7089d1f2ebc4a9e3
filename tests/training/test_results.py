"""Tests of paystone.training.results."""

from __future__ import annotations

from paystone.training.results import DataTestResult, RegressionResult, TrainingTestResults


def _data(value: float | None, error: str | None = None) -> DataTestResult:
    return DataTestResult(
        name="r2", goal="maximize", value=value, resamples=[0.5], n_instances=10, holdout_fingerprint="abc", error=error
    )


def test_passed_needs_every_regression_test_and_every_metric() -> None:
    ok = TrainingTestResults(service="demo", regression=[RegressionResult(name="a", passed=True)], data=[_data(0.9)])
    assert ok.passed
    failing = ok.model_copy(update={"regression": [RegressionResult(name="a", passed=False, error="boom")]})
    assert not failing.passed
    assert not ok.model_copy(update={"data": [_data(None)]}).passed
    assert not ok.model_copy(update={"data": [_data(0.9, error="ValueError: x")]}).passed


def test_passed_is_in_the_json_dump_and_round_trips() -> None:
    results = TrainingTestResults(service="demo", regression=[], data=[_data(0.5)])
    dumped = results.model_dump(mode="json")
    assert dumped["passed"] is True
    assert TrainingTestResults.model_validate(dumped) == results
