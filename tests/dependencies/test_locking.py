"""`psml experiments lock NAME`: pins only, conflicts named, one lock per experiment."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from paystone.dependencies import locking
from paystone.dependencies.locking import (
    LockError,
    PinConflictError,
    RequirementsError,
    check_conflicts,
    lock_experiment,
    read_pins,
)


def _file(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "line",
    ["numpy>=2.0", "numpy~=2.4", "numpy<3", "numpy", "numpy==2.*", "numpy==2.4.6,<3", "numpy!=2.0",
     "demo @ file:///tmp/demo.whl"],
)
def test_a_range_or_missing_pin_is_refused_naming_the_line(tmp_path: Path, line: str) -> None:
    path = _file(tmp_path / "requirements.txt", f"# pins\npandas==3.1.1\n{line}\n")
    with pytest.raises(RequirementsError) as error:
        read_pins(path, display="experiments/demo/requirements.txt")
    assert "experiments/demo/requirements.txt:3" in str(error.value)
    assert line in str(error.value)


def test_pip_options_are_refused(tmp_path: Path) -> None:
    path = _file(tmp_path / "requirements.txt", "-r other.txt\n")
    with pytest.raises(RequirementsError, match="pip options are not allowed"):
        read_pins(path)


def test_exact_pins_with_extras_markers_and_comments_are_read(tmp_path: Path) -> None:
    path = _file(tmp_path / "r.txt", "\n# comment\nuvicorn[standard]==0.54.0  # server\ntomli==2.0.1; python_version < '3.11'\n")
    pins = read_pins(path, display="r.txt")
    assert [(p.name, p.version, p.source) for p in pins] == [("uvicorn", "0.54.0", "r.txt:3"), ("tomli", "2.0.1", "r.txt:4")]


def test_a_conflict_with_a_platform_pin_names_both_lines(tmp_path: Path) -> None:
    experiment = read_pins(_file(tmp_path / "e.txt", "NumPy==1.26.4\npandas==3.1.1\n"), display="experiments/x/requirements.txt")
    platform = read_pins(_file(tmp_path / "p.in", "pandas==3.1.1\nnumpy==2.4.6\n"), display="requirements.in")
    with pytest.raises(PinConflictError) as error:
        check_conflicts(experiment, platform)
    message = str(error.value)
    assert "experiments/x/requirements.txt:1 pins NumPy==1.26.4" in message
    assert "the platform pins numpy==2.4.6 (requirements.in:2)" in message
    assert "pandas" not in message  # the same version on both sides is fine


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A checkout with the platform's requirements and one experiment."""
    _file(tmp_path / locking.PLATFORM_REQUIREMENTS, "idna==3.10\n")
    (tmp_path / locking.EXPERIMENT_LOCKS).mkdir(parents=True)
    _file(tmp_path / "experiments" / "demo" / "requirements.txt", "six==1.17.0\n")
    return tmp_path


def test_conflicts_are_refused_before_resolving(root: Path) -> None:
    _file(root / "experiments" / "demo" / "requirements.txt", "idna==3.7\n")
    with pytest.raises(PinConflictError, match="idna==3.7"):
        lock_experiment("demo", root=root, uv=Path("/nonexistent/uv"))  # uv is never started
    assert not (root / locking.EXPERIMENT_LOCKS / "demo.lock").exists()


def test_an_unknown_experiment_is_named(root: Path) -> None:
    with pytest.raises(LockError, match="no experiment 'nope'"):
        lock_experiment("nope", root=root, uv=Path("/nonexistent/uv"))


def test_locks_index_lists_every_experiment_lock(root: Path) -> None:
    for name in ("sentiment", "housing"):
        _file(root / locking.EXPERIMENT_LOCKS / f"{name}.lock", "")
    index = locking.write_locks_index(root).read_text()
    assert 'EXPERIMENTS = ["housing", "sentiment"]' in index


