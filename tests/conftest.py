"""Fixtures shared by every test area, and the toy experiment the platform tests run against."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

#: Holds ``experiments/toy``, the platform tests' experiment package (tests/fixtures/README.md).
# Not resolve(): under Bazel the file is a symlink into the source tree, and the fixture must come
# from the runfiles like every other input.
FIXTURES = Path(__file__).absolute().parent / "fixtures"


def _add_fixture_experiments() -> None:
    """Make ``experiments.toy`` importable here and in every child process (psml, Gunicorn).

    Done at import, before any test module imports ``experiments``: ``experiments/__init__.py``
    extends itself over the ``experiments/`` folders on ``sys.path`` when first imported; a
    package imported earlier (by a plugin) gets the folder appended directly.
    """
    folder = str(FIXTURES)
    if folder not in sys.path:
        sys.path.append(folder)
    paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if folder not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([*filter(None, paths), folder])
    if "experiments" in sys.modules:
        package_path = sys.modules["experiments"].__path__
        if str(FIXTURES / "experiments") not in package_path:
            package_path.append(str(FIXTURES / "experiments"))


_add_fixture_experiments()

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
