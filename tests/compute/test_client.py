"""The specifications are valid google-cloud-compute messages with the fields the API requires."""

from __future__ import annotations

from typing import Any

import pytest
from google.cloud import compute_v1

from experiments.toy.infrastructure.hardware import hardware
from paystone.compute.client import (
    AutoscalerClient,
    HealthCheckClient,
    ImmutableResourceError,
    InstanceClient,
    InstanceGroupManagerClient,
    InstanceTemplateClient,
    message_to_dict,
)
from paystone.compute.types.deployment import DeploymentTarget, ServingDeployment, TrainingDeployment
from paystone.compute.types.infrastructure import ServingGroup, TrainingMachine

from .conftest import RecordingCompute

TARGET = DeploymentTarget(
    service="housing", image="REGISTRY/psml/housing:v1.m0", project="demo-project", storage_root="gs://bucket/psml"
)
DEPLOYMENT = ServingDeployment(target=TARGET, version="v1.m0", serving=hardware.serving)


def _round_trip(message: Any) -> Any:
    """Rebuild the message from its dict: proto-plus refuses unknown fields and wrong types."""
    return type(message)(message_to_dict(message))


def test_health_check() -> None:
    spec = HealthCheckClient("demo-project", "us-central1-a").create_specification(DEPLOYMENT)
    assert isinstance(spec, compute_v1.HealthCheck)
    assert _round_trip(spec) == spec
    assert spec.name == "psml-housing-v1-m0-hc"
    assert spec.type_ == "HTTP"
    assert (spec.http_health_check.port, spec.http_health_check.request_path) == (8080, "/readyz")


def test_instance_template() -> None:
    spec = InstanceTemplateClient("demo-project", "us-central1-a").create_specification(DEPLOYMENT)
    assert isinstance(spec, compute_v1.InstanceTemplate)
    assert _round_trip(spec) == spec
    assert spec.name.startswith("psml-housing-v1-m0-")
    properties = spec.properties
    assert properties.machine_type == "e2-custom-2-4096"
    (disk,) = properties.disks
    assert disk.boot and disk.auto_delete
    assert disk.initialize_params.source_image == "projects/cos-cloud/global/images/family/cos-stable"
    assert disk.initialize_params.disk_size_gb == 20
    (interface,) = properties.network_interfaces
    assert interface.network == "global/networks/default"
    assert interface.access_configs[0].type_ == "ONE_TO_ONE_NAT"
    (item,) = properties.metadata.items
    assert item.key == "user-data"
    assert "--env=PSML_STORAGE_ROOT=gs://bucket/psml" in item.value
    assert "--env=PSML_VERSION=v1.m0" in item.value
    assert "REGISTRY/psml/housing:v1.m0" in item.value
    assert properties.service_accounts[0].scopes == ["https://www.googleapis.com/auth/cloud-platform"]
    assert list(properties.guest_accelerators) == []
    assert properties.scheduling.on_host_maintenance == "MIGRATE"


def test_template_name_changes_with_the_specification() -> None:
    client = InstanceTemplateClient("demo-project", "us-central1-a")
    bigger = DEPLOYMENT.model_copy(update={"serving": hardware.serving.model_copy(update={"gunicorn_workers": 1})})
    assert client.create_specification(bigger).name != client.create_specification(DEPLOYMENT).name


def test_instance_group_manager() -> None:
    spec = InstanceGroupManagerClient("demo-project", "us-central1-a").create_specification(DEPLOYMENT)
    assert isinstance(spec, compute_v1.InstanceGroupManager)
    assert _round_trip(spec) == spec
    assert spec.name == "psml-housing-v1-m0-mig"
    assert spec.base_instance_name == "psml-housing-v1-m0"
    assert spec.target_size == hardware.serving.autoscaling.min_instances
    assert spec.instance_template == f"projects/demo-project/global/instanceTemplates/{DEPLOYMENT.names.instance_template}"
    (healing,) = spec.auto_healing_policies
    assert healing.health_check == "projects/demo-project/global/healthChecks/psml-housing-v1-m0-hc"
    assert healing.initial_delay_sec == hardware.serving.startup_seconds
    assert [(p.name, p.port) for p in spec.named_ports] == [("http", 8080)]


