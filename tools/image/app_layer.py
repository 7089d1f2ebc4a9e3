"""The application layer: the platform, the experiment, its Gunicorn configuration, the user.

This is the only layer a code change rebuilds: the Debian and requirements layers come from
locks alone. It holds:
- /opt/app/paystone and /opt/app/experiments/<name> (sources; no tests of the platform);
- /opt/app/gunicorn.conf.py, written by paystone.compute.gunicorn from infrastructure/hardware.py
  (the same file `psml experiments serve` uses), with the port read from $PSML_PORT at start-up;
- /etc/passwd and /etc/group naming the non-root user 65532 and its writable HOME
  (/home/nonroot: Gunicorn needs one, and the image has no shell to make it), and /tmp;
- optionally a promoted version's artifacts under /opt/artifacts (the variant for machines that
  cannot reach the storage root): its version record and its run, copied through the store API,
  so the source may be a local root or gs://.

    python -m tools.image.app_layer --experiment housing --out app.tar [--artifacts-root R --version v1.m0]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from tools.image.layers import NONROOT_UID, LayerBuilder
from tools.image.oci import ImageConfig

# `absolute`, not `resolve`: under Bazel this file sits in a runfiles tree holding exactly the
# declared sources, and resolving its symlink would lead back to the whole working tree.
ROOT = Path(__file__).absolute().parents[2]
APP = "opt/app"
BAKED_ROOT = "/opt/artifacts"
HOME = "/home/nonroot"
SKIPPED = {"__pycache__", "BUILD.bazel", "BUILD", ".pytest_cache"}

PASSWD = f"root:x:0:0:root:/root:/usr/sbin/nologin\nnonroot:x:{NONROOT_UID}:{NONROOT_UID}:nonroot:{HOME}:/usr/sbin/nologin\n"
GROUP = f"root:x:0:\nnonroot:x:{NONROOT_UID}:\n"

_PORT_FROM_ENV = '''
# The port comes from the container's environment ($PSML_PORT), read when Gunicorn starts.
import os as _os

bind = ["0.0.0.0:" + _os.environ.get("PSML_PORT", "{port}")]
'''


class AppLayerError(RuntimeError):
    """The experiment or the artifacts to bake in cannot be found."""


def source_files(experiment: str, root: Path = ROOT, exclude: Iterable[str] = ()) -> dict[str, Path]:
    """Image path -> source file for the platform and one experiment, skipping caches and BUILD files.

    `exclude`: repository-relative paths to leave out (under Bazel, the tool's own launcher,
    which sits in its runfiles next to the experiment's sources).
    """
    excluded = set(exclude)
    if not (root / "experiments" / experiment / "serve" / "app.py").is_file():
        raise AppLayerError(f"experiments/{experiment}/serve/app.py does not exist under {root}")
    files: dict[str, Path] = {f"{APP}/experiments/__init__.py": root / "experiments" / "__init__.py"}
    for folder in (root / "paystone", root / "experiments" / experiment):
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED)
            for name in sorted(filenames):
                if name in SKIPPED or name.endswith(".pyc"):
                    continue
                path = Path(dirpath) / name
                relative = path.relative_to(root).as_posix()
                if relative not in excluded:
                    files[f"{APP}/{relative}"] = path
    return files


def gunicorn_config(experiment: str) -> str:
    """hardware.py's serving group as a gunicorn.conf.py, bound to $PSML_PORT."""
    from paystone.compute.gunicorn import write_gunicorn_config
    from paystone.compute.loading import load_infrastructure

    serving = load_infrastructure(experiment).serving
    return write_gunicorn_config(serving) + _PORT_FROM_ENV.replace("{port}", str(serving.port))


def serving_port(experiment: str) -> int:
    from paystone.compute.loading import load_infrastructure

    return load_infrastructure(experiment).serving.port


def baked_artifacts(experiment: str, storage_root: str, version: str) -> dict[str, bytes]:
    """Store key -> bytes of one promoted version: its record and every file of its run."""
    from paystone.storage.roots import open_store
    from paystone.versions import Version, read_version, version_key

    store = open_store(storage_root)
    parsed = Version.parse(version)
    record = read_version(store, experiment, parsed)
    keys = [version_key(experiment, parsed)] + sorted(store.list(f"{experiment}/runs/{record.run_id}/"))
    if len(keys) == 1:
        raise AppLayerError(f"version {experiment}.{version} names run {record.run_id}, which has no files under {storage_root}")
    return {key: store.read(key) for key in keys}


def build_app_layer(
    experiment: str,
    files: Mapping[str, Path],
    config_text: str,
    artifacts: Mapping[str, bytes] | None = None,
) -> LayerBuilder:
    layer = LayerBuilder()
    for image_path in sorted(files):
        layer.file(image_path, files[image_path].read_bytes())
    layer.file(f"{APP}/gunicorn.conf.py", config_text.encode())
    layer.file("etc/passwd", PASSWD.encode())
    layer.file("etc/group", GROUP.encode())
    layer.directory(HOME, 0o700, uid=NONROOT_UID)
    layer.directory("tmp", 0o1777)
    for key, data in sorted((artifacts or {}).items()):
        layer.file(f"{BAKED_ROOT}/{key}", data, 0o444)
    return layer


def image_config(experiment: str, *, port: int, version: str | None = None, baked: bool = False) -> ImageConfig:
    """Entry point, user and environment of every serving image (one place, used by Bazel too)."""
    env = {
        "PATH": "/usr/bin",
        "HOME": HOME,
        "LANG": "C.UTF-8",
        "PYTHONPATH": "/opt/app:" + "/opt/site",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "PSML_PORT": str(port),
        # A volume or a gs:// root is given at run time; the baked variant carries its own.
        "PSML_STORAGE_ROOT": BAKED_ROOT if baked else "/artifacts",
    }
    if version:
        env["PSML_VERSION"] = version
    return ImageConfig(
        entrypoint=["/usr/bin/python3.11", "-m", "gunicorn", "-c", "/opt/app/gunicorn.conf.py"],
        cmd=[f"experiments.{experiment}.serve.app:app"],
        env=env,
        exposed_ports=[port],
        labels={"org.opencontainers.image.title": f"paystone-ml {experiment}"},
    )


def config_json(config: ImageConfig) -> bytes:
    return json.dumps(dataclasses.asdict(config), sort_keys=True, indent=1).encode()


def read_file_list(path: Path) -> dict[str, Path]:
    """`image/path<TAB>source/path` per line: how Bazel hands over exactly its declared inputs."""
    files = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            image_path, _, source = line.partition("\t")
            files[image_path] = Path(source)
    return files


def write_app_layer(
    experiment: str, out: Path, *, files: Mapping[str, Path] | None = None,
    artifacts_root: str | None = None, version: str | None = None, root: Path = ROOT, exclude: Iterable[str] = (),
) -> None:
    if (artifacts_root is None) != (version is None):
        raise AppLayerError("bake artifacts with both --artifacts-root and --version, or neither")
    artifacts = baked_artifacts(experiment, artifacts_root, version) if artifacts_root and version else None
    layer = build_app_layer(experiment, files if files is not None else source_files(experiment, root, exclude),
                            gunicorn_config(experiment), artifacts)
    layer.write(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", required=True)
    parser.add_argument("--out", type=Path, required=True, help="the layer tar to write")
    parser.add_argument("--files", type=Path, default=None,
                        help="list of `image path<TAB>source` lines (default: walk the working tree)")
    parser.add_argument("--exclude", action="append", default=[], help="a repository-relative path to leave out")
    parser.add_argument("--artifacts-root", default=None, help="storage root to bake a promoted version from")
    parser.add_argument("--version", default=None, help="the promoted version to bake in (v<major>.m<minor>)")
    parser.add_argument("--config-out", type=Path, default=None,
                        help="also write the image's run configuration (entry point, user, environment) as JSON")
    args = parser.parse_args(argv)
    try:
        files = read_file_list(args.files) if args.files else None
        write_app_layer(args.experiment, args.out, files=files, exclude=args.exclude,
                        artifacts_root=args.artifacts_root, version=args.version)
        if args.config_out is not None:
            config = image_config(args.experiment, port=serving_port(args.experiment), version=args.version,
                                  baked=args.artifacts_root is not None)
            args.config_out.write_bytes(config_json(config))
    except (AppLayerError, OSError) as error:
        print(f"app_layer: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
