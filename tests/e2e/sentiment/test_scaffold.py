"""End to end: `psml experiments new reviews --template sentiment`, then train, serve and test `reviews`, unedited."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.scaffold import check_scaffold

pytestmark = pytest.mark.e2e


def test_new_experiment_from_sentiment_trains_serves_and_passes_its_tests_unedited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick = ["--override", "load_data=experiments.reviews.train.sample:load_sample"]
    prediction = check_scaffold("sentiment", "reviews", quick, {"text": "What a wonderful, moving film."}, tmp_path, monkeypatch)
    assert prediction["label"] in {"positive", "negative"} and 0 <= prediction["probability"] <= 1
