"""Turning a handler's predictions into the response body, refusing what JSON cannot carry.

The fast path is two Rust-side calls: validating the list (an `isinstance` per item when the
handler built `Prediction` objects) and `dump_json`. Pydantic writes a non-finite float as `null`
(or as `NaN`/`Infinity` under a model's `ser_json_inf_nan="constants"`), so a body that contains
none of those tokens cannot hold one; only a body that does is searched, in Python, for the
instance and field at fault.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.responses import Response as HTTPResponse

from paystone.serving.errors import error_response
from paystone.serving.types.response import Response

_SUSPECT_TOKENS = (b"null", b"NaN", b"Infinity")


class PredictionEncoder:
    """Checks the count and content of one route's predictions and encodes the body."""

    def __init__(self, route: str, prediction_type: Any, version: str) -> None:
        self.route = route
        self.version = version
        self._items = TypeAdapter(list[prediction_type])  # type: ignore[valid-type]
        self._suffix = self._version_suffix(version)

    @staticmethod
    def _version_suffix(version: str) -> bytes:
        return b',"version":' + json.dumps(version, ensure_ascii=False).encode("utf-8") + b"}"

    def encode(self, result: Any, n_instances: int) -> HTTPResponse:
        if isinstance(result, HTTPResponse):
            return result
        suffix = self._suffix
        if isinstance(result, Response):
            predictions: Any = result.predictions
            if result.version != self.version:
                suffix = self._version_suffix(result.version)
        elif isinstance(result, Sequence) and not isinstance(result, (str, bytes, BaseModel)):
            predictions = result
        else:
            return error_response(
                500,
                f"handler of route {self.route!r} returned {type(result).__name__}, "
                "expected a list of predictions, one per instance",
            )
        if len(predictions) != n_instances:
            return error_response(
                500,
                f"handler of route {self.route!r} returned {len(predictions)} predictions "
                f"for {n_instances} instances",
                predictions=len(predictions),
                instances=n_instances,
            )
        try:
            checked = self._items.validate_python(predictions)
        except ValidationError as exc:
            return self._invalid(exc)
        body = self._items.dump_json(checked)
        if any(token in body for token in _SUSPECT_TOKENS):
            problem = self._non_finite(checked)
            if problem is not None:
                return problem
        return HTTPResponse(b'{"predictions":' + body + suffix, media_type="application/json")

    def _invalid(self, exc: ValidationError) -> HTTPResponse:
        first = exc.errors(include_url=False, include_input=False)[0]
        index, *path = first["loc"]
        field = ".".join(str(part) for part in path) or None
        where = f", field {field!r}" if field else ""
        return error_response(
            500,
            f"handler of route {self.route!r} returned an invalid prediction for instance {index}{where}: {first['msg']}",
            instance=index,
            field=field,
        )

    def _non_finite(self, checked: list[Any]) -> HTTPResponse | None:
        for index, item in enumerate(self._items.dump_python(checked, mode="python")):
            path = _first_non_finite(item)
            if path is not None:
                field = ".".join(str(part) for part in path) or None
                where = f", field {field!r}" if field else ""
                return error_response(
                    500,
                    f"handler of route {self.route!r} returned a non-finite number ({_at(item, path)}) for "
                    f"instance {index}{where}; JSON cannot carry NaN or infinity",
                    instance=index,
                    field=field,
                )
        return None


def _first_non_finite(value: Any, path: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
    if isinstance(value, float):
        return None if math.isfinite(value) else path
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _first_non_finite(item, (*path, key))
        if found is not None:
            return found
    return None


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value
