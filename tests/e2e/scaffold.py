"""End to end: `psml experiments new NAME --template TEMPLATE`, then train, serve and test NAME, unedited.

Everything happens in a temporary copy of the platform and of the template, put first on the
subprocesses' path, so the repository never holds a generated package, even when a step fails
or the test is interrupted. Each template's folder calls `check_scaffold` with its own training
flags and a valid instance.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from paystone.discovery import get_experiment
from paystone.testing.acceptance import LocalServer

REPOSITORY = Path(__file__).resolve().parents[2]
# The import registers `new` in case paystone/cli/experiments/__init__.py does not yet.
PSML = [sys.executable, "-c", "import paystone.cli.experiments.new; from paystone.cli.main import main; main()"]


def workspace(tmp_path: Path, template: str) -> Path:
    """A minimal copy of the repository: the platform, the experiments package and the template."""
    copy = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPOSITORY / "paystone", copy / "paystone", ignore=ignore)
    (copy / "experiments").mkdir(parents=True)
    shutil.copy2(REPOSITORY / "experiments" / "__init__.py", copy / "experiments" / "__init__.py")
    shutil.copytree(REPOSITORY / "experiments" / template, copy / "experiments" / template, ignore=ignore)
    shutil.copy2(REPOSITORY / "pyproject.toml", copy / "pyproject.toml")
    return copy


def run(command: list[str], workspace: Path, timeout: float = 300) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(workspace), os.environ.get("PYTHONPATH")])), "COLUMNS": "200", "PSML_STORAGE_ROOT": str(workspace / "artifacts")}
    completed = subprocess.run(command, cwd=workspace, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"{command[-6:]} failed ({completed.returncode}):\n{output}"
    return output


def check_scaffold(
    template: str, name: str, train_flags: list[str], instance: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """Scaffold ``name`` from ``template`` in a copy of the repository, list, train, test and serve it.

    Returns the first prediction of the served copy for ``instance`` (both paths must answer 200).
    """
    copy = workspace(tmp_path, template)
    package = copy / "experiments" / name
    run([*PSML, "experiments", "new", name, "--template", template], copy)
    assert package.is_dir() and not (REPOSITORY / "experiments" / name).exists()

    listing = run([*PSML, "experiments", "list"], copy)
    assert re.search(rf"\b{name}\b.*complete", listing), listing

    # Any spelling of the template's name as a word (not inside another, e.g. vaderSentiment).
    spelling = re.compile(rf"(?<![a-z]){template}(?![a-z])", re.IGNORECASE)
    leftovers = [
        f"{path.relative_to(package)}: {line.strip()}"
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
        for line in path.read_text(encoding="utf-8").splitlines() + [path.name]
        if spelling.search(line)
    ]
    assert leftovers == [], leftovers

    run([*PSML, "experiments", "train", name, *train_flags, "--root", str(copy / "artifacts")], copy)
    assert list((copy / "artifacts" / name / "runs").glob("*/manifest.json"))

    run([sys.executable, "-m", "pytest", f"experiments/{name}", "-q", "-p", "no:cacheprovider"], copy)

    hardware = get_experiment(template).module("infrastructure.hardware").hardware  # the copy's is the same
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(copy), os.environ.get("PYTHONPATH")])), "PSML_STORAGE_ROOT": str(copy / "artifacts")}
    monkeypatch.chdir(copy)  # Gunicorn puts its working directory first on the path
    with LocalServer(f"experiments.{name}.serve.app:app", hardware.serving, workers=1, env=env) as server:
        response = httpx.post(f"{server.url}/{name}", json={"instances": [instance]}, timeout=10)
        versioned = httpx.post(f"{server.url}/{name}/v0/m0/{name}", json={"instances": [instance]}, timeout=10)
    assert response.status_code == 200, response.text
    assert versioned.status_code == 200, versioned.text
    return dict(response.json()["predictions"][0])
