"""Bazel entry point of an experiment's `:{KIND}` target, written by tools/build_defs/experiment.bzl.

`bazel run` starts binaries inside their runfiles tree; this launcher goes back to the
directory the user ran Bazel from, so `./artifacts` (the default storage root) and relative
paths in flags mean what they mean under `psml`.
"""

import importlib
import os
import runpy
import sys

KIND = "{KIND}"
SERVICE = "{SERVICE}"

# Packages come only from the hashed lock repositories, never from the machine's dist-packages.
sys.path[:] = [entry for entry in sys.path if not entry.rstrip("/").endswith("dist-packages")]
if os.environ.get("BUILD_WORKING_DIRECTORY"):
    os.chdir(os.environ["BUILD_WORKING_DIRECTORY"])


def train() -> None:
    """`experiments.<service>.train.main` as `__main__`: the same flags as `psml experiments train`."""
    runpy.run_module(f"experiments.{SERVICE}.train.main", run_name="__main__", alter_sys=True)


def serve() -> None:
    """The serving app under Gunicorn with Uvicorn workers, sized by infrastructure/hardware.py.

    Flags after `--` go to Gunicorn and win over these defaults (`-- --bind 0.0.0.0:8080`).
    """
    serving = importlib.import_module(f"experiments.{SERVICE}.infrastructure.hardware").hardware.serving
    defaults = [
        "--worker-class", "uvicorn_worker.UvicornWorker",
        "--bind", os.environ.get("PSML_BIND", "127.0.0.1:8000"),
        "--workers", str(serving.gunicorn_workers),
        "--threads", str(serving.gunicorn_threads),
        "--timeout", str(serving.gunicorn_timeout_seconds),
        "--graceful-timeout", str(serving.gunicorn_graceful_timeout_seconds),
        "--keep-alive", str(serving.gunicorn_keepalive_seconds),
        "--max-requests", str(serving.gunicorn_max_requests),
        "--max-requests-jitter", str(serving.gunicorn_max_requests_jitter),
    ]
    sys.argv = ["gunicorn", *defaults, *sys.argv[1:], f"experiments.{SERVICE}.serve.app:app"]
    from gunicorn.app.wsgiapp import run

    sys.exit(run())


if __name__ == "__main__":
    {"train": train, "serve": serve}[KIND]()
