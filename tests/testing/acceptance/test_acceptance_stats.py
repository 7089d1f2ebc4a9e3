from __future__ import annotations

import pytest

from paystone.testing.acceptance.plan import EngineResult, StageWindow
from paystone.testing.acceptance.stats import overall_stats, stage_stats, timeline
from paystone.testing.acceptance.types import AcceptanceTest, ArrivalRateStage, Stage


def _test() -> AcceptanceTest:
    return AcceptanceTest(
        requests=list,
        stages=[Stage(name="closed", users=2, duration_seconds=2), ArrivalRateStage(name="open", requests_per_second=10, duration_seconds=2)],
    )


def _result() -> EngineResult:
    # closed: 4 requests, 1 failed, latencies 1..4 ms; open: 10 of 20 scheduled sent, all at 10 ms
    closed = [(0.1, 1.0, True), (0.6, 2.0, True), (1.1, 3.0, False), (1.6, 4.0, True)]
    opened = [(2.0 + i * 0.1, 10.0, True) for i in range(10)]
    rows = [(*row, 0) for row in closed] + [(*row, 1) for row in opened]
    return EngineResult(
        started_at=0.0,
        stages=[StageWindow(name="closed", kind="users", start=0, end=2, users=2),
                StageWindow(name="open", kind="arrival_rate", start=2, end=4, target_rps=10, scheduled=20, dropped=10)],
        start=[r[0] for r in rows], latency_ms=[r[1] for r in rows], ok=[r[2] for r in rows],
        stage=[r[3] for r in rows], error=[-1 if r[2] else 0 for r in rows], errors=["HTTP 500"],
    )


def test_stage_stats_count_rates_and_percentiles_per_stage() -> None:
    closed, opened = stage_stats(_test(), _result())
    assert (closed.requests, closed.failures, closed.users) == (4, 1, 2)
    assert closed.rps == 2.0 and closed.ok_rps == 1.5 and closed.error_rate == 0.25
    assert closed.latency_ms["p50"] == pytest.approx(2.5) and closed.latency_ms["max"] == 4.0
    assert opened.requests == 10 and opened.achieved_fraction == 0.5 and opened.dropped == 10
    assert opened.latency_ms["p99"] == pytest.approx(10.0)


def test_overall_stats_span_the_whole_run() -> None:
    overall = overall_stats(_test(), _result())
    assert overall.requests == 14 and overall.failures == 1 and overall.rps == 14 / 4


def test_timeline_buckets_by_start_time() -> None:
    points = timeline(_result(), bucket_seconds=1.0)
    assert [p.t for p in points] == [0.0, 1.0, 2.0, 3.0]
    assert points[0].rps == 2.0 and points[1].rps == 1.0 and points[1].failed_rps == 1.0
    assert points[2].p99_ms == pytest.approx(10.0)


def test_a_generator_sending_late_falls_short_of_the_target_rate() -> None:
    result = _result()
    result.stages[1].dropped = 0
    result.stages[1].sending_seconds = 4.0  # 20 requests took 4 s instead of 2: 5 req/s of 10
    assert stage_stats(_test(), result)[1].achieved_fraction == 0.5
