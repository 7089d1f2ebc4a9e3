from __future__ import annotations

import urllib.request

import pytest

from paystone.compute.types.infrastructure import ServingGroup
from paystone.testing.acceptance.server import LocalServer, ServerStartError


def test_serves_on_loopback_and_stops(noop_server: LocalServer) -> None:
    assert noop_server.url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(f"{noop_server.url}/readyz", timeout=5) as response:
        assert response.status == 200
    assert len(noop_server.worker_pids()) == 1


def test_a_broken_app_fails_fast_naming_it() -> None:
    serving = ServingGroup(family="e2", vcpus=2, memory_gb=4)
    server = LocalServer("paystone.testing.acceptance.no_such_module:app", serving, workers=1, ready_timeout_seconds=20)
    with pytest.raises(ServerStartError, match="no_such_module"):
        server.start()
    assert server.process is not None and server.process.poll() is not None


def test_for_experiment_takes_workers_from_hardware() -> None:
    from experiments.toy.infrastructure.hardware import hardware

    server = LocalServer.for_experiment("toy")
    assert server.workers == hardware.serving.gunicorn_workers
    assert server.app == "experiments.toy.serve.app:app"
    assert LocalServer.for_experiment("toy", workers=3).workers == 3
    with pytest.raises(LookupError, match="no experiment named 'nope'"):
        LocalServer.for_experiment("nope")
