from __future__ import annotations

import google.auth
import pytest
from google.cloud import compute_v1

from experiments.toy.infrastructure.hardware import hardware
from paystone.compute.plan import deployment_plan, plan_text, training_plan

IMAGE = "REGISTRY/psml/housing:v1.m0"


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plans must never look for credentials."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a plan asked for Google credentials")

    monkeypatch.setattr(google.auth, "default", refuse)
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)


def test_serving_plan_lists_each_resource_in_order_as_valid_messages() -> None:
    plan = deployment_plan("housing", "v1.m0", hardware, image=IMAGE, storage_root="gs://bucket/psml")
    assert [step.kind for step in plan.steps] == [
        "health check",
        "instance template",
        "instance group manager",
        "autoscaler",
    ]
    assert [step.order for step in plan.steps] == [1, 2, 3, 4]
    assert [step.scope for step in plan.steps] == ["global", "global", "us-central1-a", "us-central1-a"]
    types = [compute_v1.HealthCheck, compute_v1.InstanceTemplate, compute_v1.InstanceGroupManager, compute_v1.Autoscaler]
    for step, message_type in zip(plan.steps, types, strict=True):
        message = message_type(step.specification)
        assert message.name == step.name
    assert plan.project == "PROJECT_ID"  # placeholder: no project is needed to plan
    assert plan.gunicorn is not None and plan.gunicorn["workers"] == 2
    assert plan.memory is None


def test_rendered_plan_shows_names_order_and_memory() -> None:
    plan = deployment_plan(
        "housing", "v1.m0", hardware, image=IMAGE, project="demo-project", artifact_memory_bytes=40 * 1024**2
    )
    text = plan_text(plan, width=200)
    for step in plan.steps:
        assert step.name in text
    assert "e2-custom-2-4096" in text and "demo-project" in text
    assert "uvicorn_worker.UvicornWorker" in text
    assert "worker memory: gunicorn_workers=2 x (40 MiB artifacts" in text
    assert text.index("1. health check") < text.index("2. instance template") < text.index("4. autoscaler")


def test_training_plan() -> None:
    plan = training_plan("housing", hardware, image=IMAGE, label="20250101t000000")
    (step,) = plan.steps
    instance = compute_v1.Instance(step.specification)
    assert instance.name == "psml-housing-train-20250101t000000"
    assert instance.machine_type.endswith("/machineTypes/n2-standard-4")
    assert "psml-housing-train-20250101t000000" in plan_text(plan)


def test_bad_version_is_refused() -> None:
    with pytest.raises(ValueError, match="version='1.0'"):
        deployment_plan("housing", "1.0", hardware, image=IMAGE)
