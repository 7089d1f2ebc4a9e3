"""Building an experiment's serving app from its route handlers.

Everything that can be worked out from the handlers is worked out once, here: the request model
of each route, the prediction type, the artifacts to preload, the encoder of the response. A
request then costs FastAPI's own body validation and dependency lookup, the handler, and one
encoding of the predictions (no response-model re-validation).
"""

from __future__ import annotations

import importlib
import inspect
import logging
import re
import sys
import typing
from collections.abc import Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Any, AsyncIterator

from fastapi import FastAPI, params
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request as HTTPRequest
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.responses import Response as HTTPResponse

from paystone.serving.artifacts import ArtifactReference, ArtifactSource
from paystone.serving.dependencies import Artifact
from paystone.serving.encoding import PredictionEncoder
from paystone.serving.errors import ErrorBody, ServingDefinitionError, error_response
from paystone.serving.limits import RequestLimits, RequestLimitsMiddleware, apply_worker_threads
from paystone.serving.loading import ArtifactLoader
from paystone.serving.metrics import CONTENT_TYPE, MetricsRoute, RequestMetrics
from paystone.serving.runtime import ServingConfig, stored_artifacts
from paystone.serving.types.request import Request
from paystone.serving.types.response import Response
from paystone.serving.versions import ServiceVersion

logger = logging.getLogger(__name__)

RESERVED_ROUTES = frozenset({"healthz", "readyz", "metrics", "docs", "redoc", "openapi.json"})
_ROUTE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-]*")
_EXPERIMENT_MODULE = re.compile(r"experiments\.(?P<service>[A-Za-z_][A-Za-z0-9_]*)(\.|$)")


def create_serving_app(**handlers: Callable[..., Any]) -> FastAPI:
    """The serving app of the experiment whose `serve` module defines these handlers.

    The service is the `experiments.<service>` package of the handlers; the keywords must be
    exactly the values of its `schema.service.Route` enum. `$PSML_VERSION` (read now) picks the
    promoted version to serve; `$PSML_STORAGE_ROOT` and `$PSML_RUN` are read when the app starts.
    """
    if not handlers:
        raise ServingDefinitionError("create_serving_app needs at least one route handler, got none")
    service = _infer_service(handlers, caller=sys._getframe(1).f_globals.get("__name__", ""))
    routes = _route_enum(service)
    config = ServingConfig.from_env()
    if config.served_version.promoted:
        # A promoted version whose schema/service.py splits traffic (AB_TESTING) serves its whole
        # major version: the unversioned route is split by weight, versioned paths stay exact.
        from paystone.serving.ab_testing import build_ab_testing_app, configured_split

        split = configured_split(service)
        if split is not None:
            return build_ab_testing_app(
                service,
                routes,
                handlers,
                major=config.served_version.major,
                weights=split.versions,
                sticky_field=split.sticky_field,
                also_serve=(config.served_version,),
            )
    return build_serving_app(service, routes, handlers, version=str(config.served_version))


