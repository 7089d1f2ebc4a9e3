"""The acceptance test of an experiment: what to send, at what pace, and what the service promises.

An experiment's `tests/acceptance.py` exposes one `AcceptanceTest` named `acceptance`. The founding
document asks for "one data model, with one of its fields being a callback": `requests` is that
callback; `stages` sets the pace; `slas` are the promises the run is judged against.

Two kinds of stage exist because they answer different questions. A `Stage` is the founding
document's closed model: N virtual users, each sending a request, waiting for the answer, then
pausing. When the service slows, closed-loop users slow with it and send less, which hides tail
latency (coordinated omission). An `ArrivalRateStage` is an open model: requests start on a fixed
schedule whatever the service does, and the report says when the achieved rate falls short.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from paystone.serving.types.request import Request

#: Stage names end up in reports, SLA scopes and file names: keep them short and plain.
StageName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,40}$", description="Name of the stage, unique in the test.")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stage(_Model):
    """Closed model: `users` virtual users for `duration_seconds`, each pausing `wait_seconds` between requests."""

    kind: Literal["users"] = Field(default="users", description="Discriminator: a closed-model stage.")
    name: StageName
    users: int = Field(ge=1, le=10_000, description="Number of concurrent virtual users during the stage.")
    duration_seconds: float = Field(gt=0, le=3600, description="How long the stage lasts, in seconds.")
    wait_seconds: float = Field(
        default=0.0,
        ge=0,
        le=3600,
        description="Pause of each virtual user between receiving an answer and sending its next request.",
    )
    ramp_up_seconds: float = Field(
        default=0.0,
        ge=0,
        description="Seconds over which users are added or removed to reach `users` (0: at once).",
    )

    @model_validator(mode="after")
    def _ramp_fits(self) -> Self:
        if self.ramp_up_seconds >= self.duration_seconds:
            raise ValueError(
                f"stage {self.name!r}: ramp_up_seconds={self.ramp_up_seconds:g} must be shorter than "
                f"duration_seconds={self.duration_seconds:g}"
            )
        return self


class ArrivalRateStage(_Model):
    """Open model: requests start at `requests_per_second` on a fixed schedule, whether or not earlier ones answered.

    Latency is measured from each request's scheduled start, so a late send (the generator
    falling behind) counts against the service's latency instead of vanishing. When
    `max_in_flight` requests are already waiting, a scheduled request is dropped and counted;
    the stage then reports the achieved rate below the target.
    """

    kind: Literal["arrival_rate"] = Field(default="arrival_rate", description="Discriminator: an open-model stage.")
    name: StageName
    requests_per_second: float = Field(gt=0, le=100_000, description="Target arrival rate of new requests.")
    duration_seconds: float = Field(gt=0, le=3600, description="How long the stage lasts, in seconds.")
    max_in_flight: int = Field(
        default=200,
        ge=1,
        le=10_000,
        description="Most requests awaiting an answer at once; a scheduled request beyond this is dropped.",
    )
    min_achieved_fraction: float = Field(
        default=0.95,
        gt=0,
        le=1,
        description="The stage fails when it sends fewer than this share of the target requests "
        "(the load the SLAs were judged under was not the load asked for).",
    )


AnyStage = Annotated[Stage | ArrivalRateStage, Field(discriminator="kind")]

Percentile = Literal[50, 90, 95, 99, 99.9]


class LatencySLA(_Model):
    """A latency percentile must stay at or under a bound."""

    kind: Literal["latency"] = Field(default="latency", description="Discriminator: a latency SLA.")
    percentile: Percentile = Field(description="Which percentile of response times: 50, 90, 95, 99 or 99.9.")
    max_ms: float = Field(gt=0, description="Largest acceptable value of that percentile, in milliseconds.")
    stage: str | None = Field(default=None, description="Judge one stage by name; None: the whole run.")

    def describe(self) -> str:
        return f"p{self.percentile:g} latency <= {self.max_ms:g} ms ({_scope(self.stage)})"


class ThroughputSLA(_Model):
    """Answered requests per second (successful ones only) must reach a floor."""

    kind: Literal["throughput"] = Field(default="throughput", description="Discriminator: a throughput SLA.")
    min_rps: float = Field(gt=0, description="Fewest successful requests per second, averaged over the scope.")
    stage: str | None = Field(
        default=None,
        description="Judge one stage by name (usually the heaviest); None: the whole run, pauses included.",
    )

    def describe(self) -> str:
        return f"throughput >= {self.min_rps:g} req/s ({_scope(self.stage)})"


class ErrorRateSLA(_Model):
    """The share of failed requests (non-2xx, connection errors, timeouts) must stay at or under a ceiling."""

    kind: Literal["error_rate"] = Field(default="error_rate", description="Discriminator: an error-rate SLA.")
    max_fraction: float = Field(ge=0, le=1, description="Largest acceptable failures / requests, e.g. 0.001 for 0.1%.")
    stage: str | None = Field(default=None, description="Judge one stage by name; None: the whole run.")

    def describe(self) -> str:
        return f"error rate <= {self.max_fraction:.4%} ({_scope(self.stage)})"


AnySLA = Annotated[LatencySLA | ThroughputSLA | ErrorRateSLA, Field(discriminator="kind")]


def _scope(stage: str | None) -> str:
    return "whole run" if stage is None else f"stage {stage}"


class AcceptanceTest(_Model):
    """Everything an acceptance run needs: the requests, the stages in order, and the SLAs.

    `requests` is called once per run; its requests are sent round-robin, each virtual user
    starting at a different offset, so a few dozen varied requests are enough.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    requests: Callable[[], list[Request[Any, Any]]] = Field(
        description="Takes no arguments; returns the `Request[Instance, Parameters]` bodies to send, at least one."
    )
    route: str | None = Field(
        default=None,
        description="Route name to call (a value of the experiment's `schema.service.Route`); None: the only route.",
    )
    stages: list[AnyStage] = Field(min_length=1, description="Stages run one after the other, in this order.")
    slas: list[AnySLA] = Field(default_factory=list, description="Promises the run is judged against; each gets a verdict.")
    request_timeout_seconds: float = Field(
        default=10.0, gt=0, le=600, description="A request without an answer after this long counts as failed."
    )

    @field_validator("requests")
    @classmethod
    def _callable_without_arguments(cls, value: Any) -> Any:
        try:
            signature = inspect.signature(value)
        except (TypeError, ValueError):
            return value
        required = [
            p.name
            for p in signature.parameters.values()
            if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        if required:
            raise ValueError(f"requests must take no arguments; {value!r} requires {', '.join(required)}")
        return value

    @model_validator(mode="after")
    def _names_agree(self) -> Self:
        names = [stage.name for stage in self.stages]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"stage names must be unique; repeated: {', '.join(duplicates)}")
        for sla in self.slas:
            if sla.stage is not None and sla.stage not in names:
                raise ValueError(f"SLA '{sla.describe()}' names stage {sla.stage!r}; stages are: {', '.join(names)}")
        return self

    @property
    def duration_seconds(self) -> float:
        """Planned length of the run: the sum of the stage durations."""
        return sum(stage.duration_seconds for stage in self.stages)

    def build_requests(self) -> list[Request[Any, Any]]:
        """Call the callback and check what it returns, naming the offending item."""
        produced = self.requests()
        if not isinstance(produced, list) or not produced:
            raise ValueError(f"the requests callback must return a non-empty list of Request, got {produced!r:.200}")
        for index, item in enumerate(produced):
            if not isinstance(item, Request):
                raise TypeError(f"the requests callback returned {type(item).__name__} at index {index}, not a Request")
        return produced
