"""The request limits of hardware.py, enforced by a real Gunicorn server running the toy experiment."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from paystone.compute.loading import load_infrastructure
from paystone.testing.acceptance.server import LocalServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    root = tmp_path_factory.mktemp("toy-artifacts")
    trained = subprocess.run(
        [sys.executable, "-m", "paystone.cli.main", "experiments", "train", "toy", "--root", str(root)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stdout + trained.stderr
    with LocalServer.for_experiment("toy", workers=1, env={"PSML_STORAGE_ROOT": str(root)}) as running:
        yield running


def test_a_body_over_max_request_bytes_gets_413_from_the_real_server(server: LocalServer) -> None:
    limit = load_infrastructure("toy").serving.request_handling.max_request_bytes
    patient = {"age": 50, "bmi": 30, "bp": 90}
    accepted = httpx.post(f"{server.url}/toy", json={"instances": [patient]}, timeout=30)
    padded = httpx.post(
        f"{server.url}/toy", content=b'{"instances": [' + b" " * limit + b"]}",
        headers={"content-type": "application/json"}, timeout=30,
    )  # fmt: skip
    assert accepted.status_code == 200, accepted.text
    assert padded.status_code == 413, padded.text
    assert f"exceeds the limit of {limit} bytes" in padded.json()["detail"]
