"""The training test results: the one artifact that promotion reads.

`evaluate_models` returns a `TrainingTestResults`; the runner refuses to run an experiment without a
task returning it, so every saved run carries the evidence promotion needs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, computed_field


class RegressionResult(BaseModel):
    """Outcome of one regression test (`f(client) -> bool`)."""

    name: str = Field(description="Name of the regression test function.")
    passed: bool = Field(description="True when the test returned True without raising.")
    error: str | None = Field(
        default=None, description="The exception raised by the test, if any (then `passed` is False)."
    )


class DataTestResult(BaseModel):
    """Outcome of one data test (`f(client, X_test, y_test) -> float`) on the hold-out set."""

    name: str = Field(description="Name of the data test function.")
    goal: Literal["maximize", "minimize"] = Field(description="Whether a higher or a lower metric is better.")
    value: float | None = Field(description="The metric on the full hold-out set; None when it could not be computed.")
    resamples: list[float] = Field(
        default_factory=list,
        description="The metric on paired bootstrap resamples (shared, seeded indices) used by promotion.",
    )
    n_instances: int = Field(ge=0, description="Number of hold-out instances the metric was computed on.")
    holdout_fingerprint: str = Field(
        description="Digest of the hold-out data, so promotion only pairs results computed on the same data."
    )
    error: str | None = Field(default=None, description="The exception raised by the test, if any.")

    @property
    def present(self) -> bool:
        """A metric counts only when it was computed without error: promotion treats a missing one as failure."""
        return self.value is not None and self.error is None


class TrainingTestResults(BaseModel):
    """All regression and data test outcomes of one training run."""

    service: str = Field(description="The experiment (service) the tests belong to.")
    regression: list[RegressionResult] = Field(default_factory=list, description="One entry per regression test.")
    data: list[DataTestResult] = Field(default_factory=list, description="One entry per data test.")

    @computed_field(description="True when every regression test passed and every data metric is present.")
    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.regression) and all(result.present for result in self.data)