def build_serving_app(
    service: str,
    routes: type[Enum] | None,
    handlers: Mapping[str, Callable[..., Any]],
    *,
    version: str = "v0.m0",
    artifacts: ArtifactSource | None = None,
) -> FastAPI:
    """The serving app of `service`, without needing an `experiments` package.

    `routes` (when given) must list exactly the handlers' route names. `artifacts` replaces the
    stored run that the app would otherwise serve (`runtime.stored_artifacts`, from the environment
    at start-up).
    """
    served = _parse_version(version)
    _check_routes(service, routes, handlers)
    specs = [_analyse_handler(route, handler, str(served)) for route, handler in handlers.items()]

    def source_from_environment() -> ArtifactSource:
        return stored_artifacts(service, served, ServingConfig.from_env())

    loader = ArtifactLoader((), (lambda: artifacts) if artifacts is not None else source_from_environment)
    limits = RequestLimits.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        apply_worker_threads(limits)
        loader.start()
        yield

    app = FastAPI(
        title=f"{service} ({served})",
        version=str(served),
        description=f"Predictions of the {service} service, version {served}.",
        lifespan=lifespan,
    )
    app.state.psml_service = service
    app.state.psml_version = served
    app.state.psml_loader = loader
    app.state.psml_metrics = RequestMetrics()
    _install_error_handlers(app)
    _install_probes(app)
    app.add_middleware(RequestLimitsMiddleware, limits=limits)

    for spec in specs:
        endpoint = _endpoint(spec, app)
        for path, operation in (
            (f"/{spec.route}", spec.route),
            (f"/{service}/{served.path}/{spec.route}", f"{service}_{served.major}_{served.minor}_{spec.route}"),
        ):
            app.router.add_api_route(
                path,
                endpoint,
                methods=["POST"],
                name=operation,
                operation_id=operation,
                response_model=Response[spec.prediction_type],  # type: ignore[name-defined]
                responses={
                    422: {"model": ErrorBody, "description": "The request is invalid: the field at fault is named."},
                    500: {"model": ErrorBody, "description": "The handler failed or its predictions cannot be sent."},
                    503: {"model": ErrorBody, "description": "Artifacts are not loaded yet."},
                },
                summary=spec.summary,
                description=spec.description,
                tags=[spec.route],
                route_class_override=MetricsRoute,
            )
    loader.references = _collect_artifacts(app, specs)
    return app


# --- handlers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _HandlerSpec:
    route: str
    handler: Callable[..., Any]
    signature: inspect.Signature
    request_parameter: str
    artifact_parameters: tuple[tuple[str, Artifact], ...]
    prediction_type: Any
    encoder: PredictionEncoder
    summary: str
    description: str | None


def _analyse_handler(route: str, handler: Callable[..., Any], version: str) -> _HandlerSpec:
    if not callable(handler):
        raise ServingDefinitionError(f"handler of route {route!r} is not callable: {handler!r}")
    name = getattr(handler, "__qualname__", repr(handler))
    try:
        hints = typing.get_type_hints(handler, include_extras=True)
    except Exception as exc:
        raise ServingDefinitionError(f"cannot resolve the annotations of handler {name} (route {route!r}): {exc}") from exc
    signature = inspect.signature(handler)
    parameters = [param.replace(annotation=hints.get(param.name, param.annotation)) for param in signature.parameters.values()]
    request_params = [
        param.name
        for param in parameters
        if isinstance(param.annotation, type) and issubclass(param.annotation, Request)
    ]
    if len(request_params) != 1:
        raise ServingDefinitionError(
            f"handler {name} (route {route!r}) needs exactly one parameter annotated "
            f"Request[Instance, Parameters], found {len(request_params)}: {request_params}"
        )
    request_type = hints[request_params[0]]
    if not request_type.__pydantic_generic_metadata__["args"]:
        raise ServingDefinitionError(
            f"handler {name} (route {route!r}): parameter {request_params[0]!r} is a bare Request; "
            "give its types: Request[Instance, Parameters]"
        )
    prediction_type = _prediction_type(name, route, hints.get("return", inspect.Signature.empty))
    # Parameters that are exactly `Depends(Artifact(...))` are filled by the endpoint from the loaded
    # objects: one dict lookup instead of a nested FastAPI dependency resolution per request.
    artifact_parameters = tuple(
        (param.name, param.default.dependency)
        for param in parameters
        if isinstance(param.default, params.Depends) and isinstance(param.default.dependency, Artifact)
    )
    stripped = {name for name, _ in artifact_parameters}
    doc = inspect.getdoc(handler)
    return _HandlerSpec(
        route=route,
        handler=handler,
        signature=signature.replace(
            parameters=[param for param in parameters if param.name not in stripped],
            return_annotation=inspect.Signature.empty,
        ),
        request_parameter=request_params[0],
        artifact_parameters=artifact_parameters,
        prediction_type=prediction_type,
        encoder=PredictionEncoder(route, prediction_type, version),
        summary=doc.splitlines()[0] if doc else f"Predict with route {route}",
        description=doc,
    )


