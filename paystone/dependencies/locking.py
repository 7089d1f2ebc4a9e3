"""Write an experiment's hashed lock: `psml experiments lock NAME`.

An experiment's lock is resolved from its `requirements.txt` plus the platform's own pins
(`third_party/python/requirements.in`), so the serving app, the platform code and the
experiment's extra packages are tested together exactly as they ship. Each experiment gets
its own lock (`third_party/python/experiments/NAME.lock`) and, inside Bazel, its own
repository (`@pip_NAME`): two experiments may pin one package at different versions.

Resolution is `uv pip compile --generate-hashes`, with uv itself installed from the hashed
`uv.lock` beside this file into a cache folder, so the platform does not carry uv.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

PLATFORM_REQUIREMENTS = Path("third_party/python/requirements.in")
PLATFORM_LOCK = Path("third_party/python/requirements.lock")
EXPERIMENT_LOCKS = Path("third_party/python/experiments")
LOCKS_INDEX = EXPERIMENT_LOCKS / "locks.bzl"
UV_LOCK = Path(__file__).with_name("uv.lock")
# The target every lock is resolved for: Debian 12's python3.11 on x86_64 (glibc 2.36).
PYTHON_VERSION = "3.11"
PYTHON_PLATFORM = "x86_64-manylinux_2_36"


class RequirementsError(ValueError):
    """A requirements line that is not an exact `name==version` pin."""


class PinConflictError(ValueError):
    """An experiment pins a package the platform pins, at another version."""


class LockError(RuntimeError):
    """The resolver could not produce a lock (its message says why)."""


class StaleLockError(LockError):
    """An experiment's lock was resolved from other pins than its requirements now hold."""


#: The lock's comment line recording what it was resolved from (see `pins_digest`).
DIGEST_LINE = "# pins digest: "


@dataclass(frozen=True)
class Pin:
    """One `name==version` line and where it came from, for messages."""

    name: str
    version: str
    source: str

    @property
    def key(self) -> str:
        return canonicalize_name(self.name)


def repository_root() -> Path:
    """The checkout this module lives in (paystone/dependencies/locking.py -> root)."""
    return Path(__file__).resolve().parents[2]


def read_pins(path: Path, *, display: str | None = None) -> list[Pin]:
    """Every requirement of `path`, each of which must be an exact `==` pin.

    Ranges (`>=`, `~=`, `<`, `!=`, `==1.*`), bare names, URLs and pip options are refused
    with the file, line number and line: a range would make two locks of one experiment
    differ with the day they were written.
    """
    display = display or str(path)
    pins = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        where = f"{display}:{number}"
        if line.startswith("-"):
            raise RequirementsError(f"{where}: {line!r}: pip options are not allowed, only name==version pins")
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            raise RequirementsError(f"{where}: {line!r} is not a requirement: {error}") from error
        specifiers = list(requirement.specifier)
        if requirement.url or len(specifiers) != 1 or specifiers[0].operator != "==" or "*" in specifiers[0].version:
            raise RequirementsError(
                f"{where}: {line!r} is not an exact pin; write {requirement.name}==<version> "
                "(ranges such as >=, ~=, < and unpinned names are refused)"
            )
        pins.append(Pin(name=requirement.name, version=specifiers[0].version, source=where))
    return pins


def check_conflicts(experiment: list[Pin], platform: list[Pin]) -> None:
    """Refuse an experiment pin that contradicts a platform pin, naming both lines."""
    platform_by_key = {pin.key: pin for pin in platform}
    conflicts = [
        f"{pin.source} pins {pin.name}=={pin.version}, but the platform pins "
        f"{platform_by_key[pin.key].name}=={platform_by_key[pin.key].version} ({platform_by_key[pin.key].source})"
        for pin in experiment
        if pin.key in platform_by_key and pin.version != platform_by_key[pin.key].version
    ]
    if conflicts:
        raise PinConflictError(
            "the experiment's pins contradict the platform's:\n  " + "\n  ".join(conflicts)
            + "\nUse the platform's version, or change the platform pin for every experiment."
        )


