"""Errors of the serving layer, and the JSON error bodies it answers with."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from starlette.responses import JSONResponse


class ServingDefinitionError(Exception):
    """A serving app cannot be built as declared (missing/extra handler, bad signature...)."""


class ArtifactReferenceError(ValueError):
    """An `Artifact(...)` name that is neither `TASK` nor `SERVICE.vMAJOR.mMINOR.TASK`."""


class ArtifactNotAvailableError(LookupError):
    """An artifact source has nothing under the requested reference."""


class VersionNotFoundError(LookupError):
    """A `v<major>.m<minor>` of a service was never promoted (no version record)."""


class ServingConfigError(ValueError):
    """Runtime configuration (environment variables) that cannot be used."""


class ErrorDetail(BaseModel):
    """One validation problem, located the way FastAPI locates it (`["body", "instances", 0, "x"]`)."""

    loc: list[str | int] = Field(description="Path to the value at fault, from the request part down.")
    msg: str = Field(description="What is wrong with that value.")
    type: str = Field(description="Machine-readable error type.")


class ErrorBody(BaseModel):
    """Every error answer of a serving app: a readable message plus machine-readable parts."""

    detail: str | list[ErrorDetail] = Field(
        description="A message, or one entry per invalid value for a 422."
    )
    message: str | None = Field(default=None, description="The whole error as one readable line.")
    instance: int | None = Field(
        default=None, description="Index of the instance whose prediction could not be sent."
    )
    field: str | None = Field(default=None, description="Field of that prediction at fault.")


def error_response(status_code: int, message: str, **extra: Any) -> JSONResponse:
    """A JSON error body; `extra` carries machine-readable context (instance index, field...)."""
    return JSONResponse({"detail": message, **extra}, status_code=status_code)
