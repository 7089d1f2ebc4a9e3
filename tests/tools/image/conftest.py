"""Fixtures of the image tests: one housing image, built once per session with the tool's caches.

The .debs, the installed lock, the finished Debian and requirements layers and their gzip are
kept in ~/.cache/paystone-ml (or $PSML_CACHE_DIR) between runs, so only the first run on a
machine downloads and compiles; later runs rebuild the application layer only.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tools.image.build import BuildReport, build_image

REPO = Path(__file__).resolve().parents[3]


def ensure_apt(*packages: str) -> None:
    """The project's own installer of Debian tools (tools/dev/ensure-apt), not the machine's state."""
    subprocess.run([str(REPO / "tools" / "dev" / "ensure-apt"), *packages], check=True)


@pytest.fixture(scope="session")
def housing_image(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    out = tmp_path_factory.mktemp("image") / "housing"
    report = build_image("housing", out)
    return out, report