@pytest.mark.e2e
def test_lock_resolves_with_hashes_using_uv_from_its_own_lock(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real uv (installed hash-checked from uv.lock) against the package index pip uses."""
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv-cache"))  # HOME is read-only under Bazel
    try:
        uv = locking.ensure_uv(cache_dir=tmp_path / "cache")
    except LockError as error:  # no package index reachable from here
        pytest.skip(str(error))
    lock = lock_experiment("demo", root=root, uv=uv)

    text = lock.read_text()
    assert lock == root / "third_party/python/experiments/demo.lock"
    assert "psml experiments lock demo" in text
    assert "idna==3.10 \\\n    --hash=sha256:" in text
    assert "six==1.17.0 \\\n    --hash=sha256:" in text
    assert "EXPERIMENTS = [\"demo\"]" in (root / locking.LOCKS_INDEX).read_text()
    # A second experiment may pin a package the first pins, at another version.
    shutil.copytree(root / "experiments" / "demo", root / "experiments" / "other")
    _file(root / "experiments" / "other" / "requirements.txt", "six==1.16.0\n")
    other = lock_experiment("other", root=root, uv=uv).read_text()
    assert "six==1.16.0 \\" in other and "six==1.17.0 \\" in lock.read_text()
    # A pin no index has: the resolver's reason is in the error, and the old lock stays.
    _file(root / "experiments" / "other" / "requirements.txt", "six==0.0.1\n")
    with pytest.raises(LockError) as error:
        lock_experiment("other", root=root, uv=uv)
    assert "could not resolve experiments/other/requirements.txt" in str(error.value)
    assert "six==0.0.1" in str(error.value)
    assert "six==1.16.0 \\" in (root / locking.EXPERIMENT_LOCKS / "other.lock").read_text()


TEMPLATE_LOCK = """# This file was autogenerated by uv via the following command:
#    psml experiments lock housing
numpy==2.4.6 \\
    --hash=sha256:aaaa
    # via -r experiments/housing/requirements.txt
"""


def test_a_new_experiment_starts_with_its_templates_lock_renamed_only_where_it_names_the_template(tmp_path: Path) -> None:
    _file(tmp_path / "third_party/python/experiments/housing.lock", TEMPLATE_LOCK)
    copied = locking.copy_lock("housing", "churn", tmp_path)
    assert copied == tmp_path / "third_party/python/experiments/churn.lock"
    assert copied.read_text() == TEMPLATE_LOCK.replace("lock housing", "lock churn").replace(
        "experiments/housing/", "experiments/churn/"
    )
    assert 'EXPERIMENTS = ["churn", "housing"]' in (tmp_path / "third_party/python/experiments/locks.bzl").read_text()
    assert locking.copy_lock("nolock", "other", tmp_path) is None
    assert not (tmp_path / "third_party/python/experiments/other.lock").exists()


def _pins(text: str, tmp_path: Path, name: str) -> list[locking.Pin]:
    return read_pins(_file(tmp_path / name, text))


def test_the_pins_digest_ignores_comments_order_and_spelling(tmp_path: Path) -> None:
    platform = _pins("fastapi==0.165.0\n", tmp_path, "platform.in")
    one = _pins("# housing's packages\nnumpy==2.4.6\nscikit_learn==1.9.1\n", tmp_path, "a.txt")
    same = _pins("scikit-learn==1.9.1  # churn's\nnumpy==2.4.6\n", tmp_path, "b.txt")
    other = _pins("numpy==2.4.5\nscikit-learn==1.9.1\n", tmp_path, "c.txt")
    assert locking.pins_digest(one, platform) == locking.pins_digest(same, platform)
    assert locking.pins_digest(one, platform) != locking.pins_digest(other, platform)
    assert locking.pins_digest(one, platform) != locking.pins_digest(one, [])


def test_stamping_puts_one_digest_line_after_the_header() -> None:
    stamped = locking.stamp_digest("# uv header\n#    psml experiments lock x\nsix==1.17.0 \\\n", "sha256:1")
    assert stamped.splitlines()[2] == "# pins digest: sha256:1"
    restamped = locking.stamp_digest(stamped, "sha256:2")
    assert [line for line in restamped.splitlines() if line.startswith("# pins digest")] == ["# pins digest: sha256:2"]


def test_a_missing_unstamped_or_stale_lock_is_refused_naming_the_fix(tmp_path: Path) -> None:
    _file(tmp_path / "third_party/python/requirements.in", "fastapi==0.165.0\n")
    requirements = _file(tmp_path / "experiments/demo/requirements.txt", "six==1.17.0\n")
    lock = tmp_path / "third_party/python/experiments/demo.lock"
    with pytest.raises(locking.StaleLockError, match=r"'demo' has no lock .*run `psml experiments lock demo`"):
        locking.check_lock("demo", tmp_path)
    _file(lock, "six==1.17.0 \\\n    --hash=sha256:aa\n")
    with pytest.raises(locking.StaleLockError, match="records no pins digest"):
        locking.check_lock("demo", tmp_path)
    lock.write_text(locking.stamp_digest(lock.read_text(), locking.current_digest("demo", tmp_path)))
    assert locking.check_lock("demo", tmp_path) == lock
    requirements.write_text("six==1.16.0\n")
    with pytest.raises(locking.StaleLockError, match=r"demo.lock is stale: .*recorded sha256:\w+, now sha256:\w+"):
        locking.check_lock("demo", tmp_path)

