"""``psml experiments acceptance NAME``: staged load against the service, a verdict per SLA, reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperCommand

from paystone.cli.errors import fail, reports_errors
from paystone.cli.experiments import app
from paystone.serving.runtime import RUN_ENV, STORAGE_ROOT_ENV
from paystone.testing.acceptance.container import ContainerServer, build_image_layout, check_layout, require_root
from paystone.testing.acceptance.loading import load_acceptance, route_path
from paystone.testing.acceptance.report import AcceptanceReport
from paystone.testing.acceptance.runner import run_acceptance
from paystone.testing.acceptance.server import LocalServer

console = Console()

#: What a bare `--image` stands for: build `//experiments/NAME:image` with tools/bazel (not a plausible folder name).
BUILD_IMAGE = "@build"


class OptionalImageValue(TyperCommand):
    """Lets `--image` stand alone: Typer dropped options whose value is optional (`flag_value`).

    A bare `--image` (last, or followed by another option) becomes `--image=@build` before parsing;
    `--image LAYOUT` and `--image=LAYOUT` pass through unchanged.
    """

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        rewritten = [
            f"--image={BUILD_IMAGE}" if arg == "--image" and (i + 1 == len(args) or args[i + 1].startswith("-")) else arg
            for i, arg in enumerate(args)
        ]
        return super().parse_args(ctx, rewritten)


def verdict_table(report: AcceptanceReport) -> Table:
    table = Table(title=f"acceptance {report.service}: {'PASSED' if report.passed else 'FAILED'}")
    table.add_column("verdict")
    table.add_column("SLA")
    table.add_column("measured")
    for verdict in report.verdicts:
        table.add_row("[green]pass[/]" if verdict.passed else "[bold red]FAIL[/]", verdict.sla, verdict.detail)
    return table


def stage_table(report: AcceptanceReport) -> Table:
    table = Table(title="stages")
    for column in ("stage", "load", "requests", "failures", "req/s", "p50 ms", "p95 ms", "p99 ms"):
        table.add_column(column, justify="left" if column in ("stage", "load") else "right")
    for stats in [*report.stages, report.overall]:
        load = f"{stats.users} users" if stats.users is not None else (
            f"{stats.target_rps:g} req/s target" if stats.target_rps is not None else "")
        table.add_row(stats.name, load, f"{stats.requests:,}", f"{stats.failures:,}", f"{stats.rps:.1f}",
                      *(f"{stats.latency_ms[k]:.2f}" if stats.latency_ms[k] is not None else "-"
                        for k in ("p50", "p95", "p99")))
    return table


@app.command(cls=OptionalImageValue)
@reports_errors
def acceptance(
    name: Annotated[str, typer.Argument(help="Experiment whose tests/acceptance.py to run (see `psml experiments list`).")],
    url: Annotated[str | None, typer.Option(help="Root URL of a running service, e.g. http://127.0.0.1:8080.")] = None,
    serve: Annotated[
        bool, typer.Option("--serve", help="Start the service locally under Gunicorn with the workers of infrastructure/hardware.py, test it, stop it.")
    ] = False,
    image: Annotated[
        str | None,
        typer.Option(
            "--image", metavar="[LAYOUT]",
            help="Run the experiment's serving image (as root, under chroot) and test it: an OCI layout folder, "
                 "or with no value build //experiments/NAME:image with tools/bazel.",
        ),
    ] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="With --serve: Gunicorn workers instead of hardware.py's.")] = None,
    root: Annotated[
        str | None,
        typer.Option(help=f"With --serve or --image: artifact root of the run to serve (env {STORAGE_ROOT_ENV}; default ./artifacts)."),
    ] = None,
    run: Annotated[
        str | None, typer.Option(help=f"With --serve or --image: run id to serve (env {RUN_ENV}; default the latest run).")
    ] = None,
    output: Annotated[Path, typer.Option(help="Folder for acceptance.json and acceptance.html.")] = Path("acceptance-reports"),
    config: Annotated[
        str | None, typer.Option(metavar="MODULE:ATTRIBUTE", help="An AcceptanceTest to run instead of the experiment's own.")
    ] = None,
) -> None:
    """Run the experiment's acceptance test: stages in order, a verdict per SLA, JSON and HTML reports.

    Exits 1 when any SLA (or an open-model stage's arrival rate) fails.
    """
    given = [flag for flag, on in (("--url", url is not None), ("--serve", serve), ("--image", image is not None)) if on]
    if len(given) != 1:
        raise fail("give exactly one of --url URL (a running service), --serve (start it locally) or --image [LAYOUT] "
                   f"(run its container image); got {', '.join(given) or 'none'}", code=2)
    if workers is not None and not serve:
        raise fail(f"--workers {workers} applies to --serve only (an image runs the workers of its gunicorn.conf.py)", code=2)
    test = load_acceptance(name, config)
    path = route_path(name, test)
    folder = output / name
    if serve:
        env = {key: value for key, value in ((STORAGE_ROOT_ENV, root), (RUN_ENV, run)) if value is not None}
        server = LocalServer.for_experiment(name, workers=workers, env=env)
        console.print(f"starting {name} under Gunicorn ({server.workers} workers) on {server.url} ...")
        with server:
            report = run_acceptance(test, server.url, path, service=name, output_dir=folder, workers=server.workers)
    elif image is not None:
        require_root()  # before a Bazel build that would be wasted
        if image == BUILD_IMAGE:
            console.print(f"building //experiments/{name}:image with tools/bazel ...")
            layout = build_image_layout(name)
        else:
            layout = check_layout(Path(image), name)
        container = ContainerServer.for_experiment(name, layout, storage_root=root, run=run)
        console.print(f"starting image {layout} under chroot as 65532 on {container.url} ...")
        with container:
            report = run_acceptance(test, container.url, path, service=name, output_dir=folder,
                                    workers=container.workers)
    else:
        assert url is not None
        report = run_acceptance(test, url, path, service=name, output_dir=folder)
    console.print(stage_table(report))
    console.print(verdict_table(report))
    console.print(f"reports: {folder / 'acceptance.json'}  {folder / 'acceptance.html'}")
    if not report.passed:
        failed = "; ".join(v.sla for v in report.failed_verdicts)
        raise fail(f"acceptance of {name} failed: {failed}")
    console.print(f"acceptance of {name} passed: {len(report.verdicts)} of {len(report.verdicts)} verdicts met")
