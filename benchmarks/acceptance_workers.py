"""The `gunicorn_workers` trade-off for housing: throughput and p99 against memory, at 1, 2 and 4 workers.

Each worker loads its own copy of the model, so memory grows with the worker count while
throughput grows only as far as the cores allow. This runs the housing acceptance test against
the service under Gunicorn with each worker count (everything else from hardware.py) and reads
each worker's memory from /proc after the load (RSS, and PSS, which splits shared pages fairly).

    .venv/bin/python benchmarks/acceptance_workers.py [--root ARTIFACT_ROOT] [--workers 1 2 4]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from paystone.serving.runtime import STORAGE_ROOT_ENV
from paystone.testing.acceptance.loading import load_acceptance, route_path
from paystone.testing.acceptance.runner import run_acceptance
from paystone.testing.acceptance.server import LocalServer


def memory_mib(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of one process in MiB, from /proc."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        fields[name] = int(rest.split()[0])
    return fields["Rss"] / 1024, fields["Pss"] / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.environ.get(STORAGE_ROOT_ENV, "./artifacts"), help="Artifact root holding a housing run.")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    test = load_acceptance("housing")
    path = route_path("housing", test)
    rows = []
    for workers in args.workers:
        with LocalServer.for_experiment("housing", workers=workers, env={STORAGE_ROOT_ENV: args.root}) as server:
            report = run_acceptance(test, server.url, path, service="housing", workers=workers)
            memory = [memory_mib(pid) for pid in server.worker_pids()]
        peak = max(report.stages, key=lambda s: s.ok_rps)
        rss = sum(m[0] for m in memory) / len(memory)
        pss = sum(m[1] for m in memory) / len(memory)
        rows.append((workers, peak.name, peak.ok_rps, report.overall.latency_ms["p99"], report.overall.failures,
                     report.passed, rss, pss))
        print(f"{workers} workers done: {'passed' if report.passed else 'FAILED: ' + '; '.join(v.sla for v in report.failed_verdicts)}")
    print(f"machine: {os.cpu_count()} CPUs shared by the load generator and the workers")
    print(f"{'workers':>7}  {'best stage':<10}{'req/s':>8}{'p99 ms (all)':>14}{'failures':>10}{'SLAs':>7}"
          f"{'RSS/worker MiB':>16}{'PSS/worker MiB':>16}{'total PSS MiB':>15}")
    for workers, stage, rps, p99, failures, passed, rss, pss in rows:
        print(f"{workers:>7}  {stage:<10}{rps:>8.0f}{p99:>14.1f}{failures:>10}{'pass' if passed else 'FAIL':>7}"
              f"{rss:>16.0f}{pss:>16.0f}{pss * workers:>15.0f}")


if __name__ == "__main__":
    main()
