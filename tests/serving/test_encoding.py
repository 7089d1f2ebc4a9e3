from __future__ import annotations

import json
import math

from pydantic import BaseModel, ConfigDict
from starlette.responses import PlainTextResponse

from paystone.serving.encoding import PredictionEncoder


class Nested(BaseModel):
    scores: list[float]


class Prediction(BaseModel):
    label: str
    detail: Nested


def test_encodes_predictions_and_version_compactly() -> None:
    encoder = PredictionEncoder("classify", Prediction, "v2.m1")
    response = encoder.encode([Prediction(label="é", detail=Nested(scores=[0.5]))], 1)
    assert response.status_code == 200
    assert response.body == '{"predictions":[{"label":"é","detail":{"scores":[0.5]}}],"version":"v2.m1"}'.encode()


def test_a_nested_non_finite_value_is_located() -> None:
    encoder = PredictionEncoder("classify", Prediction, "v2.m1")
    predictions = [
        Prediction(label="a", detail=Nested(scores=[0.1])),
        Prediction(label="b", detail=Nested(scores=[0.2, -math.inf])),
    ]
    response = encoder.encode(predictions, 2)
    body = json.loads(response.body)
    assert response.status_code == 500
    assert (body["instance"], body["field"]) == (1, "detail.scores.1")


def test_a_starlette_response_passes_through() -> None:
    passthrough = PlainTextResponse("as is")
    assert PredictionEncoder("r", Prediction, "v0.m0").encode(passthrough, 3) is passthrough


class MaybeScore(BaseModel):
    score: float | None
    note: str


def test_a_legitimate_null_or_nan_text_is_sent_as_is() -> None:
    encoder = PredictionEncoder("r", MaybeScore, "v0.m0")
    response = encoder.encode([MaybeScore(score=None, note="NaN Infinity null")], 1)
    assert response.status_code == 200
    assert json.loads(response.body)["predictions"] == [{"score": None, "note": "NaN Infinity null"}]


class ConstantsPrediction(BaseModel):
    model_config = ConfigDict(ser_json_inf_nan="constants")
    y: float


def test_a_model_that_would_write_nan_tokens_still_gets_a_5xx() -> None:
    response = PredictionEncoder("r", ConstantsPrediction, "v0.m0").encode([ConstantsPrediction(y=math.nan)], 1)
    assert response.status_code == 500
    assert json.loads(response.body)["instance"] == 0


def test_a_version_from_a_returned_response_is_kept() -> None:
    from paystone.serving.types.response import Response

    result = Response[Prediction](predictions=[], version="v3.m1")
    assert json.loads(PredictionEncoder("r", Prediction, "v0.m0").encode(result, 0).body)["version"] == "v3.m1"
