"""The serving-image builder: Debian, requirements and application layers, written as an OCI layout.

Every step is a module with a `main()` so Bazel runs it as one action (tools/build_defs/image.bzl)
and the tests and `build.py` call the same functions directly. Nothing here needs a Docker daemon.
"""
