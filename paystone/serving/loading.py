"""Loading every artifact of an app once per process, off the event loop.

Loading runs in a background thread started by the app's lifespan, so `/healthz` answers while a
large model loads and `/readyz` can say what it is waiting for. Loaded objects are published in
one assignment, so a request sees either none or all of them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from paystone.serving.artifacts import ArtifactReference, ArtifactSource

logger = logging.getLogger(__name__)


class ArtifactLoader:
    """The artifacts an app needs, where they come from, and whether they are there yet."""

    def __init__(
        self,
        references: tuple[ArtifactReference, ...],
        source_factory: Callable[[], ArtifactSource],
    ) -> None:
        self.references = references
        self._source_factory = source_factory
        self.override: ArtifactSource | None = None  # the test client's seam
        self.objects: dict[ArtifactReference, Any] = {}
        self.error: str | None = None
        self._loaded_count = 0
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def ready(self) -> bool:
        return self._done.is_set() and self.error is None

    def reason(self) -> str:
        if self.error is not None:
            return self.error
        if self._thread is None and not self._done.is_set():
            return "artifacts not loaded: the app has not started (its lifespan did not run)"
        if not self._done.is_set():
            names = [str(ref) for ref in self.references]
            return f"loading artifacts: {self._loaded_count} of {len(names)} loaded ({', '.join(names)})"
        return "ready"

    def start(self) -> None:
        """Begin (re)loading; a no-op wait for an app without artifacts."""
        self.join()
        self.reset()
        if not self.references:
            self._done.set()
            return
        self._thread = threading.Thread(target=self._load, name="psml-artifact-loader", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def reset(self) -> None:
        self.objects = {}
        self.error = None
        self._loaded_count = 0
        self._done.clear()
        self._thread = None

    def _load(self) -> None:
        current: ArtifactReference | None = None
        source: ArtifactSource | None = None
        try:
            source = self.override if self.override is not None else self._source_factory()
            loaded: dict[ArtifactReference, Any] = {}
            for current in self.references:
                start = time.perf_counter()
                loaded[current] = source.load(current)
                self._loaded_count += 1
                logger.info("loaded artifact %s in %.2fs", current, time.perf_counter() - start)
            self.objects = loaded
        except Exception as exc:  # any failure must reach /readyz, not kill the worker silently
            what = f"artifact {str(current)!r}" if current is not None else "the artifact source"
            self.error = f"loading {what} failed{f' from {source!r}' if source else ''}: {type(exc).__name__}: {exc}"
            logger.exception("%s", self.error)
        finally:
            self._done.set()
