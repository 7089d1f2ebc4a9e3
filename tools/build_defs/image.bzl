"""`serving_image(name)`: an experiment's OCI serving image, its tarball and its push command.

Thin on purpose: every action runs a tool of tools/image (tested on its own in
tests/tools/image); these rules only wire files together. Each layer is its own action, so a
change to the code rebuilds the application layer only: the Debian layer depends on
third_party/debian/<name>.lock alone, the requirements layer on the experiment's Python lock
(and the Debian layer, whose python3.11 compiles the .pyc).

Targets made in experiments/<name> (`serving_image(name = "housing")`, called by `experiment()`):
  :image                 OCI image layout (a folder)       bazel build //experiments/housing:image
  :image.tar             the same as one tarball (docker load, podman load, skopeo)
  :push                  bazel run //experiments/housing:push -- --repository HOST[:PORT]/NAME --tag TAG
  :image_with_artifacts  a promoted version's artifacts baked in, for machines without storage access:
                         bazel build //experiments/housing:image_with_artifacts \
                             --define=psml_artifacts_root=/path/or/gs://bucket/prefix --define=psml_version=v1.m0
  :push_with_artifacts   pushes that variant
"""

# Actions that fetch (apt-get download, pip) run outside the sandbox with network, and keep
# their downloads in ~/.cache/paystone-ml; their outputs are still pure functions of the locks.
# Image targets are built when named (`bazel build //experiments/housing:image`), not by
# `bazel build //...` or `bazel test //...`: they download packages and take minutes cold.
_MANUAL = ["manual"]

_FETCHING = {"no-sandbox": "1", "requires-network": "1"}

def _debian_layer_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".tar")
    ctx.actions.run(
        executable = ctx.executable._tool,
        arguments = ["--lock", ctx.file.lock.path, "--out", out.path],
        inputs = [ctx.file.lock],
        outputs = [out],
        mnemonic = "DebianLayer",
        progress_message = "Debian layer from %s" % ctx.file.lock.short_path,
        execution_requirements = _FETCHING,
    )
    return [DefaultInfo(files = depset([out]))]

debian_layer = rule(
    implementation = _debian_layer_impl,
    attrs = {
        "lock": attr.label(allow_single_file = [".lock"], mandatory = True),
        "_tool": attr.label(default = "//tools/image:debian_layer", executable = True, cfg = "exec"),
    },
    doc = "The Debian package layer of a lock in third_party/debian (tools/image/debian_layer.py).",
)

def _python_layer_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".tar")
    ctx.actions.run(
        executable = ctx.executable._tool,
        arguments = ["--lock", ctx.file.lock.path, "--debian-layer", ctx.file.debian_layer.path, "--out", out.path],
        inputs = [ctx.file.lock, ctx.file.debian_layer],
        outputs = [out],
        mnemonic = "PythonLayer",
        progress_message = "requirements layer from %s" % ctx.file.lock.short_path,
        execution_requirements = _FETCHING,
    )
    return [DefaultInfo(files = depset([out]))]

python_layer = rule(
    implementation = _python_layer_impl,
    attrs = {
        "lock": attr.label(allow_single_file = [".lock"], mandatory = True),
        "debian_layer": attr.label(allow_single_file = [".tar"], mandatory = True),
        "_tool": attr.label(default = "//tools/image:python_layer", executable = True, cfg = "exec"),
    },
    doc = "The requirements layer: a hashed Python lock in /opt/site, .pyc compiled by the image's python3.11.",
)

def _app_layer_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".tar")
    config = ctx.actions.declare_file(ctx.label.name + ".config.json")
    args = ["--experiment", ctx.attr.experiment, "--out", out.path, "--config-out", config.path,
            # The tool's launcher sits in its own runfiles, beside the experiment's sources.
            "--exclude", ctx.executable.tool.short_path]
    requirements = {}
    if ctx.attr.bake:
        root = ctx.var.get("psml_artifacts_root", "")
        version = ctx.var.get("psml_version", "")
        if not root or not version:
            fail("%s bakes a promoted version in: build it with --define=psml_artifacts_root=ROOT --define=psml_version=v<major>.m<minor>" % ctx.label)
        args += ["--artifacts-root", root, "--version", version]

        # Read from outside the workspace; a promoted version is immutable, so (root, version)
        # names its content and the action may still be cached on those arguments.
        requirements = {"no-sandbox": "1", "requires-network": "1"}
    ctx.actions.run(
        executable = ctx.executable.tool,
        arguments = args,
        outputs = [out, config],
        mnemonic = "AppLayer",
        progress_message = "application layer of %s" % ctx.attr.experiment,
        execution_requirements = requirements,
    )
    return [DefaultInfo(files = depset([out, config]))]

