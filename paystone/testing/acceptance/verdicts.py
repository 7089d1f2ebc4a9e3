"""A verdict per SLA, and per open-model stage whether it delivered the load it was asked for."""

from __future__ import annotations

from pydantic import BaseModel, Field

from paystone.testing.acceptance.stats import LoadStats, percentile_key
from paystone.testing.acceptance.types import (
    AcceptanceTest,
    ArrivalRateStage,
    ErrorRateSLA,
    LatencySLA,
    ThroughputSLA,
)


class Verdict(BaseModel):
    """Whether one promise held, with the measured value next to its limit."""

    sla: str = Field(description="What was promised, e.g. 'p99 latency <= 250 ms (whole run)'.")
    kind: str = Field(description="'latency', 'throughput', 'error_rate' or 'arrival_rate'.")
    passed: bool = Field(description="Whether the promise held.")
    measured: float | None = Field(description="The measured value (None when nothing could be measured).")
    limit: float = Field(description="The bound it was judged against.")
    unit: str = Field(description="Unit of `measured` and `limit`.")
    detail: str = Field(description="One line saying what was measured and why it passed or failed.")


def judge(test: AcceptanceTest, stages: list[LoadStats], overall: LoadStats) -> list[Verdict]:
    """Every SLA of `test`, then one arrival-rate check per open-model stage."""
    by_name = {s.name: s for s in stages}
    verdicts: list[Verdict] = []
    for sla in test.slas:
        scope = overall if sla.stage is None else by_name[sla.stage]
        if isinstance(sla, LatencySLA):
            value = scope.latency_ms.get(percentile_key(sla.percentile))
            passed = value is not None and value <= sla.max_ms
            shown = "no requests" if value is None else f"{value:.3f} ms"
            verdicts.append(Verdict(sla=sla.describe(), kind=sla.kind, passed=passed, measured=value,
                                    limit=sla.max_ms, unit="ms",
                                    detail=f"measured p{sla.percentile:g} = {shown} over {scope.requests} requests"))
        elif isinstance(sla, ThroughputSLA):
            verdicts.append(Verdict(sla=sla.describe(), kind=sla.kind, passed=scope.ok_rps >= sla.min_rps,
                                    measured=scope.ok_rps, limit=sla.min_rps, unit="req/s",
                                    detail=f"measured {scope.ok_rps:.1f} successful req/s over "
                                           f"{scope.duration_seconds:g} s"))
        elif isinstance(sla, ErrorRateSLA):
            passed = scope.requests > 0 and scope.error_rate <= sla.max_fraction
            verdicts.append(Verdict(sla=sla.describe(), kind=sla.kind, passed=passed, measured=scope.error_rate,
                                    limit=sla.max_fraction, unit="fraction",
                                    detail=f"{scope.failures} failed of {scope.requests} requests "
                                           f"({scope.error_rate:.4%})"))
    for stage in test.stages:
        if isinstance(stage, ArrivalRateStage):
            stats = by_name[stage.name]
            achieved = stats.achieved_fraction or 0.0
            verdicts.append(Verdict(
                sla=f"stage {stage.name} sends >= {stage.min_achieved_fraction:.0%} of "
                    f"{stage.requests_per_second:g} req/s",
                kind="arrival_rate", passed=achieved >= stage.min_achieved_fraction,
                measured=achieved * stage.requests_per_second,
                limit=stage.requests_per_second * stage.min_achieved_fraction, unit="req/s",
                detail=f"sent {achieved * stage.requests_per_second:.1f} of {stage.requests_per_second:g} req/s target "
                       f"({achieved:.1%}); {stats.dropped} dropped at max_in_flight={stage.max_in_flight}",
            ))
    return verdicts
