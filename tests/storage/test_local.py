from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from paystone.storage.errors import ArtifactExistsError, ArtifactNotFoundError, InvalidKeyError
from paystone.storage.local import TEMP_PREFIX, LocalStore


def test_write_then_read(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.write("svc/runs/1/a.artifact", b"payload")
    assert store.read("svc/runs/1/a.artifact") == b"payload"
    assert (tmp_path / "svc" / "runs" / "1" / "a.artifact").read_bytes() == b"payload"
    assert store.exists("svc/runs/1/a.artifact")
    assert not store.exists("svc/runs/1/b.artifact")


def test_existing_key_is_never_overwritten_and_error_names_path(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.write("k/v", b"first")
    with pytest.raises(ArtifactExistsError) as info:
        store.write("k/v", b"second")
    assert str(tmp_path / "k" / "v") in str(info.value)
    assert store.read("k/v") == b"first"
    assert store.create_exclusive("k/v", b"third") is False
    assert store.read("k/v") == b"first"


def test_file_created_behind_the_store_is_not_replaced(tmp_path: Path) -> None:
    # The check-then-link window: the link itself must refuse an existing name.
    store = LocalStore(tmp_path)
    (tmp_path / "late").write_bytes(b"other writer")
    assert store.create_exclusive("late", b"mine") is False
    assert (tmp_path / "late").read_bytes() == b"other writer"


def test_no_temp_files_are_left_behind(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.write("a/b", b"1")
    store.create_exclusive("a/b", b"2")
    assert sorted(os.listdir(tmp_path / "a")) == ["b"]


def test_concurrent_create_exclusive_has_one_winner(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def attempt(index: int) -> None:
        barrier.wait()
        results.append(store.create_exclusive("versions/v1", f"writer {index}".encode()))

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False] * 7 + [True]
    assert store.read("versions/v1").startswith(b"writer ")


def test_read_missing_names_path(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    with pytest.raises(ArtifactNotFoundError) as info:
        store.read("nope/x")
    assert str(tmp_path / "nope" / "x") in str(info.value)


def test_list_by_prefix_skips_temp_files(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    for key in ["s/runs/1/a", "s/runs/1/b", "s/runs/2/a", "s/other", "t/x"]:
        store.write(key, b"x")
    (tmp_path / "s" / "runs" / "1" / f"{TEMP_PREFIX}abc").write_bytes(b"partial")
    assert store.list("s/runs/") == ["s/runs/1/a", "s/runs/1/b", "s/runs/2/a"]
    assert store.list("s/r") == ["s/runs/1/a", "s/runs/1/b", "s/runs/2/a"]
    assert store.list("") == ["s/other", "s/runs/1/a", "s/runs/1/b", "s/runs/2/a", "t/x"]
    assert store.list("missing/") == []
    assert LocalStore(tmp_path / "absent").list("") == []


def test_keys_cannot_escape_root(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "root")
    store.write("inside", b"x")
    with pytest.raises(InvalidKeyError):
        store.write("../outside", b"x")
    with pytest.raises(InvalidKeyError):
        store.list("../")
    assert not (tmp_path / "outside").exists()


def test_describe_is_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert LocalStore("rel").describe("a/b") == str(tmp_path / "rel" / "a" / "b")
