"""The Debian layer: merged /usr, hash-checked fetches, and what must not be in a serving image."""

from __future__ import annotations

import io
import shutil
import tarfile
from pathlib import Path

import pytest

from tools.image.cache import cache_root
from tools.image.debian_layer import DebianLayerError, build_layer, fetch, kept, merged_usr
from tools.image.debian_lock import LockedPackage, read_lock

LOCK = Path(__file__).resolve().parents[3] / "third_party" / "debian" / "housing.lock"
# Names that would make the image a place to run arbitrary programs or install more.
FORBIDDEN = {"sh", "bash", "dash", "busybox", "zsh", "gcc", "cc", "g++", "c++", "ld", "as", "make",
             "dpkg", "apt", "apt-get", "pip", "pip3", "perl"}


def test_top_level_folders_move_under_usr() -> None:
    assert merged_usr("./lib/x86_64-linux-gnu/libc.so.6") == "usr/lib/x86_64-linux-gnu/libc.so.6"
    assert merged_usr("./lib64/ld-linux-x86-64.so.2") == "usr/lib64/ld-linux-x86-64.so.2"
    assert merged_usr("./usr/bin/python3.11") == "usr/bin/python3.11"
    assert merged_usr("./etc/ssl/openssl.cnf") == "etc/ssl/openssl.cnf"


def test_documentation_is_left_out_but_copyright_stays() -> None:
    assert not kept("usr/share/man/man1/python3.11.1.gz")
    assert not kept("usr/share/doc/libc6/changelog.Debian.gz")
    assert kept("usr/share/doc/libc6/copyright")
    assert kept("usr/lib/python3.11/os.py")


def test_a_deb_whose_bytes_differ_from_the_lock_is_refused_and_dropped(tmp_path: Path) -> None:
    real = [p for p in read_lock(LOCK) if p.name == "libffi8"][0]
    fetch([real])  # into the shared cache (a no-op when it is there)
    cache = tmp_path / "debs"
    cache.mkdir()
    shutil.copy(cache_root() / "debs" / real.filename, cache / real.filename)
    lying = LockedPackage(real.name, real.version, real.architecture, "0" * 64)
    with pytest.raises(DebianLayerError, match=f"{real.filename}: sha256 {real.sha256} but the lock pins"):
        fetch([lying], cache)
    assert not (cache / real.filename).exists()


def test_a_version_gone_from_the_archive_says_to_refresh_the_locks(tmp_path: Path) -> None:
    gone = LockedPackage("libffi8", "0.0-psml-gone", "amd64", "0" * 64)
    with pytest.raises(DebianLayerError, match="refresh-locks"):
        fetch([gone], tmp_path)


@pytest.fixture(scope="module")
def layer_members() -> dict[str, tarfile.TarInfo]:
    packages = read_lock(LOCK)
    stream = io.BytesIO()
    build_layer(packages, fetch(packages)).write_to(stream)
    with tarfile.open(fileobj=io.BytesIO(stream.getvalue())) as tar:
        return {m.name: m for m in tar.getmembers()}


def test_layer_has_python_the_loader_link_and_one_status_file_per_package(layer_members: dict[str, tarfile.TarInfo]) -> None:
    assert layer_members["usr/bin/python3.11"].isfile()
    for folder in ("bin", "sbin", "lib", "lib64"):
        assert layer_members[folder].issym() and layer_members[folder].linkname == f"usr/{folder}"
    assert "usr/lib64/ld-linux-x86-64.so.2" in layer_members
    assert {f"var/lib/dpkg/status.d/{p.name}" for p in read_lock(LOCK)} <= set(layer_members)
    assert layer_members["etc/ssl/certs/ca-certificates.crt"].size > 100_000
    assert not any(name.startswith("usr/share/man/") for name in layer_members)
    assert {m.uid for m in layer_members.values()} == {0}


def test_layer_holds_no_shell_compiler_or_package_manager(layer_members: dict[str, tarfile.TarInfo]) -> None:
    executables = {Path(name).name for name, m in layer_members.items()
                   if name.startswith(("usr/bin/", "usr/sbin/")) and not m.isdir()}
    assert not executables & FORBIDDEN, executables & FORBIDDEN
