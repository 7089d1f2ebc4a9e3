from __future__ import annotations

from google.cloud import compute_v1

from experiments.toy.infrastructure.hardware import hardware
from paystone.compute.client import InstanceClient
from paystone.compute.ml.training import TrainingJob
from paystone.compute.types.deployment import DeploymentTarget

from ..conftest import RecordingCompute


def test_training_vm_lifecycle(compute: RecordingCompute) -> None:
    target = DeploymentTarget(service="housing", image="REGISTRY/psml/housing:v1.m0", project="test-project")
    job = TrainingJob.for_experiment(
        target, hardware, label="20250101t000000", api=compute.api("instance", InstanceClient)
    )
    assert job.name == "psml-housing-train-20250101t000000"
    assert isinstance(job.specification(), compute_v1.Instance)
    assert job.status() is None
    assert job.launch() == job.name
    assert compute.names() == {"instance": [job.name]}
    assert job.delete() is True
    assert job.delete() is False
    # The second delete found nothing to delete.
    assert compute.mutations() == [("insert", "instance", job.name)] + [("delete", "instance", job.name)] * 2
