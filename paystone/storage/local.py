"""An artifact store in a local folder, with the same immutability guarantees as GCS."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from paystone.storage.errors import ArtifactNotFoundError
from paystone.storage.store import ArtifactStore, validate_key

# Partly written files carry this prefix; `list` never shows them.
TEMP_PREFIX = ".psml-tmp-"


def _fsync_directory(directory: Path) -> None:
    """Make the new directory entry durable, not only the file's bytes."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalStore(ArtifactStore):
    """Files under `root`; key `a/b` is the file `root/a/b`."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).expanduser().absolute()

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*validate_key(key).split("/"))

    def create_exclusive(self, key: str, data: bytes) -> bool:
        # A reader must never see a partial file, and a second writer must never replace the
        # first: write a hidden temp file, fsync it, then hard-link it into place. link(2) fails
        # with EEXIST instead of overwriting, unlike rename(2).
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            return False
        fd, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as temp_file:
                temp_file.write(data)
                temp_file.flush()
                os.fsync(temp_file.fileno())
            os.chmod(temp_name, 0o644)
            try:
                os.link(temp_name, target)
            except FileExistsError:
                return False
        finally:
            os.unlink(temp_name)
        _fsync_directory(target.parent)
        return True

    def read(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ArtifactNotFoundError(key, str(path)) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str = "") -> list[str]:
        if not self.root.is_dir():
            return []
        # Walk only the deepest folder the prefix fully names, not the whole root.
        folder, _, _ = prefix.rpartition("/")
        start = self._path(folder) if folder else self.root
        if not start.is_dir():
            return []
        keys: list[str] = []
        for directory, _dirs, files in os.walk(start):
            relative_dir = Path(directory).relative_to(self.root).as_posix()
            for name in files:
                if name.startswith(TEMP_PREFIX):
                    continue
                key = name if relative_dir == "." else f"{relative_dir}/{name}"
                if key.startswith(prefix):
                    keys.append(key)
        return sorted(keys)

    def describe(self, key: str) -> str:
        return str(self._path(key))
