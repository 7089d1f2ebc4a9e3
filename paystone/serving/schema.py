"""Schema helpers that experiments apply to their own `Instance` models."""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from pydantic import BaseModel

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
