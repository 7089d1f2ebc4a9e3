"""Turn task outputs into artifact bytes and back.

The serializer is recorded in the artifact itself (its last byte) rather than in the manifest, so
an artifact file is self-describing and can be read without knowing which task wrote it. JSON and
directory payloads are deterministic (same object -> same bytes), so their sha256 in the manifest
is a content fingerprint that can be compared across runs.
"""

from __future__ import annotations

import importlib
import io
import json
import math
import pickle
import tarfile
import tempfile
from enum import IntEnum
from pathlib import Path, PurePosixPath
from typing import Any

import pydantic

from paystone.storage.errors import SerializationError, UnknownSerializerError

# Pickle protocol 5 is readable by every Python we support; fixing it keeps bytes stable across
# interpreter upgrades that change the default.
PICKLE_PROTOCOL = 5

_DIR_MODE = 0o755
_FILE_MODE = 0o644
_EXEC_FILE_MODE = 0o755


class SerializerTag(IntEnum):
    """The trailing byte of every artifact: which serializer pair reads it back."""

    PICKLE = 1
    JSON = 2
    DIRECTORY = 3


def serialize(obj: Any, tag: SerializerTag | None = None) -> bytes:
    """Serialize `obj`; `tag` forces a serializer, otherwise one is chosen by `choose_serializer`."""
    chosen = choose_serializer(obj) if tag is None else SerializerTag(tag)
    payload = _SERIALIZERS[chosen](obj)
    return payload + bytes([chosen])


def deserialize(data: bytes) -> Any:
    """Read back bytes written by `serialize`, dispatching on the trailing tag byte."""
    if not data:
        raise SerializationError("cannot deserialize an empty artifact (no serializer tag byte)")
    raw_tag = data[-1]
    try:
        tag = SerializerTag(raw_tag)
    except ValueError:
        raise UnknownSerializerError(raw_tag) from None
    return _DESERIALIZERS[tag](memoryview(data)[:-1].tobytes())


def choose_serializer(obj: Any) -> SerializerTag:
    """JSON where it round-trips faithfully, a tar for directories, pickle for everything else."""
    if isinstance(obj, Path) and obj.is_dir():
        return SerializerTag.DIRECTORY
    if isinstance(obj, pydantic.BaseModel) and _json_model_round_trips(obj):
        return SerializerTag.JSON
    if _is_plain_json(obj):
        return SerializerTag.JSON
    return SerializerTag.PICKLE


# --- pickle -------------------------------------------------------------------------------------


def _pickle_dumps(obj: Any) -> bytes:
    try:
        return pickle.dumps(obj, protocol=PICKLE_PROTOCOL)
    except Exception as error:  # pickle raises several unrelated types (PicklingError, TypeError, ...)
        raise SerializationError(
            f"cannot pickle object of type {type(obj).__module__}.{type(obj).__qualname__}: {error}"
        ) from error


def _pickle_loads(payload: bytes) -> Any:
    return pickle.loads(payload)


# --- JSON ---------------------------------------------------------------------------------------


def _is_plain_json(obj: Any) -> bool:
    """True when json.loads(json.dumps(obj)) == obj with the same types (no tuples, no NaN)."""
    kind = type(obj)
    if obj is None or kind in (bool, int, str):
        return True
    if kind is float:
        return math.isfinite(obj)
    if kind is list:
        return all(_is_plain_json(item) for item in obj)
    if kind is dict:
        return all(type(key) is str and _is_plain_json(value) for key, value in obj.items())
    return False