def _prediction_type(name: str, route: str, annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (list, Sequence, tuple) and args and (origin is not tuple or len(args) == 2 and args[1] is Ellipsis):
        return args[0]
    if isinstance(annotation, type) and issubclass(annotation, Response):
        response_args = annotation.__pydantic_generic_metadata__["args"]
        if response_args:
            return response_args[0]
    raise ServingDefinitionError(
        f"handler {name} (route {route!r}) must declare what it returns: -> list[Prediction] "
        f"or -> Response[Prediction], got {'nothing' if annotation is inspect.Signature.empty else annotation!r}"
    )


def _endpoint(spec: _HandlerSpec, app: FastAPI) -> Callable[..., Any]:
    """The function FastAPI calls: the handler, given its artifacts, guarded, its predictions encoded."""
    handler, request_parameter, encoder, route = spec.handler, spec.request_parameter, spec.encoder, spec.route
    artifact_parameters = spec.artifact_parameters
    loader: ArtifactLoader = app.state.psml_loader

    def add_artifacts(kwargs: dict[str, Any]) -> HTTPResponse | None:
        objects = loader.objects
        overrides = app.dependency_overrides
        for name, artifact in artifact_parameters:
            if overrides and artifact in overrides:
                kwargs[name] = overrides[artifact]()
                continue
            try:
                kwargs[name] = objects[artifact.reference]
            except KeyError:
                return error_response(503, f"artifact {str(artifact.reference)!r} is not loaded: {loader.reason()}")
        return None

    if inspect.iscoroutinefunction(handler):

        async def endpoint(**kwargs: Any) -> HTTPResponse:
            if artifact_parameters and (unavailable := add_artifacts(kwargs)) is not None:
                return unavailable
            try:
                result = await handler(**kwargs)
            except (HTTPException, RequestValidationError):
                raise
            except Exception as exc:
                return _handler_failed(route, exc)
            return encoder.encode(result, len(kwargs[request_parameter].instances))

    else:

        def endpoint(**kwargs: Any) -> HTTPResponse:  # type: ignore[misc]  # FastAPI runs it in its threadpool
            if artifact_parameters and (unavailable := add_artifacts(kwargs)) is not None:
                return unavailable
            try:
                result = handler(**kwargs)
            except (HTTPException, RequestValidationError):
                raise
            except Exception as exc:
                return _handler_failed(route, exc)
            return encoder.encode(result, len(kwargs[request_parameter].instances))

    endpoint.__signature__ = spec.signature  # type: ignore[attr-defined]
    endpoint.__name__ = getattr(handler, "__name__", route)
    endpoint.__qualname__ = getattr(handler, "__qualname__", route)
    endpoint.__module__ = getattr(handler, "__module__", __name__)
    return endpoint


def _handler_failed(route: str, exc: Exception) -> HTTPResponse:
    logger.exception("handler of route %r failed", route, exc_info=exc)
    return error_response(500, f"handler of route {route!r} failed: {type(exc).__name__}: {exc}")


# --- definition checks -------------------------------------------------------------------------


def _infer_service(handlers: Mapping[str, Callable[..., Any]], caller: str) -> str:
    modules = {getattr(handler, "__module__", None) or caller for handler in handlers.values()}
    services = set()
    for module in modules:
        match = _EXPERIMENT_MODULE.match(module or "")
        if match is None:
            raise ServingDefinitionError(
                f"cannot infer the service: handler module {module!r} is not inside experiments.<service>; "
                "define the handlers in experiments/<service>/serve/, or call build_serving_app(service, ...)"
            )
        services.add(match["service"])
    if len(services) != 1:
        raise ServingDefinitionError(f"handlers come from several services {sorted(services)}: one app serves one service")
    return services.pop()


def _route_enum(service: str) -> type[Enum]:
    module_name = f"experiments.{service}.schema.service"
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ServingDefinitionError(f"cannot import {module_name} to read the Route enum: {exc}") from exc
    routes = getattr(module, "Route", None)
    if not (isinstance(routes, type) and issubclass(routes, Enum)):
        raise ServingDefinitionError(f"{module_name} defines no Route enum (got {routes!r})")
    return routes


def _check_routes(service: str, routes: type[Enum] | None, handlers: Mapping[str, Callable[..., Any]]) -> None:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", service):
        raise ServingDefinitionError(f"service name {service!r} is not an identifier")
    for route in handlers:
        if not _ROUTE_NAME.fullmatch(route):
            raise ServingDefinitionError(f"route name {route!r} is not a valid path segment")
        if route in RESERVED_ROUTES:
            raise ServingDefinitionError(f"route name {route!r} is reserved by the platform ({sorted(RESERVED_ROUTES)})")
    if routes is None:
        return
    declared = {str(member.value) for member in routes}
    given = set(handlers)
    missing, extra = sorted(declared - given), sorted(given - declared)
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"no handler for route(s) {missing}")
        if extra:
            parts.append(f"handler(s) for route(s) {extra} not in the Route enum")
        raise ServingDefinitionError(
            f"the handlers of service {service!r} do not match {routes.__module__}.{routes.__qualname__} "
            f"(values {sorted(declared)}): {'; '.join(parts)}"
        )


