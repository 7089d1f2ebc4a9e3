"""Serving tests of the sentiment handler with fake models: what callers get for every kind of model output."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

from experiments.sentiment.schema.request import MAX_INSTANCES, MAX_TEXT_CHARACTERS
from experiments.sentiment.serve.app import app
from paystone.serving.testing import MLServingTestClient


class Keywords:
    """P(positive) 0.9 for a text containing 'good', 0.2 otherwise; records every batch it is given."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        self.batches.append(list(texts))
        positive = np.array([0.9 if "good" in text else 0.2 for text in texts])
        return np.column_stack([1 - positive, positive])


class Fixed:
    """Answers the same P(positive) column whatever it is asked: for NaN, zero, out-of-range and wrong counts."""

    def __init__(self, *positive: float) -> None:
        self.positive = np.asarray(positive, dtype=float)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return np.column_stack([1 - self.positive, self.positive])


class Raw:
    """Answers an arbitrary array, for malformed shapes."""

    def __init__(self, array: Any) -> None:
        self.array = np.asarray(array, dtype=float)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return self.array


@contextmanager
def serving(model: Any) -> Iterator[MLServingTestClient]:
    with MLServingTestClient(app, artifacts={"build_model": model}) as client:
        yield client


def post(client: MLServingTestClient, *texts: str, **parameters: Any) -> Any:
    body: dict[str, Any] = {"instances": [{"text": text} for text in texts]}
    if parameters:
        body["parameters"] = parameters
    return client.post("/sentiment", json=body)


def locations(response: Any) -> list[list[Any]]:
    return [error["loc"] for error in response.json()["detail"]]


def test_labels_and_probabilities_come_back_one_per_text_in_request_order() -> None:
    with serving(Keywords()) as client:
        response = post(client, "a good film", "a film")
    assert response.status_code == 200, response.text
    assert response.json()["predictions"] == [
        {"label": "positive", "probability": 0.9, "positive_probability": 0.9},
        {"label": "negative", "probability": 0.8, "positive_probability": 0.2},
    ]


def test_model_is_called_once_with_every_text_unchanged() -> None:
    model = Keywords()
    texts = ["a good film", "  padded  ", "line\nbreak"]
    with serving(model) as client:
        response = post(client, *texts)
    assert response.status_code == 200, response.text
    assert model.batches == [texts]


@pytest.mark.parametrize(
    "text",
    [
        "Das ist ein wirklich guter Film.",
        "これは素晴らしい映画です",
        "фильм хороший",
        "فيلم رائع",
        "😀🎉 good",
    ],
)
def test_non_english_text_reaches_the_model_intact_and_is_answered(text: str) -> None:
    model = Keywords()
    with serving(model) as client:
        response = post(client, text)
    assert response.status_code == 200, response.text
    assert model.batches == [[text]]
    (prediction,) = response.json()["predictions"]
    assert prediction["label"] in {"positive", "negative"}
    assert 0 <= prediction["probability"] <= 1


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_or_blank_text_is_refused_naming_the_field(text: str) -> None:
    model = Keywords()
    with serving(model) as client:
        response = post(client, "a good film", text)
    assert response.status_code == 422
    assert ["body", "instances", 1, "text"] in locations(response)
    assert model.batches == []


def test_text_at_the_length_limit_is_answered() -> None:
    with serving(Keywords()) as client:
        response = post(client, "g" * MAX_TEXT_CHARACTERS)
    assert response.status_code == 200, response.text


