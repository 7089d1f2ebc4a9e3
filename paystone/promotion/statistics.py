"""The paired comparison of one data test: an interval on the difference, and its verdict.

Why percentiles of the stored paired differences, and not `scipy.stats.bootstrap` on the results:
`scipy.stats.bootstrap(..., paired=True)` resamples per-instance observations and recomputes the
statistic on each resample. Promotion has no per-instance observations to give it: a data test is
an arbitrary function of the served predictions (R², mean absolute error, share within 20 %),
computed by training against its own serving app, and the incumbent's app is not running at
promotion time. What training does record is that metric on bootstrap resamples of the hold-out
set whose indices depend only on the hold-out size and a fixed seed
(`paystone.training.evaluation.resample_indices`), so resample `b` of the candidate and resample
`b` of the incumbent are the same rows. `candidate[b] - incumbent[b]` is therefore exactly the
replicate a paired bootstrap of the difference would compute, and the percentile interval of those
differences is the paired percentile bootstrap interval. Where per-instance scores do exist (a
metric that is a mean of per-instance values, such as accuracy), `paired_bootstrap_interval`
computes the same interval with SciPy (BCa by default); the tests check that both agree.

Verdict, with the difference oriented so that positive means better for the metric's goal and a
per-test absolute tolerance `t >= 0`: *worse* when the whole interval lies below `-t` (worse beyond
both the hold-out's noise and the tolerance), *better* when the whole interval lies above 0, and
*not worse* otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import numpy as np
from scipy import stats

Goal = Literal["maximize", "minimize"]

#: Two-sided confidence of the interval; a "worse" verdict is then a one-sided 2.5 % error rate.
DEFAULT_CONFIDENCE = 0.95


class Verdict(StrEnum):
    """Outcome of one data test; `worse`, `missing` and `unpaired` reject the candidate."""

    better = "better"
    not_worse = "not worse"
    worse = "worse"
    missing = "missing"
    unpaired = "unpaired"
    new = "new"

    @property
    def rejects(self) -> bool:
        return self in (Verdict.worse, Verdict.missing, Verdict.unpaired)


@dataclass(frozen=True)
class Interval:
    """A confidence interval on `candidate - incumbent`, in the metric's own units."""

    low: float
    high: float
    confidence: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)) or self.low > self.high:
            raise ValueError(f"invalid interval [{self.low}, {self.high}]")


def _check_confidence(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}")
    return confidence


def paired_resample_interval(
    candidate_resamples: Sequence[float],
    incumbent_resamples: Sequence[float],
    confidence: float = DEFAULT_CONFIDENCE,
) -> Interval:
    """Percentile interval of `candidate[b] - incumbent[b]` over resamples on shared indices."""
    _check_confidence(confidence)
    candidate = np.asarray(candidate_resamples, dtype=float)
    incumbent = np.asarray(incumbent_resamples, dtype=float)
    if candidate.shape != incumbent.shape or candidate.ndim != 1:
        raise ValueError(
            f"paired resamples must have the same length: candidate {candidate.shape}, incumbent {incumbent.shape}"
        )
    if candidate.size < 2:
        raise ValueError(f"a bootstrap interval needs at least 2 resamples, got {candidate.size}")
    differences = candidate - incumbent
    if not np.all(np.isfinite(differences)):
        raise ValueError("the resampled metrics contain NaN or infinity")
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(differences, [tail, 100 - tail])
    return Interval(float(low), float(high), confidence)


def paired_bootstrap_interval(
    candidate_scores: Sequence[float],
    incumbent_scores: Sequence[float],
    statistic: Callable[[np.ndarray], float] = np.mean,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = 2000,
    seed: int = 0,
    method: Literal["percentile", "basic", "BCa"] = "BCa",
) -> Interval:
    """SciPy's paired bootstrap interval of `statistic(candidate) - statistic(incumbent)`.

    For per-instance scores (1/0 correctness, absolute errors) of both models on the same rows.
    """
    candidate = np.asarray(candidate_scores, dtype=float)
    incumbent = np.asarray(incumbent_scores, dtype=float)
    if candidate.shape != incumbent.shape:
        raise ValueError(f"paired scores differ in shape: candidate {candidate.shape}, incumbent {incumbent.shape}")

    def difference(c: np.ndarray, i: np.ndarray, axis: int = -1) -> np.ndarray:
        return statistic(c, axis=axis) - statistic(i, axis=axis)  # type: ignore[call-arg]

    result = stats.bootstrap(
        (candidate, incumbent),
        difference,
        paired=True,
        vectorized=True,
        confidence_level=_check_confidence(confidence),
        n_resamples=n_resamples,
        method=method,
        rng=np.random.default_rng(seed),
    )
    return Interval(float(result.confidence_interval.low), float(result.confidence_interval.high), confidence)


def oriented(interval: Interval, goal: Goal) -> tuple[float, float]:
    """The interval turned so that positive means better: flipped for a metric to minimize."""
    if goal == "maximize":
        return interval.low, interval.high
    if goal == "minimize":
        return -interval.high, -interval.low
    raise ValueError(f"goal must be 'maximize' or 'minimize', got {goal!r}")


def verdict_of(interval: Interval, goal: Goal, tolerance: float = 0.0) -> Verdict:
    """better / not worse / worse for a difference interval (see the module docstring)."""
    if not (math.isfinite(tolerance) and tolerance >= 0):
        raise ValueError(f"tolerance must be a finite number >= 0, got {tolerance}")
    low, high = oriented(interval, goal)
    if high < -tolerance:
        return Verdict.worse
    if low > 0:
        return Verdict.better
    return Verdict.not_worse
