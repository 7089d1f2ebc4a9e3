"""Whole-image properties: the same inputs give the same digest, and a code change rebuilds only
the application layer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.tools.image.conftest import REPO
from tools.image.build import BuildReport, build_image
from tools.image.oci import read_config

pytestmark = pytest.mark.e2e


def test_rebuilding_every_layer_from_scratch_gives_the_same_manifest_digest(
    housing_image: tuple[Path, BuildReport], tmp_path: Path
) -> None:
    _, first = housing_image
    second = build_image("housing", tmp_path / "again", fresh=True)
    assert second.rebuilt == ["debian", "python", "app"]
    assert second.result.manifest.digest == first.result.manifest.digest
    assert [l.digest for l in second.result.layers] == [l.digest for l in first.result.layers]


def test_changing_one_line_of_the_serving_app_rebuilds_only_the_application_layer(
    housing_image: tuple[Path, BuildReport], tmp_path: Path
) -> None:
    layout, before = housing_image
    copy = tmp_path / "repo"
    for folder in ("paystone", "experiments", "third_party/debian", "third_party/python/experiments"):
        shutil.copytree(REPO / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
    app = copy / "experiments" / "housing" / "serve" / "app.py"
    app.write_text(app.read_text() + "\n# one more line\n")
    after = build_image("housing", tmp_path / "changed", root=copy)
    assert after.rebuilt == ["app"]
    assert [l.digest for l in after.result.layers[:2]] == [l.digest for l in before.result.layers[:2]]
    assert after.result.layers[2].digest != before.result.layers[2].digest
    assert read_config(tmp_path / "changed")["rootfs"]["diff_ids"][:2] == before.result.diff_ids[:2]
