"""The routes of the sentiment service and how its unversioned route splits traffic between versions."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel

from experiments.sentiment.schema.request import Instance
from paystone.serving import schema


class Route(StrEnum):
    """Route names; each value is a keyword of ``create_serving_app`` in ``serve/app.py``."""

    sentiment = "sentiment"


class ABTesting(schema.ABTesting):
    """Split of ``/sentiment`` between promoted minor versions; ``sticky_field`` names an `Instance` field."""

    instance_model: ClassVar[type[BaseModel] | None] = Instance


#: The split in force: none, every request reaches the version being served.
#: For example ``ABTesting(versions={"m0": 8, "m1": 2})`` sends one request in five to m1.
AB_TESTING = ABTesting()
