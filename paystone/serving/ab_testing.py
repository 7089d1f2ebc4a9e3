"""A/B testing: the unversioned route's traffic split between promoted minor versions.

An experiment's `schema/service.py` declares the split (`AB_TESTING = ABTesting(versions={"m0": 8,
"m1": 2}, sticky_field=...)`). The A/B app is a composition of ordinary serving apps, one per
version, each built by `build_serving_app` and so loading its own artifacts once per process;
in front of them a small ASGI dispatcher:

- `/<service>/v<major>/m<minor>/...` always reaches that version's app;
- `POST /<route>` reaches the version the `ABRouter` picks: by weight, at random, or, when a
  sticky field is configured, by a stable hash of that field's value in the request's first
  instance, so a caller who sends the same key always reaches the same version;
- everything else (probes, docs, metrics) is answered by the front app; `/readyz` is ready when
  every version's artifacts are loaded.

Each version's app writes its own version into the response body (`"version": "v1.m1"`) and the
dispatcher adds an `x-psml-version` header, so a caller always knows which version answered.
Composing whole apps, instead of threading a version through every handler, means the serving
app's request path is untouched: a request costs one JSON parse of the body for the sticky key.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import random
import re
from collections.abc import Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from enum import Enum
from typing import Any, AsyncIterator

from fastapi import FastAPI
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paystone.serving.artifacts import ArtifactSource
from paystone.serving.errors import ServingDefinitionError
from paystone.serving.versions import ServiceVersion

VERSION_HEADER = b"x-psml-version"
_MINOR = re.compile(r"m(0|[1-9][0-9]*)")


def _minor_number(name: str) -> int:
    match = _MINOR.fullmatch(name)
    if match is None:
        raise ServingDefinitionError(f"A/B testing names minor version {name!r}: expected 'm<number>', e.g. 'm1'")
    return int(match.group(1))


def _normalized(value: Any) -> Any:
    """1800 and 1800.0 are the same key to a caller: hash them alike."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class ABRouter:
    """Picks the version that answers one request on the unversioned route.

    `weights` are relative (`{"m0": 8, "m1": 2}` sends 20 % to m1). With `sticky_field`, the
    version is a pure function of the field's value (sha256 of the service and the value's
    canonical JSON, read as a number in [0, 1)), so it survives restarts and is the same in every
    worker; requests without that field are assigned at random by weight.
    """

    def __init__(
        self,
        service: str,
        major: int,
        weights: Mapping[str, float],
        sticky_field: str | None = None,
        *,
        rng: random.Random | None = None,
    ) -> None:
        if not weights:
            raise ServingDefinitionError(f"A/B testing of {service!r} names no version")
        for name, weight in weights.items():
            if not (isinstance(weight, (int, float)) and weight > 0 and weight != float("inf")):
                raise ServingDefinitionError(f"A/B weight of {name!r} must be a finite number > 0, got {weight!r}")
        self.service = service
        self.sticky_field = sticky_field
        ordered = sorted(weights.items(), key=lambda item: _minor_number(item[0]))
        self.versions = [ServiceVersion(major, _minor_number(name)) for name, _ in ordered]
        total = float(sum(weight for _, weight in ordered))
        self.shares = [weight / total for _, weight in ordered]
        cumulative, running = [], 0.0
        for share in self.shares:
            running += share
            cumulative.append(running)
        cumulative[-1] = 1.0
        self._cumulative = cumulative
        self._rng = rng or random.Random()

    def _at(self, point: float) -> ServiceVersion:
        for version, bound in zip(self.versions, self._cumulative):
            if point < bound:
                return version
        return self.versions[-1]

    def sticky_point(self, key: Any) -> float:
        text = json.dumps([self.service, _normalized(key)], sort_keys=True, separators=(",", ":"), default=str)
        return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big") / 2**64

    def sticky_key(self, body: Any) -> Any:
        """The sticky field's value in the first instance of a request body, or None."""
        if self.sticky_field is None or not isinstance(body, dict):
            return None
        instances = body.get("instances")
        if not isinstance(instances, list) or not instances or not isinstance(instances[0], dict):
            return None
        return instances[0].get(self.sticky_field)

    def choose(self, body: Any = None) -> ServiceVersion:
        """The version for a request whose parsed JSON body is `body` (None when it is not JSON)."""
        key = self.sticky_key(body)
        if key is not None:
            return self._at(self.sticky_point(key))
        return self._at(self._rng.random())


