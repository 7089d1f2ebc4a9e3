"""The Debian layer: every .deb of a lock, fetched with apt, hash-checked, unpacked into one tar.

Why not dpkg or a chroot: maintainer scripts would need a shell and root inside the image, and
their output (timestamps, generated files) is not reproducible. Reading each package's data
tar straight into a sorted layer gives the same bytes on every machine; the two things a
postinst would have made that a serving image needs are made here instead (the merged-/usr
symlinks and the CA bundle). Each package's control file goes to
/var/lib/dpkg/status.d/<name> so image scanners can list what is inside.

    python3.11 -m tools.image.debian_layer --lock third_party/debian/housing.lock --out debian.tar
"""

from __future__ import annotations

import argparse
import hashlib
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from tools.image.cache import cache_root
from tools.image.debian_lock import LockedPackage, read_lock
from tools.image.layers import LayerBuilder, strip_root

# Top-level folders Debian 12 merges into /usr: their content moves there, and the old path
# becomes a symlink (without /lib64 no binary starts: the ELF interpreter is found through it).
MERGED = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
# Left out: documentation nobody reads in a container (copyright files stay, for licences).
DROPPED = ("usr/share/man/", "usr/share/info/", "usr/share/lintian/", "usr/share/locale/",
           "usr/share/doc-base/", "usr/share/bug/", "usr/share/menu/")
CA_SOURCE = "usr/share/ca-certificates/"
CA_BUNDLE = "etc/ssl/certs/ca-certificates.crt"


class DebianLayerError(RuntimeError):
    """A .deb could not be fetched, or its bytes do not match the lock."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(packages: Sequence[LockedPackage], cache: Path | None = None) -> list[Path]:
    """Each package's .deb from the cache, or from `apt-get download` (one call for all missing)."""
    cache = cache or cache_root() / "debs"
    cache.mkdir(parents=True, exist_ok=True)
    missing = [p for p in packages if not (cache / p.filename).is_file()]
    if missing:
        with tempfile.TemporaryDirectory(dir=cache, prefix="download-") as scratch:
            result = subprocess.run(
                ["apt-get", "download", *(p.spec for p in missing)],
                cwd=scratch, capture_output=True, text=True, check=False,
            )
            if result.returncode != 0:
                raise DebianLayerError(
                    "apt-get download failed; a pinned version may have left the archive after a point"
                    f" release: run tools/image/refresh-locks.\n{result.stderr.strip()}"
                )
            for package in missing:
                downloaded = Path(scratch) / package.filename
                if not downloaded.is_file():
                    raise DebianLayerError(f"apt-get download did not produce {package.filename}")
                _check(package, downloaded)
                downloaded.replace(cache / package.filename)
    paths = []
    for package in packages:
        path = cache / package.filename
        _check(package, path)
        paths.append(path)
    return paths


def _check(package: LockedPackage, path: Path) -> None:
    actual = sha256_file(path)
    if actual != package.sha256:
        path.unlink(missing_ok=True)
        raise DebianLayerError(
            f"{path.name}: sha256 {actual} but the lock pins {package.spec} at {package.sha256}"
        )


def merged_usr(path: str) -> str:
    """`./lib/x86_64-linux-gnu/libc.so.6` -> `usr/lib/x86_64-linux-gnu/libc.so.6`."""
    clean = strip_root(path)
    top = clean.split("/", 1)[0]
    return f"usr/{clean}" if top in MERGED else clean


def kept(path: str) -> bool:
    if path.startswith("usr/share/doc/"):
        return path.endswith("/copyright") or path.count("/") == 3 and not path.endswith("/")
    return not path.startswith(DROPPED)


def _control(deb: Path) -> str:
    result = subprocess.run(["dpkg-deb", "--field", str(deb)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise DebianLayerError(f"dpkg-deb cannot read the control file of {deb}: {result.stderr.strip()}")
    return result.stdout


def _data_tar(deb: Path) -> bytes:
    result = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=False)
    if result.returncode != 0:
        raise DebianLayerError(f"dpkg-deb cannot read the data of {deb}: {result.stderr.decode().strip()}")
    return result.stdout


def add_package(layer: LayerBuilder, name: str, deb: Path) -> None:
    """Every kept member of one .deb, hard links turned into copies (sorted order may put a link first)."""
    contents: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(_data_tar(deb)), mode="r:") as data:
        members = data.getmembers()
        for member in members:
            path = merged_usr(member.name)
            if not path or not kept(path if not member.isdir() else path + "/"):
                continue
            mode = member.mode & 0o7777
            if member.isdir():
                layer.directory(path, mode)
            elif member.issym():
                layer.symlink(path, member.linkname)
            elif member.islnk():
                source = merged_usr(member.linkname)
                layer.file(path, contents[source], mode)
            elif member.isfile():
                extracted = data.extractfile(member)
                contents[path] = extracted.read() if extracted else b""
                layer.file(path, contents[path], mode)
            else:
                raise DebianLayerError(f"{deb.name}: {member.name} is a device or fifo; not allowed in a layer")
    layer.file(f"var/lib/dpkg/status.d/{name}", _control(deb).encode())


def add_ca_bundle(layer: LayerBuilder) -> None:
    """What update-ca-certificates would write: every shipped certificate, in sorted order."""
    certificates = sorted(p for p in layer.entries if p.startswith(CA_SOURCE) and p.endswith(".crt"))
    if not certificates:
        return
    bundle = b"".join(layer.entries[p].data.rstrip(b"\n") + b"\n" for p in certificates)
    layer.file(CA_BUNDLE, bundle)


def build_layer(packages: Iterable[LockedPackage], debs: Iterable[Path]) -> LayerBuilder:
    layer = LayerBuilder()
    for folder in MERGED:
        layer.directory(f"usr/{folder}")
    for package, deb in zip(packages, debs, strict=True):
        add_package(layer, package.name, deb)
    for folder in MERGED:
        if f"usr/{folder}" in layer.entries and not any(p.startswith(f"usr/{folder}/") for p in layer.entries):
            del layer.entries[f"usr/{folder}"]  # lib32, libx32: empty on amd64
        else:
            layer.symlink(folder, f"usr/{folder}")
    add_ca_bundle(layer)
    return layer


def write_debian_layer(lock: Path, out: Path, cache: Path | None = None) -> None:
    packages = read_lock(lock)
    build_layer(packages, fetch(packages, cache)).write(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", type=Path, required=True, help="third_party/debian/<experiment>.lock")
    parser.add_argument("--out", type=Path, required=True, help="the layer tar to write")
    parser.add_argument("--cache", type=Path, default=None, help="where .debs are kept between builds")
    args = parser.parse_args(argv)
    try:
        write_debian_layer(args.lock, args.out, args.cache)
    except (DebianLayerError, OSError) as error:
        print(f"debian_layer: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
