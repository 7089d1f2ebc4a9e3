"""Run a serving image without a Docker daemon: unpack its layers into a root folder, then start
its entry point there as the image's user, under `chroot` or `bwrap`.

Why these two: they are in Debian, need no daemon and no cgroup setup, and share the host's
network, so the server is reachable on 127.0.0.1 (`runc` and `podman` also work here but need
a bundle or cgroups). chroot needs root; bwrap also gives the process its own /proc and /dev.

    python -m tools.image.run --image LAYOUT [--rootfs DIR] [--runner chroot|bwrap] [-e PSML_PORT=9000] [-v HOST:/artifacts]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from tools.image.oci import layer_blobs, read_config

RUNNERS = ("chroot", "bwrap")


class RunError(RuntimeError):
    """The image cannot be unpacked or started; the message says what is missing."""


def unpack(layout: Path, rootfs: Path) -> Path:
    """Apply every layer in order (GNU tar keeps the numeric owners and modes the image names)."""
    if rootfs.exists():
        shutil.rmtree(rootfs)
    rootfs.mkdir(parents=True)
    for blob in layer_blobs(layout):
        result = subprocess.run(
            ["tar", "--extract", "--gzip", "--numeric-owner", "--same-permissions", "--file", str(blob),
             "--directory", str(rootfs)],
            capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            raise RunError(f"cannot unpack layer {blob.name} into {rootfs}: {result.stderr.strip()}")
    return rootfs


def _host_binary(name: str) -> str:
    """Resolved on the host's PATH: the child gets the image's environment, whose PATH is not the host's."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if found is None:
        raise RunError(f"{name} is not installed: tools/dev/ensure-apt {'bubblewrap' if name == 'bwrap' else 'coreutils'}")
    return found


def container_command(
    layout: Path, rootfs: Path, *, runner: str = "chroot", env: Mapping[str, str] | None = None,
    binds: Mapping[str, str] | None = None, args: Sequence[str] | None = None,
) -> tuple[list[str], dict[str, str]]:
    """The host command that runs the image's entry point in `rootfs`, and its environment.

    `binds` (host path -> image path) are bind-mounted by bwrap; with chroot they must already
    be inside `rootfs` (the caller copies or mounts them).
    """
    config = read_config(layout)["config"]
    environment = dict(item.split("=", 1) for item in config.get("Env", []))
    environment.update(env or {})
    user = config.get("User", "65532:65532")
    workdir = config.get("WorkingDir") or "/"
    entry = list(config.get("Entrypoint") or []) + list(args if args is not None else config.get("Cmd") or [])
    if runner == "chroot":
        if binds:
            raise RunError("chroot cannot bind-mount; use --runner bwrap or put the files into the root folder")
        uid, _, gid = user.partition(":")
        # chroot starts in / of the new root, not WorkingDir: the serving image needs neither.
        return [_host_binary("chroot"), f"--userspec={uid}:{gid or uid}", str(rootfs), *entry[:1], *entry[1:]], environment
    if runner == "bwrap":
        uid, _, gid = user.partition(":")
        # bwrap starts as the image's user (setpriv), so its user namespace maps that uid to
        # itself and the files the image gives the user (its HOME) stay the user's own.
        for mount_point in ["proc", "dev", *(inside.lstrip("/") for inside in (binds or {}).values())]:
            (rootfs / mount_point).mkdir(parents=True, exist_ok=True)  # the unprivileged bwrap cannot
        command = [_host_binary("setpriv"), f"--reuid={uid}", f"--regid={gid or uid}", "--clear-groups",
                   _host_binary("bwrap"), "--bind", str(rootfs), "/", "--proc", "/proc", "--dev", "/dev",
                   "--unshare-user", "--uid", uid, "--gid", gid or uid, "--unshare-pid", "--die-with-parent",
                   "--chdir", workdir]
        for host, inside in sorted((binds or {}).items()):
            command += ["--ro-bind", host, inside]
        return command + ["--", *entry], environment
    raise RunError(f"runner {runner!r} is not one of {', '.join(RUNNERS)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", type=Path, required=True, help="an OCI image layout folder")
    parser.add_argument("--rootfs", type=Path, default=None, help="where to unpack (default: next to the layout)")
    parser.add_argument("--runner", choices=RUNNERS, default="chroot")
    parser.add_argument("-e", "--env", action="append", default=[], help="KEY=VALUE added to the image's environment")
    parser.add_argument("-v", "--volume", action="append", default=[], help="HOST:IMAGE read-only bind (bwrap)")
    args = parser.parse_args(argv)
    rootfs = args.rootfs or args.image.with_name(args.image.name + ".rootfs")
    try:
        unpack(args.image, rootfs)
        command, environment = container_command(
            args.image, rootfs, runner=args.runner,
            env=dict(item.split("=", 1) for item in args.env),
            binds=dict(item.split(":", 1) for item in args.volume),
        )
    except RunError as error:
        print(f"run: {error}", file=sys.stderr)
        return 1
    os.execvpe(command[0], command, environment)


if __name__ == "__main__":
    raise SystemExit(main())
