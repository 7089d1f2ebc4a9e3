"""Runs pytest inside a Bazel test: the files Bazel names, with the project's pytest settings.

Bazel starts tests in the runfiles copy of the workspace (read-only in the sandbox), so
pytest's cache, Hypothesis's database and temporary folders go to TEST_TMPDIR, and JUnit XML
to where Bazel looks for it.
"""

import os
import sys

# Packages come only from the hashed lock repositories, never from the machine's dist-packages.
sys.path[:] = [entry for entry in sys.path if not entry.rstrip("/").endswith("dist-packages")]

import pytest  # noqa: E402  (after the path is cleaned)


def main() -> int:
    scratch = os.environ.get("TEST_TMPDIR", "/tmp")
    os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(scratch, "hypothesis"))
    arguments = ["-c", "pyproject.toml", "--rootdir", ".", "-p", "no:cacheprovider",
                 "--basetemp", os.path.join(scratch, "pytest")]
    if os.environ.get("XML_OUTPUT_FILE"):
        arguments += ["--junitxml", os.environ["XML_OUTPUT_FILE"]]
    return int(pytest.main(arguments + sys.argv[1:]))


if __name__ == "__main__":
    sys.exit(main())
