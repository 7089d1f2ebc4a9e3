from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import Depends
from pydantic import BaseModel
from starlette.testclient import TestClient

from paystone.serving.app import build_serving_app
from paystone.serving.dependencies import Artifact
from paystone.serving.errors import ServingConfigError
from paystone.serving.runtime import ServingConfig, stored_artifacts
from paystone.serving.types.request import Request
from paystone.serving.versions import UNPROMOTED, ServiceVersion, version_key
from paystone.storage.local import LocalStore
from paystone.storage.manifest import RunManifest, TaskRecord
from paystone.storage.runs import new_run_id, write_run
from paystone.storage.serialization import serialize


def test_defaults_without_environment() -> None:
    config = ServingConfig.from_env({})
    assert (config.storage_root, config.run, config.version) == ("./artifacts", None, None)
    assert config.served_version == UNPROMOTED


def test_values_from_environment() -> None:
    config = ServingConfig.from_env({"PSML_STORAGE_ROOT": "gs://b/p", "PSML_VERSION": "v1.m2"})
    assert config.storage_root == "gs://b/p"
    assert config.version == ServiceVersion(1, 2)


def test_a_malformed_version_names_the_variable_and_value() -> None:
    with pytest.raises(ServingConfigError, match=r"\$PSML_VERSION='1\.2' is not a version"):
        ServingConfig.from_env({"PSML_VERSION": "1.2"})


def test_run_and_promoted_version_together_are_refused() -> None:
    with pytest.raises(ServingConfigError, match="not both"):
        ServingConfig.from_env({"PSML_RUN": "r1", "PSML_VERSION": "v1.m0"})


def _write_run(store: LocalStore, value: Any) -> str:
    data = serialize(value)
    manifest = RunManifest(
        service="toy", run_id=new_run_id(), tasks={"build_model": TaskRecord.for_artifact("build_model", data, 0.0)}
    )
    run_id = write_run(store, manifest, {"build_model": data})
    time.sleep(0.002)  # run ids sort by time
    return run_id


@pytest.fixture
def runs(tmp_path: Path) -> tuple[LocalStore, str, str]:
    store = LocalStore(tmp_path)
    first = _write_run(store, 1.0)
    second = _write_run(store, 2.0)
    return store, first, second


def test_the_latest_run_by_default(runs: tuple[LocalStore, str, str], tmp_path: Path) -> None:
    source = stored_artifacts("toy", UNPROMOTED, ServingConfig(storage_root=str(tmp_path)))
    assert source.run_id == runs[2]


def test_the_run_named_by_psml_run(runs: tuple[LocalStore, str, str], tmp_path: Path) -> None:
    source = stored_artifacts("toy", UNPROMOTED, ServingConfig(storage_root=str(tmp_path), run=runs[1]))
    assert source.run_id == runs[1]


def test_a_promoted_version_serves_its_recorded_run(runs: tuple[LocalStore, str, str], tmp_path: Path) -> None:
    store, first, _ = runs
    store.write(version_key("toy", 1, 0), f'{{"run_id": "{first}"}}'.encode())
    assert stored_artifacts("toy", ServiceVersion(1, 0), ServingConfig(storage_root=str(tmp_path))).run_id == first


def test_no_run_at_all_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ServingConfigError, match="no run of service 'toy'"):
        stored_artifacts("toy", UNPROMOTED, ServingConfig(storage_root=str(tmp_path)))


class Instance(BaseModel):
    x: float


class Parameters(BaseModel):
    pass


def predict(request: Request[Instance, Parameters], model: Any = Depends(Artifact("build_model"))) -> list[float]:
    return [model * instance.x for instance in request.instances]


@pytest.mark.parametrize(("version", "env_run", "expected"), [("v0.m0", None, 2.0), ("v0.m0", 1, 1.0), ("v1.m0", None, 1.0)])
def test_an_app_without_given_artifacts_serves_from_storage_at_start_up(
    runs: tuple[LocalStore, str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    version: str,
    env_run: int | None,
    expected: float,
) -> None:
    store, first, _ = runs
    store.write(version_key("toy", 1, 0), f'{{"run_id": "{first}"}}'.encode())
    app = build_serving_app("toy", None, {"predict": predict}, version=version)
    monkeypatch.setenv("PSML_STORAGE_ROOT", str(tmp_path))  # read at start-up, after the app was built
    if env_run is not None:
        monkeypatch.setenv("PSML_RUN", runs[env_run])
    with TestClient(app) as client:
        assert app.state.psml_loader.wait(10)
        assert client.get("/readyz").status_code == 200
        assert client.post("/predict", json={"instances": [{"x": 1}]}).json() == {"predictions": [expected], "version": version}
