"""The paired comparison on constructed cases (issue 4, done-when 2)."""

from __future__ import annotations

import numpy as np
import pytest

from paystone.promotion.comparison import compare_data_test
from paystone.promotion.statistics import (
    Interval,
    Verdict,
    paired_bootstrap_interval,
    paired_resample_interval,
    verdict_of,
)
from tests.promotion.builders import correctness, mean_metric

N = 10_000


def accuracy(errors: int, seed: int):
    return mean_metric("accuracy", correctness(N, errors, seed))


def test_identical_predictions_are_not_worse() -> None:
    incumbent = accuracy(180, seed=1)
    row = compare_data_test(incumbent.model_copy(), incumbent)
    assert (row.difference, row.interval_low, row.interval_high) == (0.0, 0.0, 0.0)
    assert row.verdict is Verdict.not_worse


def test_98_1_against_98_2_percent_on_10000_instances_is_not_worse() -> None:
    incumbent, candidate = accuracy(180, seed=1), accuracy(190, seed=2)
    assert (incumbent.value, candidate.value) == (0.982, 0.981)
    row = compare_data_test(candidate, incumbent)
    assert row.difference == pytest.approx(-0.001)
    assert row.interval_low < -0.001 < 0 < row.interval_high  # type: ignore[operator]
    assert row.verdict is Verdict.not_worse


def test_clearly_worse_model_on_10000_instances_is_worse() -> None:
    incumbent, candidate = accuracy(180, seed=1), accuracy(500, seed=2)  # 98.2 % -> 95.0 %
    row = compare_data_test(candidate, incumbent)
    assert row.interval_high < 0  # type: ignore[operator]
    assert row.verdict is Verdict.worse
    assert row.verdict.rejects


def test_lower_metric_under_minimize_is_better_and_under_maximize_worse() -> None:
    rng = np.random.default_rng(7)
    incumbent_errors = rng.gamma(2.0, 50_000, size=N)
    candidate_errors = incumbent_errors * 0.9  # every house priced 10 % closer
    for goal, expected in (("minimize", Verdict.better), ("maximize", Verdict.worse)):
        row = compare_data_test(
            mean_metric("mae", candidate_errors, goal), mean_metric("mae", incumbent_errors, goal)
        )
        assert row.difference < 0  # type: ignore[operator]
        assert row.verdict is expected, goal


def test_clearly_better_classifier_is_better() -> None:
    row = compare_data_test(accuracy(100, seed=3), accuracy(180, seed=1))
    assert row.verdict is Verdict.better


def test_tolerance_absorbs_a_small_but_certain_drop() -> None:
    # The candidate is the incumbent plus 10 more errors: the drop is tiny (0.1 point) but certain,
    # so a paired interval sees it. A tolerance of 0.2 points accepts it; none rejects it.
    incumbent_scores = correctness(N, 180, seed=1)
    candidate_scores = incumbent_scores.copy()
    candidate_scores[np.flatnonzero(incumbent_scores)[:10]] = 0
    incumbent, candidate = mean_metric("accuracy", incumbent_scores), mean_metric("accuracy", candidate_scores)
    assert compare_data_test(candidate, incumbent).verdict is Verdict.worse
    assert compare_data_test(candidate, incumbent, tolerance=0.002).verdict is Verdict.not_worse


def test_shared_resample_interval_agrees_with_scipy_paired_bootstrap() -> None:
    incumbent_scores, candidate_scores = correctness(N, 180, seed=1), correctness(N, 190, seed=2)
    ours = paired_resample_interval(
        mean_metric("a", candidate_scores, resamples=1000).resamples,
        mean_metric("a", incumbent_scores, resamples=1000).resamples,
    )
    scipy = paired_bootstrap_interval(candidate_scores, incumbent_scores, method="percentile")
    assert ours.low == pytest.approx(scipy.low, abs=4e-4)
    assert ours.high == pytest.approx(scipy.high, abs=4e-4)


def test_missing_metric_is_missing_and_rejects() -> None:
    incumbent = accuracy(180, seed=1)
    broken = incumbent.model_copy(update={"value": None, "resamples": [], "error": "RuntimeError: 500"})
    row = compare_data_test(broken, incumbent)
    assert row.verdict is Verdict.missing and row.verdict.rejects
    assert "RuntimeError: 500" in (row.reason or "")
    assert compare_data_test(None, incumbent).verdict is Verdict.missing


def test_different_holdout_data_is_never_paired() -> None:
    incumbent = accuracy(180, seed=1)
    other = mean_metric("accuracy", correctness(N, 180, seed=1), fingerprint="holdout-b")
    row = compare_data_test(other, incumbent)
    assert row.verdict is Verdict.unpaired and row.verdict.rejects
    assert "hold-out data differ" in (row.reason or "")
    assert row.interval_low is None


def test_verdict_edges() -> None:
    assert verdict_of(Interval(-0.02, -0.011, 0.95), "maximize", tolerance=0.01) is Verdict.worse
    assert verdict_of(Interval(-0.02, -0.009, 0.95), "maximize", tolerance=0.01) is Verdict.not_worse
    assert verdict_of(Interval(0.001, 0.02, 0.95), "minimize") is Verdict.worse
    assert verdict_of(Interval(-0.02, -0.001, 0.95), "minimize") is Verdict.better
    with pytest.raises(ValueError, match="tolerance"):
        verdict_of(Interval(0, 0, 0.95), "maximize", tolerance=-1)


def test_unequal_resample_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="same length"):
        paired_resample_interval([0.1, 0.2], [0.1, 0.2, 0.3])