app_layer = rule(
    implementation = _app_layer_impl,
    attrs = {
        "experiment": attr.string(mandatory = True),
        "bake": attr.bool(default = False, doc = "Bake the promoted version named by --define=psml_version in."),
        "tool": attr.label(mandatory = True, executable = True, cfg = "exec",
                           doc = "tools/image/app_layer.py as a py_binary with the experiment's :lib in its runfiles."),
    },
    doc = "The application layer (the platform, the experiment, gunicorn.conf.py, the non-root user) and the image's run configuration.",
)

def _oci_image_impl(ctx):
    layout = ctx.actions.declare_directory(ctx.label.name)
    archive = ctx.outputs.tar
    layers = [ctx.file.debian_layer, ctx.file.python_layer]
    app_files = ctx.files.app_layer
    app_tar = [f for f in app_files if f.path.endswith(".tar")][0]
    config = [f for f in app_files if f.path.endswith(".config.json")][0]
    args = [
        "--layer", "%s=debian: %s" % (ctx.file.debian_layer.path, ctx.attr.debian_lock_name),
        "--layer", "%s=requirements: %s" % (ctx.file.python_layer.path, ctx.attr.python_lock_name),
        "--layer", "%s=application: paystone + experiments/%s" % (app_tar.path, ctx.attr.experiment),
        "--config", config.path,
        "--out", layout.path,
        "--archive", archive.path,
        "--repo-tag", "paystone-ml/%s:latest" % ctx.attr.experiment,
    ]
    ctx.actions.run(
        executable = ctx.executable._tool,
        arguments = args,
        inputs = layers + [app_tar, config],
        outputs = [layout, archive],
        mnemonic = "OciImage",
        progress_message = "OCI image %s" % ctx.label,
    )
    return [DefaultInfo(files = depset([layout]), runfiles = ctx.runfiles(files = [layout]))]

oci_image = rule(
    implementation = _oci_image_impl,
    attrs = {
        "experiment": attr.string(mandatory = True),
        "debian_layer": attr.label(allow_single_file = [".tar"], mandatory = True),
        "python_layer": attr.label(allow_single_file = [".tar"], mandatory = True),
        "app_layer": attr.label(mandatory = True),
        "debian_lock_name": attr.string(mandatory = True),
        "python_lock_name": attr.string(mandatory = True),
        "_tool": attr.label(default = "//tools/image:oci", executable = True, cfg = "exec"),
    },
    outputs = {"tar": "%{name}.tar"},
    doc = "An OCI image layout (`:<name>`) and the same as one tarball (`:<name>.tar`).",
)

def serving_image(name, lib = ":lib", packages = None, visibility = ["//visibility:public"]):
    """Every image target of `experiments/<name>` (see the file's docstring).

    Args:
      name: the experiment.
      lib: the experiment's py_library (sources and data).
      packages: the lock repositories the application-layer tool imports the experiment with.
      visibility: of :image, :image.tar and :push.
    """
    packages = packages or ["@pip_%s//:all" % name]
    debian_lock = "//third_party/debian:%s.lock" % name
    python_lock = "//third_party/python/experiments:%s.lock" % name

    debian_layer(name = "image_debian_layer", lock = debian_lock, tags = _MANUAL)
    python_layer(name = "image_python_layer", lock = python_lock, debian_layer = ":image_debian_layer", tags = _MANUAL)

    # tools/image/app_layer.py with this experiment in its runfiles: the tool walks its runfiles
    # tree, which holds exactly the declared sources of //paystone and :lib.
    native.py_binary(
        name = "image_app_layer_tool",
        srcs = ["//tools/image:app_layer.py"],
        main = "//tools/image:app_layer.py",
        deps = [lib, "//paystone", "//experiments", "//tools/image"] + packages,
        python_version = "PY3",
        srcs_version = "PY3",
        tags = _MANUAL,
    )

    for suffix, bake in [("", False), ("_with_artifacts", True)]:
        app_layer(name = "image_app_layer" + suffix, experiment = name, bake = bake, tool = ":image_app_layer_tool", tags = _MANUAL)
        oci_image(
            name = "image" + suffix,
            experiment = name,
            debian_layer = ":image_debian_layer",
            python_layer = ":image_python_layer",
            app_layer = ":image_app_layer" + suffix,
            debian_lock_name = "third_party/debian/%s.lock" % name,
            python_lock_name = "third_party/python/experiments/%s.lock" % name,
            visibility = visibility,
            tags = _MANUAL,
        )
        native.py_binary(
            name = "push" + suffix,
            srcs = ["//tools/image:push.py"],
            main = "//tools/image:push.py",
            args = ["--image", "$(rootpath :image%s)" % suffix],
            data = [":image" + suffix],
            deps = ["//tools/image"],
            python_version = "PY3",
            srcs_version = "PY3",
            visibility = visibility,
            tags = _MANUAL,
        )