def test_text_over_the_length_limit_is_refused_naming_the_field_and_limit() -> None:
    model = Keywords()
    with serving(model) as client:
        response = post(client, "good " * (MAX_TEXT_CHARACTERS // 5) + "!")
    assert response.status_code == 422
    assert ["body", "instances", 0, "text"] in locations(response)
    assert str(MAX_TEXT_CHARACTERS) in response.text
    assert model.batches == []


def test_one_megabyte_text_is_refused_quickly_without_echoing_it() -> None:
    model = Keywords()
    with serving(model) as client:
        started = time.perf_counter()
        response = post(client, "x" * 1_000_000)
        elapsed = time.perf_counter() - started
    assert response.status_code == 422
    assert elapsed < 2.0, f"a 1 MB text took {elapsed:.2f}s to refuse"
    assert len(response.content) < 10_000, "the error body should not carry the text back"
    assert model.batches == []


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_probability_is_a_server_error_naming_the_instance(bad: float) -> None:
    with serving(Fixed(0.7, bad)) as client:
        response = post(client, "one", "two")
    assert response.status_code == 500
    assert "instance 1" in response.json()["detail"], response.text


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_probability_outside_zero_one_is_a_server_error_naming_the_instance(bad: float) -> None:
    with serving(Fixed(0.7, bad)) as client:
        response = post(client, "one", "two")
    assert response.status_code == 500
    detail = response.json()["detail"]
    assert "outside [0, 1]" in detail and "instance 1" in detail, detail


@pytest.mark.parametrize(("positive", "label", "probability"), [(0.0, "negative", 1.0), (1.0, "positive", 1.0)])
def test_certain_probabilities_are_valid_answers(positive: float, label: str, probability: float) -> None:
    with serving(Fixed(positive)) as client:
        response = post(client, "text")
    assert response.status_code == 200, response.text
    assert response.json()["predictions"] == [
        {"label": label, "probability": probability, "positive_probability": positive}
    ]


@pytest.mark.parametrize(("threshold", "label", "probability"), [(0.1, "positive", 0.2), (0.2, "positive", 0.2), (0.95, "negative", 0.8)])
def test_threshold_decides_the_label_and_probability_is_that_of_the_label(
    threshold: float, label: str, probability: float
) -> None:
    with serving(Keywords()) as client:
        response = post(client, "a film", threshold=threshold)
    assert response.status_code == 200, response.text
    (prediction,) = response.json()["predictions"]
    assert prediction["label"] == label
    assert prediction["probability"] == pytest.approx(probability)
    assert prediction["positive_probability"] == pytest.approx(0.2)


@pytest.mark.parametrize("threshold", [0, 1, 1.5, -0.2, "high"])
def test_invalid_threshold_is_refused(threshold: Any) -> None:
    with serving(Keywords()) as client:
        response = post(client, "a film", threshold=threshold)
    assert response.status_code == 422
    assert ["body", "parameters", "threshold"] in locations(response)


@pytest.mark.parametrize("array", [[[0.5, 0.5, 0.0]], [0.5], [[[0.5, 0.5]]]])
def test_probabilities_of_the_wrong_shape_are_a_server_error(array: Any) -> None:
    with serving(Raw(array)) as client:
        response = post(client, "a film")
    assert response.status_code == 500
    assert "shape" in response.json()["detail"]


@pytest.mark.parametrize(("positive", "count"), [((), 0), ((0.1, 0.2, 0.3), 3)])
def test_wrong_number_of_predictions_is_a_server_error(positive: tuple[float, ...], count: int) -> None:
    with serving(Fixed(*positive)) as client:
        response = post(client, "one", "two")
    assert response.status_code == 500
    assert f"{count} predictions for 2 instances" in response.json()["detail"]


def test_more_instances_than_the_limit_are_refused_naming_the_limit() -> None:
    model = Keywords()
    with serving(model) as client:
        at_limit = post(client, *["a good film"] * MAX_INSTANCES)
        over_limit = post(client, *["a good film"] * (MAX_INSTANCES + 1))
    assert at_limit.status_code == 200, at_limit.text
    assert len(at_limit.json()["predictions"]) == MAX_INSTANCES
    assert over_limit.status_code == 422
    assert f"at most {MAX_INSTANCES} instances" in over_limit.text
    assert len(model.batches) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"instances": []},
        {"instances": [{"text": "a film", "language": "en"}]},
        {"instances": [{"words": "a film"}]},
        {"instances": [{"text": 42}]},
        {"instances": [{"text": "a film"}], "parameters": {"return_everything": True}},
    ],
)
def test_malformed_request_is_refused(body: dict[str, Any]) -> None:
    model = Keywords()
    with serving(model) as client:
        response = client.post("/sentiment", json=body)
    assert response.status_code == 422
    assert model.batches == []
