"""`psml experiments lock`: wiring of paystone.dependencies.locking (tested in tests/dependencies)."""

from __future__ import annotations

from typer.testing import CliRunner

from paystone.cli.main import app


def test_lock_of_an_unknown_experiment_names_it_and_the_known_ones() -> None:
    result = CliRunner().invoke(app, ["experiments", "lock", "nosuch"])
    assert result.exit_code == 1
    assert "'nosuch'" in result.stderr and "toy" in result.stderr


def test_lock_help_says_what_it_refuses() -> None:
    result = CliRunner().invoke(app, ["experiments", "lock", "--help"])
    assert result.exit_code == 0
    assert "range" in result.stdout


def test_check_refuses_an_experiment_without_a_lock_and_resolves_nothing() -> None:
    result = CliRunner().invoke(app, ["experiments", "lock", "toy", "--check"])
    assert result.exit_code == 1
    assert "'toy' has no lock" in result.stderr and "psml experiments lock toy" in result.stderr
