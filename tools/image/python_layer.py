"""The requirements layer: an experiment's hashed lock installed into /opt/site, compiled ahead.

pip does the installing (`--require-hashes --no-deps --only-binary=:all:`, through
paystone.dependencies.install, the same command the Bazel lock repositories run), so the layer
holds exactly the wheels the lock pins. `bin/` is dropped: its scripts carry the build
machine's interpreter path; the image starts servers as `python3.11 -m gunicorn`.

Byte-code is compiled by the image's own python3.11 (run from the Debian layer through its own
ELF loader, no chroot needed), with `--invalidation-mode unchecked-hash`: the .pyc then hold a
hash of the source rather than its mtime, so they are the same on every build, and the
container starts in about a second instead of compiling numpy and pandas on each start.

    python3.11 -m tools.image.python_layer --lock third_party/python/experiments/housing.lock \
        --debian-layer debian.tar --out site.tar
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

from paystone.dependencies.install import LockInstallError, install_locks
from tools.image.cache import cache_root
from tools.image.layers import LayerBuilder

SITE = "/opt/site"
LOADER = "usr/lib64/ld-linux-x86-64.so.2"
LIBRARIES = "usr/lib/x86_64-linux-gnu"


class PythonLayerError(RuntimeError):
    """pip refused the lock or the image's interpreter could not compile the site."""


def installed_site(lock: Path, cache: Path | None = None) -> Path:
    """The lock installed with pip, kept in the cache by the lock's sha256 (read-only to callers)."""
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    cache = cache or cache_root() / "site"
    done = cache / digest
    if (done / ".complete").is_file():
        return done
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache, prefix="install-") as scratch:
        site = Path(scratch) / "site"
        try:
            install_locks([lock], site, python="/usr/bin/python3.11")
        except LockInstallError as error:
            raise PythonLayerError(str(error)) from None
        (site / ".complete").write_text(str(lock) + "\n", encoding="utf-8")
        shutil.rmtree(done, ignore_errors=True)
        site.rename(done)
    return done


def image_python(rootfs: Path) -> tuple[list[str], dict[str, str]]:
    """The command and environment that run the image's python3.11 from an unpacked Debian layer."""
    command = [str(rootfs / LOADER), "--library-path", str(rootfs / LIBRARIES), str(rootfs / "usr/bin/python3.11")]
    environment = {"PYTHONHOME": str(rootfs / "usr"), "PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}
    return command, environment


def compile_site(site: Path, debian_layer: Path) -> None:
    """Byte-compile `site` in place with the image's interpreter; file names as seen in the image."""
    with tempfile.TemporaryDirectory(prefix="psml-image-python-") as scratch:
        rootfs = Path(scratch)
        with tarfile.open(debian_layer) as layer:
            members = [m for m in layer.getmembers() if m.name.startswith(("usr/lib", "usr/bin/python3.11"))]
            layer.extractall(rootfs, members=members)
        command, environment = image_python(rootfs)
        result = subprocess.run(
            command + ["-s", "-S", "-m", "compileall", "-q", "-j", "2", "-d", SITE,
                       "--invalidation-mode", "unchecked-hash", str(site)],
            env=environment, capture_output=True, text=True, check=False,
        )
    if result.returncode != 0:
        raise PythonLayerError(f"the image's python3.11 could not compile {site}:\n{result.stdout}{result.stderr}")


def write_python_layer(lock: Path, out: Path, *, debian_layer: Path | None, cache: Path | None = None) -> None:
    site = installed_site(lock, cache)
    with tempfile.TemporaryDirectory(prefix="psml-image-site-") as scratch:
        work = Path(scratch) / "site"
        shutil.copytree(site, work, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", ".complete"))
        shutil.rmtree(work / "bin", ignore_errors=True)
        if debian_layer is not None:
            compile_site(work, debian_layer)
        layer = LayerBuilder()
        layer.tree(work, SITE.lstrip("/"))
        layer.write(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", type=Path, required=True, help="the experiment's hashed Python lock")
    parser.add_argument("--out", type=Path, required=True, help="the layer tar to write")
    parser.add_argument("--debian-layer", type=Path, default=None,
                        help="the Debian layer whose python3.11 compiles the .pyc (none: no .pyc)")
    parser.add_argument("--cache", type=Path, default=None, help="where installed locks are kept between builds")
    args = parser.parse_args(argv)
    try:
        write_python_layer(args.lock, args.out, debian_layer=args.debian_layer, cache=args.cache)
    except (PythonLayerError, OSError) as error:
        print(f"python_layer: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
