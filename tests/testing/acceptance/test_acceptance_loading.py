from __future__ import annotations

import pytest

from experiments.housing.schema.request import Instance, Parameters
from paystone.serving.types.request import Request
from paystone.testing.acceptance.loading import load_acceptance, route_path
from paystone.testing.acceptance.types import Stage


def test_housing_acceptance_has_three_stages_and_valid_requests() -> None:
    test = load_acceptance("housing")
    assert len(test.stages) >= 3 and test.slas
    assert test.duration_seconds < 90  # with start-up, the whole run stays under two minutes
    assert route_path("housing", test) == "/housing"
    for request in test.build_requests():
        Request[Instance, Parameters].model_validate_json(request.model_dump_json())


def test_reference_must_name_an_acceptance_test() -> None:
    with pytest.raises(TypeError, match="found Stage"):
        load_acceptance("housing", f"{__name__}:NOT_A_TEST")
    with pytest.raises(ValueError, match="module:attribute"):
        load_acceptance("housing", "no-colon")


NOT_A_TEST = Stage(name="x", users=1, duration_seconds=1)
