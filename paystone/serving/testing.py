"""`MLServingTestClient`: call a serving app in-process with artifacts given as objects."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI

with warnings.catch_warnings():
    # Starlette 1.10 suggests the httpx2 fork for its test client; httpx is the client our tests
    # and callers use, and the deprecation changes nothing for an in-process client.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

from paystone.serving.artifacts import InMemoryArtifacts
from paystone.serving.loading import ArtifactLoader

DEFAULT_LOAD_TIMEOUT = 60.0


class MLServingTestClient(TestClient):
    """A Starlette test client whose app loads `artifacts` instead of touching storage.

    Use it as a context manager: entering runs the app's lifespan (so artifacts are loaded exactly
    as in production, through the same `Artifact` dependencies) and waits until the app is ready;
    leaving restores the app as it was (loaded artifacts, artifact source, FastAPI's
    `dependency_overrides`), so one test's mocks never leak into the next.
    """

    def __init__(
        self,
        app: FastAPI,
        artifacts: Mapping[str, Any],
        *,
        load_timeout: float = DEFAULT_LOAD_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        loader = getattr(app.state, "psml_loader", None)
        if not isinstance(loader, ArtifactLoader):
            raise TypeError(f"MLServingTestClient needs an app built by paystone.serving, got {app!r}")
        super().__init__(app, **kwargs)
        self.serving_app = app
        self._loader = loader
        self._source = InMemoryArtifacts(artifacts)
        self._load_timeout = load_timeout
        self._entered = False
        self._saved_overrides: dict[Any, Any] = {}

    def __enter__(self) -> MLServingTestClient:
        if self._loader.override is not None:
            raise RuntimeError("this app is already in use by another MLServingTestClient; close that one first")
        missing = [str(ref) for ref in self._loader.references if _missing(self._source, ref)]
        if missing:
            raise KeyError(
                f"the app needs artifacts {missing} that were not given "
                f"(given: {self._source!r}; needed: {[str(ref) for ref in self._loader.references]})"
            )
        self._saved_overrides = dict(self.serving_app.dependency_overrides)
        self._loader.override = self._source
        try:
            super().__enter__()
            if not self._loader.wait(self._load_timeout):
                raise TimeoutError(f"artifacts not loaded within {self._load_timeout}s: {self._loader.reason()}")
            if self._loader.error is not None:
                raise RuntimeError(self._loader.error)
        except BaseException:
            self._restore()
            raise
        self._entered = True
        return self

    def __exit__(self, *exc_info: Any) -> None:
        try:
            super().__exit__(*exc_info)
        finally:
            self._restore()

    def _restore(self) -> None:
        self._loader.join(self._load_timeout)
        self._loader.reset()
        self._loader.override = None
        self.serving_app.dependency_overrides.clear()
        self.serving_app.dependency_overrides.update(self._saved_overrides)
        self._entered = False

    def request(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if not self._entered:
            raise RuntimeError(
                "MLServingTestClient is not started: use `with MLServingTestClient(app, artifacts) as client:`"
            )
        return super().request(*args, **kwargs)


def _missing(source: InMemoryArtifacts, ref: Any) -> bool:
    try:
        source.load(ref)
    except LookupError:
        return True
    return False
