"""Statistics of an engine run: per stage, overall, and over time.

Latency percentiles include failed requests (a timeout is a slow answer, not a missing one) and,
in open-model stages, the time a request waited past its scheduled start. Rates divide by the
planned stage duration, so a stage that drains late does not look faster than it was.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field

from paystone.testing.acceptance.plan import EngineResult
from paystone.testing.acceptance.types import AcceptanceTest, ArrivalRateStage, Stage

PERCENTILES = (50.0, 90.0, 95.0, 99.0, 99.9)  # every percentile a LatencySLA may name


class LoadStats(BaseModel):
    """Counts, rates and latency of a set of requests (a stage or the whole run)."""

    name: str = Field(description="Stage name, or 'overall'.")
    kind: str = Field(description="'users', 'arrival_rate' or 'overall'.")
    start_seconds: float = Field(description="Start, in seconds from the start of the run.")
    duration_seconds: float = Field(description="Planned duration the rates are computed over.")
    requests: int = Field(description="Requests sent.")
    failures: int = Field(description="Requests without a 2xx answer.")
    rps: float = Field(description="Requests sent per second.")
    ok_rps: float = Field(description="Successful requests per second (the throughput SLAs read this).")
    error_rate: float = Field(description="failures / requests (0 when nothing was sent).")
    latency_ms: dict[str, float | None] = Field(
        description="Latency in milliseconds: 'p50', 'p90', 'p95', 'p99', 'p99.9', 'mean', 'max' (None without requests)."
    )
    users: int | None = Field(default=None, description="Virtual users (closed-model stage).")
    target_rps: float | None = Field(default=None, description="Target arrival rate (open-model stage).")
    scheduled: int | None = Field(default=None, description="Requests the schedule called for (open-model stage).")
    dropped: int | None = Field(default=None, description="Scheduled requests not sent: max_in_flight were waiting.")
    achieved_fraction: float | None = Field(
        default=None,
        description="Achieved / target arrival rate (open-model stage): requests sent (scheduled minus dropped) "
        "over the longer of the stage duration and the time the generator took to send them.",
    )


class TimePoint(BaseModel):
    """One bucket of the run's timeline."""

    t: float = Field(description="Bucket start, seconds from the start of the run.")
    rps: float = Field(description="Successful requests per second started in the bucket.")
    failed_rps: float = Field(description="Failed requests per second started in the bucket.")
    p50_ms: float | None = Field(description="Median latency of the bucket's requests.")
    p95_ms: float | None = Field(description="95th percentile latency of the bucket's requests.")
    p99_ms: float | None = Field(description="99th percentile latency of the bucket's requests.")


def percentile_key(percentile: float) -> str:
    return f"p{percentile:g}"


def _latency(values: np.ndarray) -> dict[str, float | None]:
    if values.size == 0:
        return {**{percentile_key(p): None for p in PERCENTILES}, "mean": None, "max": None}
    found = np.percentile(values, PERCENTILES)
    return {
        **{percentile_key(p): float(v) for p, v in zip(PERCENTILES, found, strict=True)},
        "mean": float(values.mean()),
        "max": float(values.max()),
    }


def _stats(name: str, kind: str, start: float, duration: float, latency: np.ndarray, ok: np.ndarray) -> LoadStats:
    requests = int(latency.size)
    failures = int((~ok).sum())
    return LoadStats(
        name=name, kind=kind, start_seconds=start, duration_seconds=duration, requests=requests, failures=failures,
        rps=requests / duration, ok_rps=(requests - failures) / duration,
        error_rate=failures / requests if requests else 0.0, latency_ms=_latency(latency),
    )


def stage_stats(test: AcceptanceTest, result: EngineResult) -> list[LoadStats]:
    """One `LoadStats` per stage, in order."""
    latency = np.asarray(result.latency_ms, dtype=float)
    ok = np.asarray(result.ok, dtype=bool)
    stage_of = np.asarray(result.stage, dtype=int)
    out = []
    for index, (stage, window) in enumerate(zip(test.stages, result.stages, strict=True)):
        mask = stage_of == index
        stats = _stats(stage.name, stage.kind, window.start, stage.duration_seconds, latency[mask], ok[mask])
        if isinstance(stage, Stage):
            stats.users = stage.users
        elif isinstance(stage, ArrivalRateStage):
            stats.target_rps = stage.requests_per_second
            stats.scheduled = window.scheduled
            stats.dropped = window.dropped
            sent = window.scheduled - window.dropped
            span = max(stage.duration_seconds, window.sending_seconds or 0.0)
            stats.achieved_fraction = (sent / span) / stage.requests_per_second
        out.append(stats)
    return out


def overall_stats(test: AcceptanceTest, result: EngineResult) -> LoadStats:
    """The whole run as one set of requests."""
    return _stats("overall", "overall", 0.0, test.duration_seconds,
                  np.asarray(result.latency_ms, dtype=float), np.asarray(result.ok, dtype=bool))


def timeline(result: EngineResult, bucket_seconds: float | None = None) -> list[TimePoint]:
    """Throughput and latency per time bucket (about 120 buckets over the run, at least 0.5 s each)."""
    start = np.asarray(result.start, dtype=float)
    if start.size == 0:
        return []
    end = max(float(start.max()), max((w.end for w in result.stages), default=0.0))
    bucket = bucket_seconds or max(0.5, round(end / 120, 1))
    latency = np.asarray(result.latency_ms, dtype=float)
    ok = np.asarray(result.ok, dtype=bool)
    index = np.floor(np.clip(start, 0, None) / bucket).astype(int)
    points = []
    for b in range(int(np.ceil(end / bucket))):
        mask = index == b
        values = latency[mask]
        p50, p95, p99 = (np.percentile(values, (50, 95, 99)) if values.size else (None, None, None))
        points.append(TimePoint(
            t=b * bucket, rps=float((mask & ok).sum()) / bucket, failed_rps=float((mask & ~ok).sum()) / bucket,
            p50_ms=None if p50 is None else float(p50), p95_ms=None if p95 is None else float(p95),
            p99_ms=None if p99 is None else float(p99),
        ))
    return points
