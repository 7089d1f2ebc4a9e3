"""The housing image, unpacked and run without a Docker daemon: readiness, both route paths,
a graceful SIGTERM that finishes the requests in flight, and nothing in it to run a shell with."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.housing.runs import QUICK_HOUSING
from tests.e2e.processes import free_port, psml
from tools.image.build import BuildReport
from tools.image.oci import read_config
from tools.image.run import container_command, unpack

pytestmark = pytest.mark.e2e

HOUSE = {"living_area_sqft": 1800, "lot_area_sqft": 5000, "bedrooms": 3, "bathrooms": 2, "age_years": 30,
         "building_grade": 7, "waterfront": False, "latitude": 47.6, "longitude": -122.3}
FORBIDDEN = {"sh", "bash", "dash", "busybox", "gcc", "cc", "g++", "c++", "ld", "as", "make", "dpkg", "apt",
             "apt-get", "pip", "pip3", "perl"}


@pytest.fixture(scope="module")
def rootfs(housing_image: tuple[Path, BuildReport], tmp_path_factory: pytest.TempPathFactory) -> Path:
    layout, _ = housing_image
    root = unpack(layout, tmp_path_factory.mktemp("container") / "rootfs")
    trained = tmp_path_factory.mktemp("artifacts")
    result = psml("experiments", "train", "housing", *QUICK_HOUSING, "--root", str(trained))
    assert result.returncode == 0, result.stderr
    shutil.copytree(trained, root / "artifacts")  # the image's PSML_STORAGE_ROOT
    for path in [root / "artifacts", *(root / "artifacts").rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)  # pytest's folders are private to root
    return root


@pytest.fixture
def container(housing_image: tuple[Path, BuildReport], rootfs: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    layout, _ = housing_image
    port = free_port()
    command, env = container_command(layout, rootfs, runner="chroot", env={"PSML_PORT": str(port)})
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    try:
        while time.monotonic() - started < 120:
            if process.poll() is not None:
                pytest.fail(f"the container exited with {process.returncode}:\n{process.stdout.read()}")
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        else:
            process.kill()
            pytest.fail(f"the container was not ready within 120 s:\n{process.communicate()[0][-3000:]}")
        yield process, url
    finally:
        if process.poll() is None:
            # SIGTERM first: a SIGKILLed Gunicorn master leaves its workers running, orphaned.
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_image_holds_no_shell_compiler_or_package_manager(rootfs: Path) -> None:
    found = {path.name for folder in ("usr/bin", "usr/sbin", "usr/local/bin") if (rootfs / folder).is_dir()
             for path in (rootfs / folder).iterdir()}
    assert not found & FORBIDDEN, found & FORBIDDEN
    assert not (rootfs / "opt/site/pip").exists()
    assert not list(rootfs.glob("usr/lib/gcc*")) and not list(rootfs.glob("usr/libexec/gcc*"))


def test_image_runs_as_the_non_root_user_from_gunicorn(housing_image: tuple[Path, BuildReport]) -> None:
    config = read_config(housing_image[0])["config"]
    assert config["User"] == "65532:65532"
    assert config["Entrypoint"][:3] == ["/usr/bin/python3.11", "-m", "gunicorn"]


def test_both_route_paths_answer_with_prices(container: tuple[subprocess.Popen[str], str]) -> None:
    _, url = container
    body = {"instances": [HOUSE, {**HOUSE, "living_area_sqft": 3500}, HOUSE]}
    answers = []
    for path in ("/housing", "/housing/v0/m0/housing"):
        response = httpx.post(url + path, json=body, timeout=30)
        assert response.status_code == 200, response.text
        predictions = [p["price"] for p in response.json()["predictions"]]
        assert len(predictions) == 3 and all(price > 0 for price in predictions)
        assert predictions[0] == predictions[2] < predictions[1]
        answers.append(predictions)
    assert answers[0] == answers[1]


def _start_request(port: int, body: bytes) -> socket.socket:
    """Send the headers and all but the last byte of the body: the request is in flight."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (f"POST /housing HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    connection.sendall(head + body[:-1])
    return connection


def _finish_request(connection: socket.socket, body: bytes) -> tuple[int, dict]:
    connection.sendall(body[-1:])
    data = b""
    while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < _length(data):
        chunk = connection.recv(65536)
        if not chunk:
            break
        data += chunk
    connection.close()
    head, _, payload = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(payload)


def _length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 1 << 30


def test_sigterm_lets_every_request_in_flight_finish(container: tuple[subprocess.Popen[str], str]) -> None:
    process, url = container
    port = int(url.rsplit(":", 1)[1])
    body = json.dumps({"instances": [HOUSE]}).encode()
    in_flight = [_start_request(port, body) for _ in range(6)]
    time.sleep(1.0)  # every worker has read the headers and waits for the body
    process.send_signal(signal.SIGTERM)
    time.sleep(1.0)  # the server is shutting down now
    answers = [_finish_request(connection, body) for connection in in_flight]
    assert [status for status, _ in answers] == [200] * 6, answers
    assert all(answer["predictions"][0]["price"] > 0 for _, answer in answers)
    assert process.wait(timeout=60) == 0
    log = process.stdout.read()
    assert "Handling signal: term" in log
