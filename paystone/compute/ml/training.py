"""A remote training run: one VM that runs the experiment's training container and powers off.

The VM runs `python3.11 -m experiments.<name>.train.main --root=<storage root>` in the image
(see `paystone.compute.startup`), which saves the run's artifacts to Cloud Storage; the unit
then shuts the VM down. `delete()` removes the stopped VM and its disk afterwards.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.cloud import compute_v1

from paystone.compute.client import InstanceClient, message_to_dict
from paystone.compute.types.deployment import DeploymentTarget, TrainingDeployment
from paystone.compute.types.infrastructure import Infrastructure


def run_label(now: datetime | None = None) -> str:
    """A sortable, name-safe label for one run (`20250101t120000`)."""
    return (now or datetime.now(UTC)).strftime("%Y%m%dt%H%M%S")


class TrainingJob:
    """The training VM of one remote run."""

    def __init__(self, deployment: TrainingDeployment, *, client: InstanceClient | None = None) -> None:
        self.deployment = deployment
        self.client = client or InstanceClient(deployment.target.project, deployment.training.zone)

    @classmethod
    def for_experiment(
        cls, target: DeploymentTarget, infrastructure: Infrastructure, *, label: str | None = None, api: Any = None
    ) -> TrainingJob:
        deployment = TrainingDeployment(target=target, training=infrastructure.training, run_label=label or run_label())
        return cls(deployment, client=InstanceClient(target.project, infrastructure.training.zone, api=api))

    @property
    def name(self) -> str:
        return self.deployment.instance_name

    def specification(self) -> compute_v1.Instance:
        return self.client.create_specification(self.deployment)

    def specification_dict(self) -> dict[str, Any]:
        return message_to_dict(self.specification())

    def launch(self) -> str:
        """Create the VM (its container starts on boot); returns the VM name."""
        self.client.create(self.specification())
        return self.name

    def status(self) -> str | None:
        """The VM's status (`RUNNING`, `TERMINATED` once the run ended), None when gone."""
        instance = self.client.get(self.name)
        return None if instance is None else instance.status

    def delete(self) -> bool:
        return self.client.delete(self.name)
