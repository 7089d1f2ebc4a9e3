from __future__ import annotations

from enum import StrEnum

import pytest
from pydantic import BaseModel, Field

from paystone.versions.fingerprint import (
    SchemaFingerprintError,
    canonical_json,
    fingerprint_schema,
    schema_document,
    service_schema_fingerprint,
)


class Instance(BaseModel):
    size: float = Field(gt=0, description="Size in square feet.")
    rooms: int = Field(default=1, description="Rooms.")


class Parameters(BaseModel):
    round_to: int = Field(default=1, description="Rounding.")


class Prediction(BaseModel):
    price: float = Field(description="Price.")


class Route(StrEnum):
    price = "price"


def base() -> str:
    return fingerprint_schema(Instance, Parameters, Prediction, Route)


def test_fingerprint_is_stable_and_ignores_route_order() -> None:
    assert base() == fingerprint_schema(Instance, Parameters, Prediction, ["price"])
    assert fingerprint_schema(Instance, Parameters, Prediction, ["a", "b"]) == fingerprint_schema(
        Instance, Parameters, Prediction, ["b", "a"]
    )
    assert len(base()) == 64


def test_rewording_documentation_keeps_the_fingerprint() -> None:
    class Instance(BaseModel):  # noqa: D106 - same contract, different words
        """A house."""

        size: float = Field(gt=0, description="Finished area, sq ft.", title="Area")
        rooms: int = Field(default=1, description="Number of rooms.")

    assert fingerprint_schema(Instance, Parameters, Prediction, Route) == base()


def test_a_field_named_description_is_part_of_the_contract() -> None:
    class WithDescription(BaseModel):
        size: float = Field(gt=0)
        rooms: int = Field(default=1)
        description: str = Field(default="", description="Free text.")

    document = schema_document(WithDescription, Parameters, Prediction, Route)
    assert "description" in document["instance"]["properties"]
    assert fingerprint_schema(WithDescription, Parameters, Prediction, Route) != base()


class NewField(BaseModel):
    size: float = Field(gt=0)
    rooms: int = Field(default=1)
    garage: bool = Field(default=False)


class NewBound(BaseModel):
    size: float = Field(gt=10)
    rooms: int = Field(default=1)


class NewDefault(BaseModel):
    size: float = Field(gt=0)
    rooms: int = Field(default=2)


class IntPrice(BaseModel):
    price: int


class CurrencyParameters(BaseModel):
    round_to: int = 1
    currency: str = "USD"


@pytest.mark.parametrize(
    "changed",
    [
        (NewField, Parameters, Prediction, Route),
        (NewBound, Parameters, Prediction, Route),
        (NewDefault, Parameters, Prediction, Route),
        (Instance, CurrencyParameters, Prediction, Route),
        (Instance, Parameters, IntPrice, Route),
        (Instance, Parameters, Prediction, ["price", "explain"]),
    ],
    ids=["instance field", "instance bound", "instance default", "parameters", "prediction type", "routes"],
)
def test_every_contract_change_changes_the_fingerprint(changed: tuple) -> None:
    assert fingerprint_schema(*changed) != base()


def test_canonical_json_sorts_keys_without_whitespace() -> None:
    assert canonical_json({"b": 1, "a": [1, {"d": 2, "c": 3}]}) == '{"a":[1,{"c":3,"d":2}],"b":1}'


def test_a_services_fingerprint_comes_from_its_schema_package() -> None:
    from experiments.toy.schema.request import Instance, Parameters
    from experiments.toy.schema.response import Prediction
    from experiments.toy.schema.service import Route

    assert service_schema_fingerprint("toy") == fingerprint_schema(Instance, Parameters, Prediction, Route)


def test_missing_schema_module_is_named() -> None:
    with pytest.raises(SchemaFingerprintError, match=r"experiments\.nosuchservice\.schema\.service"):
        service_schema_fingerprint("nosuchservice")


def test_no_routes_is_refused() -> None:
    with pytest.raises(SchemaFingerprintError, match="at least one route"):
        fingerprint_schema(Instance, Parameters, Prediction, [])