def _import_path(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _resolve_import_path(path: str) -> Any:
    module_name, _, qualname = path.partition(":")
    if not module_name or not qualname:
        raise SerializationError(f"malformed import path {path!r} in JSON artifact")
    try:
        target: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as error:
        raise SerializationError(
            f"cannot import model class {path!r} recorded in JSON artifact: {error}"
        ) from error
    return target


def _json_model_round_trips(model: pydantic.BaseModel) -> bool:
    """JSON only when the class re-imports by path and the data reads back equal.

    Fields typed loosely (`object`, `Any`, sets inside `Any`) dump to JSON but return as other
    types; those models are pickled instead of silently changing.
    """
    cls = type(model)
    try:
        if _resolve_import_path(_import_path(cls)) is not cls:
            return False
        return bool(_json_loads(_json_dumps(model)) == model)
    except Exception:  # any failure to dump, validate or compare means "not faithful as JSON"
        return False


def _json_dumps(obj: Any) -> bytes:
    if isinstance(obj, pydantic.BaseModel):
        document: dict[str, Any] = {
            "model": _import_path(type(obj)),
            "data": obj.model_dump(mode="json"),
        }
    else:
        if not _is_plain_json(obj):
            raise SerializationError(
                f"object of type {type(obj).__qualname__} is not plain JSON data "
                "(only dict with str keys, list, str, int, finite float, bool, None)"
            )
        document = {"data": obj}
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _json_loads(payload: bytes) -> Any:
    document = json.loads(payload.decode("utf-8"))
    if not isinstance(document, dict) or "data" not in document:
        raise SerializationError("JSON artifact lacks its 'data' member")
    model_path = document.get("model")
    if model_path is None:
        return document["data"]
    cls = _resolve_import_path(model_path)
    if not (isinstance(cls, type) and issubclass(cls, pydantic.BaseModel)):
        raise SerializationError(f"{model_path!r} recorded in JSON artifact is not a Pydantic model")
    # JSON-mode validation is the documented inverse of model_dump(mode="json") (tuples, bytes,
    # datetimes, enums come back as their field types).
    return cls.model_validate_json(json.dumps(document["data"]))


# --- directory ----------------------------------------------------------------------------------


def _normalized_info(name: str, *, is_dir: bool, size: int = 0, executable: bool = False) -> tarfile.TarInfo:
    """Everything that varies between machines (owner, times, umask) is fixed to a constant."""
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE if is_dir else tarfile.REGTYPE
    info.mode = _DIR_MODE if is_dir else (_EXEC_FILE_MODE if executable else _FILE_MODE)
    info.size = size
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _directory_dumps(root: Path) -> bytes:
    if not root.is_dir():
        raise SerializationError(f"{root} is not a directory")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for path in sorted(root.rglob("*"), key=lambda p: p.relative_to(root).as_posix()):
            name = path.relative_to(root).as_posix()
            if path.is_symlink():
                raise SerializationError(
                    f"cannot serialize directory {root}: {path} is a symlink (only regular files "
                    "and directories are stored, so the artifact is self-contained)"
                )
            if path.is_dir():
                archive.addfile(_normalized_info(name, is_dir=True))
            elif path.is_file():
                content = path.read_bytes()
                executable = bool(path.stat().st_mode & 0o100)
                info = _normalized_info(name, is_dir=False, size=len(content), executable=executable)
                archive.addfile(info, io.BytesIO(content))
            else:
                raise SerializationError(
                    f"cannot serialize directory {root}: {path} is neither a regular file nor a directory"
                )
    return buffer.getvalue()


def _safe_member_path(destination: Path, name: str) -> Path:
    """Refuse absolute names and `..` so a crafted artifact cannot write outside `destination`."""
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise SerializationError(f"directory artifact has an unsafe member name {name!r}")
    return destination.joinpath(*relative.parts)


def _directory_loads(payload: bytes) -> Path:
    destination = Path(tempfile.mkdtemp(prefix="psml-artifact-"))
    with tarfile.open(fileobj=io.BytesIO(payload), mode="r:") as archive:
        for member in archive:
            target = _safe_member_path(destination, member.name)
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                target.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(member)
                assert source is not None  # regular files always have content
                target.write_bytes(source.read())
                target.chmod(_EXEC_FILE_MODE if member.mode & 0o100 else _FILE_MODE)
            else:
                raise SerializationError(
                    f"directory artifact member {member.name!r} is neither a file nor a directory"
                )
    return destination


_SERIALIZERS = {
    SerializerTag.PICKLE: _pickle_dumps,
    SerializerTag.JSON: _json_dumps,
    SerializerTag.DIRECTORY: _directory_dumps,
}
_DESERIALIZERS = {
    SerializerTag.PICKLE: _pickle_loads,
    SerializerTag.JSON: _json_loads,
    SerializerTag.DIRECTORY: _directory_loads,
}
