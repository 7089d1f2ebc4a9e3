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
    """This checkout's ``experiments/`` folder: where ``psml experiments new`` writes."""
    return Path(next(iter(experiments.__path__)))


def experiments_folders() -> list[Path]:
    """Every folder the ``experiments`` package spans, in import order (see experiments/__init__.py)."""
    return [Path(entry) for entry in dict.fromkeys(experiments.__path__)]


def packages_in(folder: Path) -> list[ExperimentPackage]:
    """The experiment packages directly in ``folder`` (any folder, e.g. a scaffold's root), sorted by name."""
    if not folder.is_dir():
        return []
    return [
        ExperimentPackage(name=path.name, path=path)
        for path in sorted(folder.iterdir())
        if path.is_dir() and _NAME.match(path.name) and (path / "train" / "main.py").is_file()
    ]


def list_experiments() -> list[ExperimentPackage]:
    """Every experiment package of every experiments folder, sorted by name.

    A name present in two folders is listed once, from the folder Python imports it from.
    """
    found: dict[str, ExperimentPackage] = {}
    for folder in experiments_folders():
        for package in packages_in(folder):
            found.setdefault(package.name, package)
    return [found[name] for name in sorted(found)]


def get_experiment(name: str) -> ExperimentPackage:
    """The experiment package ``name``, or an error listing the ones that exist."""
    for package in list_experiments():
        if package.name == name:
            return package
    known = ", ".join(p.name for p in list_experiments()) or "none"
    folders = ", ".join(str(folder) for folder in experiments_folders())
    raise ExperimentNotFoundError(f"no experiment named {name!r} in {folders} (known: {known})")
