from __future__ import annotations

import pytest
from pydantic import BaseModel

from paystone.serving.schema import instance_limit, max_instances


def test_max_instances_marks_the_model() -> None:
    @max_instances(5)
    class Instance(BaseModel):
        x: int

    assert instance_limit(Instance) == 5


def test_an_unmarked_model_has_no_limit() -> None:
    class Instance(BaseModel):
        x: int

    assert instance_limit(Instance) is None


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "10"])
def test_max_instances_refuses_a_non_positive_or_non_integer_limit(bad: object) -> None:
    with pytest.raises(ValueError, match=repr(bad).replace("(", r"\(").replace(")", r"\)")):
        max_instances(bad)  # type: ignore[arg-type]


def test_max_instances_decorates_only_pydantic_models() -> None:
    with pytest.raises(TypeError, match="Pydantic model class"):
        max_instances(3)(dict)  # type: ignore[type-var]


def test_ab_testing_checks_the_sticky_field_against_the_experiments_instance() -> None:
    from typing import ClassVar

    import pytest
    from pydantic import BaseModel, ValidationError

    from paystone.serving.schema import ABTesting

    class Instance(BaseModel):
        customer_id: str

    class Split(ABTesting):
        instance_model: ClassVar[type[BaseModel] | None] = Instance

    assert Split(versions={"m0": 8, "m1": 2}, sticky_field="customer_id").versions == {"m0": 8.0, "m1": 2.0}
    with pytest.raises(ValidationError, match="'nope' is not an Instance field .*customer_id"):
        Split(sticky_field="nope")
    with pytest.raises(ValidationError, match="pattern"):
        Split(versions={"v1": 1})
    with pytest.raises(ValidationError, match="greater than 0"):
        Split(versions={"m0": 0})
    assert ABTesting().versions == {}
