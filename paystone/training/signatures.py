"""Static checks of a task's signature against the tasks that feed it.

These run in `add_task` and for every override, before anything executes, so a mistake costs a
clear message instead of an hour of training followed by a `TypeError`.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, Union

from pydantic import BaseModel

from paystone.training.errors import TaskDefinitionError

_UNION_ORIGINS = (Union, types.UnionType)
# PEP 484's numeric tower: type checkers accept an int where a float is expected, and both for complex.
_NUMERIC_PROMOTIONS = {float: (int,), complex: (int, float)}


def describe_type(annotation: object) -> str:
    """Render an annotation the way a user wrote it (`int`, `list[str]`, `pandas.DataFrame`)."""
    return inspect.formatannotation(annotation)


def is_assignable(provided: object, expected: object) -> bool:
    """Whether a value annotated `provided` may be passed to a parameter annotated `expected`.

    Deliberately simple: identical types, subclasses, `Any`, unions, int-for-float, and generics whose origin is a
    subclass with identical (or unstated) arguments. Anything subtler is reported rather than guessed.
    """
    if expected is Any or provided is Any or expected is object or provided == expected:
        return True
    if isinstance(expected, TypeVar) or isinstance(provided, TypeVar):
        return True
    if provided in _NUMERIC_PROMOTIONS.get(expected, ()):  # type: ignore[call-overload]
        return True
    if typing.get_origin(provided) in _UNION_ORIGINS:
        return all(is_assignable(member, expected) for member in typing.get_args(provided))
    if typing.get_origin(expected) in _UNION_ORIGINS:
        return any(is_assignable(provided, member) for member in typing.get_args(expected))
    provided_origin = typing.get_origin(provided) or provided
    expected_origin = typing.get_origin(expected) or expected
    if not (isinstance(provided_origin, type) and isinstance(expected_origin, type)):
        return False
    if not issubclass(provided_origin, expected_origin):
        return False
    # An unparameterised side (`list`, a plain subclass of `list`) means "any arguments", as type checkers read it.
    provided_args, expected_args = typing.get_args(provided), typing.get_args(expected)
    return not expected_args or not provided_args or provided_args == expected_args


@dataclass(frozen=True)
class Inbound:
    """An inbound task as a signature check sees it: its name and return annotation."""

    name: str
    returns: object


@dataclass(frozen=True)
class TaskSignature:
    """What the runner needs to call a validated task."""

    returns: object
    hyperparameter_parameters: tuple[str, ...]


def check_signature(
    function: Callable[..., Any],
    *,
    label: str,
    inbound: Sequence[Inbound],
    hyperparameter_model: type[BaseModel],
) -> TaskSignature:
    """Validate `function` as a task fed by `inbound`; `label` names it in messages (e.g. "task 'fit'")."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError) as error:
        raise TaskDefinitionError(f"{label}: cannot read its signature ({error}); expected a plain function") from None
    try:
        hints = typing.get_type_hints(function)
    except Exception as error:  # unresolvable forward references surface as NameError and friends
        raise TaskDefinitionError(
            f"{label}: its annotations cannot be resolved ({type(error).__name__}: {error}); "
            "expected every annotation to name an importable type"
        ) from None

    if signature.return_annotation is inspect.Signature.empty:
        raise TaskDefinitionError(
            f"{label} has no return annotation; expected `-> SomeType` so that downstream tasks "
            "and overrides can be checked against it"
        )
    returns = hints.get("return", type(None))

    positional: list[inspect.Parameter] = []
    hyperparameter_parameters: list[str] = []
    for parameter in signature.parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            stars = "*" if parameter.kind is parameter.VAR_POSITIONAL else "**"
            raise TaskDefinitionError(
                f"{label}: parameter '{stars}{parameter.name}' is variadic; expected one named positional "
                "parameter per inbound task"
            )
        if parameter.kind is parameter.KEYWORD_ONLY:
            annotation = hints.get(parameter.name, inspect.Parameter.empty)
            if isinstance(annotation, type) and issubclass(annotation, BaseModel) and issubclass(
                hyperparameter_model, annotation
            ):
                hyperparameter_parameters.append(parameter.name)
            elif parameter.default is inspect.Parameter.empty:
                found = "no annotation" if annotation is inspect.Parameter.empty else describe_type(annotation)
                raise TaskDefinitionError(
                    f"{label}: keyword-only parameter '{parameter.name}' ({found}) has no default and is not "
                    f"the hyperparameters; expected `*, {parameter.name}: {hyperparameter_model.__name__}` "
                    "or a default value"
                )
            continue
        positional.append(parameter)

    if len(positional) != len(inbound):
        found = ", ".join(p.name for p in positional) or "none"
        expected = ", ".join(source.name for source in inbound) or "none"
        raise TaskDefinitionError(
            f"{label} takes {len(positional)} positional parameter(s) ({found}) but has {len(inbound)} "
            f"inbound task(s) ({expected}); expected one positional parameter per inbound task, in order"
        )

    for parameter, source in zip(positional, inbound):
        annotation = hints.get(parameter.name, inspect.Parameter.empty)
        if annotation is inspect.Parameter.empty:
            raise TaskDefinitionError(
                f"{label}: parameter '{parameter.name}' has no annotation; expected "
                f"{describe_type(source.returns)} (the return annotation of inbound task '{source.name}')"
            )
        if not is_assignable(source.returns, annotation):
            raise TaskDefinitionError(
                f"{label}: parameter '{parameter.name}' is annotated {describe_type(annotation)} but inbound "
                f"task '{source.name}' returns {describe_type(source.returns)}; expected "
                f"{describe_type(source.returns)} or a supertype of it"
            )

    return TaskSignature(returns=returns, hyperparameter_parameters=tuple(hyperparameter_parameters))
