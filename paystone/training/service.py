"""Which experiment (service) a piece of code belongs to, from the module it lives in."""

from __future__ import annotations

import inspect
import sys
from dataclasses import dataclass
from pathlib import Path, PurePath
from types import FrameType

PACKAGE = "experiments"
_INTERNAL_PREFIX = "paystone.training"


@dataclass(frozen=True)
class CallerModule:
    """The module that called into the runner: its import name (never `__main__` when knowable) and file."""

    name: str | None
    file: str | None


def module_of_frame(frame: FrameType) -> CallerModule:
    """`python -m experiments.housing.train.main` runs as `__main__`; its `__spec__` still knows the real name."""
    namespace = frame.f_globals
    name = namespace.get("__name__")
    spec = namespace.get("__spec__")
    if name == "__main__" and spec is not None and getattr(spec, "name", None):
        name = spec.name
    return CallerModule(name=name, file=namespace.get("__file__"))


def caller_module() -> CallerModule:
    """The first module on the stack outside `paystone.training` (so subclasses/helpers don't count)."""
    frame = inspect.currentframe()
    try:
        while frame is not None and str(frame.f_globals.get("__name__", "")).startswith(_INTERNAL_PREFIX):
            frame = frame.f_back
        return module_of_frame(frame) if frame is not None else CallerModule(None, None)
    finally:
        del frame


def service_of(module: CallerModule) -> str | None:
    """`experiments.<service>.…` by import name, else `…/experiments/<service>/…` by file (Bazel runs scripts)."""
    if module.name:
        parts = module.name.split(".")
        if len(parts) >= 2 and parts[0] == PACKAGE:
            return parts[1]
    if module.file:
        parts = PurePath(module.file).parts
        for index in range(len(parts) - 2, -1, -1):
            if parts[index] == PACKAGE and index + 2 < len(parts):
                return parts[index + 1]
    return None


def main_module_is_train_main(service: str) -> bool:
    """Whether this process was started as the experiment's train binary (`-m …train.main` or its file)."""
    main = sys.modules.get("__main__")
    if main is None:
        return False
    expected = f"{PACKAGE}.{service}.train.main"
    spec = getattr(main, "__spec__", None)
    if spec is not None and getattr(spec, "name", None) == expected:
        return True
    file = getattr(main, "__file__", None)
    return bool(file) and Path(file).parts[-4:] == (PACKAGE, service, "train", "main.py")
