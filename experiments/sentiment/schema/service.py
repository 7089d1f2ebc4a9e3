"""The routes of the sentiment service and how its unversioned route splits traffic between versions."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from experiments.sentiment.schema.request import Instance

MinorVersion = Annotated[str, Field(pattern=r"^m(0|[1-9][0-9]*)$", description="A minor version: 'm0', 'm1', ...")]
Weight = Annotated[float, Field(gt=0, allow_inf_nan=False, description="Relative share of the traffic.")]


class Route(StrEnum):
    """Route names; each value is a keyword of ``create_serving_app`` in ``serve/app.py``."""

    sentiment = "sentiment"


class ABTesting(BaseModel):
    """Split of the unversioned route's traffic between promoted minor versions of one major version.

    Empty ``versions`` (the default) means no split: every request goes to the latest promoted
    minor version. Versioned paths (``/sentiment/v1/m0/sentiment``) always reach their version
    whatever this says.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

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
            "Name of an `Instance` field whose value pins a caller to one version, so the same text "
            "gets the same answer on every request. None: each request is assigned at random by weight."
        ),
    )

    @model_validator(mode="after")
    def _check_sticky_field(self) -> ABTesting:
        if self.sticky_field is not None and self.sticky_field not in Instance.model_fields:
            known = ", ".join(Instance.model_fields)
            raise ValueError(f"sticky_field {self.sticky_field!r} is not an Instance field (fields: {known})")
        return self


#: The split in force: none, every request reaches the latest promoted minor version.
AB_TESTING = ABTesting()
