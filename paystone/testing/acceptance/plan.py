"""What the parent process hands the load engine (a JSON file) and what the engine hands back.

The engine runs in its own interpreter (see `engine.py`), so everything crossing the boundary is
plain JSON: request bodies already serialized, stages as data, samples as columns.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from paystone.testing.acceptance.types import AnyStage

#: `python -c ENGINE_COMMAND PLAN.json` starts the engine: Locust is imported before any other
#: module (see `engine.py`), then the engine module runs as __main__.
ENGINE_COMMAND = (
    "import locust, runpy; runpy.run_module('paystone.testing.acceptance.engine', run_name='__main__', alter_sys=True)"
)


class EnginePlan(BaseModel):
    """One run of the load engine."""

    model_config = ConfigDict(extra="forbid")

    base_url: str = Field(description="Service root, e.g. http://127.0.0.1:8080 (no trailing slash).")
    path: str = Field(description="Path every request is POSTed to, e.g. /housing.")
    bodies: list[str] = Field(min_length=1, description="JSON request bodies, sent round-robin.")
    stages: list[AnyStage] = Field(min_length=1, description="Stages in order.")
    request_timeout_seconds: float = Field(gt=0, description="Per-request network timeout.")
    output: str = Field(description="Where the engine writes its `EngineResult` JSON.")


class StageWindow(BaseModel):
    """When a stage ran, by the engine's clock, and what it was asked to do."""

    name: str = Field(description="Stage name.")
    kind: str = Field(description="'users' (closed model) or 'arrival_rate' (open model).")
    start: float = Field(description="Seconds from the start of the run.")
    end: float = Field(description="Seconds from the start of the run.")
    users: int | None = Field(default=None, description="Virtual users (closed model).")
    target_rps: float | None = Field(default=None, description="Target arrival rate (open model).")
    scheduled: int = Field(default=0, description="Requests the schedule called for (open model).")
    dropped: int = Field(default=0, description="Scheduled requests not sent because max_in_flight were waiting.")
    sending_seconds: float | None = Field(
        default=None, description="Seconds from the first to the last scheduled send (open model; late when starved)."
    )


class EngineResult(BaseModel):
    """Every request the engine sent, as parallel columns, plus the stage windows."""

    started_at: float = Field(description="Unix time of the start of the run.")
    stages: list[StageWindow] = Field(description="One window per stage, in order.")
    start: list[float] = Field(description="Per request: seconds from the start of the run when it was (scheduled to be) sent.")
    latency_ms: list[float] = Field(description="Per request: response time in milliseconds.")
    ok: list[bool] = Field(description="Per request: answered with a 2xx.")
    stage: list[int] = Field(description="Per request: index of the stage it was sent in.")
    error: list[int] = Field(description="Per request: index into `errors`, -1 when ok.")
    errors: list[str] = Field(description="Distinct failure descriptions (status code or exception).")
