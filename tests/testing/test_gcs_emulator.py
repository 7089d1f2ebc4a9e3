from __future__ import annotations

import os
import socket

import pytest
from google.api_core.exceptions import PreconditionFailed

from paystone.storage.gcs import EMULATOR_ENV, default_client
from paystone.testing.gcs_emulator import GCSEmulator, GCSEmulatorError, emulator_binary


def test_binary_is_found_and_executable() -> None:
    binary = emulator_binary()
    assert binary.name == "fake-gcs-server-linux-amd64"
    assert os.access(binary, os.X_OK)


def test_context_manager_sets_and_restores_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EMULATOR_ENV, "http://previous:1")
    with GCSEmulator() as emulator:
        assert emulator.running
        assert emulator.url.startswith("http://127.0.0.1:")
        assert os.environ[EMULATOR_ENV] == emulator.url
        emulator.create_bucket("ctx-bucket")
        assert [b.name for b in default_client().list_buckets()] == ["ctx-bucket"]
    assert not emulator.running
    assert os.environ[EMULATOR_ENV] == "http://previous:1"


def test_emulator_refuses_overwrite_with_generation_zero(gcs_emulator: GCSEmulator, gcs_bucket: str) -> None:
    # The property our stores rely on: check it holds in the emulator itself.
    blob = gcs_emulator.client().bucket(gcs_bucket).blob("obj")
    blob.upload_from_string(b"one", if_generation_match=0)
    with pytest.raises(PreconditionFailed):
        blob.upload_from_string(b"two", if_generation_match=0)
    assert blob.download_as_bytes() == b"one"


def test_fixture_points_env_at_emulator(gcs_emulator: GCSEmulator) -> None:
    assert os.environ[EMULATOR_ENV] == gcs_emulator.url


def test_port_in_use_fails_with_clear_error() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        emulator = GCSEmulator(port=port, startup_timeout=10)
        with pytest.raises(GCSEmulatorError, match=f"127.0.0.1:{port}"):
            emulator.start()
        assert not emulator.running
