"""What the platform's serving layer costs: the housing route against a bare FastAPI app.

Both run under Gunicorn with one Uvicorn worker on 127.0.0.1, serve the same trained model and
get the same load (closed loop, fixed concurrency, fixed duration) in the same run, alternating
so that drift in the machine's load hits both. Printed: requests per second, p50 and p99 for
1-instance and 100-instance bodies, and the ratios platform / bare.

    .venv/bin/python benchmarks/serving_overhead.py [--seconds 8] [--concurrency 8] [--rounds 2]

The housing handler makes one vectorized model call per request whatever the number of
instances; the benchmark checks that by counting the model's `predict` calls in-process too.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pickle
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from experiments.housing.train import main as housing  # noqa: E402
from paystone.storage.manifest import RunManifest, TaskRecord  # noqa: E402
from paystone.storage.roots import open_store  # noqa: E402
from paystone.storage.runs import new_run_id, write_run  # noqa: E402
from paystone.storage.serialization import serialize  # noqa: E402

HOUSE = {
    "living_area_sqft": 1800, "lot_area_sqft": 5000, "bedrooms": 3, "bathrooms": 2, "age_years": 30,
    "building_grade": 7, "waterfront": False, "latitude": 47.6, "longitude": -122.3, "sale_date": "2015-06-01",
}


def request_limits_env() -> dict[str, str]:
    """The limits housing's hardware.py sets (413 over max_request_bytes, 504 over timeout_seconds)."""
    from experiments.housing.infrastructure.hardware import hardware
    from paystone.serving.limits import MAX_REQUEST_BYTES_ENV, REQUEST_TIMEOUT_ENV

    handling = hardware.serving.request_handling
    return {MAX_REQUEST_BYTES_ENV: str(handling.max_request_bytes), REQUEST_TIMEOUT_ENV: f"{handling.timeout_seconds:g}"}


def train_model() -> Any:
    """The housing model with default hyperparameters on the full data (a couple of seconds)."""
    experiment = housing.build()
    hyperparameters = experiment.hyperparameters_model()
    split = housing.split_data(housing.load_data(), hyperparameters=hyperparameters)
    return housing.build_model(split, hyperparameters=hyperparameters)


def store_run(model: Any, root: Path) -> str:
    """A run holding just the model: all the serving app loads."""
    data = serialize(model)
    run_id = new_run_id()
    manifest = RunManifest(
        service="housing", run_id=run_id, created_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        hyperparameters={}, overrides={}, code_revision=None,
        tasks={"build_model": TaskRecord.for_artifact("build_model", data, 0.0)}, test_results=None,
    )
    write_run(open_store(root), manifest, {"build_model": data})
    return run_id


def count_model_calls(model: Any, instances: int) -> int:
    """How many times the platform's housing handler calls `predict` for one request."""
    from experiments.housing.serve.app import app
    from paystone.serving.testing import MLServingTestClient

    calls = 0

    class Counting:
        def predict(self, frame: Any) -> Any:
            nonlocal calls
            calls += 1
            return model.predict(frame)

    with MLServingTestClient(app, artifacts={"build_model": Counting()}) as client:
        response = client.post("/housing", json={"instances": [HOUSE] * instances})
        assert response.status_code == 200, response.text
    return calls


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """Gunicorn, one Uvicorn worker, on a free loopback port."""

    def __init__(self, target: str, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "gunicorn", target, "-k", "uvicorn_worker.UvicornWorker", "-w", "1",
                   "-b", f"127.0.0.1:{self.port}", "--log-level", "warning"]
        self.process = subprocess.Popen(command, cwd=REPO, env={**os.environ, "OMP_NUM_THREADS": "1", **env})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.post(f"{self.url}/housing", json={"instances": [HOUSE]}, timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{target} did not answer within 60 s")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


async def load(url: str, body: dict[str, Any], seconds: float, concurrency: int) -> dict[str, float]:
    """Closed-loop load: `concurrency` connections posting back to back for `seconds`."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def user(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            response = await client.post(url, json=body)
            latencies.append(time.perf_counter() - start)
            errors += response.status_code != 200

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(user(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{errors} requests to {url} failed")
    array = np.array(latencies) * 1000
    return {"rps": len(latencies) / elapsed, "p50": float(np.percentile(array, 50)), "p99": float(np.percentile(array, 99))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8.0, help="duration of each measurement")
    parser.add_argument("--concurrency", type=int, default=8, help="connections kept busy")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per app and body size")
    args = parser.parse_args()

    model = train_model()
    calls = {n: count_model_calls(model, n) for n in (1, 100)}
    print(f"model.predict calls per request: 1 instance -> {calls[1]}, 100 instances -> {calls[100]}")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "artifacts"
        run_id = store_run(model, root)
        pickle_path = Path(scratch) / "model.pkl"
        pickle_path.write_bytes(pickle.dumps(model))
        servers = {
            # With the request limits of hardware.py active (body size, timeout), as under `psml serve`.
            "platform": Server(
                "experiments.housing.serve.app:app",
                {"PSML_STORAGE_ROOT": str(root), "PSML_RUN": run_id, **request_limits_env()},
            ),
            "bare": Server("benchmarks.bare_housing_app:app", {"BARE_MODEL_PICKLE": str(pickle_path)}),
        }
        try:
            results: dict[tuple[str, int], list[dict[str, float]]] = {}
            for _ in range(args.rounds):
                for size in (1, 100):
                    body = {"instances": [HOUSE] * size}
                    for name, server in servers.items():
                        figures = asyncio.run(load(f"{server.url}/housing", body, args.seconds, args.concurrency))
                        results.setdefault((name, size), []).append(figures)
        finally:
            for server in servers.values():
                server.stop()

    print(f"\nmachine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"load: {args.concurrency} connections, {args.rounds} x {args.seconds:g} s per cell (median of rounds)\n")
    print(f"{'body':>14} {'app':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for size in (1, 100):
        median = {name: {k: statistics.median(r[k] for r in results[(name, size)]) for k in ("rps", "p50", "p99")}
                  for name in servers}
        for name in servers:
            m = median[name]
            print(f"{size:>4} instances {name:>9} {m['rps']:>8.0f} {m['p50']:>8.1f} {m['p99']:>8.1f}")
        p, b = median["platform"], median["bare"]
        print(f"{size:>4} instances {'ratio':>9} {p['rps'] / b['rps']:>8.2f} {p['p50'] / b['p50']:>8.2f} {p['p99'] / b['p99']:>8.2f}"
              "   (platform / bare)")


if __name__ == "__main__":
    main()
