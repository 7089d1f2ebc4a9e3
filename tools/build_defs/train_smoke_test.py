"""An experiment's training smoke test: the real train/main.py with small-sample task overrides.

The run goes all the way through `evaluate_models` (the experiment's regression and data tests
against its serving app) and `save()`; the test passes when the saved run's manifest carries
training test results. Whether those results pass is the promotion's business, not this test's:
a small sample is not expected to make a good model.

Usage: train_smoke_test.py SERVICE [--override=TASK=module:function ...] [--flag=value ...]
"""

import os
import subprocess
import sys
import tempfile

sys.path[:] = [entry for entry in sys.path if not entry.rstrip("/").endswith("dist-packages")]

from paystone.storage import runs  # noqa: E402
from paystone.storage.roots import open_store  # noqa: E402


def main(argv: list[str]) -> int:
    service, flags = argv[0], argv[1:]
    root = tempfile.mkdtemp(prefix="artifacts.", dir=os.environ.get("TEST_TMPDIR"))
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    environment.pop("PSML_STORAGE_ROOT", None)
    command = [sys.executable, "-m", f"experiments.{service}.train.main", f"--root={root}", *flags]
    print("running:", " ".join(command), flush=True)
    completed = subprocess.run(command, env=environment, check=False, timeout=1200)
    if completed.returncode != 0:
        print(f"FAIL: training {service} exited with {completed.returncode}", file=sys.stderr)
        return 1
    store = open_store(root)
    run_id = runs.latest_run(store, service)
    if run_id is None:
        print(f"FAIL: training {service} saved no run under {root}", file=sys.stderr)
        return 1
    manifest = runs.read_manifest(store, service, run_id)
    if manifest.test_results is None:
        print(f"FAIL: run {run_id} of {service} has no training test results", file=sys.stderr)
        return 1
    results = manifest.test_results
    regression = [(r["name"], r["passed"]) for r in results.get("regression", [])]
    data = [(d["name"], d["value"], d["n_instances"]) for d in results.get("data", [])]
    print(f"ok: run {run_id} of {service} saved with test results (passed={results.get('passed')})")
    print(f"  regression tests: {regression}")
    print(f"  data tests (name, value, instances): {data}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