def pins_digest(experiment: list[Pin], platform: list[Pin]) -> str:
    """What a lock is resolved from, as one value: the sorted `name==version` pins of both files.

    Comments, order and spelling of names do not count, so the renamed copy `psml experiments
    new` makes of a template's requirements.txt has the template's digest.
    """
    lines = sorted({f"{pin.key}=={pin.version}" for pin in [*experiment, *platform]})
    return "sha256:" + hashlib.sha256("\n".join(lines).encode()).hexdigest()


def current_digest(name: str, root: Path) -> str:
    """The digest of experiments/NAME/requirements.txt plus the platform's pins, as they are now."""
    requirements = Path("experiments") / name / "requirements.txt"
    if not (root / requirements).is_file():
        raise LockError(f"experiment {name!r} has no {requirements}")
    experiment = read_pins(root / requirements, display=str(requirements))
    platform = read_pins(root / PLATFORM_REQUIREMENTS, display=str(PLATFORM_REQUIREMENTS))
    return pins_digest(experiment, platform)


def stamp_digest(text: str, digest: str) -> str:
    """`text` (a lock) with its digest line: after the leading comments, replacing an older one."""
    lines = [line for line in text.splitlines() if not line.startswith(DIGEST_LINE)]
    header = 0
    while header < len(lines) and lines[header].startswith("#"):
        header += 1
    lines.insert(header, DIGEST_LINE + digest)
    return "\n".join(lines) + "\n"


def recorded_digest(lock: Path) -> str | None:
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.startswith(DIGEST_LINE):
            return line[len(DIGEST_LINE) :].strip()
    return None


def check_lock(name: str, root: Path | None = None) -> Path:
    """Refuse a missing lock, or one resolved from other pins than requirements now hold.

    Without this, editing requirements.txt and forgetting to lock builds with the old lock and
    fails later, as an ImportError inside a test or an image. Returns the lock's path.
    """
    root = root or repository_root()
    lock = lock_path(name, root)
    shown = lock.relative_to(root)
    fix = f"run `psml experiments lock {name}`"
    if not lock.is_file():
        raise StaleLockError(f"experiment {name!r} has no lock at {shown}: {fix}")
    recorded = recorded_digest(lock)
    current = current_digest(name, root)
    if recorded is None:
        raise StaleLockError(f"{shown} records no pins digest (written before digests): {fix}")
    if recorded != current:
        raise StaleLockError(
            f"{shown} is stale: it was resolved from other pins than experiments/{name}/requirements.txt and "
            f"{PLATFORM_REQUIREMENTS} hold now (recorded {recorded}, now {current}): {fix}"
        )
    return lock


