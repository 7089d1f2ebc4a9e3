"""The lifecycle of issue 4 on the housing experiment, through the real `psml` commands.

Every `psml` call runs in its own process, as in CI. Training is kept small (a sample of the
sales, fewer trees) through the documented task overrides; the overrides live in a helper module
written to a temporary folder and put on `PYTHONPATH`:

- `load_data` -> every waterfront sale plus 5,000 others (the waterfront regression test needs
  waterfront houses to learn from).

Housing's `seed` seeds only the model and `split_seed` the split, so a retrain with another
`seed` keeps the hold-out set, and so the pairing of the data tests.

The schema change is simulated without touching the real package: the `experiments` package is
copied to a temporary folder, the copy's `schema/request.py` gains a `Parameters` field, and the
last training and promotion run with that copy first on `PYTHONPATH`, exactly as they would after
a commit that changed the schema. The version still served afterwards (v1.m1) is served from the
real package.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

import experiments
from paystone.storage.roots import open_store
from paystone.storage.runs import list_runs
from paystone.versions.fingerprint import service_schema_fingerprint
from paystone.versions.records import list_versions

SAMPLES = '''
import pandas as pd

from experiments.housing.train import main


def small_sales() -> pd.DataFrame:
    sales = main.load_data()
    waterfront = sales[sales["waterfront"]]
    others = sales[~sales["waterfront"]].sample(n=5_000, random_state=0)
    return pd.concat([waterfront, others]).reset_index(drop=True)

'''

SCHEMA_CHANGE = '''

class Parameters(Parameters):  # noqa: F811 - the schema change of the end-to-end test
    """Options applying to every instance of a request."""

    currency: str = Field(default="USD", pattern="^[A-Z]{3}$", description="Currency of the prices.")
'''

PSML = "from paystone.cli.main import main; raise SystemExit(main())"
SMALL = ["--set", "max_iter=40"]
OVERRIDES = ["--override", "load_data=psml_e2e_samples:small_sales"]


class Lifecycle:
    def __init__(self, tmp_path: Path) -> None:
        self.root = tmp_path / "artifacts"
        self.helpers = tmp_path / "helpers"
        self.helpers.mkdir()
        (self.helpers / "psml_e2e_samples.py").write_text(SAMPLES)
        self.tmp_path = tmp_path

    def psml(self, *args: str, code: Path | None = None) -> subprocess.CompletedProcess[str]:
        paths = [str(self.helpers)] + ([str(code)] if code is not None else []) + [p for p in [os.environ.get("PYTHONPATH")] if p]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "COLUMNS": "200", "PSML_STORAGE_ROOT": str(self.root)}
        return subprocess.run(
            [sys.executable, "-c", PSML, "experiments", *args],
            capture_output=True, text=True, env=env, cwd=self.tmp_path, timeout=300, check=False,
        )

    def train(self, *settings: str, code: Path | None = None) -> str:
        before = set(list_runs(open_store(self.root), "housing"))
        sets = [part for setting in settings for part in ("--set", setting)]
        done = self.psml("train", "housing", *SMALL, *sets, *OVERRIDES, "--root", str(self.root), code=code)
        assert done.returncode == 0, done.stderr[-3000:]
        (new,) = set(list_runs(open_store(self.root), "housing")) - before
        return new

    def promote(self, run: str, name: str, code: Path | None = None) -> tuple[subprocess.CompletedProcess[str], dict]:
        report = self.tmp_path / f"{name}.json"
        done = self.psml("promote", "housing", "--run", run, "--root", str(self.root), "--report", str(report), code=code)
        return done, json.loads(report.read_text())


def changed_schema_copy(tmp_path: Path) -> Path:
    code = tmp_path / "changed"
    source = Path(next(iter(experiments.__path__)))
    (code / "experiments").mkdir(parents=True)
    shutil.copy2(source / "__init__.py", code / "experiments" / "__init__.py")
    shutil.copytree(source / "housing", code / "experiments" / "housing", ignore=shutil.ignore_patterns("__pycache__"))
    with (code / "experiments" / "housing" / "schema" / "request.py").open("a") as request:
        request.write(SCHEMA_CHANGE)
    return code


def rows(report: dict) -> dict[str, dict]:
    return {row["name"]: row for row in report["comparison"]["data"]}


def test_housing_promotion_lifecycle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    life = Lifecycle(tmp_path)

    # 1. A first run becomes v1.m0 (no incumbent: only regression tests gate).
    first = life.train()
    done, report = life.promote(first, "first")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (report["version"], report["incumbent"]) == ("v1.m0", None)

    # 2. A learning rate 10x too small leaves the model far off: rejected, worse with its interval.
    degraded = life.train("learning_rate=0.01")
    done, report = life.promote(degraded, "degraded")
    assert done.returncode == 1
    assert "was not promoted" in done.stderr
    assert (report["accepted"], report["version"], report["incumbent"]) == (False, None, "v1.m0")
    for row in rows(report).values():
        assert row["verdict"] == "worse", row
        assert row["interval_low"] is not None and row["interval_high"] is not None
    mae = rows(report)["mean_absolute_error_dollars"]
    assert mae["goal"] == "minimize" and 0 < mae["interval_low"] <= mae["difference"] <= mae["interval_high"]
    assert "worse" in done.stdout and "(95%)" in done.stdout  # the table shows the verdict and the interval
    assert [r.name for r in list_versions(open_store(life.root), "housing")] == ["v1.m0"]

    # 3. The same training with another seed is statistically the same model: v1.m1.
    reseeded = life.train("seed=1")
    done, report = life.promote(reseeded, "reseeded")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (report["version"], report["incumbent"]) == ("v1.m1", "v1.m0")
    assert {row["verdict"] for row in rows(report).values()} <= {"not worse", "better"}

    # 4. After a schema change the next run starts v2.m0, compared with nothing.
    code = changed_schema_copy(tmp_path)
    changed = life.train(code=code)
    done, report = life.promote(changed, "changed", code=code)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (report["version"], report["incumbent"], report["schema_changed"]) == ("v2.m0", None, True)
    assert report["schema_fingerprint"] != service_schema_fingerprint("housing")

    listed = life.psml("versions", "housing", "--root", str(life.root))
    assert listed.returncode == 0, listed.stderr
    for name in ("v1.m0", "v1.m1", "v2.m0"):
        assert name in listed.stdout
    records = {r.name: r for r in list_versions(open_store(life.root), "housing")}
    assert {name: r.run_id for name, r in records.items()} == {"v1.m0": first, "v1.m1": reseeded, "v2.m0": changed}

    # ... while v1.m1 still serves, from its version record, on its versioned path.
    from experiments.housing.schema.service import Route
    from experiments.housing.serve.app import predict
    from paystone.serving.app import build_serving_app

    monkeypatch.setenv("PSML_STORAGE_ROOT", str(life.root))
    app = build_serving_app("housing", Route, {"housing": predict}, version="v1.m1")
    house = {
        "living_area_sqft": 1800, "lot_area_sqft": 5000, "bedrooms": 3, "bathrooms": 2.0, "age_years": 40,
        "building_grade": 7, "latitude": 47.66, "longitude": -122.33,
    }
    with TestClient(app) as client:
        for _ in range(300):  # bounded wait for the artifacts to load
            if client.get("/readyz").status_code == 200:
                break
            time.sleep(0.1)
        answer = client.post("/housing/v1/m1/housing", json={"instances": [house]})
        assert answer.status_code == 200, answer.text
        assert answer.json()["version"] == "v1.m1"
        assert answer.json()["predictions"][0]["price"] > 0
        refused = client.post("/housing/v1/m1/housing", json={"instances": [house], "parameters": {"currency": "EUR"}})
        assert refused.status_code == 422  # v1 does not know the v2 parameter

    # v1.m0 and v1.m1 can share the unversioned route, each loaded from its own version record.
    from paystone.serving.ab_testing import build_ab_testing_app

    split = build_ab_testing_app("housing", Route, {"housing": predict}, major=1, weights={"m0": 1, "m1": 1})
    with TestClient(split) as client:
        for _ in range(300):
            if client.get("/readyz").status_code == 200:
                break
            time.sleep(0.1)
        answered = {client.post("/housing", json={"instances": [house]}).json()["version"] for _ in range(60)}
        assert answered == {"v1.m0", "v1.m1"}
