from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from paystone.serving.types.request import Request
from paystone.testing.acceptance.types import (
    AcceptanceTest,
    ArrivalRateStage,
    ErrorRateSLA,
    LatencySLA,
    Stage,
    ThroughputSLA,
)


class _Instance(BaseModel):
    x: float


class _Parameters(BaseModel):
    pass


def _requests() -> list[Request[_Instance, _Parameters]]:
    return [Request[_Instance, _Parameters](instances=[_Instance(x=1.0)])]


def _test(**changes: object) -> AcceptanceTest:
    fields: dict[str, object] = {
        "requests": _requests,
        "stages": [Stage(name="a", users=2, duration_seconds=1), ArrivalRateStage(name="b", requests_per_second=5, duration_seconds=1)],
        "slas": [LatencySLA(percentile=99, max_ms=10), ThroughputSLA(min_rps=1, stage="a"), ErrorRateSLA(max_fraction=0)],
    }
    fields.update(changes)
    return AcceptanceTest(**fields)  # type: ignore[arg-type]


def test_duration_is_the_sum_of_stages() -> None:
    assert _test().duration_seconds == 2


def test_stages_parse_from_plain_data_by_kind() -> None:
    test = _test(stages=[{"kind": "users", "name": "a", "users": 1, "duration_seconds": 1},
                         {"kind": "arrival_rate", "name": "b", "requests_per_second": 3, "duration_seconds": 1}])
    assert isinstance(test.stages[0], Stage) and isinstance(test.stages[1], ArrivalRateStage)


def test_duplicate_stage_names_are_refused() -> None:
    with pytest.raises(ValidationError, match="repeated: a"):
        _test(stages=[Stage(name="a", users=1, duration_seconds=1), Stage(name="a", users=2, duration_seconds=1)])


def test_sla_naming_an_unknown_stage_is_refused() -> None:
    with pytest.raises(ValidationError, match="names stage 'peak'"):
        _test(slas=[ThroughputSLA(min_rps=1, stage="peak")])


def test_ramp_up_must_fit_in_the_stage() -> None:
    with pytest.raises(ValidationError, match="ramp_up_seconds=2 must be shorter"):
        Stage(name="a", users=1, duration_seconds=2, ramp_up_seconds=2)


def test_requests_callback_with_arguments_is_refused() -> None:
    def needs(count: int) -> list[Request[_Instance, _Parameters]]:
        return []

    with pytest.raises(ValidationError, match="requires count"):
        _test(requests=needs)


def test_build_requests_names_a_wrong_item() -> None:
    bad = _test(requests=lambda: [*_requests(), {"instances": []}])
    with pytest.raises(TypeError, match="dict at index 1"):
        bad.build_requests()
    with pytest.raises(ValueError, match="non-empty list"):
        _test(requests=lambda: []).build_requests()


def test_sla_descriptions_name_the_bound_and_scope() -> None:
    assert LatencySLA(percentile=99, max_ms=0.001).describe() == "p99 latency <= 0.001 ms (whole run)"
    assert ThroughputSLA(min_rps=50, stage="a").describe() == "throughput >= 50 req/s (stage a)"
