"""The lock installer behind @pip_<name>: real pip, offline, against wheels built here."""

from __future__ import annotations

import base64
import hashlib
import sys
import zipfile
from pathlib import Path

import pytest

from paystone.dependencies import install
from paystone.dependencies.install import Distribution, LockInstallError, install_repository, render_build


def _wheel(folder: Path, name: str, version: str, files: dict[str, str], requires: tuple[str, ...] = ()) -> Path:
    """A minimal, valid pure-Python wheel (METADATA, WHEEL, RECORD)."""
    module = name.replace("-", "_")
    info = f"{module}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {requirement}\n" for requirement in requires
    )
    contents = {**files, f"{info}/METADATA": metadata,
                f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = []
    for path, text in contents.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    record.append(f"{info}/RECORD,,")
    path = folder / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in contents.items():
            archive.writestr(member, text)
        archive.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return path


def _lock(path: Path, *pins: tuple[str, str, Path]) -> Path:
    lines = [f"{name}=={version} \\\n    --hash=sha256:{hashlib.sha256(wheel.read_bytes()).hexdigest()}"
             for name, version, wheel in pins]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    folder = tmp_path / "wheels"
    folder.mkdir()
    _wheel(folder, "demo-app", "1.0", {"demo_app/__init__.py": "NAME = 'app'\n"}, requires=("demo-lib>=1",
           "demo-missing; python_version < '3'", "demo-extra; extra == 'fast'"))
    _wheel(folder, "demo-lib", "1.0", {"demo_lib/__init__.py": "VERSION = '1.0'\n"})
    _wheel(folder, "demo-lib", "2.0", {"demo_lib/__init__.py": "VERSION = '2.0'\n"})
    return folder


def _install(out: Path, lock: Path, wheels: Path) -> list[Distribution]:
    out.mkdir()
    return install_repository(out, [lock], python=sys.executable,
                              pip_args=["--no-index", "--find-links", str(wheels)])


def test_one_library_per_distribution_with_requirement_edges(tmp_path: Path, wheels: Path) -> None:
    lock = _lock(tmp_path / "app.lock", ("demo-app", "1.0", wheels / "demo_app-1.0-py3-none-any.whl"),
                 ("demo-lib", "2.0", wheels / "demo_lib-2.0-py3-none-any.whl"))
    out = tmp_path / "repo"
    distributions = _install(out, lock, wheels)

    assert {(d.target, d.version) for d in distributions} == {("demo_app", "1.0"), ("demo_lib", "2.0")}
    build = (out / "BUILD.bazel").read_text()
    app = build.split('name = "demo_app"')[1].split("\n)\n")[0]
    assert 'deps = [":demo_lib"]' in app  # markers false on 3.11 and extras are left out
    assert 'glob(["site/demo_app-1.0.dist-info/**", "site/demo_app/**"]' in app
    assert 'name = "all",\n    deps = [":demo_app", ":demo_lib"]' in build
    assert (out / "site" / "demo_lib" / "__init__.py").read_text() == "VERSION = '2.0'\n"
    # Compiled once at fetch time, checked by hash, so tests do not recompile site-packages.
    assert list((out / "site" / "demo_lib" / "__pycache__").glob("__init__.*.pyc"))


def test_an_altered_hash_fails_with_pips_hash_error(tmp_path: Path, wheels: Path) -> None:
    lock = _lock(tmp_path / "app.lock", ("demo-lib", "1.0", wheels / "demo_lib-1.0-py3-none-any.whl"))
    text = lock.read_text()
    digest = text.split("sha256:")[1].strip()
    lock.write_text(text.replace(digest, ("0" if digest[0] != "0" else "1") + digest[1:]))

    with pytest.raises(LockInstallError) as error:
        _install(tmp_path / "repo", lock, wheels)
    assert "THESE PACKAGES DO NOT MATCH THE HASHES" in str(error.value)
    assert str(lock) in str(error.value)


def test_a_line_without_hash_is_refused(tmp_path: Path, wheels: Path) -> None:
    lock = tmp_path / "app.lock"
    lock.write_text("demo-lib==1.0\n")
    with pytest.raises(LockInstallError, match="hash"):
        _install(tmp_path / "repo", lock, wheels)


def test_two_locks_pin_one_package_at_different_versions(tmp_path: Path, wheels: Path) -> None:
    first = _lock(tmp_path / "first.lock", ("demo-lib", "1.0", wheels / "demo_lib-1.0-py3-none-any.whl"))
    second = _lock(tmp_path / "second.lock", ("demo-lib", "2.0", wheels / "demo_lib-2.0-py3-none-any.whl"))
    _install(tmp_path / "first", first, wheels)
    _install(tmp_path / "second", second, wheels)

    assert 'tags = ["version=1.0"]' in (tmp_path / "first" / "BUILD.bazel").read_text()
    assert 'tags = ["version=2.0"]' in (tmp_path / "second" / "BUILD.bazel").read_text()
    assert "'1.0'" in (tmp_path / "first" / "site" / "demo_lib" / "__init__.py").read_text()
    assert "'2.0'" in (tmp_path / "second" / "site" / "demo_lib" / "__init__.py").read_text()


def test_a_missing_lock_is_named(tmp_path: Path) -> None:
    with pytest.raises(LockInstallError, match="nowhere.lock does not exist"):
        install.install_locks([tmp_path / "nowhere.lock"], tmp_path / "site")


def test_shared_folders_list_files_and_skip_names_bazel_refuses() -> None:
    storage = Distribution("google-cloud-storage", "3.0", ["google/cloud/storage/client.py",
                                                            "google/cloud/storage/test data/a b.json"],
                           requires=["google-api-core"])
    core = Distribution("google-api-core", "2.0", ["google/api_core/__init__.py"], requires=["google-cloud-storage"])
    build = render_build([storage, core])

    assert '"site/google/cloud/storage/client.py"' in build
    assert "a b.json" not in build
    assert "glob" not in build  # google/ belongs to both: no folder globs
    # A requirement cycle keeps one direction only: Bazel refuses cyclic deps.
    assert build.count('deps = [":google_cloud_storage"]') + build.count('deps = [":google_api_core"]') == 1


def test_main_reports_pip_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert install.main(["--out", str(tmp_path), "--lock", str(tmp_path / "absent.lock")]) == 1
    assert "absent.lock does not exist" in capsys.readouterr().err
