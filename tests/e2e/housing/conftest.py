"""Fixtures of housing's end-to-end tests: one quick run, trained through the real `psml`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.housing.runs import QUICK_HOUSING
from tests.e2e.processes import psml


@pytest.fixture(scope="session")
def housing_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local storage root holding one quick housing run, trained through `psml`."""
    root = tmp_path_factory.mktemp("artifacts")
    result = psml("experiments", "train", "housing", *QUICK_HOUSING, "--root", str(root))
    assert result.returncode == 0, result.stderr
    return root
