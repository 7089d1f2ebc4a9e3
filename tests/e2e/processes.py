"""Helpers of the end-to-end tests: the real `psml` in a child process, real servers on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


def psml(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run the real `psml` command line in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "paystone.cli.main", *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def saved_run_id(output: str) -> str:
    """The run id from the `Saved run <id> of ...` line that training prints."""
    for line in output.splitlines():
        if line.startswith("Saved run "):
            return line.split()[2]
    raise AssertionError(f"training printed no 'Saved run' line:\n{output}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(command: list[str], url: str, *, env: dict[str, str] | None = None, timeout: float = 90) -> Iterator[subprocess.Popen[str]]:
    """Start a server process, wait (bounded) until `url`/readyz answers 200, stop it with SIGTERM."""
    process = subprocess.Popen(
        command, cwd=REPO, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise AssertionError(f"server exited with {process.returncode}:\n{process.stdout.read() if process.stdout else ''}")
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"server not ready at {url} after {timeout} s")
            time.sleep(0.25)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def post_when_loaded(url: str, body: Any, *, timeout: float = 60) -> httpx.Response:
    """POST `body`, retrying (bounded) while the answering worker is still loading its artifacts.

    Readiness is per Gunicorn worker: `/readyz` answering 200 proves one worker has loaded, and
    the next connection may land on another that is still loading and answers 503, as a load
    balancer's retry would hide.
    """
    deadline = time.monotonic() + timeout
    while True:
        response = httpx.post(url, json=body, timeout=30)
        if response.status_code != 503 or "not loaded" not in response.text or time.monotonic() > deadline:
            return response
        time.sleep(0.25)
