"""Acceptance tests: staged load against a running service, a verdict per SLA, JSON and HTML reports.

Names are exported lazily so that `python -m paystone.testing.acceptance.engine` (which must import
Locust before anything else) does not drag the runner's imports in through this package.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "AcceptanceTest": "paystone.testing.acceptance.types",
    "Stage": "paystone.testing.acceptance.types",
    "ArrivalRateStage": "paystone.testing.acceptance.types",
    "LatencySLA": "paystone.testing.acceptance.types",
    "ThroughputSLA": "paystone.testing.acceptance.types",
    "ErrorRateSLA": "paystone.testing.acceptance.types",
    "AcceptanceReport": "paystone.testing.acceptance.report",
    "run_acceptance": "paystone.testing.acceptance.runner",
    "LocalServer": "paystone.testing.acceptance.server",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
