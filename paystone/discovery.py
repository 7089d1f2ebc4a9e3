"""Find experiment packages: every folder of ``experiments/`` with the founding document's shape.

The platform discovers experiments rather than keeping a list, so adding one means adding its
folder and nothing else.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import experiments

#: Files whose presence makes a folder of ``experiments/`` an experiment package.
REQUIRED_FILES = (
    "schema/request.py",
    "schema/response.py",
    "schema/service.py",
    "train/main.py",
    "serve/app.py",
    "tests/regression.py",
    "tests/data.py",
)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class ExperimentNotFoundError(LookupError):
    """No experiment package of that name."""


@dataclass(frozen=True)
class ExperimentPackage:
    """An experiment package on disk."""

    name: str
    path: Path

    def module(self, relative: str) -> ModuleType:
        """Import ``experiments.<name>.<relative>`` (e.g. ``"train.main"``)."""
        return importlib.import_module(f"experiments.{self.name}.{relative}")

    @property
    def missing_files(self) -> list[str]:
        return [f for f in REQUIRED_FILES if not (self.path / f).is_file()]


def experiments_root() -> Path:
    """The folder holding the experiment packages."""
    return Path(next(iter(experiments.__path__)))


def list_experiments() -> list[ExperimentPackage]:
    """Every experiment package, sorted by name."""
    found = []
    for path in sorted(experiments_root().iterdir()):
        if path.is_dir() and _NAME.match(path.name) and (path / "train" / "main.py").is_file():
            found.append(ExperimentPackage(name=path.name, path=path))
    return found


def get_experiment(name: str) -> ExperimentPackage:
    """The experiment package ``name``, or an error listing the ones that exist."""
    for package in list_experiments():
        if package.name == name:
            return package
    known = ", ".join(p.name for p in list_experiments()) or "none"
    raise ExperimentNotFoundError(f"no experiment named {name!r} in {experiments_root()} (known: {known})")
