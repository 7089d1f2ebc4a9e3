"""Deploy and undeploy order against the recording stand-in (which refuses out-of-order calls as GCE does)."""

from __future__ import annotations

import pytest

from experiments.toy.infrastructure.hardware import hardware
from paystone.compute.memory import WorkerMemoryError, check_worker_memory
from paystone.compute.ml.serving import DeploymentError, ServingEndpoint
from paystone.compute.types.deployment import DeploymentTarget, ServingDeployment

from ..conftest import RecordingCompute

TARGET = DeploymentTarget(service="housing", image="REGISTRY/psml/housing:v1.m0", project="test-project")
DEPLOYMENT = ServingDeployment(target=TARGET, version="v1.m0", serving=hardware.serving)
NAMES = DEPLOYMENT.names
CREATE_ORDER = [
    ("insert", "health_check", NAMES.health_check),
    ("insert", "instance_template", NAMES.instance_template),
    ("insert", "instance_group_manager", NAMES.instance_group_manager),
    ("insert", "autoscaler", NAMES.autoscaler),
]


def _endpoint(compute: RecordingCompute, deployment: ServingDeployment = DEPLOYMENT) -> ServingEndpoint:
    return ServingEndpoint(deployment, clients=compute.serving_clients())


def test_deploy_creates_in_dependency_order(compute: RecordingCompute) -> None:
    actions = _endpoint(compute).deploy()
    assert [a.verb for a in actions] == ["created"] * 4
    assert compute.mutations() == CREATE_ORDER
    assert compute.names() == {
        "health_check": [NAMES.health_check],
        "instance_template": [NAMES.instance_template],
        "instance_group_manager": [NAMES.instance_group_manager],
        "autoscaler": [NAMES.autoscaler],
    }


def test_undeploy_deletes_in_reverse_order_and_can_be_repeated(compute: RecordingCompute) -> None:
    endpoint = _endpoint(compute)
    endpoint.deploy()
    compute.calls.clear()
    deleted = endpoint.undeploy()
    assert compute.mutations() == [("delete", kind, name) for _, kind, name in reversed(CREATE_ORDER)]
    assert len(deleted) == 4
    assert compute.names() == {}
    assert endpoint.undeploy() == []


@pytest.mark.parametrize("failing", ["instance_template", "instance_group_manager", "autoscaler"])
def test_failure_half_way_rolls_back_everything_created(compute: RecordingCompute, failing: str) -> None:
    compute.fail("insert", failing)
    with pytest.raises(DeploymentError) as caught:
        _endpoint(compute).deploy()
    position = [kind for _, kind, _ in CREATE_ORDER].index(failing)
    created_before = CREATE_ORDER[:position]
    assert compute.mutations() == [
        *created_before,
        CREATE_ORDER[position],
        *[("delete", kind, name) for _, kind, name in reversed(created_before)],
    ]
    assert compute.names() == {}  # nothing half-created
    assert f"injected insert {failing} failure" in str(caught.value)
    assert caught.value.rollback_failures == []
    assert len(caught.value.rolled_back) == position


def test_redeploy_with_new_hardware_updates_and_a_failure_restores(compute: RecordingCompute) -> None:
    _endpoint(compute).deploy()
    resized = DEPLOYMENT.model_copy(
        update={"serving": hardware.serving.model_copy(update={"gunicorn_workers": 1, "autoscaling": hardware.serving.autoscaling.model_copy(update={"max_instances": 8})})}
    )
    new_template = resized.names.instance_template
    assert new_template != NAMES.instance_template
    compute.fail("patch", "autoscaler")
    compute.calls.clear()
    with pytest.raises(DeploymentError):
        _endpoint(compute, resized).deploy()
    assert compute.mutations() == [
        ("update", "health_check", NAMES.health_check),
        ("insert", "instance_template", new_template),
        ("patch", "instance_group_manager", NAMES.instance_group_manager),
        ("patch", "autoscaler", NAMES.autoscaler),
        ("patch", "instance_group_manager", NAMES.instance_group_manager),  # put back on the old template
        ("delete", "instance_template", new_template),
        ("update", "health_check", NAMES.health_check),
    ]
    group = compute.resources["instance_group_manager"][NAMES.instance_group_manager]
    assert group.instance_template.endswith(NAMES.instance_template)
    assert compute.names()["instance_template"] == [NAMES.instance_template]

    compute.failures.clear()
    compute.calls.clear()
    actions = _endpoint(compute, resized).deploy()
    assert [a.verb for a in actions] == ["updated", "created", "updated", "updated"]
    group = compute.resources["instance_group_manager"][NAMES.instance_group_manager]
    assert group.instance_template.endswith(new_template)
    assert compute.resources["autoscaler"][NAMES.autoscaler].autoscaling_policy.max_num_replicas == 8
    # Undeploy removes the old template too.
    _endpoint(compute, resized).undeploy()
    assert compute.names() == {}


def test_deploy_refuses_workers_that_do_not_fit_before_touching_anything(compute: RecordingCompute) -> None:
    verdict = check_worker_memory(hardware.serving, 3 * 1024**3, deploying=True)
    with pytest.raises(WorkerMemoryError, match="gunicorn_workers=2"):
        _endpoint(compute).deploy(memory=verdict)
    assert compute.calls == []
