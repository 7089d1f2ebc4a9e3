from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from paystone.serving.types.response import Response


class Prediction(BaseModel):
    y: float


def test_response_round_trips_its_predictions_and_version() -> None:
    response = Response[Prediction].model_validate({"predictions": [{"y": 1.5}], "version": "v1.m0"})
    assert response.predictions == [Prediction(y=1.5)]
    assert response.model_dump() == {"predictions": [{"y": 1.5}], "version": "v1.m0"}


def test_response_needs_a_version() -> None:
    with pytest.raises(ValidationError) as caught:
        Response[Prediction].model_validate({"predictions": []})
    assert caught.value.errors()[0]["loc"] == ("version",)
