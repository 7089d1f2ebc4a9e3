"""Turn request-shaped frames into model inputs, inside the fitted pipeline.

The encoding lives in the model artifact rather than in the serving handler, so training and
serving cannot encode a house differently: the handler passes the instances as they came.
"""

from __future__ import annotations

import pandas as pd

from experiments.housing.schema.request import FEATURES, FIRST_SALE_DATE

_EPOCH = pd.Timestamp(FIRST_SALE_DATE)
_DAYS_PER_YEAR = 365.25


def encode(X: pd.DataFrame) -> pd.DataFrame:
    """Numeric model inputs: the sale date becomes years since the first sale date, waterfront 0/1."""
    missing = [column for column in FEATURES if column not in X.columns]
    if missing:
        raise ValueError(f"input frame lacks feature column(s) {missing}; expected {list(FEATURES)}")
    encoded = X.loc[:, list(FEATURES)].copy()
    encoded["sale_date"] = (pd.to_datetime(encoded["sale_date"]) - _EPOCH).dt.days / _DAYS_PER_YEAR
    encoded["waterfront"] = encoded["waterfront"].astype(float)
    return encoded.astype(float)
