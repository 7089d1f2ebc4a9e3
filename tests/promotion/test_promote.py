"""Promotion against a storage root: version assignment, rejection, and racing promotions."""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
from pathlib import Path

import pytest

from paystone.promotion.promote import PromotionError, promote
from paystone.storage.local import LocalStore
from paystone.storage.roots import open_store
from paystone.storage.store import ArtifactStore
from paystone.versions.records import VersionRecord, create_version, list_versions
from tests.promotion.builders import correctness, mean_metric, promote_in_child, results, write_candidate

N = 2_000
SERVICE = "svc"
GOOD = results([mean_metric("accuracy", correctness(N, 40, 1))])
SAME_QUALITY = results([mean_metric("accuracy", correctness(N, 42, 2))])
WORSE = results([mean_metric("accuracy", correctness(N, 300, 3))])


def versions(store: ArtifactStore) -> list[tuple[str, str]]:
    return [(record.name, record.run_id) for record in list_versions(store, SERVICE)]


def test_lifecycle_of_minor_and_major_versions(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    first = write_candidate(store, GOOD)
    report = promote(store, SERVICE, first, schema_fingerprint="schema-1")
    assert (report.accepted, report.version, report.incumbent) == (True, "v1.m0", None)

    worse = write_candidate(store, WORSE)
    rejected = promote(store, SERVICE, worse, schema_fingerprint="schema-1")
    assert (rejected.accepted, rejected.version, rejected.incumbent) == (False, None, "v1.m0")
    assert rejected.comparison.reasons == ["data test accuracy is worse"]
    assert versions(store) == [("v1.m0", first)]  # a rejection changes nothing

    second = write_candidate(store, SAME_QUALITY)
    assert promote(store, SERVICE, second, schema_fingerprint="schema-1").version == "v1.m1"

    changed = write_candidate(store, WORSE)  # new schema: no incumbent, only regression tests gate
    report = promote(store, SERVICE, changed, schema_fingerprint="schema-2")
    assert (report.version, report.schema_changed, report.incumbent) == ("v2.m0", True, None)

    fix_of_old_schema = write_candidate(store, GOOD)
    report = promote(store, SERVICE, fix_of_old_schema, schema_fingerprint="schema-1")
    assert (report.version, report.incumbent) == ("v1.m2", "v1.m1")
    assert [name for name, _ in versions(store)] == ["v1.m0", "v1.m1", "v1.m2", "v2.m0"]
    record = list_versions(store, SERVICE)[1]
    assert record.report is not None and record.report["version"] == "v1.m1"
    assert record.test_results == SAME_QUALITY


def test_a_run_is_promoted_once(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    run = write_candidate(store, GOOD)
    promote(store, SERVICE, run, schema_fingerprint="s")
    with pytest.raises(PromotionError, match=r"already version v1\.m0"):
        promote(store, SERVICE, run, schema_fingerprint="s")


def test_unknown_run_is_named(tmp_path: Path) -> None:
    with pytest.raises(LookupError, match="run 'nope' of service 'svc' does not exist"):
        promote(open_store(tmp_path), SERVICE, "nope", schema_fingerprint="s")


def test_a_run_without_test_results_cannot_be_promoted(tmp_path: Path) -> None:
    from paystone.storage.manifest import RunManifest
    from paystone.storage.runs import write_run

    store = open_store(tmp_path)
    write_run(store, RunManifest(service=SERVICE, run_id="r1", hyperparameters={}, tasks={}), {})
    with pytest.raises(PromotionError, match="no test results"):
        promote(store, SERVICE, "r1", schema_fingerprint="s")


def race(root: str, count: int = 8) -> dict[str, str]:
    """Start `count` promotions in separate processes at the same moment; run id -> version."""
    store = open_store(root)
    run_ids = [write_candidate(store, SAME_QUALITY if i % 2 else GOOD) for i in range(count)]
    # Fresh processes, forked from a server that imported the platform once: separate interpreters
    # with their own store clients, without paying eight imports of SciPy and google-cloud-storage.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.promotion.builders", "paystone.promotion.promote", "paystone.storage.gcs"])
    barrier, queue = context.Barrier(count), context.Queue()
    processes = [
        context.Process(target=promote_in_child, args=(root, SERVICE, run, "schema-1", dict(os.environ), barrier, queue))
        for run in run_ids
    ]
    for process in processes:
        process.start()
    outcomes: dict[str, str] = {}
    for _ in range(240):  # bounded: at most about 120 s
        try:
            run_id, version = queue.get(timeout=0.5)
        except queue_module.Empty:
            if all(p.exitcode is not None for p in processes) and queue.empty():
                break
            continue
        outcomes[run_id] = version
        if len(outcomes) == count:
            break
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert set(outcomes) == set(run_ids)
    return outcomes


def _check_race(root: str) -> None:
    outcomes = race(root)
    assert all(not version.startswith("error") for version in outcomes.values()), outcomes
    assert sorted(outcomes.values(), key=lambda v: int(v.split(".m")[1])) == [f"v1.m{i}" for i in range(8)]
    assert dict(versions(open_store(root))) == {version: run for run, version in outcomes.items()}


def test_eight_racing_promotions_get_eight_versions_on_a_local_root(tmp_path: Path) -> None:
    _check_race(str(tmp_path / "root"))


def test_eight_racing_promotions_get_eight_versions_on_cloud_storage(gcs_bucket: str) -> None:
    _check_race(f"gs://{gcs_bucket}/root")


class RacedStore(LocalStore):
    """A real local store in which another promotion claims the first version this one tries."""

    def __init__(self, root: Path, rival: VersionRecord) -> None:
        super().__init__(root)
        self.rival: VersionRecord | None = rival

    def create_exclusive(self, key: str, data: bytes) -> bool:
        if self.rival is not None and key.endswith(".json") and "/versions/" in key:
            rival, self.rival = self.rival, None
            assert create_version(self, rival.model_copy(update={"minor": int(key.rsplit("/m", 1)[1][:-5])}))
        return super().create_exclusive(key, data)


def test_a_promotion_that_loses_the_race_compares_with_the_winner_and_takes_the_next_number(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    first = write_candidate(store, GOOD)
    promote(store, SERVICE, first, schema_fingerprint="s")
    rival = VersionRecord(
        service=SERVICE, major=1, minor=1, run_id="rival-run", schema_fingerprint="s", test_results=SAME_QUALITY
    )
    raced = RacedStore(tmp_path, rival)
    candidate = write_candidate(raced, GOOD)
    report = promote(raced, SERVICE, candidate, schema_fingerprint="s")
    assert (report.version, report.incumbent, report.attempts) == ("v1.m2", "v1.m1", 2)
    assert versions(store) == [("v1.m0", first), ("v1.m1", "rival-run"), ("v1.m2", candidate)]
