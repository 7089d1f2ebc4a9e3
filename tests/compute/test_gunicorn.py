from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import httpx
from gunicorn.config import Config

from experiments.toy.infrastructure.hardware import hardware
from paystone.compute.gunicorn import (
    WORKER_CLASS,
    gunicorn_settings,
    write_gunicorn_config,
)
from paystone.compute.types.infrastructure import ServingGroup
from paystone.serving.limits import MAX_REQUEST_BYTES_ENV


def test_settings_follow_the_serving_group() -> None:
    settings = gunicorn_settings(hardware.serving, bind="127.0.0.1:9000")
    serving = hardware.serving
    assert settings["bind"] == ["127.0.0.1:9000"]
    assert settings["workers"] == serving.gunicorn_workers == 2
    assert settings["worker_class"] == WORKER_CLASS == "uvicorn_worker.UvicornWorker"
    assert settings["threads"] == serving.gunicorn_threads
    assert settings["timeout"] == serving.gunicorn_timeout_seconds
    assert settings["graceful_timeout"] == serving.gunicorn_graceful_timeout_seconds
    assert settings["keepalive"] == serving.gunicorn_keepalive_seconds
    assert (settings["max_requests"], settings["max_requests_jitter"]) == (10_000, 1_000)
    assert settings["worker_connections"] == 32  # 64 concurrent requests over 2 workers
    assert f"{MAX_REQUEST_BYTES_ENV}=1572864" in settings["raw_env"]
    assert gunicorn_settings(serving)["bind"] == ["0.0.0.0:8080"]


def test_generated_file_is_accepted_by_gunicorns_own_config(tmp_path: Path) -> None:
    path = tmp_path / "gunicorn.conf.py"
    text = write_gunicorn_config(hardware.serving, path, bind="127.0.0.1:9000", worker_tmp_dir="/dev/shm")
    assert path.read_text() == text
    namespace: dict[str, object] = {}
    exec(compile(text, str(path), "exec"), namespace)
    config = Config()
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)  # gunicorn validates each setting's type here
    assert config.workers == 2
    assert config.worker_class_str == WORKER_CLASS
    assert config.max_requests == 10_000
    assert config.worker_tmp_dir == "/dev/shm"
    assert callable(config.post_worker_init)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


APP = textwrap.dedent(
    """
    import asyncio, json, os

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        if scope["path"] == "/slow":  # held until the test releases it (bounded: 30 s)
            for _ in range(600):
                if os.path.exists("release"):
                    break
                await asyncio.sleep(0.05)
        body = json.dumps({"max_request_bytes": os.environ.get("PSML_MAX_REQUEST_BYTES")}).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})
    """
)


def test_gunicorn_runs_with_the_generated_config_and_enforces_concurrency(tmp_path: Path) -> None:
    serving = ServingGroup(
        family="e2",
        vcpus=2,
        memory_gb=2,
        gunicorn_workers=1,
        request_handling={"max_concurrent_requests": 2, "max_request_bytes": 4096},
    )
    port = _free_port()
    (tmp_path / "tinyapp.py").write_text(APP)
    write_gunicorn_config(serving, tmp_path / "gunicorn.conf.py", bind=f"127.0.0.1:{port}")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "tinyapp:app"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                response = httpx.get(url + "/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError(f"gunicorn did not start: {server.stderr.read1().decode() if server.stderr else ''}")
        assert response.json() == {"max_request_bytes": "4096"}  # raw_env reached the worker

        def slow(_: int) -> int:
            with httpx.Client(timeout=40) as client:
                return client.get(url + "/slow").status_code

        # The held requests stay in flight until the refused one has come back, whatever the
        # machine's load: two in flight allowed, the third refused.
        with ThreadPoolExecutor(max_workers=3) as pool:
            futures = [pool.submit(slow, i) for i in range(3)]
            first = next(as_completed(futures, timeout=30))
            assert first.result() == 503
            (tmp_path / "release").touch()
            statuses = sorted(future.result(timeout=40) for future in futures)
        assert statuses == [200, 200, 503]
    finally:
        server.terminate()
        server.wait(timeout=30)
