"""Serving-image figures for benchmarks/RESULTS.md: size per layer, cold build, rebuild after a
code-only change, container start-to-ready time.

    .venv/bin/python benchmarks/images.py [--experiment housing] [--cold]

`--cold` builds once with an empty, private cache folder (every .deb and wheel downloaded, every
layer made and compressed); without it the machine's cache (~/.cache/paystone-ml) is used as CI
would. The rebuild copies the repository, adds one line to serve/app.py and builds again.
Start-to-ready runs the image under chroot as its non-root user against a quick training run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.e2e.conftest import QUICK_HOUSING, free_port, psml  # noqa: E402
from tools.image.build import build_image  # noqa: E402
from tools.image.run import container_command, unpack  # noqa: E402

LAYERS = ("Debian", "requirements", "application")


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f}"


def start_to_ready(layout: Path, scratch: Path, experiment: str) -> float:
    rootfs = unpack(layout, scratch / "rootfs")
    trained = scratch / "artifacts"
    result = psml("experiments", "train", experiment, *QUICK_HOUSING, "--root", str(trained))
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    shutil.copytree(trained, rootfs / "artifacts")
    for path in [rootfs / "artifacts", *(rootfs / "artifacts").rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    port = free_port()
    command, env = container_command(layout, rootfs, runner="chroot", env={"PSML_PORT": str(port)})
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.monotonic() - started < 120:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    return time.monotonic() - started
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise SystemExit("not ready within 120 s")
    finally:
        process.terminate()
        process.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", default="housing")
    parser.add_argument("--cold", action="store_true", help="first build with an empty private cache")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="psml-bench-images-") as folder:
        scratch = Path(folder)
        if args.cold:
            os.environ["PSML_CACHE_DIR"] = str(scratch / "cache")
        started = time.monotonic()
        first = build_image(args.experiment, scratch / "image")
        build_seconds = time.monotonic() - started
        copy = scratch / "repo"
        for sub in ("paystone", "experiments", "third_party/debian", "third_party/python/experiments"):
            shutil.copytree(REPO / sub, copy / sub, ignore=shutil.ignore_patterns("__pycache__"))
        app = copy / "experiments" / args.experiment / "serve" / "app.py"
        app.write_text(app.read_text() + "\n# benchmark: one more line\n")
        started = time.monotonic()
        second = build_image(args.experiment, scratch / "changed", root=copy)
        rebuild_seconds = time.monotonic() - started
        ready = start_to_ready(scratch / "image", scratch, args.experiment)
        assert first.result and second.result
        print(f"| layer | compressed MB | uncompressed MB |\n|---|---:|---:|")
        for name, layer in zip(LAYERS, first.result.layers):
            print(f"| {name} | {_mb(layer.size)} | {_mb(_uncompressed(scratch / 'image', layer.digest))} |")
        print(f"\nmanifest {first.result.manifest.digest}")
        print(f"{'cold' if args.cold else 'cached'} build: {build_seconds:.1f} s (rebuilt: {', '.join(first.rebuilt)};"
              f" steps: {', '.join(f'{k} {v:.1f} s' for k, v in first.seconds.items())})")
        print(f"rebuild after a one-line change to serve/app.py: {rebuild_seconds:.1f} s (rebuilt: {', '.join(second.rebuilt)};"
              f" Debian and requirements layers unchanged: {second.result.layers[:2] == first.result.layers[:2]})")
        print(f"start to ready (chroot, {args.experiment}, 2 workers): {ready:.2f} s")
    return 0


def _uncompressed(layout: Path, digest: str) -> int:
    import gzip

    size = 0
    with gzip.open(layout / "blobs" / "sha256" / digest.removeprefix("sha256:")) as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            size += len(block)
    return size


if __name__ == "__main__":
    raise SystemExit(main())
