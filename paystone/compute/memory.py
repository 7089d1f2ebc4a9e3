"""Worker memory: every Gunicorn worker holds its own copy of every artifact.

A run's artifact memory is *measured*: the artifacts are deserialized in a fresh Python
subprocess and its resident set size (from `/proc/self/statm`) is read before and after. The
file size is a poor guide (a compressed or memory-mapped format can be far smaller or larger once
loaded), and a fresh process keeps this process's own allocations out of the number. Modules the
loading imports (numpy, scikit-learn) count too: each worker pays for them.

`check_worker_memory` then compares workers x (artifacts + a per-worker baseline) plus what the
OS and container runtime keep with the serving VM's memory.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from paystone.compute.types.infrastructure import ServingGroup

MIB = 1024**2
GIB = 1024**3
DEFAULT_LOADER = "paystone.storage.serialization:deserialize"
# Python, FastAPI, Uvicorn and the app's imports in one worker, before any artifact.
DEFAULT_WORKER_BASELINE_BYTES = 150 * MIB
# Container-Optimized OS, the container runtime and the Gunicorn arbiter.
DEFAULT_SYSTEM_RESERVED_BYTES = 768 * MIB

_MEASURE = r"""
import gc, importlib, json, os, sys

PAGE = os.sysconf("SC_PAGE_SIZE")

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE

module, _, function = sys.argv[1].partition(":")
load = getattr(importlib.import_module(module), function)
kept, per_artifact = [], {}
gc.collect()
baseline = previous = rss()
for item in sys.argv[2:]:
    name, _, path = item.partition("=")
    with open(path, "rb") as f:
        data = f.read()
    kept.append(load(data))
    del data
    gc.collect()
    now = rss()
    per_artifact[name] = now - previous
    previous = now
print(json.dumps({"baseline": baseline, "total": previous - baseline, "per_artifact": per_artifact}))
"""


class MemoryMeasurementError(RuntimeError):
    """Deserializing the artifacts in the measuring subprocess failed."""


class WorkerMemoryError(RuntimeError):
    """Deploying would put more worker memory on each VM than it has."""


class ArtifactMemory(BaseModel):
    """Resident memory one worker gains by loading a run's artifacts."""

    total_bytes: int = Field(description="Resident memory added by loading every artifact, in bytes.")
    per_artifact: dict[str, int] = Field(description="Resident memory added by each artifact, in load order.")
    interpreter_bytes: int = Field(description="Resident memory of the bare measuring interpreter, for reference.")


def measure_artifact_memory(
    artifacts: Mapping[str, bytes], *, loader: str = DEFAULT_LOADER, timeout: float = 600.0
) -> ArtifactMemory:
    """Deserialize `artifacts` (name -> serialized bytes) with `loader` ("module:function") in a
    fresh interpreter and measure the resident memory they add once loaded."""
    with tempfile.TemporaryDirectory(prefix="psml-memory-") as folder:
        arguments = []
        for index, (name, data) in enumerate(artifacts.items()):
            path = Path(folder) / f"{index}.artifact"
            path.write_bytes(data)
            arguments.append(f"{name}={path}")
        completed = subprocess.run(
            [sys.executable, "-c", _MEASURE, loader, *arguments],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    if completed.returncode != 0:
        raise MemoryMeasurementError(
            f"loading artifacts {', '.join(artifacts)} with {loader} failed: {completed.stderr.strip()[-2000:]}"
        )
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    return ArtifactMemory(
        total_bytes=max(0, report["total"]),
        per_artifact={name: max(0, size) for name, size in report["per_artifact"].items()},
        interpreter_bytes=report["baseline"],
    )


def measure_run_memory(root: str | Path, service: str, run_id: str) -> ArtifactMemory:
    """Measure the artifacts of a saved training run as one serving worker would load them."""
    from paystone.storage.roots import open_store  # the storage layer, imported only when used
    from paystone.storage.runs import read_artifact_bytes, read_manifest

    store = open_store(root)
    manifest = read_manifest(store, service, run_id)
    artifacts = {task: read_artifact_bytes(store, service, run_id, task) for task in manifest.tasks}
    return measure_artifact_memory(artifacts)


class MemoryVerdict(BaseModel):
    """Whether the serving group's workers fit in its VMs' memory, with the numbers."""

    status: Literal["ok", "warning", "refused"] = Field(
        description="ok: fits; warning: does not fit (outside a deploy); refused: does not fit and a deploy must stop."
    )
    workers: int = Field(description="Gunicorn workers per VM.")
    artifact_bytes: int = Field(description="Measured artifact memory of one worker, in bytes.")
    worker_baseline_bytes: int = Field(description="Memory of one worker before artifacts, in bytes.")
    system_reserved_bytes: int = Field(description="Memory kept by the OS and container runtime, in bytes.")
    required_bytes: int = Field(description="workers x (artifacts + baseline) + reserved, in bytes.")
    available_bytes: int = Field(description="Memory of one serving VM, in bytes.")
    max_workers: int = Field(description="Most workers that fit with these numbers.")
    message: str = Field(description="The verdict in words, with the numbers.")

    @property
    def fits(self) -> bool:
        return self.status == "ok"

    def raise_for_deploy(self) -> None:
        """Stop a deploy that would not fit."""
        if not self.fits:
            raise WorkerMemoryError(self.message)


def _gib(value: int) -> str:
    return f"{value / GIB:.2f} GiB" if value >= GIB else f"{value / MIB:.0f} MiB"


def check_worker_memory(
    serving: ServingGroup,
    artifact_bytes: int,
    *,
    deploying: bool = False,
    worker_baseline_bytes: int = DEFAULT_WORKER_BASELINE_BYTES,
    system_reserved_bytes: int = DEFAULT_SYSTEM_RESERVED_BYTES,
) -> MemoryVerdict:
    """Compare gunicorn_workers x (artifact memory + worker baseline) + reserved with the VM's memory."""
    per_worker = artifact_bytes + worker_baseline_bytes
    workers = serving.gunicorn_workers
    required = workers * per_worker + system_reserved_bytes
    available = serving.memory_bytes
    max_workers = max(0, (available - system_reserved_bytes) // per_worker)
    numbers = (
        f"gunicorn_workers={workers} x ({_gib(artifact_bytes)} artifacts + {_gib(worker_baseline_bytes)} per worker)"
        f" + {_gib(system_reserved_bytes)} reserved = {_gib(required)}"
    )
    if required <= available:
        status: Literal["ok", "warning", "refused"] = "ok"
        message = f"{numbers} fits in memory_gb={serving.memory_gb:g} ({_gib(available)}) of {serving.machine_type}"
    else:
        status = "refused" if deploying else "warning"
        advice = (
            f"at most {max_workers} worker(s) fit; lower gunicorn_workers or raise memory_gb"
            if max_workers
            else "not even one worker fits; raise memory_gb"
        )
        message = (
            f"{numbers} exceeds memory_gb={serving.memory_gb:g} ({_gib(available)}) of {serving.machine_type}: {advice}"
        )
    return MemoryVerdict(
        status=status,
        workers=workers,
        artifact_bytes=artifact_bytes,
        worker_baseline_bytes=worker_baseline_bytes,
        system_reserved_bytes=system_reserved_bytes,
        required_bytes=required,
        available_bytes=available,
        max_workers=max_workers,
        message=message,
    )
