"""Schema helpers that experiments apply to their own `Instance` models."""

from __future__ import annotations

from typing import Annotated, Any, Callable, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

ModelT = TypeVar("ModelT", bound=type[BaseModel])

MAX_INSTANCES_ATTRIBUTE = "__psml_max_instances__"


def max_instances(n: int) -> Callable[[ModelT], ModelT]:
    """Cap the number of instances one request may carry.

    The cap lives on the `Instance` model (not on a route) so that every route and every client
    that builds a `Request[Instance, ...]` agrees on it; `Request` reads it when validating.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"max_instances needs a positive integer, got {n!r}")

    def decorate(model: ModelT) -> ModelT:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise TypeError(f"max_instances decorates a Pydantic model class, got {model!r}")
        setattr(model, MAX_INSTANCES_ATTRIBUTE, n)
        return model

    return decorate


def instance_limit(instance_type: Any) -> int | None:
    """The cap set by `max_instances` on an `Instance` type, or None when uncapped."""
    limit = getattr(instance_type, MAX_INSTANCES_ATTRIBUTE, None)
    return limit if isinstance(limit, int) else None


MinorVersion = Annotated[str, Field(pattern=r"^m(0|[1-9][0-9]*)$", description="A minor version: 'm0', 'm1', ...")]
Weight = Annotated[float, Field(gt=0, allow_inf_nan=False, description="Relative share of the traffic.")]


class ABTesting(BaseModel):
    """Split of the unversioned route's traffic between promoted minor versions of one major version.

    An experiment's `schema/service.py` subclasses it, naming its `Instance` model in
    `instance_model` so that `sticky_field` is checked against the real fields, and sets
    `AB_TESTING = ABTesting(...)`. Empty `versions` (the default) means no split: every request
    goes to the version being served. Versioned paths (`/<service>/v1/m0/<route>`) always reach
    their own version whatever this says.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    instance_model: ClassVar[type[BaseModel] | None] = None

    versions: dict[MinorVersion, Weight] = Field(
        default_factory=dict,
        description=(
            "Minor version (e.g. 'm0', 'm1') -> relative weight of the traffic it receives. "
            "Weights are relative, so {'m0': 9, 'm1': 1} sends one request in ten to m1. Empty: no split."
        ),
    )
    sticky_field: str | None = Field(
        default=None,
        description=(
            "Name of an `Instance` field whose value pins a caller to one version, so the same instance "
            "gets the same answer on every request. None: each request is assigned at random by weight."
        ),
    )

    @model_validator(mode="after")
    def _check_sticky_field(self) -> ABTesting:
        fields = self.instance_model.model_fields if self.instance_model is not None else None
        if self.sticky_field is not None and fields is not None and self.sticky_field not in fields:
            raise ValueError(f"sticky_field {self.sticky_field!r} is not an Instance field (fields: {', '.join(fields)})")
        return self
