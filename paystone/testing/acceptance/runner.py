"""Run an `AcceptanceTest` against a service URL: engine subprocess, statistics, verdicts, reports."""

from __future__ import annotations

import datetime
import subprocess
import sys
import tempfile
from pathlib import Path

from paystone.testing.acceptance.plan import ENGINE_COMMAND, EnginePlan, EngineResult
from paystone.testing.acceptance.report import AcceptanceReport
from paystone.testing.acceptance.stats import overall_stats, stage_stats, timeline
from paystone.testing.acceptance.types import AcceptanceTest
from paystone.testing.acceptance.verdicts import judge

#: Seconds allowed beyond the planned stages for the engine to start (imports) and drain.
ENGINE_SLACK_SECONDS = 60.0


class EngineError(RuntimeError):
    """The load engine failed or overran its time bound."""


def run_engine(plan: EnginePlan, timeout_seconds: float) -> EngineResult:
    """Run the engine in a fresh interpreter (it must import Locust first) and read its result."""
    plan_path = Path(plan.output).with_suffix(".plan.json")
    plan_path.write_text(plan.model_dump_json(), encoding="utf-8")
    try:
        completed = subprocess.run(
            [sys.executable, "-c", ENGINE_COMMAND, str(plan_path)],
            capture_output=True, text=True, timeout=timeout_seconds, check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise EngineError(f"the load engine ran past its bound of {timeout_seconds:g} s and was stopped") from error
    if completed.returncode != 0 or not Path(plan.output).is_file():
        tail = "\n".join((completed.stderr or completed.stdout).splitlines()[-20:])
        raise EngineError(f"the load engine exited with status {completed.returncode}:\n{tail}")
    return EngineResult.model_validate_json(Path(plan.output).read_text(encoding="utf-8"))


def run_acceptance(
    test: AcceptanceTest,
    url: str,
    path: str,
    *,
    service: str,
    output_dir: Path | None = None,
    workers: int | None = None,
) -> AcceptanceReport:
    """Send the test's stages to `url` + `path`, judge every SLA, and write the reports when `output_dir` is given."""
    bodies = [request.model_dump_json() for request in test.build_requests()]
    started = datetime.datetime.now(datetime.UTC)
    with tempfile.TemporaryDirectory(prefix="psml-acceptance-") as scratch:
        plan = EnginePlan(
            base_url=url.rstrip("/"), path=path, bodies=bodies, stages=test.stages,
            request_timeout_seconds=test.request_timeout_seconds, output=str(Path(scratch) / "result.json"),
        )
        result = run_engine(plan, test.duration_seconds + test.request_timeout_seconds + ENGINE_SLACK_SECONDS)
    stages = stage_stats(test, result)
    overall = overall_stats(test, result)
    errors: dict[str, int] = {label: 0 for label in result.errors}
    for index in result.error:
        if index >= 0:
            errors[result.errors[index]] += 1
    report = AcceptanceReport(
        service=service, url=url, path=path, started_at=started.isoformat(timespec="seconds"), workers=workers,
        stages=stages, overall=overall, verdicts=judge(test, stages, overall), timeline=timeline(result),
        errors=errors,
    )
    if output_dir is not None:
        report.write(output_dir)
    return report
