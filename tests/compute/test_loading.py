from __future__ import annotations

import pytest

from experiments.toy.infrastructure.hardware import hardware
from paystone.compute.loading import HardwareNotFoundError, load_infrastructure


def test_loads_the_experiments_hardware() -> None:
    assert load_infrastructure("toy") is hardware


def test_missing_experiment_is_named() -> None:
    with pytest.raises(HardwareNotFoundError, match="experiments.nope.infrastructure.hardware"):
        load_infrastructure("nope")
