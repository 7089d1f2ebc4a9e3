"""Tests of paystone.training.overrides."""

from __future__ import annotations

import pytest

from paystone.training.errors import OverrideError
from paystone.training.overrides import parse_override, reference_of, resolve_function

NOT_A_FUNCTION = 3


def sample() -> int:
    return 1


def test_resolves_module_colon_function() -> None:
    assert resolve_function(f"{__name__}:sample", task="load") is sample


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("os.path.join", r"override for task 'load' is 'os\.path\.join'; expected 'module:function'"),
        ("no_such_module_xyz:f", r"override for task 'load': cannot import 'no_such_module_xyz:f'"),
        (f"{__name__}:missing", r"cannot import .*:missing"),
        (f"{__name__}:NOT_A_FUNCTION", r"is a int, expected a function"),
    ],
)
def test_bad_references_are_named(reference: str, message: str) -> None:
    with pytest.raises(OverrideError, match=message):
        resolve_function(reference, task="load")


def test_reference_of_a_function_round_trips() -> None:
    assert resolve_function(reference_of(sample), task="load") is sample


def test_parse_override() -> None:
    assert parse_override("load = pkg.mod:fn") == ("load", "pkg.mod:fn")
    with pytest.raises(OverrideError, match="expected TASK=module:function"):
        parse_override("pkg.mod:fn")
