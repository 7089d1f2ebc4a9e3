"""`Artifact(name)`: the FastAPI dependency that hands a preloaded artifact to a handler."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request

from paystone.serving.artifacts import ArtifactReference


class Artifact:
    """`Depends(Artifact("build_model"))` or `Depends(Artifact("housing.v1.m0.build_model"))`.

    The name is parsed here, at import of the serving module, so a typo fails before any worker
    starts. The object itself is loaded once per process by the app (see `paystone.serving.app`);
    this dependency only looks it up, and is `async` so FastAPI does not send the lookup through
    its threadpool.
    """

    __slots__ = ("reference", "_hash")

    def __init__(self, name: str) -> None:
        self.reference = ArtifactReference.parse(name)
        self._hash = hash((Artifact, self.reference))

    async def __call__(self, request: Request) -> Any:
        try:
            return request.app.state.psml_loader.objects[self.reference]
        except (KeyError, AttributeError):
            raise HTTPException(503, _unavailable(request, self.reference)) from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Artifact) and other.reference == self.reference

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"Artifact({str(self.reference)!r})"


def _unavailable(request: Request, reference: ArtifactReference) -> str:
    loader = getattr(request.app.state, "psml_loader", None)
    if loader is None:
        return f"artifact {str(reference)!r} is unavailable: this app was not built by paystone.serving"
    return f"artifact {str(reference)!r} is not loaded: {loader.reason()}"
