"""The requirements layer: pip refuses a lock whose hashes do not match; the image's own
python3.11 runs from an unpacked Debian layer without a chroot."""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.tools.image.conftest import REPO
from tools.image.debian_layer import write_debian_layer
from tools.image.python_layer import PythonLayerError, image_python, installed_site


def test_a_lock_with_a_wrong_hash_is_refused_with_pips_message(tmp_path: Path) -> None:
    lock = tmp_path / "bad.lock"
    lock.write_text("six==1.16.0 --hash=sha256:" + "0" * 64 + "\n")
    with pytest.raises(PythonLayerError, match="(?i)hash"):
        installed_site(lock, tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("*/.complete"))


def test_the_images_python_runs_from_its_debian_layer(tmp_path: Path) -> None:
    layer = tmp_path / "debian.tar"
    write_debian_layer(REPO / "third_party" / "debian" / "housing.lock", layer)
    with tarfile.open(layer) as tar:
        tar.extractall(tmp_path / "root", members=[m for m in tar.getmembers() if m.name.startswith(("usr/lib", "usr/bin/python3.11"))])
    command, env = image_python(tmp_path / "root")
    out = subprocess.run(command + ["-S", "-c", "import sys, ssl, sqlite3; print(sys.version_info[:2], sys.prefix)"],
                         env=env, capture_output=True, text=True, check=True).stdout
    assert out.startswith("(3, 11)") and str(tmp_path / "root") in out
