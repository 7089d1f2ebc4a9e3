"""The sentiment template against the checks every shipped template passes (tests/e2e/template_checks.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.template_checks import check_acceptance_test, check_deploy_plan


def test_deploy_plan_is_valid_compute_engine_messages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    check_deploy_plan("sentiment", tmp_path, monkeypatch)


def test_acceptance_test_loads_with_valid_requests() -> None:
    check_acceptance_test("sentiment")
