"""What a caller sends to the housing service: one `Instance` per house, plus request `Parameters`.

The field names of `Instance` are also the model's input columns (training builds its frames with
the same names), so a house described in a request and a house in the training data cannot drift
apart. The bounds keep requests inside the region and period the model has seen: King County
sales from 2010 to 2016. Asking for anything else gets a 422 naming the field, rather than a
confident price extrapolated from nothing.
"""

from __future__ import annotations

import datetime

from pydantic import BaseModel, ConfigDict, Field

from paystone.serving.schema import max_instances

#: Instances accepted in one request; data tests send the hold-out set in chunks of this size.
MAX_INSTANCES = 1000

#: First and last sale dates in the training data: the model cannot price outside this period.
FIRST_SALE_DATE = datetime.date(2010, 1, 1)
LAST_SALE_DATE = datetime.date(2016, 12, 31)


@max_instances(MAX_INSTANCES)
class Instance(BaseModel):
    """One house to price, as described in King County's assessor records."""

    model_config = ConfigDict(extra="forbid")

    living_area_sqft: float = Field(
        gt=0, le=20_000, description="Finished living area in square feet (the assessor's total square footage)."
    )
    lot_area_sqft: float = Field(gt=0, le=1_000_000, description="Area of the lot in square feet.")
    bedrooms: int = Field(ge=0, le=20, description="Number of bedrooms (0 for a studio).")
    bathrooms: float = Field(
        ge=0,
        le=20,
        multiple_of=0.25,
        description="Number of bathrooms in quarters: a full bath counts 1, a three-quarter 0.75, a half 0.5.",
    )
    age_years: int = Field(ge=0, le=200, description="Years between construction and the sale date.")
    building_grade: int = Field(
        ge=1,
        le=13,
        description=(
            "King County building grade, 1 (cabin) to 13 (mansion): quality of construction and design; "
            "7 is average."
        ),
    )
    waterfront: bool = Field(default=False, description="Whether the lot is on the waterfront.")
    latitude: float = Field(
        ge=47.0, le=48.0, description="Latitude of the house (WGS 84); the model covers King County, WA."
    )
    longitude: float = Field(
        ge=-123.0, le=-121.0, description="Longitude of the house (WGS 84); the model covers King County, WA."
    )
    sale_date: datetime.date = Field(
        default=LAST_SALE_DATE,
        ge=FIRST_SALE_DATE,
        le=LAST_SALE_DATE,
        description=(
            "Date of the (hypothetical) sale, ISO 8601: prices moved a lot over the period the model knows "
            f"({FIRST_SALE_DATE} to {LAST_SALE_DATE}). Defaults to its last day."
        ),
    )


class Parameters(BaseModel):
    """Options applying to every instance of a request."""

    model_config = ConfigDict(extra="forbid")

    round_to: int = Field(
        default=1,
        ge=1,
        le=1_000_000,
        description="Round each price to the nearest multiple of this many dollars (1: whole dollars).",
    )


#: The model's input columns, in training order: the request schema is the feature schema.
FEATURES: tuple[str, ...] = tuple(Instance.model_fields)
