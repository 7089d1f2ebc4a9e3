"""What the housing service returns: one `Prediction` per requested instance, in request order."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Prediction(BaseModel):
    """The estimated sale price of one house.

    ``price`` carries no bound on purpose: the handler refuses non-positive prices itself and the
    platform refuses NaN and infinity, each with a 5xx naming the instance. A bound here would turn
    those into an anonymous validation error inside the handler instead.
    """

    model_config = ConfigDict(extra="forbid")

    price: float = Field(
        description="Estimated sale price in US dollars, rounded as the request's `round_to` parameter asks."
    )
