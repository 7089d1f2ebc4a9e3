from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request

from paystone.serving.artifacts import ArtifactReference
from paystone.serving.dependencies import Artifact
from paystone.serving.errors import ArtifactReferenceError


def _request(app: FastAPI) -> Request:
    return Request({"type": "http", "app": app, "method": "POST", "path": "/", "headers": []})


def test_a_malformed_name_fails_when_the_dependency_is_declared() -> None:
    with pytest.raises(ArtifactReferenceError, match="'housing.v1.build_model'"):
        Artifact("housing.v1.build_model")


def test_equal_names_are_one_dependency() -> None:
    assert Artifact("build_model") == Artifact("build_model")
    assert len({Artifact("build_model"), Artifact("build_model"), Artifact("x.v1.m0.build_model")}) == 2


def test_returns_the_preloaded_object() -> None:
    from paystone.serving.loading import ArtifactLoader

    app = FastAPI()
    model = object()
    loader = ArtifactLoader((ArtifactReference("build_model"),), lambda: None)  # type: ignore[arg-type,return-value]
    loader.objects = {ArtifactReference("build_model"): model}
    app.state.psml_loader = loader
    assert asyncio.run(Artifact("build_model")(_request(app))) is model


def test_outside_a_serving_app_it_says_so_with_a_503() -> None:
    with pytest.raises(HTTPException) as caught:
        asyncio.run(Artifact("build_model")(_request(FastAPI())))
    assert caught.value.status_code == 503
    assert "not built by paystone.serving" in caught.value.detail
