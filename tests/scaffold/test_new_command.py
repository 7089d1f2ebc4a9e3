"""Tests of paystone/cli/experiments/new.py: `psml experiments new` through Typer, into a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import paystone.cli.experiments.new  # noqa: F401  (registers the command)
from paystone.cli.main import app
from paystone.discovery import get_experiment


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "experiments"
    shutil.copytree(get_experiment("toy").path, folder / "toy", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr("paystone.scaffold.create.default_root", lambda: folder)
    return folder


def test_new_writes_the_package_and_says_what_to_do_next(root: Path) -> None:
    result = CliRunner().invoke(app, ["experiments", "new", "reviews", "--template", "toy"])
    assert result.exit_code == 0, result.output
    assert (root / "reviews" / "serve" / "app.py").is_file()
    assert "psml experiments train reviews" in result.output


@pytest.mark.parametrize(("arguments", "message"), [(["Bad-Name", "-t", "toy"], "'Bad-Name'"), (["toy", "-t", "toy"], "template's own name")])
def test_new_refuses_with_a_clear_error_and_non_zero_exit(root: Path, arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["experiments", "new", *arguments])
    assert result.exit_code == 1
    assert message in result.output
    assert sorted(p.name for p in root.iterdir()) == ["toy"]


def test_unknown_template_is_a_usage_error(root: Path) -> None:
    result = CliRunner().invoke(app, ["experiments", "new", "reviews", "--template", "weather"])
    assert result.exit_code == 2
    output = " ".join(result.output.split())  # Rich boxes and wraps usage errors
    assert "'weather' is not an experiment" in output and "(known: toy)" in output
    assert not (root / "reviews").exists()
