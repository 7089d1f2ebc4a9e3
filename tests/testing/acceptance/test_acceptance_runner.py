from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from paystone.serving.types.request import Request
from paystone.testing.acceptance.runner import run_acceptance
from paystone.testing.acceptance.server import LocalServer
from paystone.testing.acceptance.types import AcceptanceTest, ArrivalRateStage, ErrorRateSLA, LatencySLA, Stage


class _Instance(BaseModel):
    x: float


class _Parameters(BaseModel):
    pass


def _requests() -> list[Request[_Instance, _Parameters]]:
    return [Request[_Instance, _Parameters](instances=[_Instance(x=float(i))]) for i in range(3)]


def test_stages_run_in_order_with_stats_verdicts_and_reports(noop_server: LocalServer, tmp_path: Path) -> None:
    test = AcceptanceTest(
        requests=_requests,
        stages=[Stage(name="few", users=2, duration_seconds=1, wait_seconds=0.05),
                ArrivalRateStage(name="open", requests_per_second=50, duration_seconds=1),
                Stage(name="many", users=8, duration_seconds=1)],
        slas=[LatencySLA(percentile=99, max_ms=0.001), ErrorRateSLA(max_fraction=0.0)],
    )
    report = run_acceptance(test, noop_server.url, "/predict", service="noop", output_dir=tmp_path)
    few, opened, many = report.stages
    assert [s.name for s in report.stages] == ["few", "open", "many"]
    assert few.start_seconds < opened.start_seconds < many.start_seconds
    assert 0 < few.requests <= 2 * 1 / 0.05 + 4  # two users pausing 50 ms each: bounded by the pace
    assert opened.scheduled == 50 and opened.requests + (opened.dropped or 0) == 50
    assert many.requests > few.requests
    assert report.overall.requests == few.requests + opened.requests + many.requests
    assert report.overall.failures == 0
    p99, errors, arrival = report.verdicts
    assert not p99.passed and p99.sla == "p99 latency <= 0.001 ms (whole run)"
    assert errors.passed and arrival.passed and not report.passed
    saved = json.loads((tmp_path / "acceptance.json").read_text())
    assert saved["passed"] is False and len(saved["stages"]) == 3
    assert '<svg id="latency-chart"' in (tmp_path / "acceptance.html").read_text()


def test_failures_are_counted_and_named(noop_server: LocalServer) -> None:
    # Nothing listens on the server's port + a closed one: every request fails to connect.
    test = AcceptanceTest(requests=_requests, stages=[Stage(name="only", users=1, duration_seconds=0.5, wait_seconds=0.1)],
                          slas=[ErrorRateSLA(max_fraction=0.01)], request_timeout_seconds=1)
    from paystone.testing.acceptance.server import free_port

    report = run_acceptance(test, f"http://127.0.0.1:{free_port()}", "/predict", service="noop")
    assert report.overall.requests > 0 and report.overall.failures == report.overall.requests
    assert not report.verdicts[0].passed and report.errors
