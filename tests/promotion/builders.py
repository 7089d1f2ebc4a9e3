"""Constructed test results: per-instance scores turned into metrics on the shared resamples.

The resamples come from `paystone.training.evaluation.resample_indices`, the same shared, seeded
indices training uses, so these results pair exactly as two real training runs' would.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from paystone.storage.manifest import RunManifest, TaskRecord
from paystone.storage.runs import new_run_id, write_run
from paystone.storage.serialization import serialize
from paystone.storage.store import ArtifactStore
from paystone.training.evaluation import resample_indices
from paystone.training.results import DataTestResult, RegressionResult, TrainingTestResults

RESAMPLES = 200


def mean_metric(
    name: str, scores: np.ndarray, goal: str = "maximize", *, fingerprint: str = "holdout-a", resamples: int = RESAMPLES
) -> DataTestResult:
    """A data test whose metric is the mean of per-instance scores (accuracy, mean absolute error)."""
    scores = np.asarray(scores, dtype=float)
    replicates = [float(scores[indices].mean()) for indices in resample_indices(len(scores), resamples)]
    return DataTestResult(
        name=name,
        goal=goal,  # type: ignore[arg-type]
        value=float(scores.mean()),
        resamples=replicates,
        n_instances=len(scores),
        holdout_fingerprint=fingerprint,
    )


def correctness(n: int, errors: int, seed: int) -> np.ndarray:
    """1/0 correctness of a classifier that is wrong on exactly `errors` of `n` random instances."""
    scores = np.ones(n)
    scores[np.random.default_rng(seed).choice(n, size=errors, replace=False)] = 0
    return scores


def results(
    data: Sequence[DataTestResult], *, regression_passed: Sequence[bool] = (True,), service: str = "svc"
) -> TrainingTestResults:
    return TrainingTestResults(
        service=service,
        regression=[
            RegressionResult(name=f"regression_{i}", passed=passed, error=None if passed else "returned False")
            for i, passed in enumerate(regression_passed)
        ],
        data=list(data),
    )


def write_candidate(store: ArtifactStore, test_results: TrainingTestResults, run_id: str | None = None) -> str:
    """A complete training run whose manifest carries `test_results`."""
    run_id = run_id or new_run_id()
    artifact = serialize(test_results)
    manifest = RunManifest(
        service=test_results.service,
        run_id=run_id,
        hyperparameters={},
        tasks={"evaluate": TaskRecord.for_artifact("evaluate", artifact, seconds=0.0)},
        test_results=test_results.model_dump(mode="json"),
    )
    return write_run(store, manifest, {"evaluate": artifact})


def promote_in_child(root: str, service: str, run_id: str, fingerprint: str, environ: dict[str, str], barrier, queue) -> None:  # type: ignore[no-untyped-def]
    """Body of one racing promotion process (importable by a spawned child, unlike a test module).

    `environ` is the parent's environment at the time of the test: a fork server started by an
    earlier test would otherwise hand children its own (e.g. without `STORAGE_EMULATOR_HOST`).
    """
    import os

    from paystone.promotion.promote import promote

    os.environ.clear()
    os.environ.update(environ)
    from paystone.storage.roots import open_store

    store = open_store(root)
    barrier.wait(timeout=60)
    try:
        report = promote(store, service, run_id, schema_fingerprint=fingerprint)
    except Exception as error:  # reported to the parent, which fails the test with it
        queue.put((run_id, f"error: {type(error).__name__}: {error}"))
        raise
    queue.put((run_id, report.version))
