"""Deterministic layer tars: the one place that decides ordering, times, owners and format.

A layer's digest must depend on its content only, so every entry gets the same mtime, numeric
owners and no user/group names, and entries are written sorted by path with their parent
directories first. The format is PAX (what OCI layers use); no PAX time records are written
because mtimes are integers.
"""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

# 2000-01-01T00:00:00Z: a fixed time for every file and for the image's `created`; not 0, which
# some tools show as "unknown".
EPOCH = 946684800
CREATED = "2000-01-01T00:00:00Z"
ROOT_UID = 0
NONROOT_UID = 65532


class LayerError(ValueError):
    """A layer entry that cannot be written (a bad path, a conflicting type)."""


@dataclass
class Entry:
    """One tar entry; `data` for regular files, `target` for links."""

    path: str
    kind: bytes  # tarfile.REGTYPE, DIRTYPE, SYMTYPE, LNKTYPE
    mode: int
    data: bytes = b""
    target: str = ""
    source: Path | None = None  # read at write time, so big trees are not held in memory
    uid: int = ROOT_UID
    gid: int = ROOT_UID


@dataclass
class LayerBuilder:
    """Collects entries by path, then writes them sorted. Later files replace earlier ones."""

    entries: dict[str, Entry] = field(default_factory=dict)

    @staticmethod
    def normalize(path: str) -> str:
        return strip_root(path, refuse_empty=True)

    def _parents(self, path: str) -> None:
        parent = PurePosixPath(path).parent
        missing = []
        while str(parent) not in (".", "/", "") and str(parent) not in self.entries:
            missing.append(str(parent))
            parent = parent.parent
        for directory in missing:
            self.entries[directory] = Entry(directory, tarfile.DIRTYPE, 0o755)

    def add(self, entry: Entry) -> None:
        entry.path = self.normalize(entry.path)
        existing = self.entries.get(entry.path)
        if existing is not None and existing.kind == tarfile.DIRTYPE:
            if entry.kind != tarfile.DIRTYPE:
                raise LayerError(f"{entry.path!r} is a directory in one input and a file or link in another")
            if entry.uid == ROOT_UID and existing.uid != ROOT_UID:
                return  # keep an explicitly owned directory (the non-root HOME)
        self._parents(entry.path)
        self.entries[entry.path] = entry

    def directory(self, path: str, mode: int = 0o755, uid: int = ROOT_UID) -> None:
        self.add(Entry(path, tarfile.DIRTYPE, mode, uid=uid, gid=uid))

    def file(self, path: str, data: bytes, mode: int = 0o644) -> None:
        self.add(Entry(path, tarfile.REGTYPE, mode, data=data))

    def symlink(self, path: str, target: str) -> None:
        self.add(Entry(path, tarfile.SYMTYPE, 0o777, target=target))

    def tree(self, source: Path, prefix: str, *, skip: Iterable[str] = ()) -> None:
        """Every file, link and directory under `source`, placed under `prefix` (sorted walk)."""
        skipped = set(skip)
        for dirpath, dirnames, filenames in os.walk(source):
            dirnames[:] = sorted(d for d in dirnames if d not in skipped)
            base = Path(dirpath)
            for name in dirnames:
                path = base / name
                relative = path.relative_to(source).as_posix()
                if path.is_symlink():
                    self.symlink(f"{prefix}/{relative}", os.readlink(path))
                else:
                    self.directory(f"{prefix}/{relative}", _mode(path))
            for name in sorted(filenames):
                if name in skipped:
                    continue
                path = base / name
                relative = path.relative_to(source).as_posix()
                if path.is_symlink():
                    self.symlink(f"{prefix}/{relative}", os.readlink(path))
                else:
                    self.add(Entry(f"{prefix}/{relative}", tarfile.REGTYPE, _mode(path), source=path))

    def write(self, out: Path) -> None:
        with out.open("wb") as stream:
            self.write_to(stream)

    def write_to(self, stream: io.BufferedIOBase) -> None:
        with tarfile.open(fileobj=stream, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for path in sorted(self.entries):
                entry = self.entries[path]
                info = tarfile.TarInfo(path)
                info.type = entry.kind
                info.mode = entry.mode
                info.mtime = EPOCH
                info.uid, info.gid = entry.uid, entry.gid
                info.uname = info.gname = ""
                if entry.kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
                    info.linkname = entry.target
                if entry.kind == tarfile.REGTYPE and entry.source is not None:
                    info.size = entry.source.stat().st_size
                    with entry.source.open("rb") as data:
                        tar.addfile(info, data)
                elif entry.kind == tarfile.REGTYPE:
                    info.size = len(entry.data)
                    tar.addfile(info, io.BytesIO(entry.data))
                else:
                    tar.addfile(info)


def strip_root(path: str, *, refuse_empty: bool = False) -> str:
    """`./usr/bin/x`, `/usr/bin/x` -> `usr/bin/x`; a path climbing out with `..` is refused."""
    text = path
    while text.startswith("./"):
        text = text[2:]
    text = text.lstrip("/").rstrip("/")
    if text == ".":
        text = ""
    if ".." in PurePosixPath(text).parts or (refuse_empty and not text):
        raise LayerError(f"layer path {path!r} is empty or leaves the root")
    return str(PurePosixPath(text)) if text else ""


def _mode(path: Path) -> int:
    """Only the execute bits carry over from the working tree: umask and checkout differ by machine."""
    if path.is_dir():
        return 0o755
    return 0o755 if os.stat(path).st_mode & 0o111 else 0o644
