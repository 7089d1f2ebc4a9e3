from __future__ import annotations

import json
import math
import sys
import textwrap
import threading
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel, Field

import experiments
from paystone.serving.app import build_serving_app, create_serving_app
from paystone.serving.artifacts import ArtifactReference, InMemoryArtifacts
from paystone.serving.dependencies import Artifact
from paystone.serving.errors import ServingDefinitionError
from paystone.serving.schema import max_instances
from paystone.serving.testing import MLServingTestClient
from paystone.serving.types.request import Request
from paystone.serving.types.response import Response


@max_instances(100)
class Instance(BaseModel):
    x: float = Field(description="The feature.")
    count: int = Field(default=1, ge=0, le=1000, description="An integer feature.")


class Parameters(BaseModel):
    offset: float = Field(default=0.0, description="Added to every prediction.")


class Prediction(BaseModel):
    y: float = Field(description="The prediction.")


class Route(Enum):
    predict = "predict"
    apredict = "apredict"


def predict(request: Request[Instance, Parameters], model: Any = Depends(Artifact("build_model"))) -> list[Prediction]:
    """Predict y from x with the model."""
    return [Prediction(y=model(instance.x) + request.parameters.offset) for instance in request.instances]


async def apredict(request: Request[Instance, Parameters], model: Any = Depends(Artifact("build_model"))) -> list[Prediction]:
    return [Prediction(y=model(instance.x)) for instance in request.instances]


def double(x: float) -> float:
    return 2 * x


HANDLERS = {"predict": predict, "apredict": apredict}


