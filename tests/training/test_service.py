"""Tests of paystone.training.service."""

from __future__ import annotations

import sys
import types

import pytest

from paystone.training.service import CallerModule, main_module_is_train_main, service_of


@pytest.mark.parametrize(
    ("module", "service"),
    [
        (CallerModule("experiments.housing.train.main", None), "housing"),
        (CallerModule("__main__", "/repo/experiments/sentiment/train/main.py"), "sentiment"),
        (CallerModule("tests.whatever", "/repo/tests/whatever.py"), None),
        (CallerModule("experiments", None), None),
    ],
)
def test_service_of(module: CallerModule, service: str | None) -> None:
    assert service_of(module) == service


def test_main_module_detection(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("__main__")
    fake.__spec__ = types.SimpleNamespace(name="experiments.housing.train.main")  # type: ignore[assignment]
    monkeypatch.setitem(sys.modules, "__main__", fake)
    assert main_module_is_train_main("housing")
    assert not main_module_is_train_main("sentiment")
    script = types.ModuleType("__main__")
    script.__spec__ = None
    script.__file__ = "/x/experiments/sentiment/train/main.py"
    monkeypatch.setitem(sys.modules, "__main__", script)
    assert main_module_is_train_main("sentiment")
