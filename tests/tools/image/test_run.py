"""The commands that start an image without Docker (the e2e test runs them: test_run_image.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.image.layers import LayerBuilder
from tools.image.oci import ImageConfig, Layer, write_layout
from tools.image.run import RunError, container_command, unpack

CONFIG = ImageConfig(entrypoint=["/usr/bin/python3.11", "-m", "gunicorn"], cmd=["app:app"],
                     env={"PSML_PORT": "8080", "PATH": "/usr/bin"})


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    layer = LayerBuilder()
    layer.file("opt/app/x.py", b"x")
    layer.directory("home/nonroot", 0o700, uid=65532)
    layer.write(tmp_path / "layer.tar")
    write_layout([Layer(tmp_path / "layer.tar", "test")], CONFIG, tmp_path / "image")
    return tmp_path / "image"


def test_unpack_keeps_the_numeric_owner_of_the_home(layout: Path, tmp_path: Path) -> None:
    root = unpack(layout, tmp_path / "rootfs")
    assert (root / "opt/app/x.py").read_bytes() == b"x"
    assert (root / "home/nonroot").stat().st_uid == 65532


def test_chroot_runs_the_entry_point_as_the_image_user_with_its_environment(layout: Path, tmp_path: Path) -> None:
    command, env = container_command(layout, tmp_path, env={"PSML_PORT": "9000"})
    assert command[0].endswith("chroot") and command[1] == "--userspec=65532:65532"
    assert command[2:] == [str(tmp_path), "/usr/bin/python3.11", "-m", "gunicorn", "app:app"]
    assert env == {"PSML_PORT": "9000", "PATH": "/usr/bin"}


def test_bwrap_starts_unprivileged_with_binds(layout: Path, tmp_path: Path) -> None:
    command, _ = container_command(layout, tmp_path, runner="bwrap", binds={"/srv/root": "/artifacts"})
    assert "--reuid=65532" in command and "--ro-bind" in command
    assert command[command.index("--ro-bind") + 1:command.index("--ro-bind") + 3] == ["/srv/root", "/artifacts"]
    assert (tmp_path / "artifacts").is_dir() and (tmp_path / "proc").is_dir()


def test_chroot_cannot_bind_and_unknown_runners_are_named(layout: Path, tmp_path: Path) -> None:
    with pytest.raises(RunError, match="bwrap"):
        container_command(layout, tmp_path, binds={"/a": "/b"})
    with pytest.raises(RunError, match="'docker'"):
        container_command(layout, tmp_path, runner="docker")