def test_autoscaler() -> None:
    spec = AutoscalerClient("demo-project", "us-central1-a").create_specification(DEPLOYMENT)
    assert isinstance(spec, compute_v1.Autoscaler)
    assert _round_trip(spec) == spec
    assert spec.target == "projects/demo-project/zones/us-central1-a/instanceGroupManagers/psml-housing-v1-m0-mig"
    policy = spec.autoscaling_policy
    assert (policy.min_num_replicas, policy.max_num_replicas) == (1, 4)
    assert policy.cpu_utilization.utilization_target == pytest.approx(0.6)
    assert policy.cool_down_period_sec == 90


def test_gpu_template_attaches_n1_gpus_and_terminates_on_maintenance() -> None:
    serving = ServingGroup(family="n1", vcpus=8, memory_gb=30, gpu={"type": "nvidia-tesla-t4", "count": 1}, disk={"size_gb": 50})
    spec = InstanceTemplateClient("demo-project", "us-central1-a").create_specification(
        DEPLOYMENT.model_copy(update={"serving": serving})
    )
    (accelerator,) = spec.properties.guest_accelerators
    assert (accelerator.accelerator_type, accelerator.accelerator_count) == ("nvidia-tesla-t4", 1)
    assert spec.properties.machine_type == "n1-standard-8"
    assert spec.properties.scheduling.on_host_maintenance == "TERMINATE"
    assert "cos-extensions install gpu" in spec.properties.metadata.items[0].value


def test_g2_template_lists_no_accelerators_but_installs_drivers() -> None:
    serving = ServingGroup(family="g2", vcpus=4, memory_gb=16, disk={"size_gb": 50})
    spec = InstanceTemplateClient("demo-project", "us-central1-a").create_specification(
        DEPLOYMENT.model_copy(update={"serving": serving})
    )
    assert spec.properties.machine_type == "g2-standard-4"
    assert list(spec.properties.guest_accelerators) == []
    assert spec.properties.scheduling.on_host_maintenance == "TERMINATE"
    assert "--device=/dev/nvidia0" in spec.properties.metadata.items[0].value


def test_training_instance() -> None:
    deployment = TrainingDeployment(
        target=TARGET,
        training=TrainingMachine(family="n1", vcpus=8, memory_gb=30, gpu={"type": "nvidia-tesla-v100", "count": 1}),
        run_label="20250101t000000",
    )
    spec = InstanceClient("demo-project", "us-central1-a").create_specification(deployment)
    assert isinstance(spec, compute_v1.Instance)
    assert _round_trip(spec) == spec
    assert spec.name == "psml-housing-train-20250101t000000"
    assert spec.machine_type == "projects/demo-project/zones/us-central1-a/machineTypes/n1-standard-8"
    (disk,) = spec.disks
    assert disk.boot and disk.initialize_params.disk_type.endswith("/diskTypes/pd-balanced")
    assert spec.network_interfaces[0].network == "global/networks/default"
    (accelerator,) = spec.guest_accelerators
    assert accelerator.accelerator_type.endswith("/acceleratorTypes/nvidia-tesla-v100")
    assert spec.scheduling.on_host_maintenance == "TERMINATE"
    user_data = spec.metadata.items[0].value
    assert "python3.11 -m experiments.housing.train.main --root=gs://bucket/psml" in user_data
    assert "ExecStopPost=/sbin/shutdown -h now" in user_data


def test_operations_and_not_found(compute: RecordingCompute) -> None:
    client = HealthCheckClient("demo-project", "us-central1-a", api=compute.api("health_check", HealthCheckClient))
    spec = client.create_specification(DEPLOYMENT)
    assert client.get(spec.name) is None
    client.create(spec)
    assert client.get(spec.name) == spec
    assert [hc.name for hc in client.list(name_prefix="psml-housing-")] == [spec.name]
    assert client.list(name_prefix="psml-sentiment-") == []
    changed = client.update_specification(spec, DEPLOYMENT)
    changed.check_interval_sec = 30
    client.update(changed)
    assert client.get(spec.name).check_interval_sec == 30
    assert client.delete(spec.name) is True
    assert client.delete(spec.name) is False


def test_templates_cannot_be_updated_in_place(compute: RecordingCompute) -> None:
    client = InstanceTemplateClient("demo-project", "us-central1-a", api=compute.api("instance_template", InstanceTemplateClient))
    with pytest.raises(ImmutableResourceError, match="instance template"):
        client.update(client.create_specification(DEPLOYMENT))
