from __future__ import annotations

import re
from pathlib import Path

from paystone.testing.acceptance.html import render_html
from paystone.testing.acceptance.report import AcceptanceReport
from paystone.testing.acceptance.stats import LoadStats, TimePoint
from paystone.testing.acceptance.verdicts import Verdict


def _stats(name: str, start: float) -> LoadStats:
    return LoadStats(name=name, kind="users", start_seconds=start, duration_seconds=2, requests=100, failures=1,
                     rps=50, ok_rps=49.5, error_rate=0.01, users=4,
                     latency_ms={"p50": 2.0, "p90": 4.0, "p95": 5.0, "p99": 9.0, "p99.9": 12.0, "mean": 3.0, "max": 15.0})


def _report() -> AcceptanceReport:
    return AcceptanceReport(
        service="housing", url="http://127.0.0.1:1", path="/housing", started_at="2026-01-01T00:00:00+00:00",
        workers=2, stages=[_stats("warm-up", 0), _stats("peak<&>", 2)], overall=_stats("overall", 0),
        verdicts=[Verdict(sla="p99 latency <= 0.001 ms (whole run)", kind="latency", passed=False, measured=9.0,
                          limit=0.001, unit="ms", detail="measured p99 = 9.000 ms over 200 requests")],
        timeline=[TimePoint(t=t * 0.5, rps=40 + t, failed_rps=t % 2, p50_ms=2 + t, p95_ms=5 + t, p99_ms=9 + t)
                  for t in range(8)],
        errors={"HTTP 503": 2},
    )


def test_report_shows_status_verdicts_and_both_charts() -> None:
    html = render_html(_report())
    assert "FAILED" in html and "p99 latency &lt;= 0.001 ms (whole run)" in html
    for chart in ("latency-chart", "throughput-chart"):
        svg = re.search(rf'<svg id="{chart}".*?</svg>', html, re.S)
        assert svg is not None, chart
    latency = re.search(r'<svg id="latency-chart".*?</svg>', html, re.S).group(0)  # type: ignore[union-attr]
    for series in ("p50", "p95", "p99"):
        points = re.search(rf'class="series series-{series}" points="([^"]+)"', latency)
        assert points is not None and len(points.group(1).split()) == 8
    assert 'class="series series-ok"' in html and "HTTP 503" in html
    assert "peak&lt;&amp;&gt;" in html  # stage names are escaped


def test_report_is_self_contained() -> None:
    html = render_html(_report())
    assert "<script" not in html and "src=" not in html and "href=" not in html and "@import" not in html


def test_write_produces_json_and_html(tmp_path: Path) -> None:
    json_path, html_path = _report().write(tmp_path / "out")
    assert '"passed": false' in json_path.read_text() and html_path.read_text().startswith("<!DOCTYPE html>")
