"""What the sentiment service returns: one `Prediction` per requested text, in request order."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Label(StrEnum):
    """The two classes the model knows. Neutral text is answered with the likelier of the two."""

    negative = "negative"
    positive = "positive"


class Prediction(BaseModel):
    """The label of one text and how sure the model is of it.

    ``probability`` carries no bound on purpose: the handler refuses probabilities outside [0, 1]
    itself and the platform refuses NaN, each with a 5xx naming the instance. A bound here would
    turn those into an anonymous validation error inside the handler instead.
    """

    model_config = ConfigDict(extra="forbid")

    label: Label = Field(description="'positive' when the positive probability reaches the request's threshold.")
    probability: float = Field(
        description=(
            "Probability of the returned label, between 0 and 1. With the default threshold (0.5) it is at "
            "least 0.5; with another threshold a label can come with a lower probability."
        )
    )
    positive_probability: float = Field(
        description="Probability that the text is positive, whatever the label: what rankings and log loss use."
    )
