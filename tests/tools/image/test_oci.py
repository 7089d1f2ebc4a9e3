"""The OCI layout writer: canonical JSON, fixed times, gzip without a timestamp, readable by skopeo."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from tools.image.layers import CREATED, LayerBuilder
from tools.image.oci import ImageConfig, Layer, canonical, read_config, read_manifest, write_archive, write_layout

CONFIG = ImageConfig(entrypoint=["/usr/bin/python3.11"], cmd=["-V"], env={"B": "2", "A": "1"}, exposed_ports=[8080])


@pytest.fixture
def layers(tmp_path: Path) -> list[Layer]:
    result = []
    for name in ("one", "two"):
        builder = LayerBuilder()
        builder.file(f"opt/{name}", name.encode() * 1000)
        builder.write(tmp_path / f"{name}.tar")
        result.append(Layer(tmp_path / f"{name}.tar", f"made {name}"))
    return result


def test_canonical_json_is_sorted_and_compact() -> None:
    assert canonical({"b": 1, "a": [1, {"d": 2, "c": 3}]}) == b'{"a":[1,{"c":3,"d":2}],"b":1}'


def test_two_writes_give_the_same_digest_and_diff_ids_are_the_raw_sha256(tmp_path: Path, layers: list[Layer]) -> None:
    first = write_layout(layers, CONFIG, tmp_path / "a")
    second = write_layout(layers, CONFIG, tmp_path / "b")
    assert first.manifest.digest == second.manifest.digest
    assert first.diff_ids == ["sha256:" + hashlib.sha256(l.path.read_bytes()).hexdigest() for l in layers]
    blob = tmp_path / "a" / "blobs" / "sha256" / first.layers[0].digest.removeprefix("sha256:")
    assert blob.read_bytes()[4:8] == b"\0\0\0\0"  # gzip MTIME field
    assert gzip.decompress(blob.read_bytes()) == layers[0].path.read_bytes()


def test_config_has_fixed_created_diff_ids_and_sorted_env(tmp_path: Path, layers: list[Layer]) -> None:
    result = write_layout(layers, CONFIG, tmp_path / "a")
    config = read_config(tmp_path / "a")
    assert config["created"] == CREATED
    assert [h["created_by"] for h in config["history"]] == ["made one", "made two"]
    assert config["rootfs"] == {"type": "layers", "diff_ids": result.diff_ids}
    assert config["config"]["Env"] == ["A=1", "B=2"]
    assert config["config"]["User"] == "65532:65532"
    raw = (tmp_path / "a" / "blobs" / "sha256" / result.config.digest.removeprefix("sha256:")).read_bytes()
    assert raw == canonical(json.loads(raw))


def test_skopeo_reads_the_layout_and_both_forms_of_the_tarball(tmp_path: Path, layers: list[Layer]) -> None:
    from tests.tools.image.conftest import ensure_apt

    ensure_apt("skopeo")
    result = write_layout(layers, CONFIG, tmp_path / "a", tag="t1")
    write_archive(tmp_path / "a", tmp_path / "image.tar", repo_tag="paystone-ml/x:t1")
    with tarfile.open(tmp_path / "image.tar") as archive:
        names = archive.getnames()
    assert {"index.json", "oci-layout", "manifest.json"} <= set(names)
    for reference in (f"oci:{tmp_path / 'a'}:t1", f"oci-archive:{tmp_path / 'image.tar'}"):
        inspected = json.loads(subprocess.run(["skopeo", "inspect", reference], capture_output=True, text=True, check=True).stdout)
        assert inspected["Digest"] == result.manifest.digest
    docker = json.loads(subprocess.run(["skopeo", "inspect", "--config", f"docker-archive:{tmp_path / 'image.tar'}"],
                                       capture_output=True, text=True, check=True).stdout)
    assert docker["rootfs"]["diff_ids"] == result.diff_ids
    assert read_manifest(tmp_path / "a")[0] == result.manifest.digest
