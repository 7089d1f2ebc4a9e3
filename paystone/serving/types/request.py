"""The request body every prediction route accepts: the Vertex AI / KServe V1 contract."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field, GetJsonSchemaHandler, field_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from paystone.serving.schema import instance_limit

Instance = TypeVar("Instance")
Parameters = TypeVar("Parameters")


class Request(BaseModel, Generic[Instance, Parameters]):
    """`{"instances": [...], "parameters": {...}}`.

    `parameters` may be omitted: it then defaults to `Parameters()` (validated, so a `Parameters`
    model with a required field turns an omitted `parameters` into a 422 naming that field rather
    than a silent `None`). The `max_instances` cap of the `Instance` model is checked before any
    instance is validated, so an oversized request is refused without paying for its validation.
    """

    instances: list[Instance] = Field(
        min_length=1, description="The observations to predict, one prediction per instance, in order."
    )
    parameters: Parameters = Field(
        default_factory=dict,  # type: ignore[arg-type]  # validated into Parameters()
        validate_default=True,
        description="Options for the prediction routine; omitted means the defaults of every field.",
    )

    @field_validator("instances", mode="before")
    @classmethod
    def _enforce_max_instances(cls, value: Any) -> Any:
        limit = _limit_of(cls)
        if limit is not None and isinstance(value, list) and len(value) > limit:
            raise PydanticCustomError(
                "too_many_instances",
                "at most {limit} instances per request, got {count}",
                {"limit": limit, "count": len(value)},
            )
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        limit = _limit_of(cls)
        if limit is not None:
            target = handler.resolve_ref_schema(schema)
            target.get("properties", {}).get("instances", {})["maxItems"] = limit
        return schema


def _limit_of(cls: type[Request[Any, Any]]) -> int | None:
    """The `max_instances` of a parametrized request class (None for the bare generic)."""
    args = cls.__pydantic_generic_metadata__["args"]
    return instance_limit(args[0]) if args else None
