from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from experiments.toy.infrastructure.hardware import hardware
from paystone.compute.machines import GpuType
from paystone.compute.types.infrastructure import Gpu, Infrastructure, Machine, ServingGroup


def _infrastructure(serving: dict[str, Any] | None = None, training: dict[str, Any] | None = None) -> Infrastructure:
    return Infrastructure.model_validate(
        {
            "training": {"family": "n2", "vcpus": 4, "memory_gb": 16, **(training or {})},
            "serving": {"family": "e2", "vcpus": 2, "memory_gb": 4, **(serving or {})},
        }
    )


def test_realistic_hardware_resolves_to_compute_engine_machine_types() -> None:
    assert hardware.training.machine_type == "n2-standard-4"
    assert hardware.serving.machine_type == "e2-custom-2-4096"
    assert hardware.serving.region == "us-central1"


@pytest.mark.parametrize(
    ("family", "vcpus", "memory_gb", "expected"),
    [
        ("n1", 4, 15, "n1-standard-4"),
        ("n1", 4, 10, "custom-4-10240"),
        ("n2", 36, 72, "n2-custom-36-73728"),
        ("c2", 30, 120, "c2-standard-30"),
        ("a2", 12, 85, "a2-highgpu-1g"),
        ("g2", 24, 96, "g2-standard-24"),
    ],
)
def test_machine_type_names(family: str, vcpus: int, memory_gb: float, expected: str) -> None:
    assert Machine(family=family, vcpus=vcpus, memory_gb=memory_gb).machine_type == expected


def test_accelerator_families_report_their_bundled_gpus_and_attach_none() -> None:
    g2 = Machine(family="g2", vcpus=24, memory_gb=96)
    assert g2.accelerator == Gpu(type=GpuType.L4, count=2)
    assert g2.attached_gpu is None
    n1 = Machine(family="n1", vcpus=8, memory_gb=30, gpu=Gpu(type=GpuType.T4, count=1))
    assert n1.attached_gpu == Gpu(type=GpuType.T4, count=1)


INVALID: list[tuple[str, dict[str, Any], list[str]]] = [
    ("n1 memory per vCPU", {"family": "n1", "vcpus": 4, "memory_gb": 40}, ["memory_gb=40", "3.6-26 GB", "0.9-6.5 GB per vCPU"]),
    ("e2 total memory", {"family": "e2", "vcpus": 32, "memory_gb": 200}, ["memory_gb=200", "16-128 GB", "at most 128 GB in total"]),
    ("custom memory step", {"family": "e2", "vcpus": 2, "memory_gb": 3.1}, ["memory_gb=3.1", "multiple of 0.25 GB"]),
    ("n2 vCPU count", {"family": "n2", "vcpus": 34, "memory_gb": 64}, ["vcpus=34", "2-32 step 2, 36-128 step 4"]),
    ("c2 is predefined only", {"family": "c2", "vcpus": 6, "memory_gb": 24}, ["vcpus=6", "memory_gb=24", "c2-standard-4 (4 vCPUs, 16 GB)"]),
    (
        "T4 on e2",
        {"family": "e2", "vcpus": 4, "memory_gb": 16, "gpu": {"type": "nvidia-tesla-t4", "count": 1}},
        ["gpu.type=nvidia-tesla-t4", "family=e2", "available on: n1"],
    ),
    (
        "A100 on n1",
        {"family": "n1", "vcpus": 8, "memory_gb": 30, "gpu": {"type": "nvidia-tesla-a100", "count": 1}},
        ["gpu.type=nvidia-tesla-a100", "available on: a2"],
    ),
    (
        "T4 count",
        {"family": "n1", "vcpus": 8, "memory_gb": 30, "gpu": {"type": "nvidia-tesla-t4", "count": 3}},
        ["gpu.count=3", "allowed counts: 1, 2, 4"],
    ),
    (
        "V100 vCPU ceiling",
        {"family": "n1", "vcpus": 16, "memory_gb": 60, "gpu": {"type": "nvidia-tesla-v100", "count": 1}},
        ["vcpus=16", "at most 12 vCPUs and 78 GB"],
    ),
    (
        "g2 bundled GPUs",
        {"family": "g2", "vcpus": 4, "memory_gb": 16, "gpu": {"type": "nvidia-l4", "count": 2}},
        ["gpu.count=2", "g2-standard-4 comes with exactly 1 x nvidia-l4"],
    ),
    ("disk below image minimum", {"disk": {"size_gb": 5}}, ["size_gb=5", "10-65536 GB"]),
    ("zone name", {"zone": "us-central1"}, ["zone='us-central1'"]),
    ("autoscaling bounds", {"autoscaling": {"min_instances": 5, "max_instances": 2}}, ["min_instances=5", "max_instances=2"]),
    ("cpu target", {"autoscaling": {"target_cpu_utilization": 1.5}}, ["target_cpu_utilization", "less than or equal to 1"]),
    ("no workers", {"gunicorn_workers": 0}, ["gunicorn_workers", "greater than or equal to 1"]),
    (
        "jitter above max requests",
        {"gunicorn_max_requests": 100, "gunicorn_max_requests_jitter": 500},
        ["gunicorn_max_requests_jitter=500", "between 0 and gunicorn_max_requests=100"],
    ),
    (
        "worker timeout below request timeout",
        {"gunicorn_timeout_seconds": 10, "request_handling": {"timeout_seconds": 30}},
        ["gunicorn_timeout_seconds=10", "request_handling.timeout_seconds=30"],
    ),
    (
        "fewer concurrent requests than workers",
        {"gunicorn_workers": 4, "request_handling": {"max_concurrent_requests": 2}},
        ["max_concurrent_requests=2", "gunicorn_workers=4"],
    ),
    ("unknown field", {"gunicorn_worker": 2}, ["gunicorn_worker", "Extra inputs are not permitted"]),
]


@pytest.mark.parametrize(("case", "serving", "fragments"), INVALID, ids=[case for case, _, _ in INVALID])
def test_invalid_serving_specs_are_refused_naming_field_and_range(
    case: str, serving: dict[str, Any], fragments: list[str]
) -> None:
    with pytest.raises(ValidationError) as caught:
        _infrastructure(serving=serving)
    message = str(caught.value)
    assert "serving" in message
    for fragment in fragments:
        assert fragment in message, f"{case}: {fragment!r} not in {message}"


def test_training_errors_are_located_under_training() -> None:
    with pytest.raises(ValidationError) as caught:
        _infrastructure(training={"family": "n1", "vcpus": 2, "memory_gb": 100})
    (error,) = caught.value.errors()
    assert error["loc"] == ("training",)
    assert "memory_gb=100" in error["msg"] and "1.8-13 GB" in error["msg"]


def test_every_field_is_documented() -> None:
    from paystone.compute.types import infrastructure

    models = [
        infrastructure.Infrastructure,
        infrastructure.TrainingMachine,
        infrastructure.ServingGroup,
        infrastructure.Autoscaling,
        infrastructure.RequestHandling,
        infrastructure.Gpu,
        infrastructure.Disk,
    ]
    undocumented = [
        f"{model.__name__}.{name}" for model in models for name, info in model.model_fields.items() if not info.description
    ]
    assert undocumented == []


def test_concurrency_is_shared_between_workers() -> None:
    serving = ServingGroup(
        family="e2", vcpus=2, memory_gb=4, gunicorn_workers=3, request_handling={"max_concurrent_requests": 10}
    )
    assert serving.concurrent_requests_per_worker == 4
