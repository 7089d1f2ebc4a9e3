"""The load engine: Locust, headless, in a process of its own.

Locust patches the standard library with gevent when imported, and patching after `ssl` or
`urllib3` are loaded breaks them (RecursionError). The parent process has usually imported both
(Google Cloud clients, httpx), so the engine always runs in a fresh interpreter started by
`plan.ENGINE_COMMAND`, which imports Locust before anything else. Never import this module
from the parent process.

Closed-model stages are Locust users (`FastHttpUser`) whose count the runner changes at each
stage boundary. Open-model stages stop the users and run a scheduler greenlet that starts each
request at its slot on the clock through a Locust `FastHttpSession`, so both kinds of request go
through Locust's client and its request event.
"""

from __future__ import annotations

import locust  # noqa: F401  # first: gevent must patch the standard library before anything else loads

import itertools
import logging
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import gevent
from gevent.pool import Pool
from locust import FastHttpUser, task
from locust.contrib.fasthttp import FastHttpSession
from locust.env import Environment

from paystone.testing.acceptance.plan import EnginePlan, EngineResult, StageWindow
from paystone.testing.acceptance.types import ArrivalRateStage, Stage

_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


@dataclass
class _Recorder:
    """Collects one row per request from Locust's request event."""

    started_at: float
    stage_index: int = 0
    start: list[float] = field(default_factory=list)
    latency_ms: list[float] = field(default_factory=list)
    ok: list[bool] = field(default_factory=list)
    stage: list[int] = field(default_factory=list)
    error: list[int] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def on_request(self, response_time: float, exception: BaseException | None, start_time: float,
                   context: dict, response: object = None, **_: object) -> None:
        lag_ms = float(context.get("lag_ms", 0.0))
        scheduled = context.get("scheduled_start")
        self.start.append((scheduled if scheduled is not None else start_time) - self.started_at)
        self.latency_ms.append(response_time + lag_ms)
        self.ok.append(exception is None)
        self.stage.append(int(context.get("stage", self.stage_index)))
        if exception is None:
            self.error.append(-1)
        else:
            label = _describe_failure(exception, response)
            self.error.append(self.errors.setdefault(label, len(self.errors)))


def _describe_failure(exception: BaseException, response: object) -> str:
    status = getattr(response, "status_code", None)
    if status:
        return f"HTTP {status}"
    return f"{type(exception).__name__}: {exception}"[:200]


def run(plan: EnginePlan) -> EngineResult:
    """Run every stage of `plan` in order; bounded by the stage durations plus the request timeout."""
    bodies = [body.encode() for body in plan.bodies]
    recorder = _Recorder(started_at=time.time())

    class AcceptanceUser(FastHttpUser):
        host = plan.base_url
        network_timeout = plan.request_timeout_seconds
        connection_timeout = plan.request_timeout_seconds
        max_retries = 0

        def wait_time(self) -> float:
            stage = plan.stages[recorder.stage_index]
            return stage.wait_seconds if isinstance(stage, Stage) else 0.0

        def on_start(self) -> None:
            self._bodies = itertools.islice(itertools.cycle(bodies), random.randrange(len(bodies)), None)

        def on_stop(self) -> None:
            # Close this user's keep-alive connections at once: a service limiting concurrent
            # connections (Uvicorn's limit_concurrency) would otherwise count them against the next stage.
            self.client.client.close()

        @task
        def send(self) -> None:
            self.client.request("POST", plan.path, data=next(self._bodies), headers=_HEADERS,
                                context={"stage": recorder.stage_index})

    environment = Environment(user_classes=[AcceptanceUser], host=plan.base_url)
    environment.events.request.add_listener(recorder.on_request)
    runner = environment.create_local_runner()
    windows: list[StageWindow] = []
    recorder.started_at = time.time()
    try:
        for index, stage in enumerate(plan.stages):
            begin = time.time() - recorder.started_at
            if isinstance(stage, Stage):
                recorder.stage_index = index
                spawn_rate = stage.users / stage.ramp_up_seconds if stage.ramp_up_seconds else stage.users * 10.0
                runner.start(stage.users, spawn_rate=spawn_rate)
                gevent.sleep(max(0.0, recorder.started_at + begin + stage.duration_seconds - time.time()))
                windows.append(StageWindow(name=stage.name, kind=stage.kind, start=begin,
                                           end=time.time() - recorder.started_at, users=stage.users))
            else:
                runner.stop()  # closed-loop users finishing here still count in the stage they started in
                recorder.stage_index = index
                scheduled, dropped, sending = _run_arrivals(plan, stage, index, bodies, environment, recorder)
                windows.append(StageWindow(name=stage.name, kind=stage.kind, start=begin,
                                           end=time.time() - recorder.started_at, target_rps=stage.requests_per_second,
                                           scheduled=scheduled, dropped=dropped, sending_seconds=sending))
    finally:
        runner.quit()
    return EngineResult(
        started_at=recorder.started_at, stages=windows, start=recorder.start, latency_ms=recorder.latency_ms,
        ok=recorder.ok, stage=recorder.stage, error=recorder.error, errors=list(recorder.errors),
    )


def _run_arrivals(plan: EnginePlan, stage: ArrivalRateStage, index: int, bodies: list[bytes],
                  environment: Environment, recorder: _Recorder) -> tuple[int, int, float]:
    """Start request i at `t0 + i / rate`; drop it when `max_in_flight` are already waiting.

    Returns (scheduled, dropped, seconds spent sending): a generator starved of CPU sends late,
    which stretches the sending time past the stage duration and shows as a rate shortfall.
    """
    session = FastHttpSession(
        plan.base_url, environment.events.request, None, concurrency=stage.max_in_flight,
        network_timeout=plan.request_timeout_seconds, connection_timeout=plan.request_timeout_seconds,
        max_retries=0, insecure=True,
    )
    pool = Pool(stage.max_in_flight)
    total = int(stage.requests_per_second * stage.duration_seconds)
    t0 = time.time()
    dropped = 0

    def send(body: bytes, scheduled_start: float) -> None:
        lag_ms = max(0.0, (time.time() - scheduled_start) * 1000.0)
        session.request("POST", plan.path, data=body, headers=_HEADERS,
                        context={"stage": index, "lag_ms": lag_ms, "scheduled_start": scheduled_start})

    cycle = itertools.cycle(bodies)
    for i in range(total):
        slot = t0 + i / stage.requests_per_second
        delay = slot - time.time()
        if delay > 0:
            gevent.sleep(delay)
        if pool.full():
            dropped += 1
            continue
        pool.spawn(send, next(cycle), slot)
    sending_seconds = time.time() - t0
    gevent.sleep(max(0.0, t0 + stage.duration_seconds - time.time()))
    pool.join(timeout=plan.request_timeout_seconds + 1)
    pool.kill(block=False)
    session.client.close()
    return total, dropped, sending_seconds


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: {argv[0]} PLAN.json", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.ERROR)  # Locust's own logs would drown the parent's report
    plan = EnginePlan.model_validate_json(Path(argv[1]).read_text(encoding="utf-8"))
    result = run(plan)
    Path(plan.output).write_text(result.model_dump_json(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
