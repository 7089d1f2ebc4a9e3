"""The hyperparameters of a sentiment training run and the data containers passed between its tasks.

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

    seed: int = Field(default=0, ge=0, description="Seed of the data split and of the model's randomness.")
    test_fraction: float = Field(
        default=0.2,
        gt=0,
        lt=1,
        description=(
            "Share of the sentences of each source held out for the data tests (the hold-out set). Changing "
            "it or the seed changes the hold-out set, and promotion only compares runs on the same one."
        ),
    )
    validation_fraction: float = Field(
        default=0.1, gt=0, lt=1, description="Share of the sentences kept for validation metrics during experimentation."
    )
    max_word_ngram: int = Field(
        default=2, ge=1, le=3, description="Longest word n-gram counted (2: words and pairs such as 'not good')."
    )
    min_char_ngram: int = Field(default=3, ge=1, le=6, description="Shortest character n-gram counted (within words).")
    max_char_ngram: int = Field(default=5, ge=1, le=8, description="Longest character n-gram counted (within words).")
    max_char_features: int = Field(
        default=100_000, ge=1, description="Most frequent character n-grams kept: bounds model size and training time."
    )
    min_document_frequency: int = Field(
        default=2, ge=1, description="An n-gram must appear in at least this many training sentences to be counted."
    )
    regularization_c: float = Field(
        default=4.0, gt=0, description="Inverse L2 regularization strength of the logistic regression (larger: less)."
    )

    @model_validator(mode="after")
    def _check(self) -> Hyperparameters:
        if self.test_fraction + self.validation_fraction >= 1:
            raise ValueError(
                f"test_fraction ({self.test_fraction}) + validation_fraction ({self.validation_fraction}) "
                "must leave some data for training (sum below 1)"
            )
        if self.min_char_ngram > self.max_char_ngram:
            raise ValueError(
                f"min_char_ngram ({self.min_char_ngram}) must not exceed max_char_ngram ({self.max_char_ngram})"
            )
        return self


@dataclass(frozen=True)
class Corpus:
    """Labelled sentences (``text``, ``label``: 1 positive, 0 negative) of each source.

    Both sources are learned from and tested on: movie reviews alone teach a model that "happy"
    is a plot word, not a feeling; tweets alone, that every sentence is about the writer's day.
    """

    reviews: pd.DataFrame
    tweets: pd.DataFrame


@dataclass(frozen=True)
class Dataset:
    """Texts (columns ``text`` and ``source``) and labels (1 positive, 0 negative), row-aligned."""

    X: pd.DataFrame
    y: pd.Series

    def __post_init__(self) -> None:
        if len(self.X) != len(self.y):
            raise ValueError(f"X has {len(self.X)} rows but y has {len(self.y)}")

    def __len__(self) -> int:
        return len(self.y)


@dataclass(frozen=True)
class DataSplit:
    """Train, validation and hold-out test sets; each keeps the share of every source and label."""

    train: Dataset
    validation: Dataset
    test: Dataset


class Metrics(BaseModel):
    """Model metrics on one dataset, next to always answering the training set's majority label."""

    model_config = ConfigDict(frozen=True)

    n_instances: int = Field(ge=0, description="Number of sentences the metrics were computed on.")
    accuracy: float = Field(description="Share of sentences labelled correctly at threshold 0.5.")
    log_loss: float = Field(description="Mean negative log-likelihood of the true labels (nats).")
    baseline_accuracy: float = Field(description="Accuracy of always answering the training set's majority label.")
