"""`experiment(name)`: the whole BUILD file of an experiment package.

    load("//tools/build_defs:experiment.bzl", "experiment")

    experiment(name = "housing")

gives every experiment the same targets (`bazel query //experiments/...`):
  :lib               the experiment's sources and data files
  :train             py_binary of train/main.py (alias of :train_bin), same flags as `psml experiments train`
                     (`bazel run //experiments/housing:train -- --learning_rate=0.1`, or psml's
                     spelling `-- --set learning_rate=0.1 --override TASK=module:function --root PATH`)
  :serve             the serving app under Gunicorn (alias of :serve_bin) (`bazel run //experiments/housing:serve`)
  :serving_test      the serving tests (tests/serve/) under pytest
  :train_smoke_test  train/main.py end to end through evaluate_models and save(), with
                     small-sample task overrides
  :lock_test         the experiment's lock was resolved from the pins requirements.txt and the
                     platform's requirements.in hold now (else: run `psml experiments lock NAME`)
Every target runs with the experiment's own lock (`@pip_<name>`, from
third_party/python/experiments/<name>.lock) plus the data packages (`@pip_data`).
"""

load(":pytest.bzl", "pytest_test")
load(":image.bzl", "serving_image")  # serving images (issue 6): :image, :image.tar, :push

def _launcher_impl(ctx):
    ctx.actions.expand_template(
        template = ctx.file._template,
        output = ctx.outputs.out,
        substitutions = {"{KIND}": ctx.attr.kind, "{SERVICE}": ctx.attr.service},
    )

_launcher = rule(
    implementation = _launcher_impl,
    attrs = {
        "kind": attr.string(values = ["train", "serve"], mandatory = True),
        "service": attr.string(mandatory = True),
        "out": attr.output(mandatory = True),
        "_template": attr.label(default = "//tools/build_defs:launcher.py.tpl", allow_single_file = True),
    },
    doc = "Writes the entry point of :train or :serve from launcher.py.tpl.",
)

def experiment(name, smoke_overrides = {}, smoke_flags = [], smoke_timeout = "long", visibility = ["//visibility:public"]):
    """Every target of the experiment `experiments/<name>`.

    Args:
      name: the experiment (service) name: the folder's name.
      smoke_overrides: task -> "module:function" for the smoke test, e.g. a small-sample loader.
      smoke_flags: more train flags for the smoke test (hyperparameters such as --max_iter=10).
      smoke_timeout: Bazel timeout of the smoke test.
      visibility: of :lib, :train and :serve.
    """
    if native.package_name() != "experiments/" + name:
        fail("experiment(name = %r) belongs in experiments/%s/BUILD.bazel, not %s" % (name, name, native.package_name()))
    packages = ["@pip_%s//:all" % name, "@pip_data//:all"]

    native.py_library(
        name = "lib",
        srcs = native.glob(["**/*.py"]),
        data = native.glob(["**/*"], exclude = ["**/*.py", "**/__pycache__/**"]),  # BUILD.bazel too: `psml experiments new` copies it
        deps = ["//paystone", "//experiments"],
        visibility = visibility,
    )

    for kind in ["train", "serve"]:
        _launcher(name = "%s_launcher" % kind, kind = kind, service = name, out = "%s_launcher.py" % kind)
        # The binary is `<kind>_bin`, `:<kind>` an alias of it: a binary named `train` would
        # sit in its own runfiles at experiments/<name>/train, hiding the train/ package.
        native.alias(name = kind, actual = ":%s_bin" % kind, visibility = visibility)
        native.py_binary(
            name = kind + "_bin",
            srcs = [":%s_launcher.py" % kind],
            main = ":%s_launcher.py" % kind,
            deps = [":lib"] + packages,
            python_version = "PY3",
            srcs_version = "PY3",
            visibility = visibility,
        )

    pytest_test(
        name = "serving_test",
        srcs = native.glob(["tests/serve/**/*.py"]),
        deps = [":lib"],
        packages = packages,
        size = "medium",
    )

    native.py_test(
        name = "train_smoke_test",
        srcs = ["//tools/build_defs:train_smoke_test.py"],
        main = "//tools/build_defs:train_smoke_test.py",
        args = [name] + ["--override=%s=%s" % (task, function) for task, function in sorted(smoke_overrides.items())] + smoke_flags,
        deps = [":lib"] + packages,
        python_version = "PY3",
        srcs_version = "PY3",
        size = "large",
        timeout = smoke_timeout,
    )

    native.py_test(
        name = "lock_test",
        srcs = ["//tools/build_defs:lock_test.py"],
        main = "//tools/build_defs:lock_test.py",
        args = [name],
        data = [
            "requirements.txt",
            "//third_party/python/experiments:%s.lock" % name,
            "//third_party/python:requirements.in",
        ],
        deps = ["//paystone"] + packages,
        python_version = "PY3",
        srcs_version = "PY3",
        size = "small",
    )

    # Serving images (issue 6, tools/build_defs/image.bzl): :image, :image.tar, :push, :image_with_artifacts.
    serving_image(name = name, lib = ":lib", packages = packages, visibility = visibility)
