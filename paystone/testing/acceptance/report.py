"""The machine-readable result of an acceptance run (written as `acceptance.json`)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

from paystone.testing.acceptance.stats import LoadStats, TimePoint
from paystone.testing.acceptance.verdicts import Verdict

JSON_NAME = "acceptance.json"
HTML_NAME = "acceptance.html"


class AcceptanceReport(BaseModel):
    """Everything a run measured and decided."""

    service: str = Field(description="Experiment (service) name.")
    url: str = Field(description="Service root the load was sent to.")
    path: str = Field(description="Path every request was POSTed to.")
    started_at: str = Field(description="Start of the run, ISO 8601 UTC.")
    workers: int | None = Field(default=None, description="Gunicorn workers when the service was started locally.")
    stages: list[LoadStats] = Field(description="Statistics per stage, in order.")
    overall: LoadStats = Field(description="Statistics over the whole run.")
    verdicts: list[Verdict] = Field(description="One per SLA, then one per open-model stage.")
    timeline: list[TimePoint] = Field(description="Throughput and latency over time.")
    errors: dict[str, int] = Field(description="Failure description -> count.")

    @property
    def passed(self) -> bool:
        return all(v.passed for v in self.verdicts)

    @property
    def failed_verdicts(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.passed]

    def write(self, directory: Path) -> tuple[Path, Path]:
        """Write `acceptance.json` and `acceptance.html` into `directory`; returns both paths."""
        from paystone.testing.acceptance.html import render_html

        directory.mkdir(parents=True, exist_ok=True)
        json_path = directory / JSON_NAME
        html_path = directory / HTML_NAME
        payload = self.model_dump(mode="json")
        payload["passed"] = self.passed
        json_path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        html_path.write_text(render_html(self), encoding="utf-8")
        return json_path, html_path
