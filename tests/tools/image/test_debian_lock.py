"""Debian locks: packages.txt parsing, the lock format, and a real resolution with apt."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.image.debian_lock import (
    DebianLockError,
    LockedPackage,
    read_lock,
    read_packages_txt,
    render_lock,
    resolve,
)

ROOT = Path(__file__).resolve().parents[3]


def test_packages_txt_accepts_names_and_pins_and_refuses_ranges(tmp_path: Path) -> None:
    path = tmp_path / "packages.txt"
    path.write_text("# comment\nlibgomp1=12.2.0-14\n\nlibopenblas0  # inline\n")
    assert read_packages_txt(path) == ["libgomp1=12.2.0-14", "libopenblas0"]
    path.write_text("libgomp1>=12\n")
    with pytest.raises(DebianLockError, match=r"packages.txt:1: 'libgomp1>=12'"):
        read_packages_txt(path)


def test_a_missing_packages_txt_adds_nothing(tmp_path: Path) -> None:
    assert read_packages_txt(tmp_path / "packages.txt") == []


def test_lock_round_trips_and_names_a_bad_line(tmp_path: Path) -> None:
    packages = [LockedPackage("zlib1g", "1:1.2.13.dfsg-1", "amd64", "a" * 64),
                LockedPackage("libc6", "2.36-9", "amd64", "b" * 64)]
    path = tmp_path / "x.lock"
    path.write_text(render_lock(packages, experiment="x", specs=["python3.11"]))
    assert read_lock(path) == packages
    assert packages[0].filename == "zlib1g_1%3a1.2.13.dfsg-1_amd64.deb"
    path.write_text("zlib1g=1.2\n")
    with pytest.raises(DebianLockError, match=r"x.lock:1: 'zlib1g=1.2'"):
        read_lock(path)


def test_the_committed_housing_lock_is_well_formed_and_has_no_package_manager_or_shell() -> None:
    names = {p.name for p in read_lock(ROOT / "third_party" / "debian" / "housing.lock")}
    assert {"python3.11", "libpython3.11-stdlib", "libc6", "ca-certificates", "tzdata"} <= names
    assert not names & {"dpkg", "apt", "debconf", "bash", "dash", "coreutils", "gcc-12", "perl-base"}


def test_apt_resolves_the_closure_against_an_empty_status_without_the_excluded() -> None:
    packages = resolve(["python3.11-minimal"], excluded=["dpkg"])
    names = {p.name for p in packages}
    assert {"python3.11-minimal", "libpython3.11-minimal", "libc6"} <= names
    assert "dpkg" not in names
    assert all(len(p.sha256) == 64 for p in packages)
    assert packages == sorted(packages)


def test_an_unknown_package_is_named() -> None:
    with pytest.raises(DebianLockError, match="no-such-package-psml"):
        resolve(["no-such-package-psml"], excluded=[])