def ensure_uv(cache_dir: Path | None = None) -> Path:
    """The uv binary from `uv.lock`, installed once (hash-checked) into a cache folder."""
    lock_text = UV_LOCK.read_text(encoding="utf-8")
    version = next(line.split("==")[1].split()[0] for line in lock_text.splitlines() if line.startswith("uv=="))
    base = cache_dir or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "paystone-ml"
    home = base / f"uv-{version}"
    binary = home / "bin" / "uv"
    if binary.is_file():
        return binary
    base.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"uv-{version}.", dir=base))
    command = [
        sys.executable, "-m", "pip", "--isolated", "--disable-pip-version-check", "install", "--quiet",
        "--no-deps", "--require-hashes", "--only-binary=:all:", "--target", str(staging), "-r", str(UV_LOCK),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not (staging / "bin" / "uv").is_file():
        shutil.rmtree(staging, ignore_errors=True)
        raise LockError(f"could not install uv {version} from {UV_LOCK}:\n{result.stderr.strip()}")
    try:
        staging.rename(home)
    except OSError:  # another process installed it first
        shutil.rmtree(staging, ignore_errors=True)
    return binary


def lock_path(name: str, root: Path) -> Path:
    return root / EXPERIMENT_LOCKS / f"{name}.lock"


def write_locks_index(root: Path) -> Path:
    """`locks.bzl`: the experiments that have a lock, for WORKSPACE's `@pip_<name>` repositories."""
    names = sorted(path.stem for path in (root / EXPERIMENT_LOCKS).glob("*.lock"))
    index = root / LOCKS_INDEX
    index.write_text(
        '"""Experiments with a lock here; written by `psml experiments lock NAME`: do not edit."""\n\n'
        f"EXPERIMENTS = {names!r}\n".replace("'", '"'),
        encoding="utf-8",
    )
    return index


def copy_lock(template: str, name: str, root: Path) -> Path | None:
    """Start experiment ``name``'s lock as a copy of ``template``'s; return it, or None without one.

    `psml experiments new` copies the template's `requirements.txt` unchanged (comments aside), so
    resolving it again would give the template's lock: copying it makes the new experiment build
    and test under Bazel at once, offline. Only the lines naming the template's requirements file
    and lock command change. `psml experiments lock NAME` replaces it once requirements change.
    """
    source = lock_path(template, root)
    if not source.is_file():
        return None
    text = source.read_text(encoding="utf-8")
    text = text.replace(f"psml experiments lock {template}\n", f"psml experiments lock {name}\n")
    text = text.replace(f"experiments/{template}/requirements.txt", f"experiments/{name}/requirements.txt")
    target = lock_path(name, root)
    scratch = target.with_name(f".{target.name}.tmp")
    scratch.write_text(text, encoding="utf-8")
    scratch.replace(target)
    write_locks_index(root)
    return target


def lock_experiment(name: str, *, root: Path | None = None, uv: Path | None = None) -> Path:
    """Resolve experiments/NAME/requirements.txt plus the platform pins into NAME.lock.

    Checks first (no network): every line an exact pin, no pin contradicting the platform's.
    Then uv resolves with hashes for Debian 12's python3.11, preferring the versions already in
    the experiment's lock, or else in the platform's lock, so unrelated packages do not move.
    Returns the lock's path; raises `RequirementsError`, `PinConflictError` or `LockError`.
    """
    root = (root or repository_root()).resolve()
    requirements = Path("experiments") / name / "requirements.txt"
    if not (root / "experiments" / name).is_dir():
        raise LockError(f"no experiment {name!r}: {root / 'experiments' / name} does not exist")
    if not (root / requirements).is_file():
        raise LockError(f"experiment {name!r} has no {requirements}")
    experiment_pins = read_pins(root / requirements, display=str(requirements))
    platform_pins = read_pins(root / PLATFORM_REQUIREMENTS, display=str(PLATFORM_REQUIREMENTS))
    check_conflicts(experiment_pins, platform_pins)

    target = lock_path(name, root)
    target.parent.mkdir(parents=True, exist_ok=True)
    uv = uv or ensure_uv()
    with tempfile.TemporaryDirectory(prefix=f"lock-{name}.") as scratch:
        output = Path(scratch) / f"{name}.lock"
        # uv reads an existing output file as the versions to prefer.
        preferences = target if target.is_file() else root / PLATFORM_LOCK
        if preferences.is_file():
            shutil.copyfile(preferences, output)
        command = [
            str(uv), "pip", "compile", "--quiet", "--no-config", "--generate-hashes",
            "--python-version", PYTHON_VERSION, "--python-platform", PYTHON_PLATFORM,
            "--custom-compile-command", f"psml experiments lock {name}",
            "--output-file", str(output), str(PLATFORM_REQUIREMENTS), str(requirements),
        ]
        result = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise LockError(
                f"could not resolve {requirements} with the platform's pins ({PLATFORM_REQUIREMENTS}):\n"
                + (result.stderr.strip() or result.stdout.strip())
            )
        output.write_text(stamp_digest(output.read_text(encoding="utf-8"), pins_digest(experiment_pins, platform_pins)))
        shutil.move(str(output), target)
    write_locks_index(root)
    return target
