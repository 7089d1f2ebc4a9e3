from __future__ import annotations

import threading
from typing import Any

from paystone.serving.artifacts import ArtifactReference, InMemoryArtifacts
from paystone.serving.loading import ArtifactLoader

REFS = (ArtifactReference("a"), ArtifactReference("b"))


def test_objects_are_published_only_when_all_are_loaded() -> None:
    gate = threading.Event()
    seen: list[dict[ArtifactReference, Any]] = []

    class Source:
        def load(self, ref: ArtifactReference) -> Any:
            if ref.task == "b":
                seen.append(dict(loader.objects))
                gate.wait(10)
            return ref.task.upper()

    loader = ArtifactLoader(REFS, Source)
    loader.start()
    while not seen:
        threading.Event().wait(0.001)
    assert not loader.ready and "1 of 2 loaded" in loader.reason()
    gate.set()
    assert loader.wait(10) and loader.ready
    assert seen == [{}]
    assert loader.objects == {REFS[0]: "A", REFS[1]: "B"}


def test_an_app_without_artifacts_is_ready_at_once_without_its_source() -> None:
    def no_source() -> Any:
        raise AssertionError("must not be opened")

    loader = ArtifactLoader((), no_source)
    loader.start()
    assert loader.ready


def test_the_override_wins_over_the_configured_source_and_errors_name_the_artifact() -> None:
    loader = ArtifactLoader(REFS, lambda: InMemoryArtifacts({"a": 1, "b": 2}))
    loader.override = InMemoryArtifacts({"a": 10})
    loader.start()
    assert loader.wait(10)
    assert not loader.ready
    assert loader.reason().startswith("loading artifact 'b' failed from InMemoryArtifacts(['a'])")
    loader.override = None
    loader.start()
    assert loader.wait(10) and loader.objects == {REFS[0]: 1, REFS[1]: 2}
