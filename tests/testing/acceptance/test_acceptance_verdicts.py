from __future__ import annotations

from paystone.testing.acceptance.stats import LoadStats
from paystone.testing.acceptance.types import (
    AcceptanceTest,
    ArrivalRateStage,
    ErrorRateSLA,
    LatencySLA,
    Stage,
    ThroughputSLA,
)
from paystone.testing.acceptance.verdicts import judge


def _stats(name: str, kind: str, requests: int, failures: int, p99: float | None, **extra: object) -> LoadStats:
    return LoadStats(name=name, kind=kind, start_seconds=0, duration_seconds=10, requests=requests, failures=failures,
                     rps=requests / 10, ok_rps=(requests - failures) / 10,
                     error_rate=failures / requests if requests else 0.0,
                     latency_ms={"p50": p99, "p90": p99, "p95": p99, "p99": p99, "p99.9": p99, "mean": p99, "max": p99}, **extra)


def _test(slas: list[object]) -> AcceptanceTest:
    return AcceptanceTest(requests=list, slas=slas, stages=[
        Stage(name="steady", users=1, duration_seconds=10),
        ArrivalRateStage(name="open", requests_per_second=100, duration_seconds=10, min_achieved_fraction=0.9)])


def test_each_sla_is_judged_on_its_scope() -> None:
    steady = _stats("steady", "users", 1000, 0, 20.0)
    opened = _stats("open", "arrival_rate", 1000, 5, 80.0, scheduled=1000, dropped=0, achieved_fraction=1.0)
    overall = _stats("overall", "overall", 2000, 5, 60.0)
    test = _test([LatencySLA(percentile=99, max_ms=50), LatencySLA(percentile=99, max_ms=50, stage="steady"),
                  ThroughputSLA(min_rps=100, stage="steady"), ErrorRateSLA(max_fraction=0.001)])
    verdicts = judge(test, [steady, opened], overall)
    assert [v.passed for v in verdicts] == [False, True, True, False, True]
    assert verdicts[0].measured == 60.0 and "p99" in verdicts[0].sla
    assert verdicts[3].detail == "5 failed of 2000 requests (0.2500%)"


def test_an_open_stage_that_falls_short_of_its_rate_fails() -> None:
    steady = _stats("steady", "users", 10, 0, 1.0)
    opened = _stats("open", "arrival_rate", 800, 0, 1.0, scheduled=1000, dropped=200, achieved_fraction=0.8)
    verdict = judge(_test([]), [steady, opened], _stats("overall", "overall", 810, 0, 1.0))[-1]
    assert verdict.kind == "arrival_rate" and not verdict.passed
    assert "200 dropped" in verdict.detail and "80.0%" in verdict.detail


def test_latency_without_requests_fails_rather_than_passing() -> None:
    empty = _stats("steady", "users", 0, 0, None)
    opened = _stats("open", "arrival_rate", 1000, 0, 1.0, scheduled=1000, dropped=0, achieved_fraction=1.0)
    verdict = judge(_test([LatencySLA(percentile=99, max_ms=50, stage="steady")]), [empty, opened], empty)[0]
    assert not verdict.passed and "no requests" in verdict.detail
