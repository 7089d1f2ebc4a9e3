"""A self-contained HTML report: verdicts first, then latency and throughput over time as inline SVG.

No scripts and nothing fetched: the file opens the same on a laptop, in a CI artifact viewer or
on a machine without internet. Stages are shaded bands behind both charts, so a latency jump
lines up with the stage that caused it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from paystone.testing.acceptance.report import AcceptanceReport

_WIDTH, _HEIGHT = 860, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 16, 16, 36
_BANDS = ("#f3f6fb", "#e8eef8")
_COLORS = {"p50": "#2b7bb9", "p95": "#e69f00", "p99": "#d55e00", "ok": "#009e73", "failed": "#cc3311"}


def _ticks(high: float, count: int = 5) -> list[float]:
    if high <= 0:
        return [0.0]
    raw = high / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(int(high / step) + 2)]


def _chart(title: str, unit: str, report: AcceptanceReport, series: dict[str, Sequence[float | None]],
           chart_id: str) -> str:
    times = [p.t for p in report.timeline]
    end = max([report.overall.duration_seconds, *(s.start_seconds + s.duration_seconds for s in report.stages), *times, 1.0])
    values = [v for line in series.values() for v in line if v is not None]
    ticks = _ticks(max(values, default=1.0) * 1.05)
    top = ticks[-1] or 1.0
    plot_w, plot_h = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM

    def x(t: float) -> float:
        return _LEFT + plot_w * t / end

    def y(v: float) -> float:
        return _TOP + plot_h * (1 - v / top)

    parts = [f'<svg id="{chart_id}" class="chart" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for i, stage in enumerate(report.stages):
        x0, x1 = x(stage.start_seconds), x(min(end, stage.start_seconds + stage.duration_seconds))
        parts.append(f'<rect x="{x0:.1f}" y="{_TOP}" width="{max(x1 - x0, 0):.1f}" height="{plot_h}" '
                     f'fill="{_BANDS[i % 2]}"/><text x="{x0 + 4:.1f}" y="{_TOP + 12}" class="band">'
                     f'{escape(stage.name)}</text>')
    for tick in ticks:
        parts.append(f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" class="grid"/>'
                     f'<text x="{_LEFT - 6}" y="{y(tick) + 4:.1f}" class="tick" text-anchor="end">{tick:g}</text>')
    for tick in _ticks(end, 8):
        if tick <= end:
            parts.append(f'<text x="{x(tick):.1f}" y="{_HEIGHT - _BOTTOM + 16}" class="tick" '
                         f'text-anchor="middle">{tick:g}s</text>')
    parts.append(f'<text x="14" y="{_TOP + plot_h / 2:.0f}" class="tick" transform="rotate(-90 14 '
                 f'{_TOP + plot_h / 2:.0f})" text-anchor="middle">{escape(unit)}</text>')
    legend_x = _LEFT + 8
    for name, line in series.items():
        color = _COLORS[name]
        segments, current = [], []
        for t, v in zip(times, line, strict=True):
            if v is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append(f"{x(t):.1f},{y(v):.1f}")
        if current:
            segments.append(current)
        for segment in segments:
            parts.append(f'<polyline class="series series-{name}" points="{" ".join(segment)}" fill="none" '
                         f'stroke="{color}" stroke-width="2"/>')
        parts.append(f'<rect x="{legend_x}" y="{_HEIGHT - 14}" width="10" height="10" fill="{color}"/>'
                     f'<text x="{legend_x + 14}" y="{_HEIGHT - 5}" class="tick">{escape(name)}</text>')
        legend_x += 80
    parts.append("</svg>")
    return "".join(parts)


def _fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def render_html(report: AcceptanceReport) -> str:
    """The report as one HTML document."""
    status = "PASSED" if report.passed else "FAILED"
    verdict_rows = "".join(
        f'<tr class="{"pass" if v.passed else "fail"}"><td>{"pass" if v.passed else "FAIL"}</td>'
        f"<td>{escape(v.sla)}</td><td>{escape(v.detail)}</td></tr>"
        for v in report.verdicts
    ) or '<tr><td colspan="3">no SLAs declared</td></tr>'
    stage_rows = "".join(
        f"<tr><td>{escape(s.name)}</td><td>{escape(s.kind)}</td>"
        f"<td>{s.users if s.users is not None else _fmt(s.target_rps, 0) + ' req/s'}</td>"
        f"<td>{s.duration_seconds:g}</td><td>{s.requests:,}</td><td>{s.failures:,}</td><td>{_fmt(s.rps)}</td>"
        f"<td>{_fmt(s.latency_ms['p50'], 2)}</td><td>{_fmt(s.latency_ms['p95'], 2)}</td>"
        f"<td>{_fmt(s.latency_ms['p99'], 2)}</td></tr>"
        for s in [*report.stages, report.overall]
    )
    error_rows = "".join(f"<tr><td>{escape(k)}</td><td>{n:,}</td></tr>" for k, n in report.errors.items())
    latency = _chart("Latency over time", "ms", report, {
        "p50": [p.p50_ms for p in report.timeline],
        "p95": [p.p95_ms for p in report.timeline],
        "p99": [p.p99_ms for p in report.timeline],
    }, "latency-chart")
    throughput = _chart("Throughput over time", "req/s", report, {
        "ok": [p.rps for p in report.timeline],
        "failed": [p.failed_rps for p in report.timeline],
    }, "throughput-chart")
    workers = f" · {report.workers} Gunicorn workers" if report.workers else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Acceptance {escape(report.service)}: {status}</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 24px auto; max-width: 900px; color: #222; }}
h1 span.status {{ padding: 2px 10px; border-radius: 4px; color: #fff; }}
.PASSED {{ background: #1b873f; }} .FAILED {{ background: #c62828; }}
table {{ border-collapse: collapse; width: 100%; margin: 8px 0 20px; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; }}
tr.pass td:first-child {{ color: #1b873f; font-weight: bold; }} tr.fail td:first-child {{ color: #c62828; font-weight: bold; }}
tr.fail {{ background: #fdecea; }}
.chart {{ width: 100%; height: auto; }} .grid {{ stroke: #ddd; }} .tick {{ font-size: 11px; fill: #555; }}
.band {{ font-size: 11px; fill: #333; }}
</style></head><body>
<h1>Acceptance: {escape(report.service)} <span class="status {status}">{status}</span></h1>
<p>{escape(report.url)}{escape(report.path)} · started {escape(report.started_at)}{workers} ·
{report.overall.requests:,} requests in {report.overall.duration_seconds:g} s</p>
<h2>SLA verdicts</h2>
<table><tr><th></th><th>SLA</th><th>measured</th></tr>{verdict_rows}</table>
<h2>Latency over time</h2>
{latency}
<h2>Throughput over time</h2>
{throughput}
<h2>Stages</h2>
<table><tr><th>stage</th><th>kind</th><th>load</th><th>s</th><th>requests</th><th>failures</th><th>req/s</th>
<th>p50 ms</th><th>p95 ms</th><th>p99 ms</th></tr>{stage_rows}</table>
{"<h2>Failures</h2><table><tr><th>failure</th><th>count</th></tr>" + error_rows + "</table>" if error_rows else ""}
</body></html>
"""
