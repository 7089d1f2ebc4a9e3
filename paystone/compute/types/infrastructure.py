"""The infrastructure of one experiment: the training VM and the serving group, in one model.

Each experiment's `infrastructure/hardware.py` exposes an `Infrastructure` instance named
`hardware`. Every field is documented because this is the page engineers read when they size a
service (the founding document sends them here). Validation refuses what Compute Engine would
refuse, and a few serving settings that cannot work together, naming the field and the allowed
range; the catalogue it checks against is `paystone.compute.machines`.
"""

from __future__ import annotations

import math
import re
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from paystone.compute.machines import (
    FAMILIES,
    IMAGE_MIN_DISK_GB,
    MAX_DISK_GB,
    MEMORY_STEP_GB,
    BootImage,
    DiskType,
    GpuType,
    MachineFamily,
    families_carrying,
    find_shape,
)

_ZONE = re.compile(r"^[a-z]+-[a-z]+[0-9]+-[a-z]$")
GIB = 1024**3


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class Gpu(_Model):
    """GPUs attached to (N1) or bundled with (A2, G2) a machine."""

    type: GpuType = Field(description="Accelerator type, e.g. `nvidia-tesla-t4` (N1 only) or `nvidia-l4` (G2).")
    count: int = Field(ge=1, description="Number of GPUs of that type on each VM.")


class Disk(_Model):
    """The boot disk, which also holds the pulled container image."""

    size_gb: int = Field(
        default=20,
        description="Boot disk size in GB. At least the image's minimum (10 GB for Container-Optimized OS); "
        "leave room for the container image (a scikit-learn image is about 0.5 GB, GPU images several GB).",
    )
    type: DiskType = Field(default=DiskType.BALANCED, description="Persistent disk type of the boot disk.")
    image: BootImage = Field(
        default=BootImage.COS_STABLE,
        description="Boot image. Container-Optimized OS runs the experiment's container from cloud-init.",
    )

    @model_validator(mode="after")
    def _size_fits_image(self) -> Self:
        minimum = IMAGE_MIN_DISK_GB[self.image]
        if not minimum <= self.size_gb <= MAX_DISK_GB:
            raise ValueError(
                f"size_gb={self.size_gb} is outside the allowed range for image {self.image.value}: "
                f"{minimum}-{MAX_DISK_GB} GB"
            )
        return self


class Machine(_Model):
    """One VM shape. Predefined shapes are used when vCPUs and memory match one; otherwise a custom
    machine type is built where the family allows it."""

    family: MachineFamily = Field(
        description="Machine family: e2 (cost-efficient), n2 (balanced), n1 (the only one taking T4/V100/P100/P4 "
        "GPUs), c2 (compute-optimized, predefined shapes only), a2 (A100 GPUs), g2 (L4 GPUs)."
    )
    vcpus: int = Field(ge=1, description="Number of vCPUs of each VM.")
    memory_gb: float = Field(gt=0, description="Memory of each VM in GB (GiB, 2^30 bytes).")
    gpu: Gpu | None = Field(
        default=None,
        description="GPUs of each VM. On a2 and g2 the machine type brings its own; leave empty or state exactly those.",
    )
    disk: Disk = Field(default_factory=Disk, description="Boot disk of each VM.")
    zone: str = Field(default="us-central1-a", description="Compute Engine zone the VMs run in, e.g. `us-central1-a`.")

    @property
    def region(self) -> str:
        """The zone's region (`us-central1-a` -> `us-central1`)."""
        return self.zone.rsplit("-", 1)[0]

    @property
    def memory_bytes(self) -> int:
        return int(self.memory_gb * GIB)

    @property
    def machine_type(self) -> str:
        """The Compute Engine machine type name (predefined or custom)."""
        return _resolve_machine_type(self)

    @property
    def accelerator(self) -> Gpu | None:
        """The GPUs the VM ends up with, including those bundled by a2/g2 machine types."""
        shape = find_shape(self.family, self.vcpus, self.memory_gb)
        if shape is not None and shape.gpu is not None:
            return Gpu(type=shape.gpu, count=shape.gpu_count)
        return self.gpu

    @property
    def attached_gpu(self) -> Gpu | None:
        """GPUs to list as guest accelerators (only N1: a2/g2 machine types attach theirs)."""
        return self.gpu if FAMILIES[self.family].attachable_gpus else None

    @model_validator(mode="after")
    def _compute_engine_accepts(self) -> Self:
        if not _ZONE.match(self.zone):
            raise ValueError(f"zone={self.zone!r} is not a Compute Engine zone name like 'us-central1-a'")
        _resolve_machine_type(self)
        _check_gpu(self)
        return self


