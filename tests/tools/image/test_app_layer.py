"""The application layer: sources, gunicorn.conf.py from hardware.py, the user, baked artifacts."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from experiments.housing.infrastructure.hardware import hardware
from paystone.storage.local import LocalStore
from paystone.training.results import TrainingTestResults
from paystone.versions import VersionRecord, create_version
from tools.image.app_layer import (
    AppLayerError,
    baked_artifacts,
    build_app_layer,
    gunicorn_config,
    image_config,
    source_files,
)
from tools.image.layers import NONROOT_UID


def _members(layer) -> dict[str, tuple[tarfile.TarInfo, bytes]]:
    stream = io.BytesIO()
    layer.write_to(stream)
    with tarfile.open(fileobj=io.BytesIO(stream.getvalue())) as tar:
        return {m.name: (m, tar.extractfile(m).read() if m.isfile() else b"") for m in tar.getmembers()}


def test_sources_hold_the_platform_and_only_this_experiment() -> None:
    files = source_files("housing")
    assert "opt/app/experiments/housing/serve/app.py" in files
    assert "opt/app/paystone/serving/app.py" in files
    assert "opt/app/experiments/__init__.py" in files
    assert not any("/sentiment/" in path or "__pycache__" in path or path.endswith("BUILD.bazel") for path in files)


def test_an_unknown_experiment_is_named() -> None:
    with pytest.raises(AppLayerError, match="experiments/nosuch/serve/app.py"):
        source_files("nosuch")


def test_gunicorn_config_comes_from_hardware_and_reads_the_port_at_start() -> None:
    text = gunicorn_config("housing")
    namespace: dict[str, object] = {}
    exec(compile(text, "gunicorn.conf.py", "exec"), namespace)  # noqa: S102 - our own generated file
    assert namespace["workers"] == hardware.serving.gunicorn_workers
    assert namespace["worker_class"] == "uvicorn_worker.UvicornWorker"
    assert namespace["bind"] == [f"0.0.0.0:{hardware.serving.port}"]


def test_layer_has_a_non_root_user_with_a_private_writable_home() -> None:
    members = _members(build_app_layer("housing", {}, "bind = []\n"))
    home, _ = members["home/nonroot"]
    assert (home.uid, home.gid, home.mode) == (NONROOT_UID, NONROOT_UID, 0o700)
    assert members["tmp"][0].mode == 0o1777
    assert f"nonroot:x:{NONROOT_UID}:{NONROOT_UID}:nonroot:/home/nonroot:".encode() in members["etc/passwd"][1]
    assert members["opt/app/gunicorn.conf.py"][1] == b"bind = []\n"


def test_image_config_runs_gunicorn_as_the_user_with_the_storage_root_from_the_environment() -> None:
    config = image_config("housing", port=8080)
    assert config.entrypoint[:3] == ["/usr/bin/python3.11", "-m", "gunicorn"]
    assert config.cmd == ["experiments.housing.serve.app:app"]
    assert config.user == "65532:65532"
    assert config.env["PSML_STORAGE_ROOT"] == "/artifacts" and "PSML_VERSION" not in config.env
    baked = image_config("housing", port=8080, version="v1.m0", baked=True)
    assert (baked.env["PSML_STORAGE_ROOT"], baked.env["PSML_VERSION"]) == ("/opt/artifacts", "v1.m0")


def test_baking_copies_the_version_record_and_its_run_only(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.write("housing/runs/r1/build_model.artifact", b"model")
    store.write("housing/runs/r1/manifest.json", b"{}")
    store.write("housing/runs/r2/build_model.artifact", b"other")
    create_version(store, VersionRecord(service="housing", major=1, minor=0, run_id="r1", schema_fingerprint="f",
                                               test_results=TrainingTestResults(service="housing", regression=[], data=[])))
    baked = baked_artifacts("housing", str(tmp_path), "v1.m0")
    assert sorted(baked) == ["housing/runs/r1/build_model.artifact", "housing/runs/r1/manifest.json",
                             "housing/versions/v1/m0.json"]
    members = _members(build_app_layer("housing", {}, "", baked))
    assert members["opt/artifacts/housing/runs/r1/build_model.artifact"][1] == b"model"
