"""``psml experiments promote NAME --run RUN``: gate a training run against the incumbent version."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from paystone.cli.errors import fail, reports_errors
from paystone.cli.experiments import app
from paystone.discovery import get_experiment
from paystone.promotion.promote import promote as promote_run
from paystone.promotion.report import report_table, write_report
from paystone.promotion.statistics import DEFAULT_CONFIDENCE
from paystone.storage.roots import open_store


def parse_tolerances(values: list[str]) -> dict[str, float]:
    """``["r_squared=0.01"]`` -> ``{"r_squared": 0.01}``, naming the malformed value."""
    tolerances: dict[str, float] = {}
    for value in values:
        name, sep, number = value.partition("=")
        name = name.strip()
        if not sep or not name:
            raise fail(f"--tolerance expects TEST=VALUE, got {value!r}")
        try:
            tolerance = float(number)
        except ValueError:
            raise fail(f"--tolerance {value!r}: {number!r} is not a number") from None
        if not math.isfinite(tolerance) or tolerance < 0:
            raise fail(f"--tolerance {value!r}: the tolerance must be a finite number >= 0")
        if name in tolerances:
            raise fail(f"--tolerance names data test {name!r} twice")
        tolerances[name] = tolerance
    return tolerances


@app.command()
@reports_errors
def promote(
    name: Annotated[str, typer.Argument(help="Experiment whose run to promote (see `psml experiments list`).")],
    run: Annotated[str, typer.Option("--run", help="Training run id to promote (printed by `psml experiments train`).")],
    root: Annotated[
        str | None,
        typer.Option(help="Storage root holding runs and versions: a folder or gs://bucket/prefix (env PSML_STORAGE_ROOT; default ./artifacts)."),
    ] = None,
    tolerance: Annotated[
        list[str] | None,
        typer.Option(
            "--tolerance",
            metavar="TEST=VALUE",
            help="Absolute tolerance for a data test before a drop counts as worse; repeatable.",
        ),
    ] = None,
    confidence: Annotated[
        float, typer.Option(min=0.5, max=0.999, help="Two-sided confidence of the paired bootstrap interval.")
    ] = DEFAULT_CONFIDENCE,
    report: Annotated[
        Path | None, typer.Option("--report", help="Also write the report as JSON to this file.")
    ] = None,
) -> None:
    """Compare a run's test results with the incumbent version; promote it to the next version if it passes.

    Every regression test must pass; every data test must not be worse than the incumbent's on the
    same hold-out data (paired bootstrap interval of the difference). A rejection changes nothing
    and exits with status 1.
    """
    get_experiment(name)  # a clear error for a typo, before touching storage
    tolerances = parse_tolerances(tolerance or [])
    outcome = promote_run(open_store(root), name, run, tolerances=tolerances, confidence=confidence)
    Console().print(report_table(outcome))
    if report is not None:
        write_report(outcome, report)
    if not outcome.accepted:
        raise fail(f"run {run} of {name} was not promoted: " + "; ".join(outcome.comparison.reasons))
    typer.echo(f"Promoted run {run} of '{name}' to {name}.{outcome.version}")
