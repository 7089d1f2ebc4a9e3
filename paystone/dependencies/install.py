"""Install hashed locks into a Bazel external repository and describe it in a BUILD file.

Bazel's repository rule (`tools/build_defs/pip_lock.bzl`) runs this file as a script with
Debian's python3.11 before anything else exists, so it imports only the standard library
(and pip's vendored `packaging` for environment markers). Bazel stays thin: it calls
`python3.11 install.py --out DIR --lock LOCK...`; everything that can go wrong is here and
tested in tests/dependencies.

The repository it writes: `site/` (what `pip install --target` made, `bin/` dropped because its
scripts carry the host interpreter's path) and a BUILD.bazel with one `py_library` per
distribution (its files, `imports = ["site"]`, `deps` on the distributions it requires) plus
`:all`.
"""

from __future__ import annotations

import argparse
import compileall
import csv
import email.parser
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SITE = "site"
# Bazel 4 refuses these characters in runfiles paths (one of scipy's test data
# files has a space in its name); such files are left out of the targets.
_UNSAFE_PATH = re.compile(r"[\s\"'\\]")


class LockInstallError(RuntimeError):
    """pip refused a lock (a hash mismatch, an unpinned line, a missing wheel)."""


@dataclass
class Distribution:
    """One installed distribution: its files relative to `site/` and what it requires."""

    name: str
    version: str
    files: list[str] = field(default_factory=list)
    requires: list[str] = field(default_factory=list)

    @property
    def target(self) -> str:
        """The Bazel target name: the normalized project name (PEP 503, `_` for `-`)."""
        return canonical_name(self.name).replace("-", "_")


def canonical_name(name: str) -> str:
    """PEP 503 normalization, so `Scikit_Learn` and `scikit-learn` are one name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pip_install_command(
    locks: Sequence[Path], site: Path, *, python: str = sys.executable, pip_args: Sequence[str] = ()
) -> list[str]:
    """The one pip command: hashes required, wheels only, no dependency resolution.

    `--isolated` keeps the machine's pip config (extra indexes, a global constraints
    file, local wheel folders) out, so only the lock decides what is installed.
    """
    command = [
        python, "-m", "pip", "--isolated", "--disable-pip-version-check", "install",
        "--no-deps", "--require-hashes", "--only-binary=:all:", "--no-compile",
        "--target", str(site),
    ]
    for lock in locks:
        command += ["-r", str(lock)]
    return command + list(pip_args)


def install_locks(
    locks: Sequence[Path], site: Path, *, python: str = sys.executable, pip_args: Sequence[str] = ()
) -> None:
    """Install every lock into `site`, or raise `LockInstallError` with pip's own message."""
    for lock in locks:
        if not lock.is_file():
            raise LockInstallError(f"lock file {lock} does not exist")
    if site.exists():
        shutil.rmtree(site)
    command = pip_install_command(locks, site, python=python, pip_args=pip_args)
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        names = ", ".join(str(lock) for lock in locks)
        raise LockInstallError(
            f"pip could not install {names} (exit {result.returncode}):\n{result.stderr.strip()}"
        )
    shutil.rmtree(site / "bin", ignore_errors=True)


def precompile(site: Path) -> None:
    """Byte-compile once here, checked by hash, so test processes do not recompile numpy each run."""
    compileall.compile_dir(
        str(site), quiet=2, workers=2,
        invalidation_mode=compileall.py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )


def _requirement_names(requires: Iterable[str]) -> list[str]:
    """Names a distribution needs on this platform (Python 3.11, Linux), extras left out."""
    try:
        from packaging.requirements import Requirement
    except ImportError:  # the bare Debian interpreter: pip ships its own copy
        from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]
    names = []
    for line in requires:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        names.append(canonical_name(requirement.name))
    return names


def read_distributions(site: Path) -> list[Distribution]:
    """Every `*.dist-info` under `site`, with its files from RECORD (plus compiled .pyc)."""
    distributions = []
    for info in sorted(site.glob("*.dist-info")):
        metadata = email.parser.Parser().parsestr((info / "METADATA").read_text(encoding="utf-8"))
        distribution = Distribution(
            name=metadata["Name"],
            version=metadata["Version"],
            requires=_requirement_names(metadata.get_all("Requires-Dist") or []),
        )
        with (info / "RECORD").open(newline="", encoding="utf-8") as record:
            for row in csv.reader(record):
                if not row:
                    continue
                path = os.path.normpath(row[0])
                if path.startswith(("..", "bin" + os.sep)) or not (site / path).is_file():
                    continue
                distribution.files.append(path)
                if path.endswith(".py"):
                    parent, stem = os.path.split(path[:-3])
                    compiled = os.path.join(parent, "__pycache__", f"{stem}.{sys.implementation.cache_tag}.pyc")
                    if (site / compiled).is_file():
                        distribution.files.append(compiled)
        distribution.files.sort()
        distributions.append(distribution)
    return distributions


