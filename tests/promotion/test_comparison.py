from __future__ import annotations

import pytest

from paystone.promotion.comparison import compare_results
from paystone.promotion.statistics import Verdict
from tests.promotion.builders import correctness, mean_metric, results

N = 2_000


def test_a_failed_regression_test_rejects_even_without_incumbent() -> None:
    candidate = results([mean_metric("accuracy", correctness(N, 20, 1))], regression_passed=[True, False])
    comparison = compare_results(candidate, None)
    assert not comparison.passed
    assert comparison.reasons == ["regression test regression_1 failed: returned False"]


def test_without_incumbent_data_tests_are_new_and_do_not_gate() -> None:
    comparison = compare_results(results([mean_metric("accuracy", correctness(N, 900, 1))]), None)
    assert comparison.passed
    assert [row.verdict for row in comparison.data] == [Verdict.new]


def test_a_data_test_the_candidate_lost_counts_as_missing() -> None:
    accuracy = mean_metric("accuracy", correctness(N, 20, 1))
    recall = mean_metric("recall", correctness(N, 30, 2))
    comparison = compare_results(results([accuracy]), results([accuracy, recall]))
    assert [(row.name, row.verdict) for row in comparison.data] == [
        ("accuracy", Verdict.not_worse),
        ("recall", Verdict.missing),
    ]
    assert comparison.reasons == ["data test recall is missing: the candidate has no such data test"]


def test_one_worse_test_among_fine_ones_rejects() -> None:
    incumbent = results([mean_metric("a", correctness(N, 20, 1)), mean_metric("b", correctness(N, 20, 2))])
    candidate = results([mean_metric("a", correctness(N, 20, 1)), mean_metric("b", correctness(N, 300, 3))])
    comparison = compare_results(candidate, incumbent)
    assert [row.verdict for row in comparison.data] == [Verdict.not_worse, Verdict.worse]
    assert not comparison.passed


def test_tolerance_applies_to_its_test_only() -> None:
    incumbent = results([mean_metric("a", correctness(N, 20, 1)), mean_metric("b", correctness(N, 20, 2))])
    candidate = results([mean_metric("a", correctness(N, 120, 1)), mean_metric("b", correctness(N, 120, 2))])
    comparison = compare_results(candidate, incumbent, tolerances={"a": 0.1})
    assert [(row.verdict, row.tolerance) for row in comparison.data] == [
        (Verdict.not_worse, 0.1),
        (Verdict.worse, 0.0),
    ]


def test_tolerance_for_an_unknown_test_is_named() -> None:
    both = results([mean_metric("a", correctness(N, 20, 1))])
    with pytest.raises(ValueError, match=r"unknown data test\(s\) \['accuarcy'\]"):
        compare_results(both, both, tolerances={"accuarcy": 0.1})


def test_report_round_trips_as_json() -> None:
    both = results([mean_metric("a", correctness(N, 20, 1))])
    comparison = compare_results(both, both)
    dumped = comparison.model_dump(mode="json")
    assert dumped["passed"] is True and dumped["data"][0]["verdict"] == "not worse"
