"""Tests of paystone.training.flags."""

from __future__ import annotations

import enum
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from paystone.training.errors import CommandLineError, ExperimentDefinitionError, HyperparameterError
from paystone.training.flags import define_flags, help_text, parse_command_line


class Kernel(enum.Enum):
    LINEAR = "linear"
    RBF = "rbf"


class Params(BaseModel):
    """Hyperparameters of the demo experiment."""

    learning_rate: float = Field(default=0.1, gt=0, description="Step size of the optimiser.")
    trees: int = Field(default=100, description="Number of trees in the forest.")
    shuffle: bool = Field(default=True, description="Shuffle rows before splitting.")
    name: str = Field(default="demo", description="Free-text run label.")
    kernel: Kernel = Field(default=Kernel.RBF, description="Kernel of the support vector machine.")
    loss: Literal["squared", "huber"] = Field(default="squared", description="Loss to minimise.")
    features: list[str] = Field(default_factory=lambda: ["a", "b"], description="Columns to train on.")
    seed: int | None = Field(default=None, description="Random seed; None draws one.")


def test_no_arguments_gives_defaults() -> None:
    command_line = parse_command_line(Params, ["train"])
    assert command_line.hyperparameters == Params()
    assert command_line.overrides == {}
    assert command_line.root is None


def test_every_kind_of_field_parses() -> None:
    command_line = parse_command_line(
        Params,
        [
            "train",
            "--learning_rate=0.5",
            "--trees",
            "7",
            "--noshuffle",
            "--name=x",
            "--kernel=linear",
            "--loss=huber",
            '--features=["c"]',
            "--seed=3",
            "--override=load=pkg.mod:small",
            "--override=fit=pkg.mod:quick",
            "--root=gs://bucket/prefix",
        ],
    )
    assert command_line.hyperparameters == Params(
        learning_rate=0.5, trees=7, shuffle=False, name="x", kernel=Kernel.LINEAR, loss="huber", features=["c"], seed=3
    )
    assert command_line.overrides == {"load": "pkg.mod:small", "fit": "pkg.mod:quick"}
    assert command_line.root == "gs://bucket/prefix"


@pytest.mark.parametrize(
    ("argument", "error", "message"),
    [
        ("--trees=many", CommandLineError, r"flag --trees=many: invalid literal for int"),
        ("--treez=3", CommandLineError, r"Unknown command line flag 'treez'"),
        ("--learning_rate=-1", HyperparameterError, r"'learning_rate': Input should be greater than 0"),
        ("--features=[oops", CommandLineError, r"flag --features='\[oops' is not valid JSON"),
        ("--override=load", CommandLineError, r"flag --override: override 'load' is malformed"),
        ("stray", CommandLineError, r"unexpected argument\(s\) 'stray'"),
    ],
)
def test_bad_command_lines_are_named(argument: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        parse_command_line(Params, ["train", argument])


def test_set_takes_psmls_spelling_and_converts_like_the_flag_itself() -> None:
    command_line = parse_command_line(
        Params, ["train", "--set", "trees=7", "--set=shuffle=false", "--set", 'features=["c"]', "--set=name=a=b"]
    )
    assert command_line.hyperparameters == Params(trees=7, shuffle=False, features=["c"], name="a=b")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--set", "trees"], r"flag --set='trees': expected NAME=VALUE"),
        (["--set", "treez=3"], r"'treez' is not a hyperparameter of Params \(known: learning_rate, trees,"),
        (["--set", "trees=3", "--trees=4"], r"hyperparameter 'trees' is set twice"),
        (["--set", "trees=3", "--set", "trees=4"], r"hyperparameter 'trees' is set twice"),
        (["--set", "trees=many"], r"flag --trees=many: invalid literal for int"),
    ],
)
def test_bad_set_flags_are_named(arguments: list[str], message: str) -> None:
    with pytest.raises(CommandLineError, match=message):
        parse_command_line(Params, ["train", *arguments])


def test_same_task_overridden_twice_is_refused() -> None:
    with pytest.raises(CommandLineError, match="names task 'load' twice"):
        parse_command_line(Params, ["train", "--override=load=a:b", "--override=load=c:d"])


def test_help_lists_every_hyperparameter_with_description_and_default(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_command_line(Params, ["train", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out == help_text(Params, program="train")
    assert "Hyperparameters of the demo experiment." in out
    for name, field in Params.model_fields.items():
        assert f"--{name}" in out or f"--[no]{name}" in out
        assert field.description in out
    assert "(default: '0.1')" in out
    assert "(default: '100')" in out
    assert "(default: 'rbf')" in out
    assert "--override" in out and "--root" in out and "--set" in out


def test_reserved_field_names_are_refused() -> None:
    class Clash(BaseModel):
        root: str = Field(default="x", description="clashes with --root")

    with pytest.raises(ExperimentDefinitionError, match="hyperparameter\\(s\\) 'root' of Clash clash"):
        define_flags(Clash)
