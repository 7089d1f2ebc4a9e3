"""How fast can the load generator itself go? Locust against a service that does nothing.

Any SLA throughput the acceptance engine is asked to verify must sit well under this ceiling,
or a failed throughput SLA would measure the generator, not the service. The do-nothing app
(`paystone.testing.acceptance.noop`) runs under Gunicorn with one worker on the same machine,
so the figure is a floor of the true ceiling: generator and server share the cores.

    .venv/bin/python benchmarks/load_ceiling.py [--seconds 8]

Prints closed-loop throughput by user count, the open-model rates sustained, and the ratio to
the housing acceptance test's highest throughput demand.
"""

from __future__ import annotations

import argparse
import os

from pydantic import BaseModel

from paystone.compute.types.infrastructure import RequestHandling, ServingGroup
from paystone.serving.types.request import Request
from paystone.testing.acceptance.runner import run_acceptance
from paystone.testing.acceptance.server import LocalServer
from paystone.testing.acceptance.types import AcceptanceTest, ArrivalRateStage, Stage, ThroughputSLA


class _Instance(BaseModel):
    x: float


class _Parameters(BaseModel):
    pass


def _requests() -> list[Request[_Instance, _Parameters]]:
    return [Request[_Instance, _Parameters](instances=[_Instance(x=1.0)])]


def housing_demand() -> float:
    """The most requests per second the housing acceptance test asks for (SLA floor or arrival target)."""
    from experiments.housing.tests.acceptance import acceptance

    demands = [s.min_rps for s in acceptance.slas if isinstance(s, ThroughputSLA)]
    demands += [s.requests_per_second for s in acceptance.stages if isinstance(s, ArrivalRateStage)]
    return max(demands)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="Length of each stage.")
    args = parser.parse_args()
    seconds = args.seconds
    rates = (500, 1000, 1500, 2000)
    test = AcceptanceTest(
        requests=_requests,
        stages=[
            *(Stage(name=f"users-{n}", users=n, duration_seconds=seconds) for n in (8, 32, 64)),
            *(ArrivalRateStage(name=f"rate-{r}", requests_per_second=r, duration_seconds=seconds, max_in_flight=200)
              for r in rates),
        ],
    )
    # Connections are not the limit being measured: allow more than any stage opens.
    serving = ServingGroup(family="e2", vcpus=2, memory_gb=4, gunicorn_workers=1,
                           request_handling=RequestHandling(max_concurrent_requests=1000))
    with LocalServer("paystone.testing.acceptance.noop:app", serving) as server:
        report = run_acceptance(test, server.url, "/predict", service="noop")
    print(f"machine: {os.cpu_count()} CPUs shared by Locust (1 process) and Gunicorn (1 worker, do-nothing app)")
    print(f"{'stage':<12}{'requests':>10}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'achieved':>10}")
    sustained = 0.0
    for stage in report.stages:
        achieved = "" if stage.achieved_fraction is None else f"{stage.achieved_fraction:.1%}"
        print(f"{stage.name:<12}{stage.requests:>10}{stage.ok_rps:>10.0f}{stage.latency_ms['p50']:>9.2f}"
              f"{stage.latency_ms['p99']:>9.2f}{achieved:>10}")
        if stage.target_rps is not None and (stage.achieved_fraction or 0) >= 0.95 and stage.failures == 0:
            sustained = max(sustained, stage.target_rps)
    closed = max(s.ok_rps for s in report.stages if s.users is not None)
    demand = housing_demand()
    print(f"closed-loop ceiling: {closed:.0f} req/s; highest open rate sustained (>=95%, no failures): {sustained:.0f} req/s")
    print(f"housing acceptance asks for at most {demand:g} req/s: ceiling / demand = {closed / demand:.1f}x closed, "
          f"{sustained / demand:.1f}x open")


if __name__ == "__main__":
    main()
