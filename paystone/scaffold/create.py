"""Copy a template experiment package under a new name, renamed throughout.

The copy is written into a temporary folder beside its destination and renamed into place once
complete, so an interrupted or failed scaffold never leaves a half-written package that
`psml experiments list` would pick up.
"""

from __future__ import annotations

import shutil
import tempfile
from enum import StrEnum
from pathlib import Path

from paystone.scaffold.naming import check_name, occurrences, rename



class Template(StrEnum):
    """The templates this repository ships; any other experiment package can be copied the same way."""

    housing = "housing"
    sentiment = "sentiment"


class ScaffoldError(Exception):
    """The new package cannot be written (name taken, template missing, leftover template name)."""


def default_root() -> Path:
    """The ``experiments/`` folder of this checkout."""
    from paystone.discovery import experiments_root

    return experiments_root()


def _reserved_routes() -> frozenset[str]:
    from paystone.serving.app import RESERVED_ROUTES

    return RESERVED_ROUTES


def check_new_name(name: str, template: str, root: Path) -> None:
    """Refuse an invalid name, a platform route name, the template's own name, or a taken name."""
    check_name(name)
    if name in _reserved_routes():
        raise ScaffoldError(f"experiment name {name!r} is a route the platform reserves ({sorted(_reserved_routes())})")
    if name == template:
        raise ScaffoldError(f"experiment name {name!r} is the template's own name")
    destination = root / name
    if destination.exists():
        raise ScaffoldError(f"experiment {name!r} already exists at {destination}; pick another name")
    if occurrences(name, template):
        # The copy would then still contain the template's name wherever it names itself.
        raise ScaffoldError(f"experiment name {name!r} contains the template's name {template!r} as a word")


def _copy_renamed(source: Path, destination: Path, template: str, name: str) -> None:
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if any(part == "__pycache__" or part.startswith("bazel-") or part == ".pytest_cache" for part in relative.parts):
            continue
        if path.suffix == ".pyc":
            continue
        target = destination / Path(*(rename(part, template, name) for part in relative.parts))
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            shutil.copyfile(path, target)  # binary file: copied as is
        else:
            target.write_text(rename(text, template, name), encoding="utf-8")
        shutil.copymode(path, target)


def leftovers(package: Path, template: str) -> list[str]:
    """``path: spelling`` for every standalone spelling of ``template`` left in file names or text."""
    found: list[str] = []
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package)
        if "__pycache__" in relative.parts:
            continue
        hits = occurrences(str(relative), template)
        if path.is_file():
            try:
                hits += occurrences(path.read_text(encoding="utf-8"), template)
            except UnicodeDecodeError:
                pass
        found.extend(f"{relative}: {hit}" for hit in hits)
    return found


def template_names(root: Path) -> list[str]:
    """The experiment packages of ``root`` a new one can start from: the templates and the team's own."""
    from paystone.discovery import packages_in

    return [package.name for package in packages_in(root)]


def create_experiment(name: str, template: Template | str = Template.housing, *, root: Path | None = None) -> Path:
    """Write ``<root>/<name>`` as a copy of ``<root>/<template>`` renamed throughout; return its path.

    ``template`` is any experiment package of ``root``: one of the shipped `Template` values or an
    experiment the team already has. ``root`` defaults to this checkout's ``experiments/``
    folder. Module paths, class names, route names, strings and file names are renamed (see
    `paystone.scaffold.naming`).
    """
    template = str(template)
    root = root if root is not None else default_root()
    source = root / template
    known = template_names(root)
    if template not in known:
        raise ScaffoldError(f"template {template!r} not found: no experiment package at {source} (known: {', '.join(known) or 'none'})")
    check_new_name(name, template, root)
    destination = root / name
    with tempfile.TemporaryDirectory(dir=root, prefix=f".scaffold-{name}-") as scratch:
        staged = Path(scratch) / name
        _copy_renamed(source, staged, template, name)
        left = leftovers(staged, template)
        if left:
            raise ScaffoldError(f"the copy of {template!r} still names it after renaming: {left[:10]}")
        if destination.exists():
            raise ScaffoldError(f"experiment {name!r} appeared at {destination} while it was being written")
        staged.rename(destination)
    _copy_template_lock(template, name, root)
    return destination


#: Debian package locks of the serving images (tools/image/debian_lock.py), one per experiment.
DEBIAN_LOCKS = Path("third_party/debian")


def _copy_template_lock(template: str, name: str, root: Path) -> None:
    """Give the copy the template's Python and Debian locks when ``root`` is a checkout's ``experiments/``.

    The copy's requirements.txt and packages.txt are the template's, so both resolve to the
    template's locks: with them the new package's Bazel targets and serving image build at once.
    """
    from paystone.dependencies.locking import EXPERIMENT_LOCKS, copy_lock

    repository = root.parent
    if (repository / EXPERIMENT_LOCKS).is_dir():
        copy_lock(template, name, repository)
    debian = repository / DEBIAN_LOCKS / f"{template}.lock"
    if debian.is_file():
        text = debian.read_text(encoding="utf-8").replace(f"of the {template} serving image", f"of the {name} serving image", 1)
        (repository / DEBIAN_LOCKS / f"{name}.lock").write_text(text, encoding="utf-8")
