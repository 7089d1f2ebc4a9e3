"""Where downloaded inputs are kept between builds: outside the repository, shared by clones."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """`$PSML_CACHE_DIR`, else `~/.cache/paystone-ml` (the folder Bazel's disk cache uses too)."""
    configured = os.environ.get("PSML_CACHE_DIR")
    root = Path(configured) if configured else Path.home() / ".cache" / "paystone-ml"
    root.mkdir(parents=True, exist_ok=True)
    return root
