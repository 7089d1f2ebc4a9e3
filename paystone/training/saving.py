"""Saving a finished run: serialize each output, record the manifest, write both through storage."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from paystone.storage import runs
from paystone.storage.manifest import RunManifest, TaskRecord
from paystone.storage.roots import open_store
from paystone.storage.serialization import serialize
from paystone.training.results import TrainingTestResults

_GIT_TIMEOUT_SECONDS = 10


def _git(directory: Path, *arguments: str) -> str | None:
    try:
        completed = subprocess.run(
            ["git", "-C", str(directory), *arguments],
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.stdout.strip() if completed.returncode == 0 else None


def code_revision(directory: Path | None = None) -> str | None:
    """`git rev-parse HEAD` of the code's checkout, `-dirty` when it has uncommitted changes; None outside git.

    A dirty revision is still recorded (it narrows things down) but says it cannot be reproduced
    from the commit alone.
    """
    where = directory if directory is not None else Path.cwd()
    revision = _git(where, "rev-parse", "HEAD")
    if not revision:
        return None
    status = _git(where, "status", "--porcelain")
    return f"{revision}-dirty" if status else revision


def save_run(
    *,
    root: str | None,
    service: str,
    hyperparameters: BaseModel,
    overrides: Mapping[str, str],
    outputs: Mapping[str, Any],
    timings: Mapping[str, float],
    test_results: TrainingTestResults,
    source: str | None = None,
) -> str:
    """Write `<service>/runs/<run_id>/` (artifacts first, manifest last); print where; return the run id.

    `root` None means `$PSML_STORAGE_ROOT`, else `./artifacts` (resolved by `open_store`).
    """
    store = open_store(root)
    run_id = runs.new_run_id()
    artifacts = {task: serialize(output) for task, output in outputs.items()}
    manifest = RunManifest(
        service=service,
        run_id=run_id,
        hyperparameters=hyperparameters.model_dump(mode="json"),
        overrides=dict(overrides),
        code_revision=code_revision(Path(source).resolve().parent if source else None),
        tasks={
            task: TaskRecord.for_artifact(task, data, seconds=timings[task]) for task, data in artifacts.items()
        },
        test_results=test_results.model_dump(mode="json"),
    )
    runs.write_run(store, manifest, artifacts)
    location = store.describe(runs.run_prefix(service, run_id).rstrip("/"))
    print(f"Saved run {run_id} of '{service}' to {location}")
    return run_id
