"""The promotion report as people read it (a Rich table) and as machines read it (JSON)."""

from __future__ import annotations

import math
from pathlib import Path

from rich.table import Table

from paystone.promotion.promote import PromotionReport
from paystone.promotion.statistics import Verdict

_VERDICT_STYLE = {
    Verdict.better: "green",
    Verdict.not_worse: "green",
    Verdict.new: "cyan",
    Verdict.worse: "bold red",
    Verdict.missing: "bold red",
    Verdict.unpaired: "bold red",
}


def number(value: float | None) -> str:
    """Metrics span dollars and shares: thousands separators for large values, 4 significant digits else."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def report_title(report: PromotionReport) -> str:
    against = f"against {report.incumbent}" if report.incumbent else "with no incumbent"
    if report.schema_changed:
        against += " (schema changed: new major version)"
    outcome = f"promoted to {report.version}" if report.accepted else "REJECTED"
    return f"{report.service} run {report.run_id} {against}: {outcome}"


def report_table(report: PromotionReport) -> Table:
    """Metric, incumbent, candidate, difference and its interval, verdict: one row per test."""
    table = Table(title=report_title(report))
    for column, justify in (
        ("test", "left"),
        ("goal", "left"),
        ("incumbent", "right"),
        ("candidate", "right"),
        ("difference", "right"),
        ("interval", "right"),
        ("tolerance", "right"),
        ("verdict", "left"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in report.comparison.regression:
        verdict = "[green]pass[/]" if row.passed else f"[bold red]FAIL[/] {row.error or ''}".rstrip()
        table.add_row(row.name, "regression", "", "", "", "", "", verdict)
    for data in report.comparison.data:
        interval = (
            f"[{number(data.interval_low)}, {number(data.interval_high)}] ({data.confidence:.0%})"
            if data.interval_low is not None
            else ""
        )
        style = _VERDICT_STYLE[data.verdict]
        verdict = f"[{style}]{data.verdict}[/]" + (f" {data.reason}" if data.reason and data.verdict.rejects else "")
        table.add_row(
            data.name,
            data.goal,
            number(data.incumbent),
            number(data.candidate),
            number(data.difference),
            interval,
            number(data.tolerance) if data.tolerance else "",
            verdict,
        )
    return table


def report_json(report: PromotionReport) -> str:
    return report.model_dump_json(indent=2)


def write_report(report: PromotionReport, path: Path) -> None:
    """Write the JSON report, creating the folder; overwrites (a report describes one attempt)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report_json(report) + "\n", encoding="utf-8")
