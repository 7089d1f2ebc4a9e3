"""Serving tests of the housing handler with fake models: what callers get for every kind of model output."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
import pytest

from experiments.housing.schema.request import FEATURES, LAST_SALE_DATE, MAX_INSTANCES
from experiments.housing.serve.app import app
from paystone.serving.testing import MLServingTestClient

HOUSE: dict[str, Any] = {
    "living_area_sqft": 1_800,
    "lot_area_sqft": 5_000,
    "bedrooms": 3,
    "bathrooms": 2.0,
    "age_years": 40,
    "building_grade": 7,
    "waterfront": False,
    "latitude": 47.66,
    "longitude": -122.33,
    "sale_date": "2015-03-01",
}
SMALL_HOUSE = {**HOUSE, "living_area_sqft": 900}


class PricePerSquareFoot:
    """Prices a house at a fixed rate per square foot and records every frame it is given."""

    def __init__(self, rate: float = 300.0) -> None:
        self.rate = rate
        self.frames: list[pd.DataFrame] = []

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        self.frames.append(X.copy())
        return X["living_area_sqft"].to_numpy(dtype=float) * self.rate


class Fixed:
    """Answers the same array whatever it is asked: for NaN, zero, negative and wrong-count outputs."""

    def __init__(self, *prices: float) -> None:
        self.prices = np.asarray(prices, dtype=float)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.prices


@contextmanager
def serving(model: Any) -> Iterator[MLServingTestClient]:
    with MLServingTestClient(app, artifacts={"build_model": model}) as client:
        yield client


def post(client: MLServingTestClient, *houses: dict[str, Any], **parameters: Any) -> Any:
    body: dict[str, Any] = {"instances": list(houses)}
    if parameters:
        body["parameters"] = parameters
    return client.post("/housing", json=body)


def test_prices_come_back_one_per_instance_in_request_order() -> None:
    with serving(PricePerSquareFoot(300.0)) as client:
        response = post(client, HOUSE, SMALL_HOUSE)
    assert response.status_code == 200, response.text
    assert [p["price"] for p in response.json()["predictions"]] == [540_000.0, 270_000.0]


def test_model_is_called_once_with_every_instance_as_feature_columns() -> None:
    model = PricePerSquareFoot()
    with serving(model) as client:
        response = post(client, HOUSE, SMALL_HOUSE, {**HOUSE, "waterfront": True})
    assert response.status_code == 200, response.text
    assert len(model.frames) == 1
    (frame,) = model.frames
    assert list(frame.columns) == list(FEATURES)
    assert frame["living_area_sqft"].tolist() == [1_800, 900, 1_800]
    assert frame["waterfront"].tolist() == [False, False, True]
    assert frame["sale_date"].tolist() == [datetime.date(2015, 3, 1)] * 3


def test_sale_date_defaults_to_the_last_day_the_model_knows() -> None:
    model = PricePerSquareFoot()
    house = {key: value for key, value in HOUSE.items() if key != "sale_date"}
    with serving(model) as client:
        assert post(client, house).status_code == 200
    assert model.frames[0]["sale_date"].tolist() == [LAST_SALE_DATE]


@pytest.mark.parametrize(
    ("round_to", "expected"),
    [(None, 540_671.0), (1, 540_671.0), (1_000, 541_000.0), (50_000, 550_000.0)],
)
def test_round_to_rounds_each_price_to_the_nearest_multiple(round_to: int | None, expected: float) -> None:
    parameters = {} if round_to is None else {"round_to": round_to}
    with serving(PricePerSquareFoot(300.3728)) as client:  # 1,800 sq ft -> $540,671.04
        response = post(client, HOUSE, **parameters)
    assert response.status_code == 200, response.text
    assert response.json()["predictions"] == [{"price": expected}]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_price_is_a_server_error_naming_the_instance(bad: float) -> None:
    with serving(Fixed(500_000.0, bad)) as client:
        response = post(client, HOUSE, SMALL_HOUSE)
    assert response.status_code == 500
    body = response.json()
    assert "instance 1" in body["detail"], body


@pytest.mark.parametrize("bad", [0.0, -250_000.0])
def test_zero_or_negative_price_is_a_server_error_naming_the_instance(bad: float) -> None:
    with serving(Fixed(500_000.0, bad)) as client:
        response = post(client, HOUSE, SMALL_HOUSE)
    assert response.status_code == 500
    detail = response.json()["detail"]
    assert "non-positive price" in detail and "instance 1" in detail, detail


def test_small_positive_price_rounded_down_to_zero_is_what_the_caller_asked_for() -> None:
    with serving(Fixed(400.0)) as client:
        response = post(client, HOUSE, round_to=1_000)
    assert response.status_code == 200, response.text
    assert response.json()["predictions"] == [{"price": 0.0}]


@pytest.mark.parametrize(("prices", "count"), [((), 0), ((1.0, 2.0, 3.0), 3)])
def test_wrong_number_of_predictions_is_a_server_error(prices: tuple[float, ...], count: int) -> None:
    with serving(Fixed(*prices)) as client:
        response = post(client, HOUSE, SMALL_HOUSE)
    assert response.status_code == 500
    assert f"{count} predictions for 2 instances" in response.json()["detail"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"living_area_sqft": 0}, "living_area_sqft"),
        ({"bedrooms": -1}, "bedrooms"),
        ({"bathrooms": 1.3}, "bathrooms"),
        ({"building_grade": 14}, "building_grade"),
        ({"latitude": 40.7}, "latitude"),
        ({"sale_date": "2021-01-01"}, "sale_date"),
        ({"garage": True}, "garage"),
    ],
)
def test_invalid_instance_is_refused_naming_the_field(change: dict[str, Any], field: str) -> None:
    model = PricePerSquareFoot()
    with serving(model) as client:
        response = post(client, HOUSE, {**HOUSE, **change})
    assert response.status_code == 422
    locations = [error["loc"] for error in response.json()["detail"]]
    assert ["body", "instances", 1, field] in locations, locations
    assert model.frames == []


def test_missing_required_field_is_refused_naming_it() -> None:
    house = {key: value for key, value in HOUSE.items() if key != "living_area_sqft"}
    with serving(PricePerSquareFoot()) as client:
        response = post(client, house)
    assert response.status_code == 422
    assert ["body", "instances", 0, "living_area_sqft"] in [e["loc"] for e in response.json()["detail"]]


@pytest.mark.parametrize("round_to", [0, -5, 2.5])
def test_invalid_round_to_is_refused(round_to: Any) -> None:
    with serving(PricePerSquareFoot()) as client:
        response = post(client, HOUSE, round_to=round_to)
    assert response.status_code == 422
    assert ["body", "parameters", "round_to"] in [e["loc"] for e in response.json()["detail"]]


def test_more_instances_than_the_limit_are_refused() -> None:
    model = PricePerSquareFoot()
    with serving(model) as client:
        at_limit = post(client, *[HOUSE] * MAX_INSTANCES)
        over_limit = post(client, *[HOUSE] * (MAX_INSTANCES + 1))
    assert at_limit.status_code == 200, at_limit.text
    assert len(at_limit.json()["predictions"]) == MAX_INSTANCES
    assert over_limit.status_code == 422
    assert str(MAX_INSTANCES) in over_limit.text
    assert len(model.frames) == 1


def test_request_without_instances_is_refused() -> None:
    with serving(PricePerSquareFoot()) as client:
        response = client.post("/housing", json={"instances": []})
    assert response.status_code == 422
