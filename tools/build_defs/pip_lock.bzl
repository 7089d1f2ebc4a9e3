"""`pip_lock_repository`: an external repository holding the packages of hashed locks.

Thin on purpose: the work (pip with --require-hashes, the BUILD file with one py_library per
distribution) is done by paystone/dependencies/install.py, which is tested on its own.
Bazel re-runs the rule when a lock, the installer or the interpreter path changes.
"""

def _pip_lock_repository_impl(rctx):
    installer = rctx.path(rctx.attr._installer)
    args = [rctx.attr.python, str(installer), "--out", str(rctx.path("."))]
    for lock in rctx.attr.locks:
        args += ["--lock", str(rctx.path(lock))]
    rctx.report_progress("pip install --require-hashes " + ", ".join([l.name for l in rctx.attr.locks]))
    result = rctx.execute(args, timeout = rctx.attr.timeout, quiet = True)
    if result.return_code != 0:
        fail("@%s: installing %s failed:\n%s%s" % (
            rctx.name,
            ", ".join([str(l) for l in rctx.attr.locks]),
            result.stdout,
            result.stderr,
        ))

pip_lock_repository = repository_rule(
    implementation = _pip_lock_repository_impl,
    attrs = {
        "locks": attr.label_list(allow_files = [".lock"], mandatory = True, doc = "Hashed locks to install together."),
        "python": attr.string(default = "/usr/bin/python3.11", doc = "Interpreter pip runs under; the same one the toolchain uses."),
        "timeout": attr.int(default = 1800, doc = "Seconds before the install is abandoned."),
        "_installer": attr.label(default = Label("//paystone:dependencies/install.py"), allow_single_file = True),
    },
    doc = "Installs hashed locks with pip into an external repository with one py_library per distribution.",
)

def pip_experiment_repositories(experiments):
    """One repository per experiment lock, `@pip_<name>`, so experiments pin independently."""
    for name in experiments:
        pip_lock_repository(
            name = "pip_" + name,
            locks = ["//third_party/python/experiments:%s.lock" % name],
        )
