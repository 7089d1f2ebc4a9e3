"""``psml experiments versions NAME``: the promoted versions of an experiment with their metrics."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from paystone.cli.errors import reports_errors
from paystone.cli.experiments import app
from paystone.promotion.report import number
from paystone.storage.roots import open_store
from paystone.versions.records import VersionRecord, list_versions


def versions_table(service: str, records: list[VersionRecord]) -> Table:
    """One row per version: its run, when and against what it was promoted, each data metric."""
    metrics: dict[str, str] = {}
    for record in records:
        for result in record.test_results.data:
            metrics.setdefault(result.name, result.goal)
    table = Table(title=f"{service}: promoted versions")
    for column in ("version", "run", "promoted (UTC)", "compared with", "schema"):
        table.add_column(column)
    for metric, goal in metrics.items():
        table.add_column(f"{metric} ({'↑' if goal == 'maximize' else '↓'})", justify="right")
    for record in records:
        values = {result.name: result.value for result in record.test_results.data}
        table.add_row(
            record.name,
            record.run_id,
            f"{record.promoted_at:%Y-%m-%d %H:%M:%S}",
            record.incumbent or "-",
            record.schema_fingerprint[:12],
            *(number(values.get(metric)) for metric in metrics),
        )
    return table


@app.command()
@reports_errors
def versions(
    name: Annotated[str, typer.Argument(help="Experiment (service) whose versions to list.")],
    root: Annotated[
        str | None,
        typer.Option(help="Storage root holding the versions: a folder or gs://bucket/prefix (env PSML_STORAGE_ROOT; default ./artifacts)."),
    ] = None,
) -> None:
    """List the promoted versions of an experiment, oldest first, with their hold-out metrics."""
    records = list_versions(open_store(root), name)
    if not records:
        typer.echo(f"{name} has no promoted version yet under {root or 'the default storage root'}")
        return
    Console().print(versions_table(name, records))
