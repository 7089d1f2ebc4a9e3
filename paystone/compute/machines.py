"""What Compute Engine accepts, as data: machine families, their shapes and the GPUs they carry.

The infrastructure model validates against this catalogue so that a spec Compute Engine would
refuse is refused on the engineer's laptop, with the allowed range in the message, rather than
minutes into a deploy. Sources (Compute Engine documentation, 2025): general-purpose and
accelerator-optimized machine families, custom machine types, GPU machine types.

- Custom shapes (Google's own custom-machine-type samples): E2 2-32 vCPUs in steps of 2, 0.5-8 GB
  per vCPU, at most 128 GB; N2 2-32 vCPUs in steps of 2 then 36-128 in steps of 4, 0.5-8 GB per vCPU;
  N1 1 vCPU or 2-96 in steps of 2, 0.9-6.5 GB per vCPU (922-6656 MB). Memory in multiples of 256 MB.
  Extended memory (beyond the per-vCPU maximum) is not offered here.
- C2, A2 and G2 have predefined shapes only.
- GPUs: T4, V100, P100 and P4 attach only to N1 (not shared-core), with per-count vCPU and memory
  ceilings; A2 carries A100 (40 GB on highgpu/megagpu, 80 GB on ultragpu) and G2 carries L4, both
  attached automatically by the machine type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class MachineFamily(StrEnum):
    """Machine series the platform deploys to."""

    E2 = "e2"
    N2 = "n2"
    N1 = "n1"
    C2 = "c2"
    A2 = "a2"
    G2 = "g2"


class GpuType(StrEnum):
    """Compute Engine accelerator type names."""

    T4 = "nvidia-tesla-t4"
    V100 = "nvidia-tesla-v100"
    P100 = "nvidia-tesla-p100"
    P4 = "nvidia-tesla-p4"
    A100 = "nvidia-tesla-a100"
    A100_80GB = "nvidia-a100-80gb"
    L4 = "nvidia-l4"


class DiskType(StrEnum):
    """Persistent disk types for the boot disk."""

    BALANCED = "pd-balanced"
    SSD = "pd-ssd"
    STANDARD = "pd-standard"


class BootImage(StrEnum):
    """Boot images that can start the experiment's container (see `paystone.compute.startup`)."""

    COS_STABLE = "projects/cos-cloud/global/images/family/cos-stable"
    COS_LTS = "projects/cos-cloud/global/images/family/cos-121-lts"


# Smallest boot disk each image accepts, in GB.
IMAGE_MIN_DISK_GB: dict[BootImage, int] = {BootImage.COS_STABLE: 10, BootImage.COS_LTS: 10}
MAX_DISK_GB = 65_536
MEMORY_STEP_GB = 0.25  # custom memory must be a multiple of 256 MB


@dataclass(frozen=True)
class Shape:
    """A predefined machine type."""

    name: str
    vcpus: int
    memory_gb: float
    gpu: GpuType | None = None
    gpu_count: int = 0

    def describe(self) -> str:
        gpus = f", {self.gpu_count} x {self.gpu}" if self.gpu else ""
        return f"{self.name} ({self.vcpus} vCPUs, {self.memory_gb:g} GB{gpus})"


@dataclass(frozen=True)
class CustomLimits:
    """What a family accepts as a custom machine type."""

    prefix: str
    vcpus: frozenset[int]
    min_gb_per_vcpu: float
    max_gb_per_vcpu: float
    max_total_gb: float | None = None

    def describe_vcpus(self) -> str:
        return _describe_ints(sorted(self.vcpus))


@dataclass(frozen=True)
class GpuLimit:
    """vCPU and memory ceilings of an N1 VM carrying `count` GPUs of one type."""

    count: int
    max_vcpus: int
    max_memory_gb: float


@dataclass(frozen=True)
class Family:
    """One machine family: its predefined shapes, custom limits and the GPUs it can carry."""

    name: MachineFamily
    shapes: tuple[Shape, ...]
    custom: CustomLimits | None = None
    attachable_gpus: dict[GpuType, tuple[GpuLimit, ...]] = field(default_factory=dict)

    @property
    def bundles_gpus(self) -> bool:
        return any(shape.gpu for shape in self.shapes)


def _describe_ints(values: list[int]) -> str:
    """Compress `[2, 4, 6, ..., 32, 36, 40]` into `2-32 step 2, 36-40 step 4`."""
    if len(values) <= 3:
        return ", ".join(map(str, values))
    runs: list[list[int]] = []
    for value in values:
        if runs:
            run = runs[-1]
            if len(run) == 1 or value - run[-1] == run[1] - run[0]:
                run.append(value)
                continue
            if len(run) == 2:  # a pair with another step: its second value starts the next run
                runs.append([run.pop(), value])
                continue
        runs.append([value])
    parts = []
    for run in runs:
        if len(run) > 2:
            parts.append(f"{run[0]}-{run[-1]} step {run[1] - run[0]}")
        else:
            parts.extend(map(str, run))
    return ", ".join(parts)


