from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from paystone.compute.memory import (
    GIB,
    MIB,
    MemoryMeasurementError,
    WorkerMemoryError,
    check_worker_memory,
    measure_artifact_memory,
    measure_run_memory,
)
from paystone.compute.types.infrastructure import ServingGroup
from paystone.storage.local import LocalStore
from paystone.storage.manifest import RunManifest, TaskRecord
from paystone.storage.runs import write_run
from paystone.storage.serialization import serialize

ARRAY_BYTES = 200 * MIB


@pytest.fixture(scope="module")
def large_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved run whose model artifact is a 200 MiB numpy array."""
    root = tmp_path_factory.mktemp("artifacts")
    artifacts = {
        "build_model": serialize(np.ones(ARRAY_BYTES // 8, dtype=np.float64)),
        "feature_names": serialize(["tot_sf", "beds", "baths"]),
    }
    manifest = RunManifest(
        service="housing",
        run_id="20250101T000000-large",
        tasks={task: TaskRecord.for_artifact(task, data, 0.0) for task, data in artifacts.items()},
    )
    write_run(LocalStore(root), manifest, artifacts)
    return root


def test_measured_memory_of_a_saved_run(large_run: Path) -> None:
    memory = measure_run_memory(large_run, "housing", "20250101T000000-large")
    assert ARRAY_BYTES <= memory.per_artifact["build_model"] < ARRAY_BYTES + 120 * MIB
    assert memory.per_artifact["feature_names"] < 5 * MIB
    assert memory.total_bytes == sum(memory.per_artifact.values())


def test_workers_times_artifact_memory_above_the_vm_warns_with_the_numbers(large_run: Path) -> None:
    memory = measure_run_memory(large_run, "housing", "20250101T000000-large")
    serving = ServingGroup(family="e2", vcpus=2, memory_gb=2, gunicorn_workers=4)
    verdict = check_worker_memory(serving, memory.total_bytes)
    assert verdict.status == "warning" and not verdict.fits
    per_worker = memory.total_bytes + verdict.worker_baseline_bytes
    assert verdict.required_bytes == 4 * per_worker + verdict.system_reserved_bytes
    assert verdict.available_bytes == 2 * GIB
    assert verdict.max_workers == (2 * GIB - verdict.system_reserved_bytes) // per_worker == 3
    assert "gunicorn_workers=4 x (" in verdict.message
    assert f"{memory.total_bytes / MIB:.0f} MiB artifacts" in verdict.message
    assert "exceeds memory_gb=2 (2.00 GiB) of e2-highcpu-2" in verdict.message
    assert "at most 3 worker(s) fit" in verdict.message

    refused = check_worker_memory(serving, memory.total_bytes, deploying=True)
    assert refused.status == "refused"
    with pytest.raises(WorkerMemoryError, match="gunicorn_workers=4"):
        refused.raise_for_deploy()

    fewer = check_worker_memory(serving.model_copy(update={"gunicorn_workers": 3}), memory.total_bytes, deploying=True)
    assert fewer.status == "ok"
    fewer.raise_for_deploy()


def test_not_even_one_worker() -> None:
    serving = ServingGroup(family="e2", vcpus=2, memory_gb=1)
    verdict = check_worker_memory(serving, 2 * GIB)
    assert verdict.max_workers == 0
    assert "not even one worker fits; raise memory_gb" in verdict.message


def test_measurement_failure_names_the_artifacts() -> None:
    with pytest.raises(MemoryMeasurementError, match="broken"):
        measure_artifact_memory({"broken": b"not a pickle"}, loader="pickle:loads")
