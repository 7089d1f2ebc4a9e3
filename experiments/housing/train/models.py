"""The hyperparameters of a housing training run and the data containers passed between its tasks.

Data containers are frozen dataclasses rather than Pydantic models: they hold DataFrames, which
the artifact store pickles, whereas Pydantic artifacts are stored as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator


class Hyperparameters(BaseModel):
    """Everything a training run can be told from the command line (``--<field>=value``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int = Field(default=0, ge=0, description="Seed of the model's randomness (retrain with another to check stability).")
    split_seed: int = Field(
        default=0,
        ge=0,
        description=(
            "Seed of the train/validation/hold-out split. Keep it fixed: promotion compares a candidate "
            "with the incumbent only on the same hold-out set."
        ),
    )
    test_fraction: float = Field(
        default=0.2,
        gt=0,
        lt=1,
        description=(
            "Share of the houses held out for the data tests (the hold-out set). Changing it or "
            "split_seed changes the hold-out set, and promotion only compares runs on the same hold-out set."
        ),
    )
    validation_fraction: float = Field(
        default=0.1, gt=0, lt=1, description="Share of the houses kept for validation metrics during experimentation."
    )
    learning_rate: float = Field(
        default=0.1, gt=0, le=1, description="Shrinkage applied to each boosting iteration's trees."
    )
    max_iter: int = Field(default=300, ge=1, description="Number of boosting iterations (trees).")
    max_leaf_nodes: int = Field(default=31, ge=2, description="Maximum number of leaves of each tree.")
    min_samples_leaf: int = Field(default=20, ge=1, description="Minimum number of sales in a leaf.")
    l2_regularization: float = Field(default=0.0, ge=0, description="L2 penalty on the leaf values.")
    fit_threads: int = Field(
        default=1,
        ge=1,
        description=(
            "OpenMP threads used to fit the trees. Raise it only on an otherwise idle machine: "
            "oversubscribed OpenMP threads spin, and a fit that takes 2 s on one thread took 80 s on "
            "two when other processes were busy."
        ),
    )

    @model_validator(mode="after")
    def _check_fractions(self) -> Hyperparameters:
        if self.test_fraction + self.validation_fraction >= 1:
            raise ValueError(
                f"test_fraction ({self.test_fraction}) + validation_fraction ({self.validation_fraction}) "
                "must leave some data for training (sum below 1)"
            )
        return self


@dataclass(frozen=True)
class Dataset:
    """Features (columns named as `Instance` fields) and sale prices in dollars, row-aligned."""

    X: pd.DataFrame
    y: pd.Series

    def __post_init__(self) -> None:
        if len(self.X) != len(self.y):
            raise ValueError(f"X has {len(self.X)} rows but y has {len(self.y)}")

    def __len__(self) -> int:
        return len(self.y)


@dataclass(frozen=True)
class DataSplit:
    """Train, validation and hold-out test sets; no house (parcel) appears in more than one of them."""

    train: Dataset
    validation: Dataset
    test: Dataset


class Metrics(BaseModel):
    """Model and mean-price baseline metrics on one dataset, in dollars."""

    model_config = ConfigDict(frozen=True)

    n_instances: int = Field(ge=0, description="Number of sales the metrics were computed on.")
    mean_absolute_error: float = Field(description="Mean absolute error of the model, in dollars.")
    r2: float = Field(description="Coefficient of determination of the model.")
    within_20_percent: float = Field(description="Share of sales priced within 20 % of the actual price.")
    baseline_mean_absolute_error: float = Field(
        description="Mean absolute error of predicting the training set's mean price for every house."
    )
    baseline_r2: float = Field(description="R² of the mean-price baseline (about 0 by construction).")
