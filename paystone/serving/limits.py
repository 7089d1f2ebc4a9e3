"""The per-request limits a serving process enforces: body size, time, and handler threads.

They are set per service in ``infrastructure/hardware.py`` (``request_handling.max_request_bytes``,
``request_handling.timeout_seconds``, ``gunicorn_threads``) and reach every Gunicorn worker as
environment variables (``paystone.compute.gunicorn.app_environment``), so `psml experiments
serve`, the images and the VMs all run with what the hardware file says. Without the variables
(tests, `MLServingTestClient`, training's evaluation) nothing is limited.

The limits are enforced in front of FastAPI rather than by Gunicorn: Uvicorn workers have no body
limit or per-request timeout of their own, and Gunicorn's worker timeout only kills a worker
whose event loop is blocked, taking every request in flight with it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from typing import Any

import anyio.to_thread
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paystone.serving.errors import ServingConfigError, error_response

MAX_REQUEST_BYTES_ENV = "PSML_MAX_REQUEST_BYTES"
REQUEST_TIMEOUT_ENV = "PSML_REQUEST_TIMEOUT_SECONDS"
WORKER_THREADS_ENV = "PSML_WORKER_THREADS"

_FIELDS = {
    MAX_REQUEST_BYTES_ENV: "max_request_bytes",
    REQUEST_TIMEOUT_ENV: "timeout_seconds",
    WORKER_THREADS_ENV: "worker_threads",
}


class RequestLimits(BaseModel):
    """Limits of one serving process; ``None`` means not limited."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_request_bytes: int | None = Field(
        default=None, ge=1, description=f"Largest request body accepted, in bytes; larger ones get 413 (${MAX_REQUEST_BYTES_ENV})."
    )
    timeout_seconds: float | None = Field(
        default=None, gt=0, description=f"Longest a request may take before it is answered 504 (${REQUEST_TIMEOUT_ENV})."
    )
    worker_threads: int | None = Field(
        default=None, ge=1, description=f"Threads running plain `def` handlers in each worker (${WORKER_THREADS_ENV})."
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RequestLimits:
        """The limits the environment sets; a malformed value is an error naming the variable."""
        env = os.environ if environ is None else environ
        values = {field: env[name] for name, field in _FIELDS.items() if env.get(name)}
        try:
            return cls(**values)
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            field = str(error["loc"][0])
            name = next(name for name, candidate in _FIELDS.items() if candidate == field)
            raise ServingConfigError(f"${name}={values[field]!r} is not a valid limit: {error['msg']}") from None

    @property
    def active(self) -> bool:
        return self.max_request_bytes is not None or self.timeout_seconds is not None


def apply_worker_threads(limits: RequestLimits) -> None:
    """Size the thread pool that runs plain `def` handlers (AnyIO's default limiter, 40 threads)."""
    if limits.worker_threads is not None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = limits.worker_threads


class _BodyTooLarge(Exception):
    pass


class RequestLimitsMiddleware:
    """ASGI middleware answering 413 for an oversized body and 504 for a request over its time.

    The body is checked against ``Content-Length`` before anything is read; a body without one
    (chunked) is read up to the limit, then handed on. On timeout the caller gets its 504 at once;
    a handler running in a thread cannot be interrupted, so it finishes in the background and
    whatever it sends then is dropped.
    """

    def __init__(self, app: ASGIApp, limits: RequestLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.limits.active:
            await self.app(scope, receive, send)
            return
        if self.limits.max_request_bytes is not None:
            try:
                receive = await self._limit_body(scope, receive, self.limits.max_request_bytes)
            except _BodyTooLarge as exc:
                await error_response(413, str(exc))(scope, receive, send)
                return
        if self.limits.timeout_seconds is None:
            await self.app(scope, receive, send)
        else:
            await self._with_timeout(scope, receive, send, self.limits.timeout_seconds)

    @staticmethod
    async def _limit_body(scope: Scope, receive: Receive, limit: int) -> Receive:
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            if declared.isdigit() and int(declared) > limit:
                raise _BodyTooLarge(f"request body of {int(declared)} bytes exceeds the limit of {limit} bytes (max_request_bytes)")
            return receive
        if b"chunked" not in headers.get(b"transfer-encoding", b"").lower():
            return receive
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _BodyTooLarge(f"request body exceeds the limit of {limit} bytes (max_request_bytes)")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replay: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replayed() -> Message:
            return replay.pop() if replay else await receive()

        return replayed

    async def _with_timeout(self, scope: Scope, receive: Receive, send: Send, timeout: float) -> None:
        state = {"started": False, "timed_out": False}

        async def guarded_send(message: Message) -> None:
            if state["timed_out"]:
                return  # the caller already has its 504
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        task = asyncio.ensure_future(self.app(scope, receive, guarded_send))
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if done:
            task.result()  # re-raise what the app raised
            return
        state["timed_out"] = True
        task.cancel()  # an async handler stops here; a thread finishes on its own
        task.add_done_callback(_consume)
        if not state["started"]:
            await error_response(504, f"the request took longer than {timeout:g} s (timeout_seconds)")(scope, receive, send)


def _consume(task: asyncio.Future[Any]) -> None:
    """Retrieve an abandoned request's outcome so asyncio does not report it as never retrieved."""
    if not task.cancelled():
        task.exception()
