"""`:lock_test` of an experiment: its lock was resolved from the pins its requirements hold now.

Runs in the test's runfiles (the lock, requirements.txt and the platform's requirements.in are
its data), so Bazel re-runs it whenever one of them changes.
"""

import os
import sys
from pathlib import Path

# Packages come only from the hashed lock repositories, never from the machine's dist-packages.
sys.path[:] = [entry for entry in sys.path if not entry.rstrip("/").endswith("dist-packages")]

from paystone.dependencies.locking import StaleLockError, check_lock  # noqa: E402


def main() -> int:
    (name,) = sys.argv[1:]
    try:
        lock = check_lock(name, root=Path(os.getcwd()))
    except StaleLockError as error:
        print(f"FAIL: {error}", file=sys.stderr)
        return 1
    print(f"the lock of {name} is current: {lock}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
