"""Data tests: metrics of the service's answers on the hold-out sentences produced by training.

``X_test`` has a ``text`` column (what an `Instance` carries) and a ``source`` column ('review'
or 'tweet'); ``y_test`` holds the human labels (1 positive, 0 negative). Accuracy is reported
per source: the movie reviews are the service's home ground, the tweets show how it copes with
shorter, noisier text.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, log_loss

from experiments.sentiment.schema.request import MAX_INSTANCES
from paystone.training.evaluation import goal


def _positive_probabilities(client: Any, texts: list[str]) -> np.ndarray:
    """The service's P(positive) for every text, sent in requests of at most `MAX_INSTANCES` instances."""
    probabilities: list[float] = []
    for start in range(0, len(texts), MAX_INSTANCES):
        body = {"instances": [{"text": text} for text in texts[start : start + MAX_INSTANCES]]}
        response = client.post("/sentiment", json=body)
        if response.status_code != 200:
            raise RuntimeError(f"POST /sentiment answered {response.status_code}: {response.text}")
        probabilities.extend(p["positive_probability"] for p in response.json()["predictions"])
    return np.asarray(probabilities, dtype=float)


def _accuracy_on(source: str, client: Any, X_test: pd.DataFrame, y_test: pd.Series) -> float:
    mask = (X_test["source"] == source).to_numpy()
    if not mask.any():
        raise ValueError(f"the hold-out set has no sentence from source {source!r}")
    positive = _positive_probabilities(client, X_test.loc[mask, "text"].tolist())
    return float(accuracy_score(y_test.to_numpy()[mask], positive >= 0.5))


@goal.maximize
def movie_review_accuracy(client: Any, X_test: pd.DataFrame, y_test: pd.Series) -> float:
    """Share of held-out movie-review sentences labelled as people rated them (default threshold)."""
    return _accuracy_on("review", client, X_test, y_test)


@goal.maximize
def tweet_accuracy(client: Any, X_test: pd.DataFrame, y_test: pd.Series) -> float:
    """Share of held-out tweets labelled as people rated them: robustness to short, informal text."""
    return _accuracy_on("tweet", client, X_test, y_test)


@goal.minimize
def log_loss_nats(client: Any, X_test: pd.DataFrame, y_test: pd.Series) -> float:
    """Mean negative log-likelihood of the human labels: penalises confident mistakes, rewards calibration."""
    positive = _positive_probabilities(client, X_test["text"].tolist())
    return float(log_loss(y_test.to_numpy(), np.column_stack([1 - positive, positive]), labels=[0, 1]))