def _bazel_safe(path: str) -> bool:
    return not _UNSAFE_PATH.search(path)


def _acyclic_deps(distributions: Sequence[Distribution]) -> dict[str, list[str]]:
    """Requirement edges between installed distributions, with cycle-closing edges dropped.

    Python packages may require each other in a cycle; Bazel refuses cyclic deps. Dropping
    the edge that closes a cycle loses nothing at run time: every member still ends up in
    the runfiles of whatever depends on the cycle's entry point.
    """
    by_name = {canonical_name(d.name): d for d in distributions}
    edges = {d.target: sorted({by_name[r].target for r in d.requires if r in by_name and by_name[r] is not d})
             for d in distributions}
    kept: dict[str, list[str]] = {name: [] for name in edges}
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done

    def visit(node: str) -> None:
        state[node] = 1
        for child in edges[node]:
            if state.get(child) == 1:
                continue  # closes a cycle
            kept[node].append(child)
            if child not in state:
                visit(child)
        state[node] = 2

    for name in sorted(edges):
        if name not in state:
            visit(name)
    return kept


def render_build(distributions: Sequence[Distribution], *, comment: str = "") -> str:
    """A BUILD.bazel: one py_library per distribution, plus `all`.

    A top-level folder owned by one distribution becomes a glob (its .pyc included); folders
    shared by several (namespace packages such as `google/`) list each one's files.
    """
    owners: dict[str, set[str]] = {}
    for distribution in distributions:
        for path in distribution.files:
            owners.setdefault(path.split(os.sep, 1)[0], set()).add(distribution.target)
    deps = _acyclic_deps(distributions)
    lines = ["# Generated by paystone/dependencies/install.py: do not edit."]
    if comment:
        lines.append(f"# {comment}")
    lines += ['package(default_visibility = ["//visibility:public"])', ""]
    for distribution in sorted(distributions, key=lambda d: d.target):
        globs: set[str] = set()
        files: list[str] = []
        for path in distribution.files:
            top, _, rest = path.partition(os.sep)
            if rest and len(owners[top]) == 1:
                globs.add(f"{SITE}/{top}/**")
            elif _bazel_safe(path):
                files.append(f"{SITE}/{path}")
        data = [f"glob({sorted(globs)!r}, exclude = ['**/* *'])".replace("'", '"')] if globs else []
        if files:
            data.append(repr(sorted(files)).replace("'", '"'))
        lines += [
            "py_library(",
            f'    name = "{distribution.target}",',
            f"    data = {' + '.join(data) or '[]'},",
            f'    imports = ["{SITE}"],',
            f"    deps = {[':' + d for d in deps[distribution.target]]!r},".replace("'", '"'),
            f'    tags = ["version={distribution.version}"],',
            ")",
            "",
        ]
    everything = [":" + d.target for d in sorted(distributions, key=lambda d: d.target)]
    lines += ["py_library(", '    name = "all",', f"    deps = {everything!r},".replace("'", '"'), ")", ""]
    return "\n".join(lines)


def install_repository(
    out: Path, locks: Sequence[Path], *, python: str = sys.executable, pip_args: Sequence[str] = (),
    compile_bytecode: bool = True,
) -> list[Distribution]:
    """Everything the repository rule needs: install, compile, write BUILD.bazel."""
    site = out / SITE
    install_locks(locks, site, python=python, pip_args=pip_args)
    if compile_bytecode:
        precompile(site)
    distributions = read_distributions(site)
    comment = "From " + ", ".join(lock.name for lock in locks)
    (out / "BUILD.bazel").write_text(render_build(distributions, comment=comment), encoding="utf-8")
    return distributions


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="the external repository's folder")
    parser.add_argument("--lock", type=Path, action="append", required=True, help="a hashed lock (repeatable)")
    parser.add_argument("--python", default=sys.executable, help="the interpreter pip runs under")
    parser.add_argument("--no-compile", action="store_true", help="skip byte-compiling site/")
    args = parser.parse_args(argv)
    try:
        distributions = install_repository(
            args.out, args.lock, python=args.python, compile_bytecode=not args.no_compile
        )
    except LockInstallError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"installed {len(distributions)} distributions into {args.out / SITE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
