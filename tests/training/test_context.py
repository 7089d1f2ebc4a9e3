"""Tests of paystone.training.context."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from paystone.training.context import NoActiveRunError, RunContext, active_run, current_run


class Params(BaseModel):
    alpha: float = 1.0


def test_current_run_outside_a_run_is_a_clear_error() -> None:
    with pytest.raises(NoActiveRunError, match=r"outside Experiment\.run\(\)"):
        current_run()


def test_active_run_sets_and_restores_nested_contexts() -> None:
    outer = RunContext("outer", Params(), {})
    inner = RunContext("inner", Params(alpha=2.0), {"load": 1})
    with active_run(outer):
        with active_run(inner):
            assert current_run() is inner
        assert current_run() is outer
    with pytest.raises(NoActiveRunError):
        current_run()