def _parse_version(version: str) -> ServiceVersion:
    try:
        return ServiceVersion.parse(version)
    except ValueError as exc:
        raise ServingDefinitionError(str(exc)) from None


def _collect_artifacts(app: FastAPI, specs: Sequence[_HandlerSpec]) -> tuple[ArtifactReference, ...]:
    """Every `Artifact` of the handlers or their dependency trees, once, in first-seen order."""
    found: dict[ArtifactReference, None] = {}
    for spec in specs:
        for _, artifact in spec.artifact_parameters:
            found.setdefault(artifact.reference)

    def walk(dependant: Any) -> None:
        for sub in dependant.dependencies:
            if isinstance(sub.call, Artifact):
                found.setdefault(sub.call.reference)
            walk(sub)

    for route in app.router.routes:
        if isinstance(route, APIRoute):
            walk(route.dependant)
    return tuple(found)


# --- platform routes and error bodies ----------------------------------------------------------


def _install_probes(app: FastAPI) -> None:
    loader: ArtifactLoader = app.state.psml_loader
    metrics: RequestMetrics = app.state.psml_metrics

    @app.get("/healthz", tags=["platform"], summary="Liveness: the process answers.")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["platform"],
        summary="Readiness: every artifact is loaded.",
        responses={503: {"model": ErrorBody, "description": "Not ready; the reason is given."}},
    )
    async def readyz() -> HTTPResponse:
        if loader.ready:
            return JSONResponse({"status": "ready", "version": str(app.state.psml_version)})
        return error_response(503, loader.reason())

    @app.get("/metrics", tags=["platform"], summary="Request metrics, Prometheus text format.")
    async def metrics_endpoint() -> HTTPResponse:
        return PlainTextResponse(metrics.render(), media_type=CONTENT_TYPE)


def _install_error_handlers(app: FastAPI) -> None:
    async def validation_failed(request: HTTPRequest, exc: Exception) -> HTTPResponse:
        assert isinstance(exc, RequestValidationError)
        # No `input`/`ctx` in the body: they may hold values JSON cannot carry (NaN sent by the client).
        details = [
            {"loc": list(error.get("loc", ())), "msg": str(error.get("msg", "")), "type": str(error.get("type", ""))}
            for error in exc.errors()
        ]
        message = "; ".join(f"{'.'.join(str(part) for part in d['loc'])}: {d['msg']}" for d in details)
        return JSONResponse({"detail": jsonable_encoder(details), "message": message}, status_code=422)

    async def unexpected(request: HTTPRequest, exc: Exception) -> HTTPResponse:
        logger.exception("unhandled error on %s", request.url.path, exc_info=exc)
        return error_response(500, f"internal error: {type(exc).__name__}: {exc}")

    app.add_exception_handler(RequestValidationError, validation_failed)
    app.add_exception_handler(Exception, unexpected)
