"""Fixtures shared by every test area."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from paystone.storage.gcs import EMULATOR_ENV
from paystone.testing.gcs_emulator import GCSEmulator


@pytest.fixture(scope="session")
def _gcs_emulator_server() -> Iterator[GCSEmulator]:
    """One emulator process for the session; tests get isolation from fresh buckets instead."""
    with GCSEmulator(set_env=False) as emulator:
        yield emulator


@pytest.fixture
def gcs_emulator(_gcs_emulator_server: GCSEmulator, monkeypatch: pytest.MonkeyPatch) -> GCSEmulator:
    """The running emulator, with `STORAGE_EMULATOR_HOST` pointing at it for this test only."""
    monkeypatch.setenv(EMULATOR_ENV, _gcs_emulator_server.url)
    return _gcs_emulator_server


@pytest.fixture
def gcs_bucket(gcs_emulator: GCSEmulator) -> str:
    """A new, empty bucket in the emulator, unique to this test."""
    return gcs_emulator.create_bucket(f"psml-test-{uuid.uuid4().hex[:16]}")
