"""Tests of paystone/datasets/sdist.py with small archives built in a temporary cache (no download)."""

from __future__ import annotations

import hashlib
import io
import subprocess
import tarfile
from pathlib import Path

import pytest

from paystone.datasets import sdist
from paystone.datasets.catalog import PINNED, VADER
from paystone.datasets.sdist import (
    DatasetIntegrityError,
    DatasetNotFetchedError,
    PinnedSdist,
    cache_dir,
    cached_sdist,
    fetch,
    read_member,
)


def _archive(path: Path, files: dict[str, bytes]) -> str:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def pinned(tmp_path: Path) -> tuple[PinnedSdist, Path]:
    source = tmp_path / "source.tar.gz"
    digest = _archive(source, {"demo-1.0/data/ratings.tsv": b"1\t2.5\tgood\n"})
    cache = tmp_path / "cache"
    cache.mkdir()
    pin = PinnedSdist(project="demo", version="1.0", sha256=digest)
    source.rename(cache / pin.filename)
    return pin, cache


def test_missing_archive_error_names_the_file_and_the_command(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFetchedError, match=r"demo==1\.0 is not fetched.*tools/dev/bootstrap"):
        cached_sdist(PinnedSdist("demo", "1.0", "0" * 64), tmp_path)


def test_altered_archive_is_refused_with_both_digests(pinned: tuple[PinnedSdist, Path]) -> None:
    pin, cache = pinned
    (cache / pin.filename).write_bytes(b"not the archive")
    with pytest.raises(DatasetIntegrityError, match=pin.sha256):
        cached_sdist(pin, cache)


def test_read_member_returns_the_file_relative_to_the_top_folder(pinned: tuple[PinnedSdist, Path]) -> None:
    pin, cache = pinned
    assert read_member(pin, "data/ratings.tsv", cache) == b"1\t2.5\tgood\n"
    with pytest.raises(KeyError, match="no member 'demo-1.0/data/other.tsv'"):
        read_member(pin, "data/other.tsv", cache)


def test_fetch_is_a_no_op_when_the_archive_is_cached(pinned: tuple[PinnedSdist, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    pin, cache = pinned

    def no_download(*args: object, **kwargs: object) -> None:
        raise AssertionError("fetch ran pip although the archive was cached")

    monkeypatch.setattr(subprocess, "run", no_download)
    assert fetch(pin, cache) == cache / pin.filename


def test_failed_download_names_the_package_and_leaves_no_partial_file(
    pinned: tuple[PinnedSdist, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    pin, cache = pinned
    (cache / pin.filename).unlink()
    monkeypatch.setattr(
        sdist.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 1, "", "ERROR: hashes do not match")
    )
    with pytest.raises(RuntimeError, match=r"demo==1\.0 .*hashes do not match"):
        fetch(pin, cache)
    assert list(cache.iterdir()) == []


def test_fetch_asks_pip_for_a_hash_checked_source_distribution(
    pinned: tuple[PinnedSdist, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    pin, cache = pinned
    archive = (cache / pin.filename).read_bytes()
    (cache / pin.filename).unlink()
    seen: list[list[str]] = []

    def fake_pip(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        seen.append(command)
        requirements = Path(command[command.index("-r") + 1]).read_text()
        assert requirements.strip() == f"demo==1.0 --hash=sha256:{pin.sha256}"
        destination = Path(command[command.index("--dest") + 1])
        destination.mkdir()
        (destination / pin.filename).write_bytes(archive)
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(sdist.subprocess, "run", fake_pip)
    assert fetch(pin, cache).read_bytes() == archive
    (command,) = seen
    for flag in ("download", "--no-deps", "--no-binary=:all:", "--require-hashes", "--isolated"):
        assert flag in command


def test_cache_dir_honours_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PSML_DATA_CACHE", str(tmp_path / "x"))
    assert cache_dir() == tmp_path / "x"
    monkeypatch.delenv("PSML_DATA_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "paystone-ml" / "datasets"


def test_catalog_pins_are_exact_sha256_digests() -> None:
    assert VADER in PINNED
    for pin in PINNED:
        assert len(pin.sha256) == 64 and int(pin.sha256, 16) >= 0
