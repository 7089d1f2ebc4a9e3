from __future__ import annotations

from typing import Any

import pytest
from fastapi import Depends
from pydantic import BaseModel

from paystone.serving.app import build_serving_app
from paystone.serving.dependencies import Artifact
from paystone.serving.testing import MLServingTestClient
from paystone.serving.types.request import Request


class Instance(BaseModel):
    x: float


class Parameters(BaseModel):
    pass


class Prediction(BaseModel):
    y: float


def predict(request: Request[Instance, Parameters], model: Any = Depends(Artifact("build_model"))) -> list[Prediction]:
    return [Prediction(y=model(instance.x)) for instance in request.instances]


def versioned(
    request: Request[Instance, Parameters], model: Any = Depends(Artifact("housing.v1.m0.build_model"))
) -> list[Prediction]:
    return [Prediction(y=model(instance.x)) for instance in request.instances]


BODY = {"instances": [{"x": 3}]}


def test_artifacts_are_injected_by_task_name_and_by_full_reference() -> None:
    app = build_serving_app("toy", None, {"predict": predict, "versioned": versioned})
    artifacts = {"build_model": lambda x: x + 1, "housing.v1.m0.build_model": lambda x: x * 10}
    with MLServingTestClient(app, artifacts) as client:
        assert client.get("/readyz").status_code == 200
        assert client.post("/predict", json=BODY).json()["predictions"] == [{"y": 4.0}]
        assert client.post("/versioned", json=BODY).json()["predictions"] == [{"y": 30.0}]


def test_each_client_sees_only_its_own_artifacts_and_leaves_nothing_behind() -> None:
    app = build_serving_app("toy", None, {"predict": predict})
    with MLServingTestClient(app, {"build_model": lambda x: x}) as client:
        assert client.post("/predict", json=BODY).json()["predictions"] == [{"y": 3.0}]
    assert app.state.psml_loader.objects == {}
    assert app.state.psml_loader.override is None
    with MLServingTestClient(app, {"build_model": lambda x: -x}) as client:
        assert client.post("/predict", json=BODY).json()["predictions"] == [{"y": -3.0}]


def test_dependency_overrides_made_inside_the_client_are_undone_on_exit() -> None:
    app = build_serving_app("toy", None, {"predict": predict})
    kept = object()
    app.dependency_overrides[kept] = lambda: None
    with MLServingTestClient(app, {"build_model": lambda x: x}) as client:
        app.dependency_overrides[predict] = lambda: None
        assert client.get("/healthz").status_code == 200
    assert list(app.dependency_overrides) == [kept]


def test_missing_artifacts_are_named_before_the_app_starts() -> None:
    app = build_serving_app("toy", None, {"predict": predict, "versioned": versioned})
    with pytest.raises(KeyError, match=r"needs artifacts \['housing.v1.m0.build_model'\]"):
        with MLServingTestClient(app, {"build_model": lambda x: x}):
            pass
    assert app.state.psml_loader.override is None


def test_one_app_cannot_be_driven_by_two_clients_at_once() -> None:
    app = build_serving_app("toy", None, {"predict": predict})
    with MLServingTestClient(app, {"build_model": lambda x: x}):
        with pytest.raises(RuntimeError, match="already in use"):
            with MLServingTestClient(app, {"build_model": lambda x: x}):
                pass


def test_requests_outside_the_with_block_are_refused_with_a_hint() -> None:
    app = build_serving_app("toy", None, {"predict": predict})
    client = MLServingTestClient(app, {"build_model": lambda x: x})
    with pytest.raises(RuntimeError, match="use `with MLServingTestClient"):
        client.post("/predict", json=BODY)


def test_only_serving_apps_are_accepted() -> None:
    from fastapi import FastAPI

    with pytest.raises(TypeError, match="built by paystone.serving"):
        MLServingTestClient(FastAPI(), {})
