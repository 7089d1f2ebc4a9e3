"""Tests of paystone.training.signatures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from pydantic import BaseModel

from paystone.training.errors import TaskDefinitionError
from paystone.training.signatures import Inbound, check_signature, is_assignable


class Params(BaseModel):
    alpha: float = 1.0


class Base:
    pass


class Derived(Base):
    pass


@pytest.mark.parametrize(
    ("provided", "expected", "ok"),
    [
        (int, int, True),
        (Derived, Base, True),
        (Base, Derived, False),
        (int, Any, True),
        (Any, str, True),
        (int, int | None, True),
        (int | str, int, False),
        (list[int], Sequence[int], True),
        (list[int], list[str], False),
        (list[int], list, True),
        (list, list[int], True),
        (dict[str, int], dict[str, int], True),
        (str, int, False),
        (int, float, True),
        (float, int, False),
    ],
)
def test_is_assignable(provided: object, expected: object, ok: bool) -> None:
    assert is_assignable(provided, expected) is ok


def check(function: Any, *inbound: Inbound) -> Any:
    return check_signature(function, label="task 't'", inbound=list(inbound), hyperparameter_model=Params)


def test_hyperparameter_keyword_is_recognised() -> None:
    def t(x: int, *, params: Params, verbose: bool = False) -> int:
        return x

    signature = check(t, Inbound("load", int))
    assert signature.returns is int
    assert signature.hyperparameter_parameters == ("params",)


def test_none_return_annotation_counts_as_present() -> None:
    def t() -> None:
        return None

    assert check(t).returns is type(None)


def test_unresolvable_annotation_is_named() -> None:
    def t() -> "NoSuchType":  # type: ignore[name-defined]  # noqa: F821
        return None

    with pytest.raises(TaskDefinitionError, match=r"task 't': its annotations cannot be resolved \(NameError"):
        check(t)
