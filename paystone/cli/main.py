"""Entry point of ``psml``."""

from __future__ import annotations

import typer

from paystone.cli.experiments import app as experiments_app

app = typer.Typer(
    name="psml",
    help="paystone-ml: train, test, promote, serve and ship ML services built as experiment packages.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(experiments_app, name="experiments")


def main() -> int:
    """Run the CLI; returns the exit status (Typer exits itself on errors)."""
    app()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
