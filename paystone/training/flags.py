"""absl flags generated from an experiment's hyperparameter model.

Each train binary (`bazel run //experiments/housing:train -- --learning_rate=0.05`) gets one flag
per hyperparameter, its description as help and its default shown, plus the run options
`--override=TASK=module:function` (repeatable) and `--root=PATH|gs://bucket/prefix`. It also takes
`--set NAME=VALUE` (repeatable), the spelling of `psml experiments train`, so the flags of one
work with the other: `bazel run //experiments/housing:train -- --set max_iter=40` and
`psml experiments train housing --set max_iter=40` are the same run.

A fresh `FlagValues` is built per parse instead of absl's global `FLAGS`, so parsing is repeatable
(tests, several experiments in one process) and never collides with other libraries' flags.
"""

from __future__ import annotations

import enum
import json
import sys
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from absl import flags as absl_flags
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import to_jsonable_python

from paystone.training.errors import CommandLineError, ExperimentDefinitionError, OverrideError
from paystone.training.hyperparameters import validate_hyperparameters
from paystone.training.overrides import parse_override

OVERRIDE_FLAG = "override"
ROOT_FLAG = "root"
HELP_FLAG = "help"
SET_FLAG = "set"
RESERVED_NAMES = frozenset({OVERRIDE_FLAG, ROOT_FLAG, HELP_FLAG, SET_FLAG, "helpfull", "flagfile", "undefok"})
RUN_OPTIONS = "run options"
_JSON_ORIGINS = (list, tuple, dict, set, frozenset)


@dataclass(frozen=True)
class CommandLine:
    """What a train binary's command line asks for."""

    hyperparameters: BaseModel
    overrides: dict[str, str] = field(default_factory=dict)
    root: str | None = None


def _unwrap_optional(annotation: object) -> object:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [member for member in typing.get_args(annotation) if member is not type(None)]
        if len(members) == 1:
            return members[0]
    return annotation


def _takes_json(annotation: object) -> bool:
    origin = typing.get_origin(annotation) or annotation
    return (isinstance(origin, type) and issubclass(origin, (*_JSON_ORIGINS, BaseModel))) or typing.get_origin(
        annotation
    ) in (typing.Union, types.UnionType)


def _define(flag_values: absl_flags.FlagValues, name: str, info: FieldInfo, group: str) -> None:
    annotation = _unwrap_optional(info.annotation)
    default = info.get_default(call_default_factory=True)
    help_text = info.description or ""
    common: dict[str, Any] = {"flag_values": flag_values, "module_name": group}
    if annotation is bool:
        absl_flags.DEFINE_boolean(name, default, help_text, **common)
    elif annotation is int:
        absl_flags.DEFINE_integer(name, default, help_text, **common)
    elif annotation is float:
        absl_flags.DEFINE_float(name, default, help_text, **common)
    elif isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        absl_flags.DEFINE_enum_class(name, default, annotation, help_text, case_sensitive=False, **common)
    elif typing.get_origin(annotation) is Literal and all(isinstance(v, str) for v in typing.get_args(annotation)):
        absl_flags.DEFINE_enum(name, default, list(typing.get_args(annotation)), help_text, **common)
    elif _takes_json(annotation):
        absl_flags.DEFINE_string(
            name, json.dumps(to_jsonable_python(default)), f"{help_text} (JSON)", **common
        )
    else:
        absl_flags.DEFINE_string(name, None if default is None else str(default), help_text, **common)


def define_flags(model: type[BaseModel]) -> absl_flags.FlagValues:
    """Build the flags of a train binary: one per hyperparameter, then the run options."""
    clashes = sorted(RESERVED_NAMES & set(model.model_fields))
    if clashes:
        raise ExperimentDefinitionError(
            f"hyperparameter(s) {', '.join(map(repr, clashes))} of {model.__name__} clash with the train "
            f"binary's own flags; expected names other than {', '.join(sorted(RESERVED_NAMES))}"
        )
    flag_values = absl_flags.FlagValues()
    group = f"hyperparameters ({model.__name__})"
    for name, info in model.model_fields.items():
        _define(flag_values, name, info, group)
    absl_flags.DEFINE_multi_string(
        OVERRIDE_FLAG, [], "Replace a task for this run by a compatible function: TASK=module:function",
        flag_values=flag_values, module_name=RUN_OPTIONS,
    )
    absl_flags.DEFINE_multi_string(
        SET_FLAG, [], "Set a hyperparameter, as `psml experiments train` does: NAME=VALUE (same as --NAME=VALUE)",
        flag_values=flag_values, module_name=RUN_OPTIONS,
    )
    absl_flags.DEFINE_string(
        ROOT_FLAG, None, "Storage root for save(): a folder or gs://bucket/prefix "
        "(default: $PSML_STORAGE_ROOT, else ./artifacts).",
        flag_values=flag_values, module_name=RUN_OPTIONS,
    )
    absl_flags.DEFINE_boolean(
        HELP_FLAG, False, "Show this help and exit.", short_name="h", flag_values=flag_values, module_name=RUN_OPTIONS
    )
    return flag_values


