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
    """The serving app under Gunicorn with Uvicorn workers, configured from infrastructure/hardware.py.

    The configuration comes from the one place that writes it (paystone.compute.gunicorn), as
    under `psml experiments serve` and in the images. Flags after `--` go to Gunicorn and win
    (`-- --bind 0.0.0.0:8080`).
    """
    import tempfile

    from paystone.compute.gunicorn import write_gunicorn_config

    serving = importlib.import_module(f"experiments.{SERVICE}.infrastructure.hardware").hardware.serving
    config = os.path.join(tempfile.gettempdir(), f"psml-gunicorn-{SERVICE}-bazel.conf.py")
    write_gunicorn_config(serving, config, bind=os.environ.get("PSML_BIND", f"127.0.0.1:{serving.port}"))
    sys.argv = ["gunicorn", "-c", config, *sys.argv[1:], f"experiments.{SERVICE}.serve.app:app"]
    from gunicorn.app.wsgiapp import run

    sys.exit(run())


if __name__ == "__main__":
    {"train": train, "serve": serve}[KIND]()
