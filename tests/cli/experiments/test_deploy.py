"""`psml experiments deploy` and `train --remote`: plans printed without credentials."""

from __future__ import annotations

import json

import pytest
from google.cloud import compute_v1
from typer.testing import CliRunner

from paystone.cli.main import app

runner = CliRunner()


def test_deploy_prints_a_plan_of_valid_compute_messages_without_credentials(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = "toy"  # the fixture experiment; tests/e2e/<template>/ checks each template's plan
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("PSML_IMAGE_REPOSITORY", "registry.invalid/team")
    result = runner.invoke(app, ["experiments", "deploy", service, "--version", "v1.m0", "--json", "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout[result.stdout.index("{"):])
    assert plan["image"] == f"registry.invalid/team/{service}:v1.m0"
    kinds = [step["kind"] for step in plan["steps"]]
    assert kinds == ["health check", "instance template", "instance group manager", "autoscaler"]
    messages = {
        "health check": compute_v1.HealthCheck,
        "instance template": compute_v1.InstanceTemplate,
        "instance group manager": compute_v1.InstanceGroupManager,
        "autoscaler": compute_v1.Autoscaler,
    }
    for step in plan["steps"]:
        message = messages[step["kind"]](step["specification"])  # parses: a valid message of that type
        assert message.name == step["name"]
    assert "worker memory not checked" in result.stderr
    assert plan["gunicorn"]["worker_class"] == "uvicorn_worker.UvicornWorker"


def test_deploy_names_a_malformed_version() -> None:
    result = runner.invoke(app, ["experiments", "deploy", "toy", "--version", "1.0"])
    assert result.exit_code == 1
    assert "'1.0'" in result.stderr


def test_train_remote_plans_one_vm_and_refuses_overrides() -> None:
    result = runner.invoke(app, ["experiments", "train", "toy", "--remote"])
    assert result.exit_code == 0, result.output
    assert "n2-standard-4" in result.stdout and "nothing was created" in result.stderr
    refused = runner.invoke(app, ["experiments", "train", "toy", "--remote", "--set", "alpha=3"])
    assert refused.exit_code == 1
    assert "--set and --override are for local runs" in refused.stderr
