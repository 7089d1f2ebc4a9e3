"""Training VM and serving group of the housing price service.

The model is a scikit-learn regressor on a dozen tabular features: training fits in minutes on
four vCPUs without a GPU, and one loaded model takes tens of megabytes, so each serving VM runs
two Gunicorn workers (one per vCPU) comfortably within 4 GB. See the field descriptions of
`paystone.compute.types.infrastructure` for what each setting does.
"""

from paystone.compute.machines import DiskType, MachineFamily
from paystone.compute.types.infrastructure import (
    Autoscaling,
    Disk,
    Infrastructure,
    RequestHandling,
    ServingGroup,
    TrainingMachine,
)

hardware = Infrastructure(
    training=TrainingMachine(
        family=MachineFamily.N2,
        vcpus=4,
        memory_gb=16,
        disk=Disk(size_gb=30, type=DiskType.BALANCED),
        zone="us-central1-a",
    ),
    serving=ServingGroup(
        family=MachineFamily.E2,
        vcpus=2,
        memory_gb=4,
        disk=Disk(size_gb=20),
        zone="us-central1-a",
        autoscaling=Autoscaling(min_instances=1, max_instances=4, target_cpu_utilization=0.6, cool_down_seconds=90),
        request_handling=RequestHandling(timeout_seconds=10, max_concurrent_requests=64, max_request_bytes=1_572_864),
        startup_seconds=180,
        gunicorn_workers=2,
        gunicorn_threads=8,
        gunicorn_timeout_seconds=30,
        gunicorn_graceful_timeout_seconds=20,
        gunicorn_keepalive_seconds=5,
        gunicorn_max_requests=10_000,
        gunicorn_max_requests_jitter=1_000,
    ),
)
