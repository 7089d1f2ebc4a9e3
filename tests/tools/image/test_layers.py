"""Deterministic layer tars: same entries in any order give the same bytes."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from tools.image.layers import EPOCH, NONROOT_UID, LayerBuilder, LayerError


def _bytes(layer: LayerBuilder) -> bytes:
    stream = io.BytesIO()
    layer.write_to(stream)
    return stream.getvalue()


def test_insertion_order_does_not_change_the_bytes() -> None:
    first, second = LayerBuilder(), LayerBuilder()
    first.file("usr/bin/a", b"a", 0o755)
    first.symlink("bin", "usr/bin")
    first.file("etc/passwd", b"root")
    second.file("etc/passwd", b"root")
    second.symlink("bin", "usr/bin")
    second.file("./usr/bin/a", b"a", 0o755)
    assert _bytes(first) == _bytes(second)


def test_entries_are_sorted_with_parents_fixed_time_and_numeric_owners() -> None:
    layer = LayerBuilder()
    layer.file("opt/app/x.py", b"print()")
    layer.directory("home/nonroot", 0o700, uid=NONROOT_UID)
    with tarfile.open(fileobj=io.BytesIO(_bytes(layer))) as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == ["home", "home/nonroot", "opt", "opt/app", "opt/app/x.py"]
    assert {m.mtime for m in members} == {EPOCH}
    assert {m.uname for m in members} == {""}
    home = next(m for m in members if m.name == "home/nonroot")
    assert (home.uid, home.gid, home.mode) == (NONROOT_UID, NONROOT_UID, 0o700)
    assert all(m.uid == 0 for m in members if m.name != "home/nonroot")


def test_paths_leaving_the_root_are_refused() -> None:
    with pytest.raises(LayerError, match=r"\.\./etc"):
        LayerBuilder().file("../etc/passwd", b"")


def test_a_file_cannot_replace_a_directory() -> None:
    layer = LayerBuilder()
    layer.directory("usr/lib")
    with pytest.raises(LayerError, match="usr/lib"):
        layer.file("usr/lib", b"x")


def test_tree_keeps_only_execute_bits_and_streams_files(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "run").write_text("x")
    (tmp_path / "pkg" / "run").chmod(0o700)
    (tmp_path / "pkg" / "data").write_text("y")
    (tmp_path / "pkg" / "data").chmod(0o600)
    (tmp_path / "pkg" / "link").symlink_to("data")
    layer = LayerBuilder()
    layer.tree(tmp_path, "opt/site")
    with tarfile.open(fileobj=io.BytesIO(_bytes(layer))) as tar:
        modes = {m.name: m.mode for m in tar.getmembers()}
        link = tar.getmember("opt/site/pkg/link")
        assert tar.extractfile("opt/site/pkg/data").read() == b"y"
    assert modes["opt/site/pkg/run"] == 0o755
    assert modes["opt/site/pkg/data"] == 0o644
    assert link.issym() and link.linkname == "data"
