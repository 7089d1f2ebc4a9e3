"""``psml experiments serve NAME``: Gunicorn with Uvicorn workers, configured from hardware.py.

The process is replaced by Gunicorn (``exec``), so signals from a terminal, a supervisor or a
container runtime reach Gunicorn's arbiter directly and a SIGTERM drains requests in flight.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from paystone.cli.errors import reports_errors
from paystone.cli.experiments import app
from paystone.compute.gunicorn import app_environment, write_gunicorn_config
from paystone.compute.loading import load_infrastructure
from paystone.discovery import get_experiment
from paystone.serving.runtime import RUN_ENV, STORAGE_ROOT_ENV, VERSION_ENV, ServingConfig, stored_artifacts

stderr = Console(stderr=True)


def serving_environment(root: str | None, run: str | None, version: str | None) -> dict[str, str]:
    """The environment the serving app reads at start-up, checked here so errors come before fork."""
    env = dict(os.environ)
    for key, value in ((STORAGE_ROOT_ENV, root), (RUN_ENV, run), (VERSION_ENV, version)):
        if value is not None:
            env[key] = value
    return env


@app.command()
@reports_errors
def serve(
    name: Annotated[str, typer.Argument(help="Experiment to serve.")],
    run: Annotated[str | None, typer.Option(help="Run id to serve (default: the latest run).")] = None,
    version: Annotated[
        str | None, typer.Option(help="Promoted version to serve, v<major>.m<minor> (e.g. v1.m2).")
    ] = None,
    root: Annotated[
        str | None, typer.Option(help="Storage root: a folder or gs://bucket/prefix (env PSML_STORAGE_ROOT; default ./artifacts).")
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Port (default: the serving port of infrastructure/hardware.py).")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Gunicorn workers (default: gunicorn_workers of infrastructure/hardware.py).")
    ] = None,
    dev: Annotated[bool, typer.Option("--dev", help="Run one Uvicorn process that reloads on code changes.")] = False,
) -> None:
    """Serve an experiment's app over HTTP: Gunicorn with Uvicorn workers, or Uvicorn with reload under --dev."""
    package = get_experiment(name)
    serving = load_infrastructure(name).serving
    if workers is not None:
        serving = serving.model_copy(update={"gunicorn_workers": workers})
    port = serving.port if port is None else port
    env = serving_environment(root, run, version)
    env.update(app_environment(serving))
    config = ServingConfig.from_env(env)
    artifacts = stored_artifacts(name, config.served_version, config)  # fails here, not in every worker
    if not config.served_version.promoted:
        env[RUN_ENV] = artifacts.run_id  # every worker serves this run, even if a newer one lands meanwhile
    target = f"experiments.{name}.serve.app:app"
    where = f"http://{host}:{port}"
    stderr.print(
        f"serving [bold]{name}[/] {config.served_version} (run {artifacts.run_id} from {config.storage_root}) "
        f"at {where}/{name} and {where}/{name}/{config.served_version.path}/{name}; docs at {where}/docs"
    )
    if dev:
        os.environ.update(env)
        import uvicorn

        uvicorn.run(target, host=host, port=port, reload=True, reload_dirs=[str(package.path), str(Path(__file__).parents[2])])
        return
    config_path = Path(tempfile.gettempdir()) / f"psml-gunicorn-{name}-{port}.conf.py"
    write_gunicorn_config(serving, config_path, bind=f"{host}:{port}")
    stderr.print(f"{serving.gunicorn_workers} Gunicorn worker(s), configuration {config_path}")
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, "-m", "gunicorn", "-c", str(config_path), target], env)
