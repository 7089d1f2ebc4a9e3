"""Checks every shipped template must pass, called from each template's folder (housing/, sentiment/).

They live here rather than in the platform's unit tests so that only a template's own targets
depend on its files: editing experiments/housing re-runs //tests/e2e:housing_test, not the
platform's suite (which runs against tests/fixtures/experiments/toy).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from google.cloud import compute_v1
from typer.testing import CliRunner

from paystone.cli.main import app
from paystone.discovery import get_experiment
from paystone.serving.types.request import Request
from paystone.testing.acceptance.loading import load_acceptance, route_path

#: Compute Engine message type of each step of a deployment plan.
PLAN_MESSAGES = {
    "health check": compute_v1.HealthCheck,
    "instance template": compute_v1.InstanceTemplate,
    "instance group manager": compute_v1.InstanceGroupManager,
    "autoscaler": compute_v1.Autoscaler,
}


def check_deploy_plan(service: str, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`psml experiments deploy` plans the template's hardware as valid Compute Engine messages."""
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("PSML_IMAGE_REPOSITORY", "registry.invalid/team")
    result = CliRunner().invoke(app, ["experiments", "deploy", service, "--version", "v1.m0", "--json", "--root", str(root)])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout[result.stdout.index("{") :])
    assert plan["image"] == f"registry.invalid/team/{service}:v1.m0"
    assert [step["kind"] for step in plan["steps"]] == list(PLAN_MESSAGES)
    for step in plan["steps"]:
        assert PLAN_MESSAGES[step["kind"]](step["specification"]).name == step["name"]


def check_acceptance_test(service: str) -> None:
    """The template's acceptance test has several stages and SLAs, stays short, and sends valid requests."""
    test = load_acceptance(service)
    assert len(test.stages) >= 3 and test.slas
    assert test.duration_seconds < 90  # with start-up, the whole run stays under two minutes
    assert route_path(service, test) == f"/{service}"
    schema = get_experiment(service).module("schema.request")
    request_model = Request[schema.Instance, schema.Parameters]
    requests = test.build_requests()
    assert requests
    for request in requests:
        request_model.model_validate_json(request.model_dump_json())
