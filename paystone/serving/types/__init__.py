"""Request and response bodies of the serving contract."""

from paystone.serving.types.request import Request
from paystone.serving.types.response import Response

__all__ = ["Request", "Response"]
