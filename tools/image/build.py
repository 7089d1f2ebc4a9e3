"""Build an experiment's serving image without Bazel: the three layers, then the OCI layout.

Bazel runs the same steps as separate actions (tools/build_defs/image.bzl) and caches each
layer itself. Here a small cache keyed by each layer's inputs plays that part, so the tests and
benchmarks rebuild only the layers whose inputs changed (the application layer, for a code
change), exactly as Bazel does.

    python -m tools.image.build --experiment housing --out /tmp/housing-image [--archive image.tar]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tools.image import app_layer, debian_layer, python_layer
from tools.image.cache import cache_root
from tools.image.debian_lock import lock_path
from tools.image.app_layer import image_config
from tools.image.oci import ImageResult, Layer, write_archive, write_layout

ROOT = Path(__file__).resolve().parents[2]
TOOL = Path(__file__).resolve().parent


@dataclass
class BuildReport:
    """What was built and what came from the cache, with seconds per step."""

    result: ImageResult | None = None
    rebuilt: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def _key(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _tool_bytes(*modules: str) -> bytes:
    return b"".join((TOOL / f"{m}.py").read_bytes() for m in ("layers",) + modules)


def _cached(name: str, key: str, report: BuildReport, make, *, fresh: bool = False) -> Path:
    path = cache_root() / "layers" / f"{name}-{key}.tar"
    if path.is_file() and not fresh:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    temporary = path.with_suffix(".partial")
    make(temporary)
    temporary.replace(path)
    report.rebuilt.append(name)
    report.seconds[name] = time.monotonic() - started
    return path


def build_image(
    experiment: str, out: Path, *, root: Path = ROOT, tag: str = "latest",
    artifacts_root: str | None = None, version: str | None = None, archive: Path | None = None,
    fresh: bool = False,
) -> BuildReport:
    """Build the image at `out`. `fresh` rebuilds every layer (downloads still come from the cache)."""
    report = BuildReport()
    deb_lock = lock_path(experiment, root)
    py_lock = root / "third_party" / "python" / "experiments" / f"{experiment}.lock"
    deb_key = _key(deb_lock.read_bytes(), _tool_bytes("debian_layer", "debian_lock"))
    deb = _cached("debian", deb_key, report, lambda p: debian_layer.write_debian_layer(deb_lock, p), fresh=fresh)
    py_key = _key(py_lock.read_bytes(), deb_key.encode(), _tool_bytes("python_layer"))
    site = _cached("python", py_key, report, lambda p: python_layer.write_python_layer(py_lock, p, debian_layer=deb),
                   fresh=fresh)
    started = time.monotonic()
    app_tar = out.parent / f".{out.name}.app.tar"
    app_layer.write_app_layer(experiment, app_tar, artifacts_root=artifacts_root, version=version, root=root)
    report.rebuilt.append("app")
    report.seconds["app"] = time.monotonic() - started
    started = time.monotonic()
    config = image_config(experiment, port=app_layer.serving_port(experiment), version=version,
                          baked=artifacts_root is not None)
    report.result = write_layout(
        [Layer(deb, f"debian: third_party/debian/{experiment}.lock"),
         Layer(site, f"requirements: third_party/python/experiments/{experiment}.lock"),
         Layer(app_tar, f"application: paystone + experiments/{experiment}")],
        config, out, tag=tag, gzip_cache=None if fresh else cache_root() / "gzip",
    )
    app_tar.unlink()
    if archive is not None:
        write_archive(out, archive, repo_tag=f"paystone-ml/{experiment}:{tag}")
    report.seconds["layout"] = time.monotonic() - started
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", required=True)
    parser.add_argument("--out", type=Path, required=True, help="the OCI layout folder to write")
    parser.add_argument("--archive", type=Path, default=None, help="also write the layout as one tarball")
    parser.add_argument("--tag", default="latest")
    parser.add_argument("--artifacts-root", default=None, help="bake this root's --version into the image")
    parser.add_argument("--version", default=None, help="promoted version to bake in (v<major>.m<minor>)")
    args = parser.parse_args(argv)
    report = build_image(args.experiment, args.out, tag=args.tag, archive=args.archive,
                         artifacts_root=args.artifacts_root, version=args.version)
    assert report.result is not None
    print(f"{args.out}: {report.result.manifest.digest} (rebuilt: {', '.join(report.rebuilt)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