def _resolve_machine_type(machine: Machine) -> str:
    family = FAMILIES[machine.family]
    shape = find_shape(machine.family, machine.vcpus, machine.memory_gb)
    if shape is not None:
        return shape.name
    custom = family.custom
    if custom is None:
        shapes = "; ".join(s.describe() for s in family.shapes)
        raise ValueError(
            f"vcpus={machine.vcpus}, memory_gb={machine.memory_gb:g}: {machine.family.value} has predefined machine "
            f"types only; vcpus and memory_gb must match one of: {shapes}"
        )
    if machine.vcpus not in custom.vcpus:
        raise ValueError(
            f"vcpus={machine.vcpus} is not allowed for a custom {machine.family.value} machine type; "
            f"allowed vCPU counts: {custom.describe_vcpus()}"
        )
    low = custom.min_gb_per_vcpu * machine.vcpus
    high = custom.max_gb_per_vcpu * machine.vcpus
    capped = custom.max_total_gb is not None and custom.max_total_gb < high
    if capped:
        high = custom.max_total_gb
    if not low - 1e-9 <= machine.memory_gb <= high + 1e-9:
        raise ValueError(
            f"memory_gb={machine.memory_gb:g} is outside {machine.family.value}'s range for {machine.vcpus} vCPUs: "
            f"{low:g}-{high:g} GB ({custom.min_gb_per_vcpu:g}-{custom.max_gb_per_vcpu:g} GB per vCPU"
            + (f", at most {high:g} GB in total)" if capped else ")")
        )
    if not math.isclose(machine.memory_gb / MEMORY_STEP_GB, round(machine.memory_gb / MEMORY_STEP_GB)):
        raise ValueError(
            f"memory_gb={machine.memory_gb:g} must be a multiple of {MEMORY_STEP_GB} GB (256 MB) for a custom machine type"
        )
    return f"{custom.prefix}-{machine.vcpus}-{round(machine.memory_gb * 1024)}"


def _check_gpu(machine: Machine) -> None:
    family = FAMILIES[machine.family]
    gpu = machine.gpu
    if family.bundles_gpus:
        shape = find_shape(machine.family, machine.vcpus, machine.memory_gb)
        assert shape is not None and shape.gpu is not None  # a2/g2 have no custom shapes
        if gpu is not None and (gpu.type != shape.gpu or gpu.count != shape.gpu_count):
            raise ValueError(
                f"gpu.type={gpu.type.value}, gpu.count={gpu.count}: {shape.name} comes with exactly "
                f"{shape.gpu_count} x {shape.gpu.value}; choose the a2/g2 shape by vcpus and memory_gb, "
                f"and leave gpu empty or state exactly those"
            )
        return
    if gpu is None:
        return
    limits = family.attachable_gpus.get(gpu.type)
    if limits is None:
        carriers = ", ".join(f.value for f in families_carrying(gpu.type))
        raise ValueError(
            f"gpu.type={gpu.type.value} cannot be attached to family={machine.family.value}; "
            f"it is available on: {carriers}"
        )
    allowed = {limit.count: limit for limit in limits}
    limit = allowed.get(gpu.count)
    if limit is None:
        raise ValueError(
            f"gpu.count={gpu.count} is not allowed for {gpu.type.value}; allowed counts: "
            + ", ".join(str(c) for c in allowed)
        )
    if machine.vcpus > limit.max_vcpus or machine.memory_gb > limit.max_memory_gb:
        raise ValueError(
            f"vcpus={machine.vcpus}, memory_gb={machine.memory_gb:g}: an n1 VM with {gpu.count} x {gpu.type.value} "
            f"allows at most {limit.max_vcpus} vCPUs and {limit.max_memory_gb:g} GB"
        )


class TrainingMachine(Machine):
    """The VM a deployed training run executes on; it powers off when the run ends."""


class Autoscaling(_Model):
    """How many VMs serve, scaled on CPU utilisation by a Compute Engine autoscaler."""

    min_instances: int = Field(default=1, ge=1, le=1000, description="Fewest VMs kept running (1-1000).")
    max_instances: int = Field(default=3, ge=1, le=1000, description="Most VMs the autoscaler may run (1-1000).")
    target_cpu_utilization: float = Field(
        default=0.6,
        gt=0,
        le=1,
        description="Average CPU utilisation the autoscaler aims for, in (0, 1]. Lower means more headroom for bursts.",
    )
    cool_down_seconds: int = Field(
        default=120,
        ge=15,
        le=3600,
        description="Seconds a new VM needs before its CPU counts (startup, image pull, artifact loading).",
    )

    @model_validator(mode="after")
    def _bounds_ordered(self) -> Self:
        if self.min_instances > self.max_instances:
            raise ValueError(
                f"min_instances={self.min_instances} exceeds max_instances={self.max_instances}; "
                f"min_instances must be between 1 and max_instances"
            )
        return self


