"""Request limits of a serving app (paystone/serving/limits.py): 413 for big bodies, 504 for slow requests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import anyio.to_thread
import pytest
from fastapi import Depends
from pydantic import BaseModel, Field

from paystone.serving.app import build_serving_app
from paystone.serving.dependencies import Artifact
from paystone.serving.errors import ServingConfigError
from paystone.serving.limits import RequestLimits
from paystone.serving.testing import MLServingTestClient
from paystone.serving.types.request import Request


class Instance(BaseModel):
    text: str = Field(description="Anything.")
    sleep: float = Field(default=0.0, ge=0, description="Seconds the handler sleeps.")


class Parameters(BaseModel):
    pass


class Prediction(BaseModel):
    length: int = Field(description="Length of the text.")
    threads: int = Field(default=0, description="Size of the handler thread pool, seen by the async handler.")


def measure(request: Request[Instance, Parameters], model: Any = Depends(Artifact("build_model"))) -> list[Prediction]:
    time.sleep(max(i.sleep for i in request.instances))
    model.append("called")
    return [Prediction(length=len(i.text)) for i in request.instances]


async def ameasure(request: Request[Instance, Parameters], model: Any = Depends(Artifact("build_model"))) -> list[Prediction]:
    await asyncio.sleep(max(i.sleep for i in request.instances))
    model.append("called")
    threads = int(anyio.to_thread.current_default_thread_limiter().total_tokens)
    return [Prediction(length=len(i.text), threads=threads) for i in request.instances]


@pytest.fixture
def calls() -> list[str]:
    return []


def serving(monkeypatch: pytest.MonkeyPatch, calls: list[str], **env: str) -> MLServingTestClient:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = build_serving_app("limits", None, {"measure": measure, "ameasure": ameasure})
    return MLServingTestClient(app, {"build_model": calls})


def test_without_the_variables_nothing_is_limited() -> None:
    assert RequestLimits.from_env({}) == RequestLimits()
    assert not RequestLimits.from_env({}).active


def test_variables_are_read_and_a_bad_one_is_named() -> None:
    limits = RequestLimits.from_env(
        {"PSML_MAX_REQUEST_BYTES": "2048", "PSML_REQUEST_TIMEOUT_SECONDS": "2.5", "PSML_WORKER_THREADS": "8"}
    )
    assert limits == RequestLimits(max_request_bytes=2048, timeout_seconds=2.5, worker_threads=8)
    with pytest.raises(ServingConfigError, match=r"\$PSML_REQUEST_TIMEOUT_SECONDS='-1' is not a valid limit"):
        RequestLimits.from_env({"PSML_REQUEST_TIMEOUT_SECONDS": "-1"})
    with pytest.raises(ServingConfigError, match=r"\$PSML_MAX_REQUEST_BYTES='lots'"):
        RequestLimits.from_env({"PSML_MAX_REQUEST_BYTES": "lots"})


@pytest.mark.parametrize("path", ["/measure", "/ameasure"])
def test_a_body_over_the_limit_is_refused_with_413_before_the_handler_runs(
    path: str, monkeypatch: pytest.MonkeyPatch, calls: list[str]
) -> None:
    with serving(monkeypatch, calls, PSML_MAX_REQUEST_BYTES="2048") as client:
        small = client.post(path, json={"instances": [{"text": "x" * 1_000}]})
        big = client.post(path, json={"instances": [{"text": "x" * 3_000}]})
    assert small.status_code == 200, small.text
    assert big.status_code == 413
    assert "exceeds the limit of 2048 bytes" in big.json()["detail"]
    assert calls == ["called"]


def test_a_chunked_body_is_counted_as_it_arrives(monkeypatch: pytest.MonkeyPatch, calls: list[str]) -> None:
    def chunks(size: int) -> Iterator[bytes]:
        yield b'{"instances": [{"text": "'
        yield b"x" * size
        yield b'"}]}'

    headers = {"content-type": "application/json"}
    with serving(monkeypatch, calls, PSML_MAX_REQUEST_BYTES="2048") as client:
        small = client.post("/measure", content=chunks(500), headers=headers)
        big = client.post("/measure", content=chunks(5_000), headers=headers)
    assert small.status_code == 200, small.text
    assert small.json()["predictions"] == [{"length": 500, "threads": 0}]
    assert big.status_code == 413, big.text
    assert calls == ["called"]


@pytest.mark.parametrize("path", ["/measure", "/ameasure"])
def test_a_request_over_its_time_gets_504(path: str, monkeypatch: pytest.MonkeyPatch, calls: list[str]) -> None:
    with serving(monkeypatch, calls, PSML_REQUEST_TIMEOUT_SECONDS="0.2") as client:
        quick = client.post(path, json={"instances": [{"text": "a"}]})
        slow = client.post(path, json={"instances": [{"text": "a", "sleep": 1.5}]})
        after = client.post(path, json={"instances": [{"text": "abc"}]})
    assert quick.status_code == 200, quick.text
    assert slow.status_code == 504
    assert slow.json() == {"detail": "the request took longer than 0.2 s (timeout_seconds)"}
    assert after.status_code == 200 and after.json()["predictions"][0]["length"] == 3


def test_worker_threads_size_the_handler_thread_pool(monkeypatch: pytest.MonkeyPatch, calls: list[str]) -> None:
    with serving(monkeypatch, calls, PSML_WORKER_THREADS="7") as client:
        response = client.post("/ameasure", json={"instances": [{"text": "a"}]})
    assert response.status_code == 200, response.text
    assert response.json()["predictions"][0]["threads"] == 7
