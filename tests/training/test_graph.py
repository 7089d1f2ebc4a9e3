"""Tests of paystone.training.graph."""

from __future__ import annotations

import pytest

from paystone.training.errors import TaskDefinitionError
from paystone.training.graph import topological_order


def test_insertion_order_breaks_ties() -> None:
    # c and b are both ready after a; b was inserted first. d depends on c only.
    graph = {"a": [], "z_late": [], "b": ["a"], "c": ["a"], "d": ["c"]}
    assert topological_order(graph) == ["a", "z_late", "b", "c", "d"]


def test_dependencies_come_first_even_when_inserted_later() -> None:
    assert topological_order({"x": ["y"], "y": []}) == ["y", "x"]


def test_cycle_is_reported_with_its_tasks() -> None:
    with pytest.raises(TaskDefinitionError, match=r"cycle: .*a.*b|cycle: .*b.*a"):
        topological_order({"a": ["b"], "b": ["a"], "c": []})


def test_unknown_dependency_is_named() -> None:
    with pytest.raises(TaskDefinitionError, match="task 'a' depends on unknown task 'ghost'"):
        topological_order({"a": ["ghost"]})
