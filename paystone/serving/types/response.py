"""The response body of every prediction route."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

Prediction = TypeVar("Prediction")


class Response(BaseModel, Generic[Prediction]):
    """`{"predictions": [...], "version": "v1.m0"}`: one prediction per instance, in request order.

    `version` tells the caller which promoted version answered (A/B splits make that a real
    question on the unversioned route).
    """

    predictions: list[Prediction] = Field(
        description="One prediction per instance of the request, in the same order."
    )
    version: str = Field(description="The service version that answered, as v<major>.m<minor>.")
