"""Regression tests: requests whose right answer is obvious, which no promoted version may get wrong.

Each test defines its own houses and returns whether the service priced them sensibly. Every
house is an ordinary Wallingford (Seattle) home in mid-2016 unless the test changes something.
"""

from __future__ import annotations

from typing import Any

_ORDINARY_HOUSE: dict[str, Any] = {
    "living_area_sqft": 1_800,
    "lot_area_sqft": 5_000,
    "bedrooms": 3,
    "bathrooms": 2.0,
    "age_years": 40,
    "building_grade": 7,
    "waterfront": False,
    "latitude": 47.66,
    "longitude": -122.33,
    "sale_date": "2016-06-15",
}


def _house(**changes: Any) -> dict[str, Any]:
    return {**_ORDINARY_HOUSE, **changes}


def _prices(client: Any, *houses: dict[str, Any], parameters: dict[str, Any] | None = None) -> list[float]:
    body: dict[str, Any] = {"instances": list(houses)}
    if parameters is not None:
        body["parameters"] = parameters
    response = client.post("/housing", json=body)
    if response.status_code != 200:
        raise RuntimeError(f"POST /housing answered {response.status_code}: {response.text}")
    return [prediction["price"] for prediction in response.json()["predictions"]]


def large_house_prices_above_studio(client: Any) -> bool:
    """A 5,000 sq ft, 5-bedroom house on a big lot is worth more than a 500 sq ft studio on a small one."""
    large, studio = _prices(
        client,
        _house(living_area_sqft=5_000, lot_area_sqft=10_000, bedrooms=5, bathrooms=4.0, building_grade=9),
        _house(living_area_sqft=500, lot_area_sqft=1_200, bedrooms=0, bathrooms=1.0, building_grade=6),
    )
    return large > studio


def waterfront_prices_above_same_house_inland(client: Any) -> bool:
    """The same house is worth more on the waterfront."""
    waterfront, inland = _prices(client, _house(waterfront=True), _house(waterfront=False))
    return waterfront > inland


def higher_building_grade_prices_above_lower(client: Any) -> bool:
    """A better-built house (grade 10) is worth more than the same house built to grade 6."""
    better, worse = _prices(client, _house(building_grade=10), _house(building_grade=6))
    return better > worse


def house_sold_in_2016_prices_above_2011(client: Any) -> bool:
    """Seattle prices rose steeply from 2012 to 2016: the same house sold later fetches more."""
    later, earlier = _prices(client, _house(sale_date="2016-06-15"), _house(sale_date="2011-06-15"))
    return later > earlier


def prices_are_plausible_and_rounded_as_asked(client: Any) -> bool:
    """An ordinary house costs between $100k and $3M, in whole thousands when asked for thousands."""
    (price,) = _prices(client, _house(), parameters={"round_to": 1_000})
    return 100_000 <= price <= 3_000_000 and price % 1_000 == 0
