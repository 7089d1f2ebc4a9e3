"""pytest under Bazel: `pytest_test` for a set of test files, `pytest_folders` for //tests."""

PLATFORM_PACKAGES = ["@pip_platform//:all", "@pip_data//:all"]

def pytest_test(name, srcs, deps = [], data = [], packages = PLATFORM_PACKAGES, args = [], **kwargs):
    """A py_test that runs pytest on the `test_*.py` files among `srcs`.

    Args:
      name: target name.
      srcs: test files plus the conftest.py and helper modules they import.
      deps: first-party libraries (//paystone, an experiment's :lib).
      data: files the tests read.
      packages: the lock repositories' `all` targets the tests run with.
      args: extra pytest arguments.
      **kwargs: passed to py_test (size, timeout, tags, ...).
    """
    tests = [src for src in srcs if src.rpartition("/")[2].startswith("test_")]
    native.py_test(
        name = name,
        srcs = srcs + ["//tools/build_defs:pytest_main.py"],
        main = "//tools/build_defs:pytest_main.py",
        args = ["$(rootpath %s)" % test for test in tests] + args,
        deps = deps + packages,
        data = data + ["//:pyproject.toml"],
        python_version = "PY3",
        srcs_version = "PY3",
        **kwargs
    )

def pytest_folders(conftest = ["conftest.py"], deps = ["//paystone", "//experiments"], extra_deps = {}, sizes = {}, exclude_folders = [], **kwargs):
    """One pytest target per top-level folder of the current package (`//tests:storage_test`, ...).

    A folder, not a file, per target: each target is one Python process with its own runfiles
    tree, and the platform's folders are its units (storage, training, serving, ...). New test
    files and folders are picked up without editing BUILD files.

    Args:
      conftest: shared files every target gets.
      deps: first-party libraries every target gets.
      extra_deps: folder -> more first-party deps for that folder only.
      sizes: folder -> test size ("medium" unless named).
      exclude_folders: folders whose tests cannot run inside a Bazel test (they run Bazel themselves).
      **kwargs: passed to every pytest_test.
    """
    folders = {}
    for path in native.glob(["*/**/test_*.py"]):
        folders[path.partition("/")[0]] = True
    for folder in sorted(folders):
        if folder in exclude_folders:
            continue
        pytest_test(
            # Not `folder` itself: a test's executable sits in its own runfiles at
            # <package>/<name>, where it would hide the folder of the same name.
            name = folder + "_test",
            # Helper modules of every folder come along: tests import each other's helpers
            # (`from tests.promotion... import ...`).
            srcs = depset(native.glob([folder + "/**/*.py"]) + conftest + native.glob(
                ["**/*.py"],
                exclude = ["**/test_*.py"],
            )).to_list(),
            data = native.glob([folder + "/**/*"], exclude = [folder + "/**/*.py", folder + "/**/__pycache__/**"]),
            deps = deps + extra_deps.get(folder, []),
            size = sizes.get(folder, "medium"),
            **kwargs
        )
