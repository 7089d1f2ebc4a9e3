"""CI's push: Debian's docker-registry on 127.0.0.1, tools/ci/push-images against it, and the
manifest pulled back byte for byte equal (same digest) to the one Bazel built."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.processes import free_port
from tests.tools.image.conftest import REPO, ensure_apt
from tools.image.oci import read_manifest
from tools.image.push import PushError, push

pytestmark = pytest.mark.e2e

REGISTRY_CONFIG = """\
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: {root}
http:
  addr: 127.0.0.1:{port}
"""


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real OCI registry (CNCF distribution, Debian's docker-registry) on a free loopback port."""
    ensure_apt("docker-registry", "skopeo")
    folder = tmp_path_factory.mktemp("registry")
    port = free_port()
    (folder / "config.yml").write_text(REGISTRY_CONFIG.format(root=folder / "data", port=port))
    process = subprocess.Popen(["docker-registry", "serve", str(folder / "config.yml")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v2/", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"docker-registry did not start:\n{process.stdout.read() if process.poll() is not None else ''}")
            time.sleep(0.2)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def _remote_digest(repository: str, tag: str) -> str:
    response = httpx.get(f"http://{repository.split('/', 1)[0]}/v2/{repository.split('/', 1)[1]}/manifests/{tag}",
                         headers={"Accept": "application/vnd.oci.image.manifest.v1+json"}, timeout=30)
    assert response.status_code == 200, response.text
    digest = "sha256:" + hashlib.sha256(response.content).hexdigest()
    assert response.headers["Docker-Content-Digest"] == digest
    return digest


def test_push_by_digest_then_tag_keeps_the_built_digest(registry: str, housing_image) -> None:
    layout, _ = housing_image
    pushed = push(layout, f"{registry}/paystone/housing", "tool-test")
    assert _remote_digest(f"{registry}/paystone/housing", "tool-test") == read_manifest(layout)[0] == pushed.digest
    assert _remote_digest(f"{registry}/paystone/housing", pushed.digest) == pushed.digest


def test_a_repository_with_a_tag_is_refused(housing_image) -> None:
    with pytest.raises(PushError, match="without a tag"):
        push(housing_image[0], "127.0.0.1:1/paystone/housing:latest", "x")


def test_ci_push_images_pushes_the_bazel_image_tagged_with_the_commit(registry: str) -> None:
    commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO, capture_output=True,
                            text=True, check=True).stdout.strip()
    env = {**os.environ, "PSML_REGISTRY": f"{registry}/paystone"}
    result = subprocess.run([str(REPO / "tools" / "ci" / "push-images"), "housing"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=3600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    bazel_bin = subprocess.run([str(REPO / "tools" / "bazel"), "info", "bazel-bin"], cwd=REPO,
                               capture_output=True, text=True, check=True).stdout.strip()
    built, _ = read_manifest(Path(bazel_bin) / "experiments" / "housing" / "image")
    assert _remote_digest(f"{registry}/paystone/housing", commit) == built
    index = json.loads(httpx.get(f"http://{registry}/v2/paystone/housing/tags/list", timeout=30).text)
    assert commit in index["tags"]
