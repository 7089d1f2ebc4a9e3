"""End to end: `psml experiments new churn --template housing`, then train, serve and test `churn`, unedited.

Everything happens in a temporary copy of the platform and of the template, put first on the
subprocesses' path, so the repository never holds a generated package, even when a step fails
or the test is interrupted.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from paystone.testing.acceptance import LocalServer

pytestmark = pytest.mark.e2e

REPOSITORY = Path(__file__).resolve().parents[2]
TEMPLATE, NAME = "housing", "churn"
# The import registers `new` in case paystone/cli/experiments/__init__.py does not yet.
PSML = [sys.executable, "-c", "import paystone.cli.experiments.new; from paystone.cli.main import main; main()"]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A minimal copy of the repository: the platform, the experiments package and the template."""
    copy = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPOSITORY / "paystone", copy / "paystone", ignore=ignore)
    (copy / "experiments").mkdir(parents=True)
    shutil.copy2(REPOSITORY / "experiments" / "__init__.py", copy / "experiments" / "__init__.py")
    shutil.copytree(REPOSITORY / "experiments" / TEMPLATE, copy / "experiments" / TEMPLATE, ignore=ignore)
    shutil.copy2(REPOSITORY / "pyproject.toml", copy / "pyproject.toml")
    return copy


def run(command: list[str], workspace: Path, timeout: float = 300) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(workspace), os.environ.get("PYTHONPATH")])), "COLUMNS": "200", "PSML_STORAGE_ROOT": str(workspace / "artifacts")}
    completed = subprocess.run(command, cwd=workspace, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"{command[-6:]} failed ({completed.returncode}):\n{output}"
    return output


def test_new_experiment_from_housing_trains_serves_and_passes_its_tests_unedited(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = workspace / "experiments" / NAME
    run([*PSML, "experiments", "new", NAME, "--template", TEMPLATE], workspace)
    assert package.is_dir() and not (REPOSITORY / "experiments" / NAME).exists()

    listing = run([*PSML, "experiments", "list"], workspace)
    assert re.search(rf"\b{NAME}\b.*complete", listing), listing

    leftovers = [
        f"{path.relative_to(package)}: {line.strip()}"
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
        for line in path.read_text(encoding="utf-8").splitlines() + [path.name]
        if TEMPLATE in line.lower()
    ]
    assert leftovers == [], leftovers

    run(
        [*PSML, "experiments", "train", NAME, "--override", f"load_data=experiments.{NAME}.train.sample:load_sample",
         "--set", "max_iter=20", "--root", str(workspace / "artifacts")],
        workspace,
    )  # fmt: skip
    assert list((workspace / "artifacts" / NAME / "runs").glob("*/manifest.json"))

    run([sys.executable, "-m", "pytest", f"experiments/{NAME}", "-q", "-p", "no:cacheprovider"], workspace)

    from experiments.housing.infrastructure.hardware import hardware  # the copy's hardware is the same

    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(workspace), os.environ.get("PYTHONPATH")])), "PSML_STORAGE_ROOT": str(workspace / "artifacts")}
    monkeypatch.chdir(workspace)  # Gunicorn puts its working directory first on the path
    with LocalServer(f"experiments.{NAME}.serve.app:app", hardware.serving, workers=1, env=env) as server:
        house = {
            "living_area_sqft": 1800, "lot_area_sqft": 5000, "bedrooms": 3, "bathrooms": 2.0, "age_years": 40,
            "building_grade": 7, "waterfront": False, "latitude": 47.66, "longitude": -122.33, "sale_date": "2016-06-15",
        }  # fmt: skip
        response = httpx.post(f"{server.url}/{NAME}", json={"instances": [house]}, timeout=10)
        versioned = httpx.post(f"{server.url}/{NAME}/v0/m0/{NAME}", json={"instances": [house]}, timeout=10)
    assert response.status_code == 200, response.text
    assert response.json()["predictions"][0]["price"] > 0
    assert versioned.status_code == 200, versioned.text
