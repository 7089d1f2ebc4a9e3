from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, ValidationError

from paystone.serving.schema import max_instances
from paystone.serving.types.request import Request


class Instance(BaseModel):
    x: float = Field(description="A feature.")


@max_instances(2)
class CappedInstance(BaseModel):
    x: float = Field(description="A feature.")


class Parameters(BaseModel):
    scale: float = Field(default=1.0, description="Multiplier.")


class RequiredParameters(BaseModel):
    threshold: float = Field(description="No default.")


def test_parameters_default_to_a_fresh_parameters_instance() -> None:
    first = Request[Instance, Parameters].model_validate({"instances": [{"x": 1}]})
    second = Request[Instance, Parameters].model_validate({"instances": [{"x": 2}]})
    assert first.parameters == Parameters()
    assert first.parameters is not second.parameters


def test_omitted_parameters_with_a_required_field_name_that_field() -> None:
    with pytest.raises(ValidationError) as caught:
        Request[Instance, RequiredParameters].model_validate({"instances": [{"x": 1}]})
    assert [error["loc"] for error in caught.value.errors()] == [("parameters", "threshold")]


def test_at_least_one_instance() -> None:
    with pytest.raises(ValidationError) as caught:
        Request[Instance, Parameters].model_validate({"instances": []})
    assert caught.value.errors()[0]["loc"] == ("instances",)


def test_max_instances_names_the_limit_and_the_count() -> None:
    Request[CappedInstance, Parameters].model_validate({"instances": [{"x": 1}, {"x": 2}]})
    with pytest.raises(ValidationError) as caught:
        Request[CappedInstance, Parameters].model_validate({"instances": [{"x": 1}] * 3})
    (error,) = caught.value.errors()
    assert error["type"] == "too_many_instances"
    assert error["msg"] == "at most 2 instances per request, got 3"


def test_max_instances_is_checked_before_instances_are_validated() -> None:
    with pytest.raises(ValidationError) as caught:
        Request[CappedInstance, Parameters].model_validate({"instances": ["not an instance"] * 3})
    assert [error["type"] for error in caught.value.errors()] == ["too_many_instances"]


def test_json_schema_carries_the_cap_and_the_minimum() -> None:
    schema = Request[CappedInstance, Parameters].model_json_schema()
    instances = schema["properties"]["instances"]
    assert instances["maxItems"] == 2
    assert instances["minItems"] == 1
    assert "maxItems" not in Request[Instance, Parameters].model_json_schema()["properties"]["instances"]
    assert schema["required"] == ["instances"]