class RequestHandling(_Model):
    """Limits on each request the service accepts."""

    timeout_seconds: float = Field(
        default=30, gt=0, le=3600, description="Longest a request may take before the service answers 504 (enforced by paystone.serving.limits)."
    )
    max_concurrent_requests: int = Field(
        default=64,
        ge=1,
        description="Requests one VM handles at once, shared between its Gunicorn workers; more are refused with 503.",
    )
    max_request_bytes: int = Field(
        default=1_572_864,
        ge=1024,
        le=32 * 1024 * 1024,
        description=(
            "Largest request body accepted, in bytes (default 1.5 MB, as Vertex AI's shared endpoint); "
            "larger ones are answered 413."
        ),
    )


class ServingGroup(Machine):
    """The managed instance group serving predictions, and how each VM runs the app under Gunicorn."""

    autoscaling: Autoscaling = Field(default_factory=Autoscaling, description="Instance counts and scaling target.")
    request_handling: RequestHandling = Field(
        default_factory=RequestHandling, description="Timeout, concurrency and size limits of requests."
    )
    port: int = Field(default=8080, ge=1024, le=65535, description="Port the container serves HTTP on.")
    startup_seconds: int = Field(
        default=300,
        ge=0,
        le=3600,
        description="Grace period before autohealing judges a new VM (image pull plus artifact loading).",
    )
    gunicorn_workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Gunicorn worker processes per VM. Each loads its own copy of every artifact, so memory "
        "grows with workers x artifact size (checked before deploy); more workers raise throughput for small CPU models.",
    )
    gunicorn_threads: int = Field(
        default=40,
        ge=1,
        le=1000,
        description="Threads per worker running plain `def` handlers (the Uvicorn worker's thread pool).",
    )
    gunicorn_timeout_seconds: int = Field(
        default=60,
        ge=1,
        description="A worker silent for this long is killed and restarted; must cover the request timeout.",
    )
    gunicorn_graceful_timeout_seconds: int = Field(
        default=30,
        ge=1,
        description="On shutdown or restart, seconds a worker gets to finish in-flight requests.",
    )
    gunicorn_keepalive_seconds: int = Field(
        default=5, ge=0, le=600, description="Seconds an idle keep-alive connection stays open."
    )
    gunicorn_max_requests: int = Field(
        default=0,
        ge=0,
        description="Restart a worker after this many requests (0: never); bounds slow memory leaks.",
    )
    gunicorn_max_requests_jitter: int = Field(
        default=0,
        ge=0,
        description="Random extra requests (0 to this) before a restart, so workers do not all restart at once.",
    )

    @model_validator(mode="after")
    def _serving_settings_agree(self) -> Self:
        if self.gunicorn_max_requests_jitter > self.gunicorn_max_requests:
            raise ValueError(
                f"gunicorn_max_requests_jitter={self.gunicorn_max_requests_jitter} must be between 0 and "
                f"gunicorn_max_requests={self.gunicorn_max_requests}"
            )
        if self.gunicorn_timeout_seconds < self.request_handling.timeout_seconds:
            raise ValueError(
                f"gunicorn_timeout_seconds={self.gunicorn_timeout_seconds} is below "
                f"request_handling.timeout_seconds={self.request_handling.timeout_seconds:g}; it must be at least "
                f"that, or Gunicorn kills workers in the middle of requests"
            )
        if self.request_handling.max_concurrent_requests < self.gunicorn_workers:
            raise ValueError(
                f"request_handling.max_concurrent_requests={self.request_handling.max_concurrent_requests} must be "
                f"at least gunicorn_workers={self.gunicorn_workers} (one request per worker)"
            )
        return self

    @property
    def concurrent_requests_per_worker(self) -> int:
        return math.ceil(self.request_handling.max_concurrent_requests / self.gunicorn_workers)


class Infrastructure(_Model):
    """Everything an experiment runs on: `experiments/<name>/infrastructure/hardware.py` exposes one as `hardware`."""

    training: TrainingMachine = Field(description="The VM a deployed training run executes on.")
    serving: ServingGroup = Field(description="The autoscaled group of VMs serving the experiment's app.")
