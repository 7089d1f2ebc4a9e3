"""Tests of paystone/scaffold/create.py against copies of the real templates in a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from paystone.discovery import experiments_root
from paystone.scaffold.create import ScaffoldError, Template, create_experiment, leftovers
from paystone.scaffold.naming import InvalidNameError


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """An experiments folder holding copies of both templates (never the repository's own)."""
    folder = tmp_path / "experiments"
    folder.mkdir()
    for template in Template:
        shutil.copytree(
            experiments_root() / template.value,
            folder / template.value,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
    return folder


def _relative_files(package: Path) -> set[str]:
    return {str(p.relative_to(package)) for p in package.rglob("*") if p.is_file()}


@pytest.mark.parametrize("template", list(Template))
def test_copy_has_the_template_tree_renamed_and_no_leftover_name(root: Path, template: Template) -> None:
    created = create_experiment("churn", template, root=root)
    assert created == root / "churn"
    assert _relative_files(created) == _relative_files(root / template.value)
    assert leftovers(created, template.value) == []
    service = (created / "schema" / "service.py").read_text()
    assert 'churn = "churn"' in service
    assert "experiments.churn.schema.request" in service
    assert "create_serving_app(churn=predict)" in (created / "serve" / "app.py").read_text()
    assert 'name = "churn"' in (created / "BUILD.bazel").read_text()


def test_template_is_left_untouched(root: Path) -> None:
    before = {p: p.read_bytes() for p in (root / "housing").rglob("*") if p.is_file()}
    create_experiment("churn", "housing", root=root)
    assert {p: p.read_bytes() for p in (root / "housing").rglob("*") if p.is_file()} == before


def test_file_names_containing_the_name_are_renamed(root: Path) -> None:
    (root / "housing" / "train" / "housing_features.py").write_text("HOUSING = 'housing'\n")
    created = create_experiment("churn", "housing", root=root)
    assert (created / "train" / "churn_features.py").read_text() == "CHURN = 'churn'\n"


def test_caches_are_not_copied(root: Path) -> None:
    cache = root / "housing" / "train" / "__pycache__"
    cache.mkdir(exist_ok=True)
    (cache / "main.cpython-311.pyc").write_bytes(b"\x00housing")
    created = create_experiment("churn", "housing", root=root)
    assert not list(created.rglob("__pycache__"))


def test_existing_name_is_refused_and_nothing_changes(root: Path) -> None:
    (root / "churn").mkdir()
    with pytest.raises(ScaffoldError, match="'churn' already exists"):
        create_experiment("churn", "housing", root=root)
    assert list((root / "churn").iterdir()) == []


@pytest.mark.parametrize("name", ["Churn", "churn-model", "for", "1churn"])
def test_invalid_name_is_refused(root: Path, name: str) -> None:
    with pytest.raises(InvalidNameError):
        create_experiment(name, "housing", root=root)
    assert not (root / name).exists()


@pytest.mark.parametrize(("name", "message"), [("housing", "template's own name"), ("housing_v2", "contains the template"), ("healthz", "reserves")])
def test_names_that_would_clash_are_refused(root: Path, name: str, message: str) -> None:
    with pytest.raises(ScaffoldError, match=message):
        create_experiment(name, "housing", root=root)


def test_unknown_template_is_refused(root: Path) -> None:
    with pytest.raises(ValueError, match="'weather'"):
        create_experiment("churn", "weather", root=root)


def test_a_failed_scaffold_leaves_no_package_or_scratch_folder(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []

    def copymode_then_fail(source: Path, target: Path) -> None:
        calls.append(Path(target))
        if len(calls) == 5:
            raise OSError(f"disk full while writing {target}")

    monkeypatch.setattr("paystone.scaffold.create.shutil.copymode", copymode_then_fail)
    with pytest.raises(OSError, match="disk full"):
        create_experiment("churn", "housing", root=root)
    assert sorted(p.name for p in root.iterdir()) == ["housing", "sentiment"]


def test_a_name_that_reappears_after_renaming_is_caught_before_the_package_appears(root: Path) -> None:
    # Renaming cannot remove a spelling that the new text forms itself; the check runs on the staged copy.
    (root / "housing" / "notes.txt").write_text("Churn\n")
    monkeypatch_rename = "paystone.scaffold.create.rename"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(monkeypatch_rename, lambda text, old, new: text)
        with pytest.raises(ScaffoldError, match="still names it"):
            create_experiment("churn", "housing", root=root)
    assert sorted(p.name for p in root.iterdir()) == ["housing", "sentiment"]
