"""Resolving task overrides given as `module:function` strings (command line, CLI, manifest)."""

from __future__ import annotations

import pkgutil
from collections.abc import Callable
from typing import Any

from paystone.training.errors import OverrideError


def resolve_function(reference: str, *, task: str) -> Callable[..., Any]:
    """Import `module:function` (the function may be a dotted attribute path) for overriding `task`."""
    if ":" not in reference:
        raise OverrideError(
            f"override for task '{task}' is {reference!r}; expected 'module:function' (e.g. "
            "'experiments.housing.train.samples:load_sample')"
        )
    try:
        function = pkgutil.resolve_name(reference)
    except (ImportError, AttributeError, ValueError) as error:
        raise OverrideError(
            f"override for task '{task}': cannot import {reference!r} ({type(error).__name__}: {error})"
        ) from None
    if not callable(function):
        raise OverrideError(
            f"override for task '{task}': {reference!r} is a {type(function).__name__}, expected a function"
        )
    return function


def reference_of(function: Callable[..., Any]) -> str:
    """The `module:qualname` string recorded in the manifest for a callable override."""
    module = getattr(function, "__module__", None) or "<unknown>"
    qualname = getattr(function, "__qualname__", None) or repr(function)
    return f"{module}:{qualname}"


def parse_override(argument: str) -> tuple[str, str]:
    """Split a command-line `TASK=module:function` into its two halves."""
    task, separator, reference = argument.partition("=")
    if not separator or not task.strip() or not reference.strip():
        raise OverrideError(f"override {argument!r} is malformed; expected TASK=module:function")
    return task.strip(), reference.strip()
