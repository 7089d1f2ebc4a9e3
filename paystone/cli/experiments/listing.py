"""``psml experiments list``."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from paystone.cli.errors import reports_errors
from paystone.cli.experiments import app
from paystone.discovery import list_experiments


@app.command("list")
@reports_errors
def list_command() -> None:
    """List the experiment packages found under experiments/."""
    table = Table(title="experiments")
    table.add_column("name")
    table.add_column("path")
    table.add_column("status")
    for package in list_experiments():
        missing = package.missing_files
        status = "[green]complete[/]" if not missing else f"[yellow]missing {', '.join(missing)}[/]"
        table.add_row(package.name, str(package.path), status)
    Console().print(table)
