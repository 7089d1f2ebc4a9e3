"""Per-route request metrics in the Prometheus text format (0.0.4).

Hand-written because `prometheus_client` is not in the platform lock. Metrics are per process:
under Gunicorn each worker answers `/metrics` with its own counts. Recording happens on the event
loop thread only (see `MetricsRoute`), so no lock is needed.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Seconds; chosen around an in-process model's latency (sub-millisecond to seconds).
DEFAULT_BUCKETS: tuple[float, ...] = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)


@dataclass
class _RouteStats:
    buckets: list[int]
    codes: dict[int, int] = field(default_factory=dict)
    total_seconds: float = 0.0
    count: int = 0


class RequestMetrics:
    """Counts, errors and a latency histogram per route path."""

    def __init__(self, buckets: tuple[float, ...] = DEFAULT_BUCKETS) -> None:
        self._bounds = tuple(sorted(buckets))
        self._routes: dict[str, _RouteStats] = {}

    def observe(self, route: str, status_code: int, seconds: float) -> None:
        stats = self._routes.get(route)
        if stats is None:
            stats = self._routes[route] = _RouteStats(buckets=[0] * (len(self._bounds) + 1))
        stats.buckets[bisect_left(self._bounds, seconds)] += 1
        stats.codes[status_code] = stats.codes.get(status_code, 0) + 1
        stats.total_seconds += seconds
        stats.count += 1

    def requests(self, route: str, status_code: int | None = None) -> int:
        """How many requests a route answered (with one status code, when given)."""
        stats = self._routes.get(route)
        if stats is None:
            return 0
        return stats.count if status_code is None else stats.codes.get(status_code, 0)

    def reset(self) -> None:
        self._routes.clear()

    def render(self) -> str:
        lines = [
            "# HELP psml_requests_total Requests answered, by route and status code.",
            "# TYPE psml_requests_total counter",
        ]
        for route, stats in sorted(self._routes.items()):
            for code, count in sorted(stats.codes.items()):
                lines.append(f'psml_requests_total{{route="{_escape(route)}",code="{code}"}} {count}')
        lines += [
            "# HELP psml_request_errors_total Requests answered with a 4xx or 5xx, by route and class.",
            "# TYPE psml_request_errors_total counter",
        ]
        for route, stats in sorted(self._routes.items()):
            for klass in (4, 5):
                errors = sum(n for code, n in stats.codes.items() if code // 100 == klass)
                lines.append(
                    f'psml_request_errors_total{{route="{_escape(route)}",class="{klass}xx"}} {errors}'
                )
        lines += [
            "# HELP psml_request_duration_seconds Time from routing to response, by route.",
            "# TYPE psml_request_duration_seconds histogram",
        ]
        for route, stats in sorted(self._routes.items()):
            label = _escape(route)
            cumulative = 0
            for bound, count in zip((*self._bounds, float("inf")), stats.buckets):
                cumulative += count
                le = "+Inf" if bound == float("inf") else repr(bound)
                lines.append(f'psml_request_duration_seconds_bucket{{route="{label}",le="{le}"}} {cumulative}')
            lines.append(f'psml_request_duration_seconds_sum{{route="{label}"}} {stats.total_seconds!r}')
            lines.append(f'psml_request_duration_seconds_count{{route="{label}"}} {stats.count}')
        return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class MetricsRoute(APIRoute):
    """An `APIRoute` that records its own requests, 422s included.

    Recording in the route (not in a middleware) keeps unrelated paths free of any cost and sees
    the validation errors FastAPI raises before the endpoint runs.
    """

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()
        path = self.path

        async def measured(request: Request) -> Response:
            metrics: RequestMetrics = request.app.state.psml_metrics
            start = time.perf_counter()
            status = 500
            try:
                response = await handler(request)
                status = response.status_code
                return response
            except RequestValidationError:
                status = 422
                raise
            except HTTPException as exc:
                status = exc.status_code
                raise
            finally:
                metrics.observe(path, status, time.perf_counter() - start)

        return measured
