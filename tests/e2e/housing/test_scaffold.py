"""End to end: `psml experiments new churn --template housing`, then train, serve and test `churn`, unedited."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.scaffold import check_scaffold

pytestmark = pytest.mark.e2e

HOUSE = {
    "living_area_sqft": 1800, "lot_area_sqft": 5000, "bedrooms": 3, "bathrooms": 2.0, "age_years": 40,
    "building_grade": 7, "waterfront": False, "latitude": 47.66, "longitude": -122.33, "sale_date": "2016-06-15",
}  # fmt: skip


def test_new_experiment_from_housing_trains_serves_and_passes_its_tests_unedited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick = ["--override", "load_data=experiments.churn.train.sample:load_sample", "--set", "max_iter=20"]
    prediction = check_scaffold("housing", "churn", quick, HOUSE, tmp_path, monkeypatch)
    assert prediction["price"] > 0
