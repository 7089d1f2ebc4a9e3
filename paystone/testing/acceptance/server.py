"""Start a service locally under Gunicorn, the way production runs it, for the length of a test.

The Gunicorn configuration is the one `paystone.compute.gunicorn` writes from the experiment's
`infrastructure/hardware.py`, bound to 127.0.0.1 at a free port, so the load lands on the same
worker count, threads and limits as a deployed VM (on this machine's cores).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from paystone.compute.gunicorn import gunicorn_settings, render_gunicorn_config
from paystone.compute.types.infrastructure import ServingGroup


class ServerStartError(RuntimeError):
    """The service did not become ready."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalServer:
    """`python -m gunicorn -c <generated config> APP` on 127.0.0.1; a context manager.

    Readiness is `/readyz` answering 200 on `2 x workers` probes in a row (each probe is a new
    connection, so it can land on any worker; one answer only proves one worker has loaded its
    artifacts), polled at most until `ready_timeout_seconds`. Stopping is SIGTERM (Gunicorn's
    graceful shutdown), then SIGKILL after `stop_timeout_seconds`.
    """

    def __init__(
        self,
        app: str,
        serving: ServingGroup,
        *,
        workers: int | None = None,
        env: dict[str, str] | None = None,
        ready_timeout_seconds: float = 60.0,
        stop_timeout_seconds: float = 15.0,
        log_path: Path | None = None,
    ) -> None:
        if workers is not None:
            serving = serving.model_copy(update={"gunicorn_workers": workers})
        self.app = app
        self.serving = serving
        self.env = env or {}
        self.ready_timeout_seconds = ready_timeout_seconds
        self.stop_timeout_seconds = stop_timeout_seconds
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._tmp = tempfile.TemporaryDirectory(prefix="psml-acceptance-server-")
        self.log_path = log_path or Path(self._tmp.name) / "gunicorn.log"
        self.process: subprocess.Popen[bytes] | None = None

    @classmethod
    def for_experiment(cls, name: str, *, workers: int | None = None, env: dict[str, str] | None = None,
                       **kwargs: object) -> LocalServer:
        """The experiment's serving app with the serving group of its `infrastructure/hardware.py`."""
        from paystone.compute.loading import load_infrastructure
        from paystone.discovery import get_experiment

        get_experiment(name)  # a clear error listing the experiments that exist
        serving = load_infrastructure(name).serving
        return cls(f"experiments.{name}.serve.app:app", serving, workers=workers, env=env, **kwargs)  # type: ignore[arg-type]

    @property
    def workers(self) -> int:
        return self.serving.gunicorn_workers

    def start(self) -> str:
        config = Path(self._tmp.name) / "gunicorn.conf.py"
        settings = gunicorn_settings(self.serving, bind=f"127.0.0.1:{self.port}",
                                     worker_tmp_dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
        settings["accesslog"] = None  # one log line per request would cost the service CPU under load
        config.write_text(render_gunicorn_config(settings), encoding="utf-8")
        env = {**os.environ, **self.env}
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(config), self.app],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
        log.close()
        self._wait_ready()
        return self.url

    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.ready_timeout_seconds
        last = "no answer yet"
        streak = 0
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerStartError(
                    f"gunicorn for {self.app} exited with status {self.process.returncode} before it was ready:\n"
                    + self.log_tail()
                )
            try:
                with urllib.request.urlopen(f"{self.url}/readyz", timeout=2) as response:
                    if response.status == 200:
                        streak += 1
                        if streak >= 2 * self.workers:
                            return
                        continue
            except urllib.error.HTTPError as error:
                last = f"/readyz answered {error.code}: {error.read()[:300]!r}"
            except OSError as error:
                last = str(error)
            streak = 0
            time.sleep(0.2)
        self.stop()
        raise ServerStartError(
            f"{self.app} was not ready at {self.url}/readyz within {self.ready_timeout_seconds:g} s ({last}):\n"
            + self.log_tail()
        )

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def worker_pids(self) -> list[int]:
        """Process ids of the Gunicorn workers (children of the master)."""
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self._tmp.cleanup()
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=self.stop_timeout_seconds)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        self._tmp.cleanup()

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
