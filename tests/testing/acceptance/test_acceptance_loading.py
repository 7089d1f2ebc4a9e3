from __future__ import annotations

import pytest

from experiments.toy.schema.request import Instance, Parameters
from paystone.serving.types.request import Request
from paystone.testing.acceptance.loading import load_acceptance, route_path
from paystone.testing.acceptance.types import Stage


def test_an_experiments_acceptance_test_loads_with_valid_requests() -> None:
    test = load_acceptance("toy")
    assert [stage.name for stage in test.stages] == ["steady"] and test.slas
    assert route_path("toy", test) == "/toy"
    for request in test.build_requests():
        Request[Instance, Parameters].model_validate_json(request.model_dump_json())


def test_reference_must_name_an_acceptance_test() -> None:
    with pytest.raises(TypeError, match="found Stage"):
        load_acceptance("toy", f"{__name__}:NOT_A_TEST")
    with pytest.raises(ValueError, match="module:attribute"):
        load_acceptance("toy", "no-colon")


NOT_A_TEST = Stage(name="x", users=1, duration_seconds=1)
