"""Comparing a candidate's test results with the incumbent's: one row per test, one decision.

Every regression test of the candidate must pass. Every data test of the incumbent must be present
in the candidate and, paired on the same hold-out data, must not be worse (see `statistics`). A
data test the incumbent does not have is shown as `new` and does not gate. Without an incumbent
(first version of a major) nothing is compared: the regression tests gate, and a metric the
candidate failed to compute still rejects it, since it could never serve as an incumbent.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field, computed_field

from paystone.promotion.statistics import (
    DEFAULT_CONFIDENCE,
    Goal,
    Verdict,
    paired_resample_interval,
    verdict_of,
)
from paystone.training.results import DataTestResult, TrainingTestResults


class RegressionRow(BaseModel):
    """One regression test of the candidate."""

    name: str = Field(description="Regression test function.")
    passed: bool = Field(description="Whether the candidate passed it.")
    error: str | None = Field(default=None, description="Why it failed, when it raised or returned a non-bool.")


class DataTestRow(BaseModel):
    """One data test: both metrics, their paired difference, its interval and the verdict."""

    name: str = Field(description="Data test function.")
    goal: Goal = Field(description="Whether a higher or a lower metric is better.")
    incumbent: float | None = Field(description="The incumbent's metric on the hold-out set (None: no incumbent value).")
    candidate: float | None = Field(description="The candidate's metric on the hold-out set (None: missing).")
    difference: float | None = Field(description="candidate - incumbent, in the metric's units.")
    interval_low: float | None = Field(description="Lower bound of the paired bootstrap interval of the difference.")
    interval_high: float | None = Field(description="Upper bound of the paired bootstrap interval of the difference.")
    confidence: float = Field(description="Two-sided confidence level of the interval.")
    tolerance: float = Field(ge=0, description="Absolute tolerance granted to this test before a difference is 'worse'.")
    n_instances: int = Field(ge=0, description="Hold-out instances the metrics were computed on.")
    resamples: int = Field(ge=0, description="Paired bootstrap resamples the interval is computed from.")
    verdict: Verdict = Field(description="better, not worse, worse, missing, unpaired or new.")
    reason: str | None = Field(default=None, description="Why the test could not be compared, when it could not.")


class Comparison(BaseModel):
    """The whole comparison of a candidate's results with the incumbent's."""

    regression: list[RegressionRow] = Field(description="The candidate's regression tests.")
    data: list[DataTestRow] = Field(description="One row per data test of the candidate or the incumbent.")

    @computed_field(description="Why the candidate is rejected; empty when it passes.")  # type: ignore[prop-decorator]
    @property
    def reasons(self) -> list[str]:
        found = [
            f"regression test {row.name} failed" + (f": {row.error}" if row.error else "")
            for row in self.regression
            if not row.passed
        ]
        for row in self.data:
            if row.verdict.rejects:
                found.append(f"data test {row.name} is {row.verdict}" + (f": {row.reason}" if row.reason else ""))
        return found

    @computed_field(description="True when no test rejects the candidate.")  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        return not self.reasons


def _check_tolerances(tolerances: Mapping[str, float], names: set[str]) -> None:
    unknown = sorted(set(tolerances) - names)
    if unknown:
        raise ValueError(f"tolerance given for unknown data test(s) {unknown}; data tests are {sorted(names)}")
    for name, value in tolerances.items():
        if not (value >= 0 and value != float("inf")):
            raise ValueError(f"tolerance for data test {name!r} must be a finite number >= 0, got {value}")


def _unpaired_reason(candidate: DataTestResult, incumbent: DataTestResult) -> str | None:
    if candidate.holdout_fingerprint != incumbent.holdout_fingerprint:
        return (
            f"hold-out data differ (candidate {candidate.holdout_fingerprint[:12]}, incumbent "
            f"{incumbent.holdout_fingerprint[:12]}): a paired comparison needs the same hold-out set"
        )
    if candidate.n_instances != incumbent.n_instances:
        return f"hold-out sizes differ (candidate {candidate.n_instances}, incumbent {incumbent.n_instances})"
    if len(candidate.resamples) != len(incumbent.resamples):
        return f"resample counts differ (candidate {len(candidate.resamples)}, incumbent {len(incumbent.resamples)})"
    if len(candidate.resamples) < 2:
        return f"only {len(candidate.resamples)} bootstrap resample(s) recorded; an interval needs at least 2"
    if candidate.goal != incumbent.goal:
        return f"goal changed from {incumbent.goal} to {candidate.goal}"
    return None


def compare_data_test(
    candidate: DataTestResult | None,
    incumbent: DataTestResult | None,
    *,
    tolerance: float = 0.0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> DataTestRow:
    """The row of one data test, present in the candidate, the incumbent, or both."""
    reference = candidate if candidate is not None else incumbent
    if reference is None:
        raise ValueError("compare_data_test needs the candidate's or the incumbent's result")
    row = {
        "name": reference.name,
        "goal": reference.goal,
        "incumbent": incumbent.value if incumbent is not None else None,
        "candidate": candidate.value if candidate is not None and candidate.present else None,
        "difference": None,
        "interval_low": None,
        "interval_high": None,
        "confidence": confidence,
        "tolerance": tolerance,
        "n_instances": reference.n_instances,
        "resamples": len(reference.resamples),
    }
    if candidate is None or not candidate.present:
        why = "the candidate has no such data test" if candidate is None else candidate.error or "no value"
        return DataTestRow(**row, verdict=Verdict.missing, reason=why)
    if incumbent is None or not incumbent.present:
        return DataTestRow(**row, verdict=Verdict.new, reason="the incumbent has no value for this test")
    unpaired = _unpaired_reason(candidate, incumbent)
    if unpaired is not None:
        return DataTestRow(**row, verdict=Verdict.unpaired, reason=unpaired)
    interval = paired_resample_interval(candidate.resamples, incumbent.resamples, confidence)
    assert candidate.value is not None and incumbent.value is not None
    row.update(difference=candidate.value - incumbent.value, interval_low=interval.low, interval_high=interval.high)
    return DataTestRow(**row, verdict=verdict_of(interval, candidate.goal, tolerance))


def compare_results(
    candidate: TrainingTestResults,
    incumbent: TrainingTestResults | None,
    *,
    tolerances: Mapping[str, float] | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Comparison:
    """Compare every test; `incumbent=None` (first version of a major) gates on regression tests only."""
    tolerances = dict(tolerances or {})
    regression = [RegressionRow(name=r.name, passed=r.passed, error=r.error) for r in candidate.regression]
    candidate_data = {result.name: result for result in candidate.data}
    incumbent_data = {result.name: result for result in incumbent.data} if incumbent is not None else {}
    _check_tolerances(tolerances, set(candidate_data) | set(incumbent_data))
    rows: list[DataTestRow] = []
    for name in [*candidate_data, *(n for n in incumbent_data if n not in candidate_data)]:
        cand = candidate_data.get(name)
        if incumbent is None:
            row = compare_data_test(cand, None, tolerance=tolerances.get(name, 0.0), confidence=confidence)
            if row.verdict is Verdict.new:
                row = row.model_copy(update={"reason": "no incumbent: only regression tests gate"})
        else:
            row = compare_data_test(
                cand, incumbent_data.get(name), tolerance=tolerances.get(name, 0.0), confidence=confidence
            )
        rows.append(row)
    return Comparison(regression=regression, data=rows)