def _series(prefix: str, vcpus: list[int], gb_per_vcpu: float) -> list[Shape]:
    return [Shape(f"{prefix}-{n}", n, round(n * gb_per_vcpu, 2)) for n in vcpus]


_E2 = Family(
    MachineFamily.E2,
    shapes=tuple(
        _series("e2-standard", [2, 4, 8, 16, 32], 4)
        + _series("e2-highmem", [2, 4, 8, 16], 8)
        + _series("e2-highcpu", [2, 4, 8, 16, 32], 1)
    ),
    custom=CustomLimits("e2-custom", frozenset(range(2, 33, 2)), 0.5, 8.0, 128.0),
)

_N2 = Family(
    MachineFamily.N2,
    shapes=tuple(
        _series("n2-standard", [2, 4, 8, 16, 32, 48, 64, 80, 96, 128], 4)
        + _series("n2-highmem", [2, 4, 8, 16, 32, 48, 64, 80, 96], 8)
        + [Shape("n2-highmem-128", 128, 864)]
        + _series("n2-highcpu", [2, 4, 8, 16, 32, 48, 64, 80, 96], 1)
    ),
    custom=CustomLimits("n2-custom", frozenset([*range(2, 33, 2), *range(36, 129, 4)]), 0.5, 8.0),
)

_N1_GPUS: dict[GpuType, tuple[GpuLimit, ...]] = {
    GpuType.T4: (GpuLimit(1, 48, 312), GpuLimit(2, 48, 312), GpuLimit(4, 96, 624)),
    GpuType.P4: (GpuLimit(1, 24, 156), GpuLimit(2, 48, 312), GpuLimit(4, 96, 624)),
    GpuType.V100: (GpuLimit(1, 12, 78), GpuLimit(2, 24, 156), GpuLimit(4, 48, 312), GpuLimit(8, 96, 624)),
    GpuType.P100: (GpuLimit(1, 16, 104), GpuLimit(2, 32, 208), GpuLimit(4, 64, 208)),
}

_N1 = Family(
    MachineFamily.N1,
    shapes=tuple(
        _series("n1-standard", [1, 2, 4, 8, 16, 32, 64, 96], 3.75)
        + _series("n1-highmem", [2, 4, 8, 16, 32, 64, 96], 6.5)
        + _series("n1-highcpu", [2, 4, 8, 16, 32, 64, 96], 0.9)
    ),
    custom=CustomLimits("custom", frozenset([1, *range(2, 97, 2)]), 0.9, 6.5, 624.0),
    attachable_gpus=_N1_GPUS,
)

_C2 = Family(MachineFamily.C2, shapes=tuple(_series("c2-standard", [4, 8, 16, 30, 60], 4)))

_A2 = Family(
    MachineFamily.A2,
    shapes=(
        Shape("a2-highgpu-1g", 12, 85, GpuType.A100, 1),
        Shape("a2-highgpu-2g", 24, 170, GpuType.A100, 2),
        Shape("a2-highgpu-4g", 48, 340, GpuType.A100, 4),
        Shape("a2-highgpu-8g", 96, 680, GpuType.A100, 8),
        Shape("a2-megagpu-16g", 96, 1360, GpuType.A100, 16),
        Shape("a2-ultragpu-1g", 12, 170, GpuType.A100_80GB, 1),
        Shape("a2-ultragpu-2g", 24, 340, GpuType.A100_80GB, 2),
        Shape("a2-ultragpu-4g", 48, 680, GpuType.A100_80GB, 4),
        Shape("a2-ultragpu-8g", 96, 1360, GpuType.A100_80GB, 8),
    ),
)

_G2 = Family(
    MachineFamily.G2,
    shapes=(
        Shape("g2-standard-4", 4, 16, GpuType.L4, 1),
        Shape("g2-standard-8", 8, 32, GpuType.L4, 1),
        Shape("g2-standard-12", 12, 48, GpuType.L4, 1),
        Shape("g2-standard-16", 16, 64, GpuType.L4, 1),
        Shape("g2-standard-24", 24, 96, GpuType.L4, 2),
        Shape("g2-standard-32", 32, 128, GpuType.L4, 1),
        Shape("g2-standard-48", 48, 192, GpuType.L4, 4),
        Shape("g2-standard-96", 96, 384, GpuType.L4, 8),
    ),
)

FAMILIES: dict[MachineFamily, Family] = {f.name: f for f in (_E2, _N2, _N1, _C2, _A2, _G2)}


def families_carrying(gpu: GpuType) -> list[MachineFamily]:
    """Families on which `gpu` is available (attached or bundled)."""
    return [
        family.name
        for family in FAMILIES.values()
        if gpu in family.attachable_gpus or any(shape.gpu == gpu for shape in family.shapes)
    ]


def find_shape(family: MachineFamily, vcpus: int, memory_gb: float) -> Shape | None:
    """The predefined shape of `family` with exactly these vCPUs and memory, if any."""
    for shape in FAMILIES[family].shapes:
        if shape.vcpus == vcpus and abs(shape.memory_gb - memory_gb) < 1e-6:
            return shape
    return None
