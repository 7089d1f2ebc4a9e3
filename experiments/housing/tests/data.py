"""Data tests: metrics of the service's prices on the hold-out sales produced by training.

``X_test`` holds `Instance`-shaped columns (``sale_date`` as a datetime) and ``y_test`` the sale
prices in dollars. The metrics are in the units a buyer reads: dollars and shares of sales.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import mean_absolute_error

from experiments.housing.schema.request import FEATURES, MAX_INSTANCES
from paystone.training.evaluation import goal


def _instances(X_test: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready instances; built column-wise, as this runs once per bootstrap resample."""
    columns = {name: X_test[name].tolist() for name in FEATURES if name != "sale_date"}
    columns["sale_date"] = pd.to_datetime(X_test["sale_date"]).dt.strftime("%Y-%m-%d").tolist()
    names = list(columns)
    return [dict(zip(names, row)) for row in zip(*columns.values())]


def _predict(client: Any, X_test: pd.DataFrame) -> np.ndarray:
    """The service's prices for every row, sent in requests of at most `MAX_INSTANCES` instances."""
    instances = _instances(X_test)
    prices: list[float] = []
    for start in range(0, len(instances), MAX_INSTANCES):
        body = {"instances": instances[start : start + MAX_INSTANCES], "parameters": {"round_to": 1}}
        response = client.post("/housing", json=body)
        if response.status_code != 200:
            raise RuntimeError(f"POST /housing answered {response.status_code}: {response.text}")
        prices.extend(prediction["price"] for prediction in response.json()["predictions"])
    return np.asarray(prices, dtype=float)


@goal.minimize
def mean_absolute_error_dollars(client: Any, X_test: pd.DataFrame, y_test: pd.Series) -> float:
    """Average miss in dollars: what a seller relying on the price would typically be off by."""
    return float(mean_absolute_error(y_test.to_numpy(dtype=float), _predict(client, X_test)))


@goal.maximize
def share_within_20_percent(client: Any, X_test: pd.DataFrame, y_test: pd.Series) -> float:
    """Share of sales priced within 20 % of what the house actually sold for."""
    actual = y_test.to_numpy(dtype=float)
    return float(np.mean(np.abs(_predict(client, X_test) - actual) <= 0.2 * actual))
