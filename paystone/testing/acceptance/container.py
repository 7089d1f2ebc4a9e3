"""Run an experiment's serving image (an OCI layout) on 127.0.0.1 for the length of an acceptance test.

The image is the artifact that production runs, so testing it catches what `--serve` cannot: a
package missing from the experiment's lock, a file left out of the application layer, a
permission the non-root user lacks. It runs without a Docker daemon the way `tools/image/run.py`
does: layers unpacked into a temporary root folder, the entry point started under
`chroot --userspec=65532:65532` (root is needed for chroot), with `PSML_PORT` set to a free port.

Why the image tool is imported lazily rather than run as `python -m tools.image.run`: that command
unpacks and then *execs* the container in one step, which leaves no moment to put the run's
artifacts into the root folder, and chroot cannot bind-mount them. paystone must still not depend
on `tools/` (it is absent from an installed platform), so `tools.image.run` is imported only when
a container is started, and its absence becomes an error that says a source checkout is needed.

Artifacts are *copied* into the root folder at the image's `PSML_STORAGE_ROOT` (as the image tests
do) rather than bind-mounted: a copy needs no unmount when the test is interrupted, and making it
readable to the image's user does not change the modes of the caller's files. A `gs://` root is
passed through unchanged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from paystone.compute.types.infrastructure import ServingGroup
from paystone.serving.runtime import DEFAULT_STORAGE_ROOT, RUN_ENV, STORAGE_ROOT_ENV, VERSION_ENV
from paystone.testing.acceptance.server import LocalServer

#: Where the image reads its artifacts unless told otherwise (tools/image/app_layer.py).
IMAGE_STORAGE_ROOT = "/artifacts"
#: The variable the image's gunicorn.conf.py reads its port from.
PORT_ENV = "PSML_PORT"
#: The platform's source checkout: the folder holding paystone/ (and tools/, when it is one).
REPO_ROOT = Path(__file__).resolve().parents[3]


class ImageError(RuntimeError):
    """The image cannot be found, built or run here; the message names what is missing."""


def _image_tool() -> Any:
    """`tools.image.run`, imported on first use (see the module docstring for why not at import)."""
    try:
        from tools.image import run
    except ImportError as error:
        raise ImageError(
            f"--image needs the image tools of a paystone-ml source checkout (tools/image/run.py), "
            f"not found from {REPO_ROOT}: {error}"
        ) from error
    return run


def require_root() -> None:
    if os.geteuid() != 0:
        raise ImageError(f"running an image uses chroot, which needs root: run as root (uid is {os.geteuid()})")


def build_image_layout(name: str, repo: Path = REPO_ROOT) -> Path:
    """`tools/bazel build //experiments/<name>:image`, returning the OCI layout folder it made."""
    bazel = repo / "tools" / "bazel"
    if not (bazel.is_file() and (repo / "MODULE.bazel").is_file()):
        raise ImageError(
            f"{repo} is not a paystone-ml source checkout (no tools/bazel or MODULE.bazel): "
            "build the image there, or pass its layout with --image LAYOUT"
        )
    target = f"//experiments/{name}:image"
    built = subprocess.run([str(bazel), "build", target], cwd=repo, capture_output=True, text=True, check=False)
    if built.returncode != 0:
        tail = "\n".join(built.stderr.splitlines()[-20:])
        raise ImageError(f"tools/bazel build {target} failed with status {built.returncode}:\n{tail}")
    # `info bazel-bin` rather than `cquery --output=files`: this Bazel has no `files` output, and a
    # cquery with other options would throw away the analysis cache the build just made.
    info = subprocess.run([str(bazel), "info", "bazel-bin"], cwd=repo, capture_output=True, text=True, check=False)
    if info.returncode != 0 or not info.stdout.strip():
        raise ImageError(f"tools/bazel info bazel-bin failed with status {info.returncode}: {info.stderr.strip()[-500:]}")
    layout = Path(info.stdout.strip().splitlines()[-1]) / "experiments" / name / "image"
    return check_layout(layout, name)


def check_layout(layout: Path, name: str) -> Path:
    """The layout, if it is an OCI image layout whose entry point serves `name`."""
    if not (layout / "oci-layout").is_file() or not (layout / "index.json").is_file():
        raise ImageError(f"{layout} is not an OCI image layout (no oci-layout and index.json in it)")
    config = _image_tool().read_config(layout)["config"]
    app = f"experiments.{name}.serve.app:app"
    command = [*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])]
    if app not in command:
        raise ImageError(f"image {layout} does not serve {name}: its command is {' '.join(command)!r}, not ...{app}")
    return layout


class ContainerServer(LocalServer):
    """The experiment's image under chroot on 127.0.0.1; readiness and SIGTERM stop as `LocalServer`.

    `serving` only counts the workers the readiness probe waits for: the image's own
    gunicorn.conf.py (from the same hardware.py) decides how many it starts.
    """

    def __init__(
        self,
        name: str,
        layout: Path,
        serving: ServingGroup,
        *,
        storage_root: str,
        run: str | None = None,
        version: str | None = None,
        ready_timeout_seconds: float = 120.0,
        stop_timeout_seconds: float = 30.0,
    ) -> None:
        super().__init__(f"image {layout} ({name})", serving, ready_timeout_seconds=ready_timeout_seconds,
                         stop_timeout_seconds=stop_timeout_seconds)
        self.name = name
        self.layout = layout
        self.storage_root = storage_root
        self.run = run
        self.version = version

    @classmethod
    def for_experiment(  # type: ignore[override]
        cls, name: str, layout: Path, *, storage_root: str | None = None, run: str | None = None,
        environ: Mapping[str, str] | None = None, **kwargs: Any,
    ) -> ContainerServer:
        """The image of `name`; the run as `--serve` picks it: arguments, then the environment, then defaults."""
        from paystone.compute.loading import load_infrastructure
        from paystone.discovery import get_experiment

        get_experiment(name)
        env = os.environ if environ is None else environ
        root = storage_root or env.get(STORAGE_ROOT_ENV) or DEFAULT_STORAGE_ROOT
        run = run or env.get(RUN_ENV) or None
        version = None if run else env.get(VERSION_ENV) or None
        return cls(name, layout, load_infrastructure(name).serving, storage_root=root, run=run, version=version,
                   **kwargs)

    @property
    def rootfs(self) -> Path:
        return Path(self._tmp.name) / "rootfs"

    def _place_artifacts(self) -> str:
        """The image's storage root: a gs:// root as is, a local one copied into the root folder."""
        if "://" in self.storage_root:
            return self.storage_root
        source = Path(self.storage_root)
        if not source.is_dir():
            raise ImageError(f"artifact root {self.storage_root} is not a folder: train a run there or pass --root")
        target = self.rootfs / IMAGE_STORAGE_ROOT.lstrip("/")
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target, symlinks=False)
        for path in [target, *target.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)  # the image's user is not the files' owner
        return IMAGE_STORAGE_ROOT

    def start(self) -> str:
        require_root()
        tool = _image_tool()
        try:
            tool.unpack(self.layout, self.rootfs)
            env = {PORT_ENV: str(self.port), STORAGE_ROOT_ENV: self._place_artifacts()}
            if self.run:
                env[RUN_ENV] = self.run
            if self.version:
                env[VERSION_ENV] = self.version
            command, environment = tool.container_command(self.layout, self.rootfs, runner="chroot", env=env)
        except tool.RunError as error:
            raise ImageError(str(error)) from error
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environment,
                                        start_new_session=True)
        log.close()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()  # __exit__ does not run when __enter__ fails: the root folder must still go
            raise
        return self.url
