"""Tests of paystone/scaffold/create.py against a copy of the toy experiment in a temporary folder.

Each shipped template is copied, trained and served end to end in tests/e2e/<template>/test_scaffold.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from paystone.discovery import get_experiment
from paystone.scaffold.create import ScaffoldError, create_experiment, leftovers, template_names
from paystone.scaffold.naming import InvalidNameError


BUILD = '''load("//tools/build_defs:experiment.bzl", "experiment")

experiment(name = "toy")
'''


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """An experiments folder holding a copy of the toy experiment (never the repository's own folder)."""
    folder = tmp_path / "experiments"
    folder.mkdir()
    shutil.copytree(get_experiment("toy").path, folder / "toy", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    # Every real package has the one-macro BUILD file; the fixture cannot (it would be a Bazel package).
    (folder / "toy" / "BUILD.bazel").write_text(BUILD)
    return folder


def _relative_files(package: Path) -> set[str]:
    return {str(p.relative_to(package)) for p in package.rglob("*") if p.is_file()}


def test_copy_has_the_template_tree_renamed_and_no_leftover_name(root: Path) -> None:
    created = create_experiment("churn", "toy", root=root)
    assert created == root / "churn"
    assert _relative_files(created) == _relative_files(root / "toy")
    assert leftovers(created, "toy") == []
    service = (created / "schema" / "service.py").read_text()
    assert 'churn = "churn"' in service
    assert "experiments.churn.schema.request" in service
    assert "create_serving_app(churn=predict)" in (created / "serve" / "app.py").read_text()
    assert 'name = "churn"' in (created / "BUILD.bazel").read_text()


def test_template_is_left_untouched(root: Path) -> None:
    before = {p: p.read_bytes() for p in (root / "toy").rglob("*") if p.is_file()}
    create_experiment("churn", "toy", root=root)
    assert {p: p.read_bytes() for p in (root / "toy").rglob("*") if p.is_file()} == before


def test_file_names_containing_the_name_are_renamed(root: Path) -> None:
    (root / "toy" / "train" / "toy_features.py").write_text("TOY = 'toy'\n")
    created = create_experiment("churn", "toy", root=root)
    assert (created / "train" / "churn_features.py").read_text() == "CHURN = 'churn'\n"


def test_caches_are_not_copied(root: Path) -> None:
    cache = root / "toy" / "train" / "__pycache__"
    cache.mkdir(exist_ok=True)
    (cache / "main.cpython-311.pyc").write_bytes(b"\x00toy")
    created = create_experiment("churn", "toy", root=root)
    assert not list(created.rglob("__pycache__"))


def test_existing_name_is_refused_and_nothing_changes(root: Path) -> None:
    (root / "churn").mkdir()
    with pytest.raises(ScaffoldError, match="'churn' already exists"):
        create_experiment("churn", "toy", root=root)
    assert list((root / "churn").iterdir()) == []


@pytest.mark.parametrize("name", ["Churn", "churn-model", "for", "1churn"])
def test_invalid_name_is_refused(root: Path, name: str) -> None:
    with pytest.raises(InvalidNameError):
        create_experiment(name, "toy", root=root)
    assert not (root / name).exists()


@pytest.mark.parametrize(("name", "message"), [("toy", "template's own name"), ("toy_v2", "contains the template"), ("healthz", "reserves")])
def test_names_that_would_clash_are_refused(root: Path, name: str, message: str) -> None:
    with pytest.raises(ScaffoldError, match=message):
        create_experiment(name, "toy", root=root)


def test_unknown_template_is_refused_listing_the_known_ones(root: Path) -> None:
    assert template_names(root) == ["toy"]
    with pytest.raises(ScaffoldError, match=r"'weather' not found.*\(known: toy\)"):
        create_experiment("churn", "weather", root=root)
    assert sorted(p.name for p in root.iterdir()) == ["toy"]


def test_a_failed_scaffold_leaves_no_package_or_scratch_folder(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []

    def copymode_then_fail(source: Path, target: Path) -> None:
        calls.append(Path(target))
        if len(calls) == 5:
            raise OSError(f"disk full while writing {target}")

    monkeypatch.setattr("paystone.scaffold.create.shutil.copymode", copymode_then_fail)
    with pytest.raises(OSError, match="disk full"):
        create_experiment("churn", "toy", root=root)
    assert sorted(p.name for p in root.iterdir()) == ["toy"]


def test_a_name_that_reappears_after_renaming_is_caught_before_the_package_appears(root: Path) -> None:
    # Renaming cannot remove a spelling that the new text forms itself; the check runs on the staged copy.
    (root / "toy" / "notes.txt").write_text("Churn\n")
    monkeypatch_rename = "paystone.scaffold.create.rename"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(monkeypatch_rename, lambda text, old, new: text)
        with pytest.raises(ScaffoldError, match="still names it"):
            create_experiment("churn", "toy", root=root)
    assert sorted(p.name for p in root.iterdir()) == ["toy"]


def test_in_a_checkout_the_copy_gets_the_templates_lock(tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    root = repository / "experiments"
    root.mkdir(parents=True)
    shutil.copytree(get_experiment("toy").path, root / "toy", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    locks = repository / "third_party" / "python" / "experiments"
    locks.mkdir(parents=True)
    (locks / "toy.lock").write_text("#    psml experiments lock toy\nnumpy==2.4.6 \\\n    --hash=sha256:aaaa\n")
    debian = repository / "third_party" / "debian"
    debian.mkdir(parents=True)
    (debian / "toy.lock").write_text("# Debian packages of the toy serving image: the closure of python3.11.\nzlib1g:amd64=1 sha256=bb\n")
    create_experiment("churn", "toy", root=root)
    assert (debian / "churn.lock").read_text() == "# Debian packages of the churn serving image: the closure of python3.11.\nzlib1g:amd64=1 sha256=bb\n"
    assert (locks / "churn.lock").read_text() == "#    psml experiments lock churn\nnumpy==2.4.6 \\\n    --hash=sha256:aaaa\n"
    assert 'EXPERIMENTS = ["churn", "toy"]' in (locks / "locks.bzl").read_text()


def test_outside_a_checkout_no_lock_is_written(root: Path) -> None:
    create_experiment("churn", "toy", root=root)
    assert not (root.parent / "third_party").exists()
