"""Resolve an experiment's Debian closure with apt and pin it: `name:arch=version sha256`.

Why apt and an empty status: the closure of `python3.11` plus `packages.txt` must not depend on
what the build machine has installed, so apt resolves against a private dpkg status that holds
only the excluded packages (see third_party/debian/image.toml). Hashes come from the archive
metadata apt already trusts (`apt-cache show`), so locking downloads nothing. The lock holds no
URL: `apt-get download` finds the archive from the machine's own sources.

    python3.11 -m tools.image.debian_lock --experiment housing   # writes third_party/debian/housing.lock
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "third_party" / "debian" / "image.toml"
_INST = re.compile(r"^Inst (?P<name>[^\s:]+)(?::\S+)? \((?P<version>\S+) ")
_PIN = re.compile(r"^(?P<name>[a-z0-9][a-z0-9+.-]+)(?:=(?P<version>\S+))?$")


class DebianLockError(RuntimeError):
    """apt could not resolve or describe a package; the message names it."""


@dataclass(frozen=True, order=True)
class LockedPackage:
    """One pinned .deb: enough to download it with apt and check it."""

    name: str
    version: str
    architecture: str
    sha256: str

    @property
    def spec(self) -> str:
        return f"{self.name}:{self.architecture}={self.version}"

    @property
    def filename(self) -> str:
        """The name `apt-get download` saves it under (an epoch's colon is %3a)."""
        return f"{self.name}_{self.version.replace(':', '%3a')}_{self.architecture}.deb"

    def line(self) -> str:
        return f"{self.spec} sha256={self.sha256}"


def read_packages_txt(path: Path) -> list[str]:
    """`name` or `name=version` per line; comments and blanks ignored; anything else refused."""
    if not path.is_file():
        return []
    specs = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if not _PIN.match(line):
            raise DebianLockError(f"{path}:{number}: {line!r} is not `name` or `name=version`")
        specs.append(line)
    return specs


def read_config(path: Path = CONFIG) -> tuple[list[str], list[str]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return list(data.get("base", [])), list(data.get("exclude", []))


def _run(command: Sequence[str]) -> str:
    result = subprocess.run(list(command), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise DebianLockError(f"{' '.join(command)} failed (exit {result.returncode}):\n{result.stderr.strip()}")
    return result.stdout


def _fields(stanza: str) -> dict[str, str]:
    fields = {}
    for line in stanza.splitlines():
        if line and not line[0].isspace() and ":" in line:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def candidate(name: str) -> dict[str, str]:
    """The control fields of the version apt would install."""
    stanza = _run(["apt-cache", "show", "--no-all-versions", name]).strip()
    if not stanza:
        raise DebianLockError(f"apt knows no package {name!r}: run apt-get update, or fix packages.txt")
    return _fields(stanza.split("\n\n")[0])


def private_status(excluded: Sequence[str]) -> str:
    """A dpkg status where only the excluded packages count as installed, without dependencies."""
    stanzas = []
    for name in sorted(excluded):
        fields = candidate(name)
        stanzas.append(
            f"Package: {name}\nStatus: install ok installed\nVersion: {fields['Version']}\n"
            f"Architecture: {fields['Architecture']}\n"
        )
    return "\n".join(stanzas) + "\n"


def resolve(specs: Sequence[str], excluded: Sequence[str]) -> list[LockedPackage]:
    """The sorted closure of `specs` with each package's archive sha256."""
    with tempfile.TemporaryDirectory(prefix="psml-debian-lock-") as scratch:
        status = Path(scratch) / "status"
        status.write_text(private_status(excluded), encoding="utf-8")
        output = _run([
            "apt-get", "--simulate", "--no-install-recommends", "-o", f"Dir::State::status={status}",
            "-o", "Debug::NoLocking=1", "install", *specs,
        ])
    pins = [(m["name"], m["version"]) for m in map(_INST.match, output.splitlines()) if m]
    if not pins:
        raise DebianLockError(f"apt resolved nothing for {' '.join(specs)}:\n{output}")
    described: dict[tuple[str, str], dict[str, str]] = {}
    # One apt-cache call for the whole closure: one per package takes a minute.
    for stanza in _run(["apt-cache", "show", *(f"{n}={v}" for n, v in pins)]).split("\n\n"):
        fields = _fields(stanza)
        if "Package" in fields:
            described.setdefault((fields["Package"], fields["Version"]), fields)
    packages = []
    for name, version in pins:
        fields = described.get((name, version), {})
        if "SHA256" not in fields:
            raise DebianLockError(f"apt has no SHA256 for {name}={version}")
        packages.append(LockedPackage(name, version, fields["Architecture"], fields["SHA256"]))
    return sorted(packages)


def render_lock(packages: Sequence[LockedPackage], *, experiment: str, specs: Sequence[str]) -> str:
    header = [
        f"# Debian packages of the {experiment} serving image: the closure of {' '.join(specs)}.",
        "# Written by `tools/image/refresh-locks` (python3.11 -m tools.image.debian_lock): do not edit.",
        "# name:arch=version sha256=<digest of the .deb>; fetched with `apt-get download` and checked.",
    ]
    return "\n".join(header + [package.line() for package in packages]) + "\n"


def read_lock(path: Path) -> list[LockedPackage]:
    packages = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = re.fullmatch(r"([^:\s]+):([^=\s]+)=(\S+) sha256=([0-9a-f]{64})", line)
        if not match:
            raise DebianLockError(f"{path}:{number}: {line!r} is not `name:arch=version sha256=<hex>`")
        packages.append(LockedPackage(match[1], match[3], match[2], match[4]))
    if not packages:
        raise DebianLockError(f"{path} pins no package")
    return packages


def lock_path(experiment: str, root: Path = ROOT) -> Path:
    return root / "third_party" / "debian" / f"{experiment}.lock"


def lock_experiment(experiment: str, root: Path = ROOT, config: Path = CONFIG) -> Path:
    base, excluded = read_config(config)
    specs = base + read_packages_txt(root / "experiments" / experiment / "packages.txt")
    packages = resolve(specs, excluded)
    path = lock_path(experiment, root)
    path.write_text(render_lock(packages, experiment=experiment, specs=specs), encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", action="append", required=True, help="experiment name (repeatable)")
    args = parser.parse_args(argv)
    try:
        for experiment in args.experiment:
            print(f"wrote {lock_experiment(experiment)}")
    except DebianLockError as error:
        print(f"debian_lock: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
