"""Fixtures for the acceptance tests: a do-nothing service under Gunicorn, and a stored toy run."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyRegressor

from paystone.compute.types.infrastructure import ServingGroup
from paystone.storage.local import LocalStore
from paystone.storage.manifest import RunManifest, TaskRecord
from paystone.storage.runs import new_run_id, write_run
from paystone.storage.serialization import serialize
from paystone.testing.acceptance.server import LocalServer

NOOP_APP = "paystone.testing.acceptance.noop:app"


@pytest.fixture(scope="session")
def noop_server() -> Iterator[LocalServer]:
    """The do-nothing ASGI app under Gunicorn (1 worker) on 127.0.0.1, shared by the session."""
    serving = ServingGroup(family="e2", vcpus=2, memory_gb=4, gunicorn_workers=1)
    with LocalServer(NOOP_APP, serving, ready_timeout_seconds=30) as server:
        yield server


@pytest.fixture(scope="session")
def toy_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An artifact root holding one run of the toy experiment whose `build_model` is a fitted constant regressor.

    The acceptance test measures the serving stack, not the model: a real scikit-learn estimator
    answering a constant keeps the run a second to make instead of a training run.
    """
    root = tmp_path_factory.mktemp("toy-artifacts")
    from experiments.toy.schema.request import FEATURES

    frame = pd.DataFrame(np.ones((4, len(FEATURES))), columns=list(FEATURES))
    model = DummyRegressor(strategy="constant", constant=150.0).fit(frame, np.full(4, 150.0))
    data = serialize(model)
    started = time.perf_counter()
    run_id = new_run_id()
    manifest = RunManifest(
        service="toy", run_id=run_id,
        tasks={"build_model": TaskRecord.for_artifact("build_model", data, time.perf_counter() - started)},
    )
    write_run(LocalStore(root), manifest, {"build_model": data})
    return root
