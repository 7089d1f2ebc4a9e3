"""Serving housing for real: `psml experiments serve` under Gunicorn, and the OpenAPI contract."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from experiments.housing.schema.request import MAX_INSTANCES
from paystone.serving.testing import MLServingTestClient
from paystone.storage.roots import open_store
from paystone.storage.runs import latest_run, read_artifact
from tests.e2e.processes import free_port, post_when_loaded, running_server

pytestmark = pytest.mark.e2e

HOUSE: dict[str, Any] = {
    "living_area_sqft": 1800,
    "lot_area_sqft": 5000,
    "bedrooms": 3,
    "bathrooms": 2,
    "age_years": 30,
    "building_grade": 7,
    "waterfront": False,
    "latitude": 47.6,
    "longitude": -122.3,
}


def test_psml_serve_with_two_workers_answers_both_paths(housing_root: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "paystone.cli.main", "experiments", "serve", "housing",
               "--workers", "2", "--port", str(port), "--root", str(housing_root)]
    with running_server(command, url):
        body = {"instances": [HOUSE, {**HOUSE, "living_area_sqft": 3500}, HOUSE], "parameters": {"round_to": 1000}}
        for path in ("/housing", "/housing/v0/m0/housing"):
            response = post_when_loaded(url + path, body)
            assert response.status_code == 200, response.text
            predictions = response.json()["predictions"]
            assert len(predictions) == 3
            assert all(p["price"] > 0 and p["price"] % 1000 == 0 for p in predictions)
            assert predictions[0] == predictions[2]
        too_many = post_when_loaded(url + "/housing", {"instances": [HOUSE] * (MAX_INSTANCES + 1)})
        assert too_many.status_code == 422
        assert str(MAX_INSTANCES) in too_many.text


def test_no_5xx_for_valid_or_invalid_bodies(housing_root: Path) -> None:
    """schemathesis generates bodies from the app's OpenAPI schema, valid and invalid alike."""
    from experiments.housing.serve.app import app

    store = open_store(housing_root)
    model = read_artifact(store, "housing", latest_run(store, "housing"), "build_model")
    with MLServingTestClient(app, artifacts={"build_model": model}) as client:
        schema = schemathesis.openapi.from_dict(client.get("/openapi.json").json())
        operation = schema["/housing"]["POST"]

        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            response = client.post("/housing", json=case.body)
            assert response.status_code < 500, (case.body, response.text)
            response.json()  # always JSON

        check()

        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(schemathesis.GenerationMode.NEGATIVE))
        def check_invalid(case: schemathesis.Case) -> None:
            response = client.post("/housing", content=_raw(case.body), headers={"content-type": "application/json"})
            assert response.status_code < 500, (case.body, response.text)
            response.json()  # errors are JSON too

        check_invalid()


def _raw(body: Any) -> bytes:
    import json

    try:
        return json.dumps(body).encode()
    except (TypeError, ValueError):
        return b"{not json"
