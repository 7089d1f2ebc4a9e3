"""A/B testing between minor versions (issue 4, done-when 4)."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx
import pytest
from fastapi import Depends
from pydantic import BaseModel
from scipy import stats
from starlette.testclient import TestClient

from paystone.serving.ab_testing import ABRouter, build_ab_testing_app, configured_split
from paystone.serving.artifacts import InMemoryArtifacts
from paystone.serving.dependencies import Artifact
from paystone.serving.errors import ServingDefinitionError
from paystone.serving.types.request import Request
from paystone.serving.versions import ServiceVersion

M0, M1, M2 = ServiceVersion(1, 0), ServiceVersion(1, 1), ServiceVersion(1, 2)


class Instance(BaseModel):
    customer: str
    x: float


class Parameters(BaseModel):
    pass


class Prediction(BaseModel):
    model: str


def predict(request: Request[Instance, Parameters], model: Any = Depends(Artifact("build_model"))) -> list[Prediction]:
    return [Prediction(model=model) for _ in request.instances]


def ab_app(weights: dict[str, float], sticky: str | None = None, seed: int = 0) -> Any:
    versions = {M0: "model-m0", M1: "model-m1", M2: "model-m2"}
    return build_ab_testing_app(
        "svc",
        None,
        {"predict": predict},
        major=1,
        weights=weights,
        sticky_field=sticky,
        also_serve=(M2,),
        artifacts={v: InMemoryArtifacts({"build_model": name}) for v, name in versions.items()},
        rng=random.Random(seed),
    )


def body(customer: str, x: float = 1.0) -> dict[str, Any]:
    return {"instances": [{"customer": customer, "x": x}]}


async def _send_all(app: Any, n: int) -> dict[str, int]:
    """`n` requests through the app in one event loop (its lifespan run as a server would)."""
    answered = {"v1.m0": 0, "v1.m1": 0}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ab") as client:
            for _ in range(300):  # bounded wait for the artifacts to load
                if (await client.get("/readyz")).status_code == 200:
                    break
                await asyncio.sleep(0.01)
            for i in range(n):
                response = await client.post("/predict", json=body(f"c{i}"))
                assert response.status_code == 200, response.text
                version = response.json()["version"]
                assert response.headers["x-psml-version"] == version
                assert response.json()["predictions"] == [{"model": f"model-{version.split('.')[1]}"}]
                answered[version] += 1
    return answered


def test_weights_split_10000_requests_within_binomial_bounds() -> None:
    n = 10_000
    low, high = stats.binom.interval(0.999, n, 0.2)
    answered = asyncio.run(_send_all(ab_app({"m0": 0.8, "m1": 0.2}), n))
    assert low <= answered["v1.m1"] <= high, answered
    assert answered["v1.m0"] + answered["v1.m1"] == n


def test_sticky_key_always_reaches_the_same_version() -> None:
    with TestClient(ab_app({"m0": 0.8, "m1": 0.2}, sticky="customer")) as client:
        seen: dict[str, set[str]] = {}
        for repeat in range(5):
            for i in range(200):
                response = client.post("/predict", json=body(f"customer-{i}", x=float(repeat)))
                seen.setdefault(f"customer-{i}", set()).add(response.json()["version"])
    assert all(len(versions) == 1 for versions in seen.values())
    to_m1 = sum(versions == {"v1.m1"} for versions in seen.values())
    low, high = stats.binom.interval(0.999, 200, 0.2)
    assert low <= to_m1 <= high  # keys, too, are spread by weight


def test_sticky_routing_is_stable_across_processes_and_restarts() -> None:
    a = ABRouter("svc", 1, {"m0": 1, "m1": 1}, "customer", rng=random.Random(1))
    b = ABRouter("svc", 1, {"m1": 1, "m0": 1}, "customer", rng=random.Random(2))
    for i in range(100):
        assert a.choose(body(f"k{i}")) == b.choose(body(f"k{i}"))
    assert a.choose({"instances": [{"customer": 7.0}]}) == a.choose({"instances": [{"customer": 7}]})


def test_versioned_paths_always_reach_their_version() -> None:
    with TestClient(ab_app({"m0": 1.0, "m1": 1.0})) as client:
        for version, path in ((M0, "/svc/v1/m0/predict"), (M1, "/svc/v1/m1/predict"), (M2, "/svc/v1/m2/predict")):
            for _ in range(20):
                response = client.post(path, json=body("c"))
                assert response.status_code == 200, response.text
                assert response.json()["version"] == str(version)
        missing = client.post("/svc/v1/m9/predict", json=body("c"))
        assert missing.status_code == 404 and "v1.m9 is not served" in missing.json()["detail"]


def test_m2_outside_the_split_gets_no_unversioned_traffic() -> None:
    with TestClient(ab_app({"m0": 1.0, "m1": 1.0})) as client:
        versions = {client.post("/predict", json=body(f"c{i}")).json()["version"] for i in range(200)}
    assert versions == {"v1.m0", "v1.m1"}


def test_probes_and_invalid_requests() -> None:
    with TestClient(ab_app({"m0": 1.0}, sticky="customer")) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["versions"] == ["v1.m0", "v1.m2"]
        invalid = client.post("/predict", content=b"{not json", headers={"content-type": "application/json"})
        assert invalid.status_code == 422
        assert client.post("/predict", json={"instances": [{"x": 1}]}).status_code == 422
        assert "/predict" in client.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize(
    ("weights", "message"),
    [({}, "names no version"), ({"m0": 0}, "> 0"), ({"x1": 1}, "'x1'")],
)
def test_bad_split_is_named(weights: dict[str, float], message: str) -> None:
    with pytest.raises(ServingDefinitionError, match=message):
        ABRouter("svc", 1, weights)


def test_an_experiment_declares_no_split_by_default() -> None:
    assert configured_split("toy") is None
