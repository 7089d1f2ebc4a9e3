from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pydantic
import pytest
from sklearn.linear_model import LinearRegression

from paystone.storage.errors import SerializationError, UnknownSerializerError
from paystone.storage.manifest import RunManifest, TaskRecord
from paystone.storage.serialization import (
    SerializerTag,
    choose_serializer,
    deserialize,
    serialize,
)


class Opaque(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(arbitrary_types_allowed=True)
    value: object = pydantic.Field(description="not JSON-able")


def test_pydantic_model_round_trips_as_json_to_same_class() -> None:
    # A platform model, so its import path resolves however pytest imports this test module.
    manifest = RunManifest(
        service="housing",
        run_id="r1",
        created_at=datetime(2024, 1, 2, tzinfo=UTC),
        hyperparameters={"alpha": 0.5, "layers": [1, 2]},
        tasks={"fit": TaskRecord.for_artifact("fit", b"bytes", 1.0)},
    )
    data = serialize(manifest)
    assert data[-1] == SerializerTag.JSON
    assert b"paystone.storage.manifest:RunManifest" in data
    assert serialize(manifest) == data
    restored = deserialize(data)
    assert type(restored) is RunManifest
    assert restored == manifest


def test_plain_json_data_round_trips_and_is_deterministic() -> None:
    first = {"b": [1, 2.5, "x", None, True], "a": {"nested": []}}
    second = {"a": {"nested": []}, "b": [1, 2.5, "x", None, True]}
    assert choose_serializer(first) is SerializerTag.JSON
    assert serialize(first) == serialize(second)
    assert deserialize(serialize(first)) == first


@pytest.mark.parametrize("value", [(1, 2), {1: "int key"}, float("nan"), np.float64(1.0)])
def test_values_json_would_change_are_pickled(value: object) -> None:
    assert choose_serializer(value) is SerializerTag.PICKLE
    restored = deserialize(serialize(value))
    assert type(restored) is type(value)


def test_model_that_cannot_be_json_dumped_falls_back_to_pickle() -> None:
    opaque = Opaque(value={1, 2})
    assert choose_serializer(opaque) is SerializerTag.PICKLE
    assert deserialize(serialize(opaque)) == opaque


def test_model_class_not_importable_by_path_is_not_json() -> None:
    class Local(pydantic.BaseModel):
        n: int = pydantic.Field(description="n")

    assert choose_serializer(Local(n=1)) is SerializerTag.PICKLE


def test_pickle_round_trips_a_fitted_model() -> None:
    model = LinearRegression().fit(np.array([[0.0], [1.0], [2.0]]), np.array([1.0, 3.0, 5.0]))
    data = serialize(model)
    assert data[-1] == SerializerTag.PICKLE
    restored = deserialize(data)
    assert restored.predict(np.array([[3.0]]))[0] == pytest.approx(7.0)


def test_unpicklable_object_names_its_type() -> None:
    with pytest.raises(SerializationError, match="generator"):
        serialize((i for i in range(3)))


def _make_tree(root: Path) -> None:
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "empty").mkdir()
    (root / "a.txt").write_text("alpha")
    (root / "sub" / "b.bin").write_bytes(bytes(range(256)))
    script = root / "sub" / "deeper" / "run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)


def test_directory_round_trips_into_a_fresh_directory(tmp_path: Path) -> None:
    source = tmp_path / "model"
    source.mkdir()
    _make_tree(source)
    data = serialize(source)
    assert data[-1] == SerializerTag.DIRECTORY
    restored = deserialize(data)
    assert isinstance(restored, Path) and restored != source
    assert (restored / "a.txt").read_text() == "alpha"
    assert (restored / "sub" / "b.bin").read_bytes() == bytes(range(256))
    assert (restored / "empty").is_dir()
    assert os.access(restored / "sub" / "deeper" / "run.sh", os.X_OK)
    assert not os.access(restored / "a.txt", os.X_OK)


def test_directory_bytes_do_not_depend_on_times_or_creation_order(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    second.mkdir()
    _make_tree(first)
    _make_tree(second)
    os.utime(second / "a.txt", (1_000_000, 1_000_000))
    (second / "a.txt").chmod(0o600)
    assert serialize(first) == serialize(second)


def test_directory_with_symlink_is_refused_naming_it(tmp_path: Path) -> None:
    (tmp_path / "target").write_text("x")
    (tmp_path / "link").symlink_to(tmp_path / "target")
    with pytest.raises(SerializationError, match="link"):
        serialize(tmp_path)


def test_path_to_a_file_is_pickled_as_a_path(tmp_path: Path) -> None:
    file = tmp_path / "f.txt"
    file.write_text("x")
    assert choose_serializer(file) is SerializerTag.PICKLE
    assert deserialize(serialize(file)) == file


def test_forced_tag_is_used() -> None:
    data = serialize({"a": 1}, SerializerTag.PICKLE)
    assert data[-1] == SerializerTag.PICKLE
    assert deserialize(data) == {"a": 1}


def test_unknown_tag_is_named() -> None:
    with pytest.raises(UnknownSerializerError, match=r"\b200\b") as info:
        deserialize(b"payload" + bytes([200]))
    assert info.value.tag == 200


def test_empty_data_is_refused() -> None:
    with pytest.raises(SerializationError, match="empty"):
        deserialize(b"")
