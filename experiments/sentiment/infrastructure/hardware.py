"""Training VM and serving group of the sentiment service.

The model is a TF-IDF vectorizer (about 150,000 word and character n-grams) and a logistic
regression: training takes well under a minute on two vCPUs without a GPU, and one loaded
pipeline takes about 50 MB, so each serving VM runs two Gunicorn workers (one per vCPU) with
plenty of room in 4 GB. Requests carry free text, so the request size limit matters here more
than for tabular services: 500 texts of 5,000 characters is 2.5 MB of text before JSON escaping,
and the body limit below leaves room for that. See the field descriptions of
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
        family=MachineFamily.E2,
        vcpus=2,
        memory_gb=8,
        disk=Disk(size_gb=20, type=DiskType.BALANCED),
        zone="us-central1-a",
    ),
    serving=ServingGroup(
        family=MachineFamily.E2,
        vcpus=2,
        memory_gb=4,
        disk=Disk(size_gb=20),
        zone="us-central1-a",
        autoscaling=Autoscaling(min_instances=1, max_instances=4, target_cpu_utilization=0.6, cool_down_seconds=90),
        request_handling=RequestHandling(timeout_seconds=10, max_concurrent_requests=64, max_request_bytes=4_194_304),
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