def strict_loads(text: str) -> Any:
    """json.loads that refuses NaN/Infinity, as a strict client would."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"invalid JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


def serve(model: Any, handlers: dict[str, Any] | None = None, **kwargs: Any) -> MLServingTestClient:
    app = build_serving_app("toy", Route if handlers is None else None, handlers or HANDLERS, version="v1.m2", **kwargs)
    return MLServingTestClient(app, {"build_model": model})


BODY = {"instances": [{"x": 1.0}, {"x": 2.0}, {"x": 3.0}]}


@pytest.mark.parametrize("path", ["/predict", "/toy/v1/m2/predict", "/apredict", "/toy/v1/m2/apredict"])
def test_both_paths_answer_one_prediction_per_instance_in_order(path: str) -> None:
    with serve(double) as client:
        response = client.post(path, json=BODY)
    assert response.status_code == 200
    assert response.json() == {"predictions": [{"y": 2.0}, {"y": 4.0}, {"y": 6.0}], "version": "v1.m2"}


def test_parameters_reach_the_handler() -> None:
    with serve(double) as client:
        response = client.post("/predict", json={"instances": [{"x": 1}], "parameters": {"offset": 0.5}})
    assert response.json()["predictions"] == [{"y": 2.5}]


def test_other_version_paths_are_not_served() -> None:
    with serve(double) as client:
        assert client.post("/toy/v1/m1/predict", json=BODY).status_code == 404


def test_a_handler_may_return_a_response_or_plain_dicts() -> None:
    def as_response(request: Request[Instance, Parameters]) -> Response[Prediction]:
        return Response[Prediction](predictions=[Prediction(y=1)] * len(request.instances), version="v9.m9")

    def as_dicts(request: Request[Instance, Parameters]) -> list[Prediction]:
        return [{"y": instance.x} for instance in request.instances]  # type: ignore[misc]

    with serve(double, {"response": as_response, "dicts": as_dicts}) as client:
        assert client.post("/response", json=BODY).json() == {"predictions": [{"y": 1.0}] * 3, "version": "v9.m9"}
        assert client.post("/dicts", json=BODY).json()["predictions"] == [{"y": 1.0}, {"y": 2.0}, {"y": 3.0}]


def wrong_count(request: Request[Instance, Parameters]) -> list[Prediction]:
    return [Prediction(y=0)]


def test_a_wrong_number_of_predictions_is_a_5xx_naming_both_counts() -> None:
    with serve(double, {"predict": wrong_count}) as client:
        response = client.post("/predict", json=BODY)
    assert response.status_code == 500
    body = strict_loads(response.text)
    assert body["detail"] == "handler of route 'predict' returned 1 predictions for 3 instances"
    assert (body["predictions"], body["instances"]) == (1, 3)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("route", ["predict", "apredict"])
def test_a_non_finite_prediction_is_a_5xx_naming_the_instance_and_field(bad: float, route: str) -> None:
    with serve(lambda x: bad if x == 2.0 else x) as client:
        response = client.post(f"/{route}", json=BODY)
    assert response.status_code == 500
    body = strict_loads(response.text)
    assert (body["instance"], body["field"]) == (1, "y")
    assert "instance 1" in body["detail"] and "'y'" in body["detail"]


def test_a_non_finite_scalar_prediction_names_the_instance() -> None:
    def scalars(request: Request[Instance, Parameters]) -> list[float]:
        return [instance.x if instance.x != 3.0 else math.nan for instance in request.instances]

    with serve(double, {"scalars": scalars}) as client:
        response = client.post("/scalars", json=BODY)
    body = strict_loads(response.text)
    assert response.status_code == 500
    assert body["instance"] == 2 and body["field"] is None


@pytest.mark.parametrize(
    ("prediction", "field"),
    [({}, "y"), (None, None), ({"y": "not a number"}, "y")],
)
def test_a_missing_or_invalid_prediction_is_a_5xx_naming_the_instance(prediction: Any, field: str | None) -> None:
    def broken(request: Request[Instance, Parameters]) -> list[Prediction]:
        return [Prediction(y=1), prediction, Prediction(y=3)]

    with serve(double, {"broken": broken}) as client:
        response = client.post("/broken", json=BODY)
    assert response.status_code == 500
    body = strict_loads(response.text)
    assert body["instance"] == 1
    assert body["field"] == field
    assert "instance 1" in body["detail"]


def test_a_handler_returning_something_else_than_a_list_is_a_5xx() -> None:
    def single(request: Request[Instance, Parameters]) -> list[Prediction]:
        return Prediction(y=1)  # type: ignore[return-value]

    with serve(double, {"single": single}) as client:
        response = client.post("/single", json=BODY)
    assert response.status_code == 500
    assert "returned Prediction" in response.json()["detail"]


@pytest.mark.parametrize("route", ["predict", "apredict"])
def test_a_failing_handler_gives_a_500_and_the_next_request_works(route: str) -> None:
    def model(x: float) -> float:
        if x < 0:
            raise RuntimeError("negative input")
        return x

    with serve(model) as client:
        failed = client.post(f"/{route}", json={"instances": [{"x": -1}]})
        assert failed.status_code == 500
        assert strict_loads(failed.text)["detail"] == f"handler of route '{route}' failed: RuntimeError: negative input"
        assert client.post(f"/{route}", json={"instances": [{"x": 1}]}).status_code == 200


def test_an_http_exception_from_the_handler_reaches_the_client() -> None:
    def refuse(request: Request[Instance, Parameters]) -> list[Prediction]:
        raise HTTPException(status_code=409, detail="refused on purpose")

    with serve(double, {"refuse": refuse}) as client:
        response = client.post("/refuse", json=BODY)
    assert (response.status_code, response.json()["detail"]) == (409, "refused on purpose")


def test_too_many_instances_is_a_4xx_naming_the_limit() -> None:
    with serve(double) as client:
        response = client.post("/predict", json={"instances": [{"x": 1}] * 101})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"][0]["loc"] == ["body", "instances"]
    assert "at most 100 instances per request, got 101" in body["message"]


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"instances": [{"x": 1}, {"count": 2}]}, "body.instances.1.x"),
        ({"instances": [{"x": 1, "count": -1}]}, "body.instances.0.count"),
        ({"instances": [{"x": 1}], "parameters": {"offset": "far"}}, "body.parameters.offset"),
        ({"instances": []}, "body.instances"),
        ({}, "body.instances"),
    ],
)
def test_invalid_input_is_a_422_naming_the_field(body: dict[str, Any], location: str) -> None:
    with serve(double) as client:
        response = client.post("/predict", json=body)
    assert response.status_code == 422
    assert strict_loads(response.text)["message"].startswith(f"{location}: ")


def test_invalid_json_and_non_finite_input_get_a_valid_json_422() -> None:
    with serve(double) as client:
        broken = client.post("/predict", content=b'{"instances": [', headers={"content-type": "application/json"})
        nan_count = client.post(
            "/predict", content=b'{"instances": [{"x": 1, "count": NaN}]}', headers={"content-type": "application/json"}
        )
    assert broken.status_code == 422
    assert nan_count.status_code == 422
    assert strict_loads(nan_count.text)["detail"][0]["loc"] == ["body", "instances", 0, "count"]


class BlockingSource:
    """An artifact source that holds loading until released, to observe readiness in between."""

    def __init__(self, objects: dict[str, Any]) -> None:
        self.release = threading.Event()
        self.objects = objects

    def load(self, ref: ArtifactReference) -> Any:
        assert self.release.wait(10), "test never released the loader"
        return self.objects[str(ref)]


def test_readiness_is_503_with_the_reason_until_every_artifact_is_loaded() -> None:
    from starlette.testclient import TestClient

    source = BlockingSource({"build_model": double})
    app = build_serving_app("toy", Route, HANDLERS, artifacts=source)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        waiting = client.get("/readyz")
        assert waiting.status_code == 503
        assert "loading artifacts: 0 of 1 loaded (build_model)" in waiting.json()["detail"]
        early = client.post("/predict", json=BODY)
        assert early.status_code == 503
        assert "'build_model' is not loaded" in early.json()["detail"]
        source.release.set()
        assert app.state.psml_loader.wait(10)
        assert client.get("/readyz").json() == {"status": "ready", "version": "v0.m0"}
        assert client.post("/predict", json=BODY).status_code == 200


def test_a_failed_load_keeps_the_worker_alive_and_says_why_it_is_not_ready() -> None:
    from starlette.testclient import TestClient

    app = build_serving_app("toy", Route, HANDLERS, artifacts=InMemoryArtifacts({}))
    with TestClient(app) as client:
        assert app.state.psml_loader.wait(10)
        response = client.get("/readyz")
        assert response.status_code == 503
        assert "loading artifact 'build_model' failed" in response.json()["detail"]
        assert client.get("/healthz").status_code == 200


def test_an_app_that_never_started_is_not_ready() -> None:
    from starlette.testclient import TestClient

    app = build_serving_app("toy", Route, HANDLERS, artifacts=InMemoryArtifacts({"build_model": double}))
    response = TestClient(app).get("/readyz")  # no `with`: the lifespan never runs
    assert response.status_code == 503
    assert "has not started" in response.json()["detail"]


def needs_two(
    request: Request[Instance, Parameters],
    scaler: Any = Depends(Artifact("other.v3.m1.scaler")),
    model: Any = Depends(Artifact("build_model")),
) -> list[Prediction]:
    return [Prediction(y=model(scaler * instance.x)) for instance in request.instances]


def indirect_model(model: Any = Depends(Artifact("build_model"))) -> Any:
    return model


def uses_a_sub_dependency(request: Request[Instance, Parameters], model: Any = Depends(indirect_model)) -> list[Prediction]:
    return [Prediction(y=model(instance.x)) for instance in request.instances]


def test_every_artifact_in_the_handlers_is_loaded_once_at_start_up() -> None:
    loads: list[str] = []

    class CountingSource:
        def load(self, ref: ArtifactReference) -> Any:
            loads.append(str(ref))
            return {"build_model": double, "other.v3.m1.scaler": 10}[str(ref)]

    app = build_serving_app(
        "toy", None, {"two": needs_two, "sub": uses_a_sub_dependency, "predict": predict}, artifacts=CountingSource()
    )
    from starlette.testclient import TestClient

    with TestClient(app) as client:
        assert app.state.psml_loader.wait(10)
        assert client.post("/two", json={"instances": [{"x": 1}]}).json()["predictions"] == [{"y": 20.0}]
        assert client.post("/sub", json={"instances": [{"x": 1}]}).json()["predictions"] == [{"y": 2.0}]
        assert client.post("/predict", json={"instances": [{"x": 1}]}).status_code == 200
    assert sorted(loads) == ["build_model", "other.v3.m1.scaler"]


def test_missing_and_extra_handlers_are_named_at_creation() -> None:
    with pytest.raises(ServingDefinitionError) as caught:
        build_serving_app("toy", Route, {"predict": predict, "extra": predict})
    message = str(caught.value)
    assert "no handler for route(s) ['apredict']" in message
    assert "handler(s) for route(s) ['extra'] not in the Route enum" in message


@pytest.mark.parametrize("route", ["healthz", "readyz", "metrics", "docs"])
def test_platform_routes_are_reserved(route: str) -> None:
    with pytest.raises(ServingDefinitionError, match=f"'{route}' is reserved"):
        build_serving_app("toy", None, {route: predict})


def no_request(x: int) -> list[Prediction]:
    return []


def no_return_annotation(request: Request[Instance, Parameters]):  # type: ignore[no-untyped-def]
    return []


def bare_request(request: Request) -> list[Prediction]:  # type: ignore[type-arg]
    return []


@pytest.mark.parametrize(
    ("handler", "message"),
    [
        (no_request, r"needs exactly one parameter annotated Request\[Instance, Parameters\], found 0"),
        (no_return_annotation, r"must declare what it returns: -> list\[Prediction\]"),
        (bare_request, "is a bare Request"),
    ],
)
def test_malformed_handlers_are_refused_at_creation(handler: Any, message: str) -> None:
    with pytest.raises(ServingDefinitionError, match=message):
        build_serving_app("toy", None, {"predict": handler})


def test_a_malformed_version_is_refused() -> None:
    with pytest.raises(ServingDefinitionError, match="'1.0' is malformed"):
        build_serving_app("toy", None, {"predict": predict}, version="1.0")


def test_openapi_documents_the_request_schema_on_both_paths() -> None:
    with serve(double) as client:
        schema = client.get("/openapi.json").json()
        assert client.get("/docs").status_code == 200
    for path in ("/predict", "/toy/v1/m2/predict"):
        operation = schema["paths"][path]["post"]
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        request_schema = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert request_schema["properties"]["instances"]["maxItems"] == 100
        assert set(operation["responses"]) >= {"200", "422", "500", "503"}
    assert schema["paths"]["/predict"]["post"]["summary"] == "Predict y from x with the model."


def test_metrics_count_requests_errors_and_latency_per_route() -> None:
    with serve(lambda x: math.nan if x < 0 else x) as client:
        client.post("/predict", json=BODY)
        client.post("/predict", json=BODY)
        client.post("/predict", json={"instances": []})
        client.post("/predict", json={"instances": [{"x": -1}]})
        client.post("/toy/v1/m2/predict", json=BODY)
        text = client.get("/metrics").text
    assert 'psml_requests_total{route="/predict",code="200"} 2' in text
    assert 'psml_requests_total{route="/predict",code="422"} 1' in text
    assert 'psml_requests_total{route="/predict",code="500"} 1' in text
    assert 'psml_request_errors_total{route="/predict",class="5xx"} 1' in text
    assert 'psml_request_duration_seconds_count{route="/predict"} 4' in text
    assert 'psml_request_duration_seconds_bucket{route="/predict",le="+Inf"} 4' in text
    assert 'psml_requests_total{route="/toy/v1/m2/predict",code="200"} 1' in text


# --- create_serving_app against an experiments package -----------------------------------------


@pytest.fixture
def experiment_package(tmp_path: Path) -> Iterator[str]:
    """A throwaway `experiments.toyexp` package, removed again after the test."""
    root = tmp_path / "toyexp"
    for folder in (root, root / "schema", root / "serve"):
        folder.mkdir()
        (folder / "__init__.py").write_text("")
    (root / "schema" / "service.py").write_text(
        "from enum import StrEnum\n\nclass Route(StrEnum):\n    predict = 'predict'\n    other = 'other'\n"
    )
    (root / "serve" / "handlers.py").write_text(
        textwrap.dedent(
            """
            from fastapi import Depends
            from pydantic import BaseModel
            from paystone.serving.dependencies import Artifact
            from paystone.serving.types.request import Request

            class Instance(BaseModel):
                x: float

            class Parameters(BaseModel):
                pass

            class Prediction(BaseModel):
                y: float

            def predict(request: Request[Instance, Parameters], model=Depends(Artifact("build_model"))) -> list[Prediction]:
                return [Prediction(y=model(i.x)) for i in request.instances]

            def other(request: Request[Instance, Parameters]) -> list[Prediction]:
                return [Prediction(y=0) for _ in request.instances]
            """
        )
    )
    experiments.__path__.append(str(tmp_path))
    try:
        yield "experiments.toyexp"
    finally:
        experiments.__path__.remove(str(tmp_path))
        for name in [name for name in sys.modules if name.startswith("experiments.toyexp")]:
            del sys.modules[name]


def test_create_serving_app_infers_the_service_and_checks_the_route_enum(
    experiment_package: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    handlers = importlib.import_module(f"{experiment_package}.serve.handlers")
    monkeypatch.setenv("PSML_VERSION", "v2.m5")
    app = create_serving_app(predict=handlers.predict, other=handlers.other)
    with MLServingTestClient(app, {"build_model": double}) as client:
        response = client.post("/toyexp/v2/m5/predict", json={"instances": [{"x": 4}]})
    assert response.json() == {"predictions": [{"y": 8.0}], "version": "v2.m5"}
    with pytest.raises(ServingDefinitionError, match=r"no handler for route\(s\) \['other'\]"):
        create_serving_app(predict=handlers.predict)


def test_create_serving_app_refuses_handlers_outside_an_experiment() -> None:
    with pytest.raises(ServingDefinitionError, match=f"'{__name__}' is not inside experiments.<service>"):
        create_serving_app(predict=predict)


# --- property: well-formed or not, a request to a well-behaved handler never gets a 5xx ----------


def _schemathesis_app() -> FastAPI:
    # tanh keeps predictions finite for any finite input: the handler is well-behaved (doubling is not: 1e308 * 2).
    app = build_serving_app("toy", Route, HANDLERS, artifacts=InMemoryArtifacts({"build_model": math.tanh}))
    app.state.psml_loader.start()
    assert app.state.psml_loader.wait(10)
    return app


def _property_schema() -> Any:
    import schemathesis
    from schemathesis import GenerationMode

    schema = schemathesis.openapi.from_asgi("/openapi.json", _schemathesis_app())
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=40)
    return schema.include(method="POST")


property_schema = _property_schema()


@property_schema.parametrize()
def test_valid_and_invalid_bodies_never_get_a_5xx(case: Any) -> None:
    response = case.call()
    assert response.status_code < 500, response.text
    strict_loads(response.text)


def annotated_style(
    request: Request[Instance, Parameters], model: Annotated[Any, Depends(Artifact("build_model"))]
) -> list[Prediction]:
    return [Prediction(y=model(instance.x)) for instance in request.instances]


def test_annotated_artifact_dependencies_are_loaded_too() -> None:
    with serve(double, {"annotated": annotated_style}) as client:
        assert client.post("/annotated", json={"instances": [{"x": 2}]}).json()["predictions"] == [{"y": 4.0}]


def test_fastapi_dependency_overrides_of_an_artifact_are_honoured() -> None:
    client = serve(double)
    client.serving_app.dependency_overrides[Artifact("build_model")] = lambda: (lambda x: -x)
    with client:
        assert client.post("/predict", json={"instances": [{"x": 2}]}).json()["predictions"] == [{"y": -2.0}]
    client.serving_app.dependency_overrides.clear()
