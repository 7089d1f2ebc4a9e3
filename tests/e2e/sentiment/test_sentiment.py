"""End to end: train the sentiment template with the CLI, serve the run under Gunicorn, call it over HTTP.

One training run (module-scoped) feeds every test; it takes well under a minute on two cores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from experiments.sentiment.schema.request import MAX_INSTANCES, MAX_TEXT_CHARACTERS
from paystone.testing.acceptance import LocalServer

pytestmark = pytest.mark.e2e

REPOSITORY = Path(__file__).resolve().parents[3]
MIN_MOVIE_REVIEW_ACCURACY = 0.75


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Train with the same command as any experiment; return the root, the output and the manifest."""
    root = tmp_path_factory.mktemp("sentiment-artifacts")
    completed = subprocess.run(
        [sys.executable, "-m", "paystone.cli.main", "experiments", "train", "sentiment", "--root", str(root)],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    (manifest_path,) = (root / "sentiment" / "runs").glob("*/manifest.json")
    return {
        "root": root,
        "output": completed.stdout + completed.stderr,
        "manifest": json.loads(manifest_path.read_text()),
    }


def test_training_prints_and_records_a_movie_review_accuracy_of_at_least_0_75(trained: dict[str, Any]) -> None:
    results = trained["manifest"]["test_results"]
    metrics = {test["name"]: test["value"] for test in results["data"]}
    print(f"hold-out movie-review accuracy: {metrics['movie_review_accuracy']:.4f}")
    assert "movie_review_accuracy" in trained["output"]
    assert f"{metrics['movie_review_accuracy']:.4g}" in trained["output"]
    assert metrics["movie_review_accuracy"] >= MIN_MOVIE_REVIEW_ACCURACY, metrics
    assert all(value is not None for value in metrics.values()), metrics
    assert all(test["passed"] for test in results["regression"]), results["regression"]


@pytest.fixture(scope="module")
def service(trained: dict[str, Any]) -> Iterator[str]:
    """The trained run served under Gunicorn (one worker) on a free loopback port."""
    with LocalServer.for_experiment("sentiment", workers=1, env={"PSML_STORAGE_ROOT": str(trained["root"])}) as server:
        yield server.url


def test_served_run_labels_texts(service: str) -> None:
    body = {"instances": [{"text": "I am so happy right now"}, {"text": "What a dreadful, boring film."}]}
    response = httpx.post(f"{service}/sentiment", json=body, timeout=10)
    assert response.status_code == 200, response.text
    assert [p["label"] for p in response.json()["predictions"]] == ["positive", "negative"]


def test_more_instances_than_max_instances_get_a_4xx_naming_the_limit(service: str) -> None:
    body = {"instances": [{"text": "fine"}] * (MAX_INSTANCES + 1)}
    response = httpx.post(f"{service}/sentiment", json=body, timeout=10)
    assert 400 <= response.status_code < 500, response.text
    assert str(MAX_INSTANCES) in response.text


def test_a_one_megabyte_text_gets_a_clear_4xx_not_a_long_request(service: str) -> None:
    # The client's timeout only guards against a hung worker (a minute-long request fails it);
    # how fast the refusal is belongs to benchmarks, not to a timed test.
    response = httpx.post(f"{service}/sentiment", json={"instances": [{"text": "a" * 1_000_000}]}, timeout=30)
    assert 400 <= response.status_code < 500, response.text[:500]
    assert ["body", "instances", 0, "text"] in [error["loc"] for error in response.json()["detail"]]
    assert str(MAX_TEXT_CHARACTERS) in response.text
