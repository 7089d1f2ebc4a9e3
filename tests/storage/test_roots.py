from __future__ import annotations

from pathlib import Path

import pytest

from paystone.storage.gcs import GCSStore
from paystone.storage.local import LocalStore
from paystone.storage.roots import DEFAULT_ROOT, ROOT_ENV, default_root, open_store


def test_gs_url_opens_gcs_store_with_prefix() -> None:
    store = open_store("gs://my-bucket/team/artifacts")
    assert isinstance(store, GCSStore)
    assert (store.bucket_name, store.prefix) == ("my-bucket", "team/artifacts")
    assert open_store("gs://b").describe("k") == "gs://b/k"


def test_path_and_plain_string_open_local_store(tmp_path: Path) -> None:
    for root in (tmp_path, str(tmp_path)):
        store = open_store(root)
        assert isinstance(store, LocalStore)
        assert store.root == tmp_path


@pytest.mark.parametrize("root", ["gs://", "gs:///prefix", "s3://bucket/x"])
def test_bad_roots_are_named(root: str) -> None:
    with pytest.raises(ValueError) as info:
        open_store(root)
    assert repr(root) in str(info.value)


def test_default_root_reads_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(ROOT_ENV, raising=False)
    assert default_root() == DEFAULT_ROOT == "./artifacts"
    monkeypatch.setenv(ROOT_ENV, str(tmp_path))
    store = open_store(None)
    assert isinstance(store, LocalStore) and store.root == tmp_path