def help_text(model: type[BaseModel], program: str = "train") -> str:
    """The `--help` text: usage, then every hyperparameter with its description and default."""
    usage = (
        f"usage: {program} [--HYPERPARAMETER=VALUE | --set NAME=VALUE ...] [--override=TASK=module:function ...] "
        "[--root=PATH|gs://bucket/prefix]"
    )
    summary = (model.__doc__ or "").strip().splitlines()
    heading = f"\n\n{summary[0]}" if summary else ""
    return f"{usage}{heading}\n{define_flags(model).get_help(include_special_flags=False)}\n"


def _hyperparameter_values(model: type[BaseModel], flag_values: absl_flags.FlagValues) -> dict[str, Any]:
    """Only flags given on the command line, so the model's own defaults (and factories) apply otherwise."""
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        flag = flag_values[name]
        if not flag.present:
            continue
        value = flag.value
        if _takes_json(_unwrap_optional(info.annotation)) and isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as error:
                raise CommandLineError(f"flag --{name}={value!r} is not valid JSON ({error})") from None
        values[name] = value
    return values


def _overrides(arguments: Sequence[str]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for argument in arguments:
        try:
            task, reference = parse_override(argument)
        except OverrideError as error:
            raise CommandLineError(f"flag --{OVERRIDE_FLAG}: {error}") from None
        if task in overrides:
            raise CommandLineError(
                f"flag --{OVERRIDE_FLAG} names task '{task}' twice ({overrides[task]!r} and {reference!r}); "
                "expected at most one override per task"
            )
        overrides[task] = reference
    return overrides


def _set_flags(model: type[BaseModel], flag_values: absl_flags.FlagValues) -> list[str]:
    """`--set NAME=VALUE` values as `--NAME=VALUE` flags, refusing what `--NAME` alone would not take."""
    flags: list[str] = []
    seen: set[str] = set()
    for assignment in flag_values[SET_FLAG].value:
        name, equals, value = assignment.partition("=")
        name = name.strip()
        if not equals or not name:
            raise CommandLineError(f"flag --{SET_FLAG}={assignment!r}: expected NAME=VALUE")
        if name not in model.model_fields:
            known = ", ".join(model.model_fields) or "none"
            raise CommandLineError(f"flag --{SET_FLAG}: {name!r} is not a hyperparameter of {model.__name__} (known: {known})")
        if name in seen or flag_values[name].present:
            raise CommandLineError(f"hyperparameter {name!r} is set twice (--{name} and/or --{SET_FLAG}); give it once")
        seen.add(name)
        flags.append(f"--{name}={value}")
    return flags


def parse_command_line(model: type[BaseModel], argv: Sequence[str]) -> CommandLine:
    """Parse `argv` (program name first, like `sys.argv`); `--help` prints the help and exits 0."""
    flag_values = define_flags(model)
    try:
        remaining = flag_values(list(argv))
        set_flags = _set_flags(model, flag_values)
        if set_flags:  # parsed again with each --set NAME=VALUE as --NAME=VALUE: one conversion path
            flag_values = define_flags(model)
            remaining = flag_values([*argv, *set_flags])
    except absl_flags.Error as error:
        raise CommandLineError(f"{error}; see --help") from None
    if flag_values[HELP_FLAG].value:
        sys.stdout.write(help_text(model, program=argv[0] if argv else "train"))
        raise SystemExit(0)
    if len(remaining) > 1:
        raise CommandLineError(
            f"unexpected argument(s) {' '.join(remaining[1:])!r}; expected only --flags (see --help)"
        )
    hyperparameters = validate_hyperparameters(model, _hyperparameter_values(model, flag_values))
    return CommandLine(
        hyperparameters=hyperparameters,
        overrides=_overrides(flag_values[OVERRIDE_FLAG].value),
        root=flag_values[ROOT_FLAG].value,
    )


def parse_mapping(model: type[BaseModel], values: Mapping[str, str]) -> BaseModel:
    """Validate string values as the command line would (used by callers that collect `name=value` pairs)."""
    argv = ["train", *(f"--{name}={value}" for name, value in values.items())]
    return parse_command_line(model, argv).hyperparameters