def configured_split(service: str, package: str = "experiments") -> Any | None:
    """The `AB_TESTING` of `<package>.<service>.schema.service`; None when absent or with no versions."""
    module = importlib.import_module(f"{package}.{service}.schema.service")
    split = getattr(module, "AB_TESTING", None)
    if split is None or not getattr(split, "versions", None):
        return None
    return split


async def _read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    chunks: list[bytes] = []
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks), messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


def _tag_version(send: Send, version: ServiceVersion) -> Send:
    async def tagged(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [*message.get("headers", []), (VERSION_HEADER, str(version).encode())]
            message = {**message, "headers": headers}
        await send(message)

    return tagged


class ABDispatcher:
    """ASGI middleware of the front app: sends prediction traffic to the versions' apps."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        service: str,
        routes: frozenset[str],
        apps: Mapping[ServiceVersion, FastAPI],
        router: ABRouter,
    ) -> None:
        self.app = app
        self.service = service
        self.routes = routes
        self.apps = dict(apps)
        self.router = router
        self._versioned = re.compile(rf"/{re.escape(service)}/v(0|[1-9][0-9]*)/m(0|[1-9][0-9]*)(/.*)?")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        versioned = self._versioned.fullmatch(path)
        if versioned is not None:
            version = ServiceVersion(int(versioned.group(1)), int(versioned.group(2)))
            target = self.apps.get(version)
            if target is None:
                known = ", ".join(str(v) for v in sorted(self.apps))
                await JSONResponse({"detail": f"{self.service}.{version} is not served here (served: {known})"}, 404)(
                    scope, receive, send
                )
                return
            await target(scope, receive, _tag_version(send, version))
            return
        if scope["method"] == "POST" and path.strip("/") in self.routes:
            body, messages = await _read_body(receive)
            try:
                parsed = json.loads(body) if self.router.sticky_field is not None else None
            except ValueError:
                parsed = None  # the chosen version's app answers the 4xx
            version = self.router.choose(parsed)
            await self.apps[version](scope, _replay(messages, receive), _tag_version(send, version))
            return
        await self.app(scope, receive, send)


def build_ab_testing_app(
    service: str,
    routes: type[Enum] | None,
    handlers: Mapping[str, Callable[..., Any]],
    *,
    major: int,
    weights: Mapping[str, float],
    sticky_field: str | None = None,
    also_serve: tuple[ServiceVersion, ...] = (),
    artifacts: Mapping[ServiceVersion, ArtifactSource] | None = None,
    rng: random.Random | None = None,
) -> FastAPI:
    """One app serving every version in the split (and `also_serve`), the unversioned route split.

    Without `artifacts`, each version loads the run its version record names, from
    `$PSML_STORAGE_ROOT`, at start-up (as `build_serving_app` does for one version).
    """
    from paystone.serving.app import build_serving_app

    router = ABRouter(service, major, weights, sticky_field, rng=rng)
    served = sorted({*router.versions, *also_serve})
    apps = {
        version: build_serving_app(
            service,
            routes,
            handlers,
            version=str(version),
            artifacts=None if artifacts is None else artifacts[version],
        )
        for version in served
    }

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for version_app in apps.values():
                await stack.enter_async_context(version_app.router.lifespan_context(version_app))
            yield

    split = ", ".join(f"{v} {share:.0%}" for v, share in zip(router.versions, router.shares))
    front = FastAPI(
        title=f"{service} (A/B: {split})",
        description=f"Predictions of the {service} service; the unversioned route is split {split}.",
        lifespan=lifespan,
    )
    front.state.psml_service = service
    front.state.psml_versions = apps
    front.state.psml_router = router
    # The prediction routes' schema is the same in every version of one major: document one of them.
    front.openapi = apps[router.versions[-1]].openapi  # type: ignore[method-assign]

    @front.get("/healthz", tags=["platform"], summary="Liveness: the process answers.")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @front.get("/readyz", tags=["platform"], summary="Readiness: every version's artifacts are loaded.")
    async def readyz() -> JSONResponse:
        waiting = {str(v): a.state.psml_loader.reason() for v, a in apps.items() if not a.state.psml_loader.ready}
        if waiting:
            return JSONResponse({"detail": f"not ready: {waiting}"}, status_code=503)
        return JSONResponse({"status": "ready", "versions": [str(v) for v in apps], "split": split})

    route_names = frozenset(handlers)
    front.add_middleware(ABDispatcher, service=service, routes=route_names, apps=apps, router=router)  # type: ignore[arg-type]
    return front
