"""What an installation serves: derived from the package and the pins, never a list."""

import os
import zipfile
from pathlib import Path

import pytest

import pyb24
from pyb24_toolkit import assets


def test_library_files_are_the_package_modules():
    package = Path(pyb24.__file__).parent
    expected = sorted(f"pyb24/{p.relative_to(package).as_posix()}" for p in package.rglob("*.py"))
    expected = [name for name in expected if "__pycache__" not in name]
    assert sorted(assets.library_files()) == expected
    assert "pyb24/__init__.py" in expected


def test_boot_files_are_the_boot_scripts():
    assert "static/pyb24-boot.js" in assets.boot_files()
    assert all(name.endswith((".js", ".mjs")) for name in assets.boot_files())


def test_the_runtime_is_named_by_its_pins(cache):
    assert assets.runtime_dir() == cache / f"runtime-{assets.runtime_key()}" / "vendor"
    assert assets.runtime_ready()


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("pyb24/protocol.py", lambda: assets.library_dir() / "protocol.py"),
        ("static/pyb24-boot.js", lambda: assets.boot_dir() / "pyb24-boot.js"),
        ("static/vendor/pyodide/pyodide.mjs", lambda: assets.runtime_dir() / "pyodide/pyodide.mjs"),
    ],
)
def test_shipped_files(cache, relative, expected):
    assert assets.shipped_file(relative) == expected().resolve()


def test_the_served_archive_is_the_library(cache):
    archive = assets.shipped_file("pyb24.zip")
    assert archive.read_bytes() == assets.library_archive_bytes()
    assert archive.parent == cache / "archives"
    newest = max(file.stat().st_mtime for file in assets.library_files().values())
    assert archive.stat().st_mtime == newest  # Last-Modified moves with the modules


def test_the_archive_is_made_again_only_when_a_module_is_saved(cache, tmp_path, monkeypatch):
    module = tmp_path / "protocol.py"
    module.write_text("VERSION = 1\n")
    monkeypatch.setattr(assets, "library_files", lambda: {"pyb24/protocol.py": module})
    made = []
    make = assets.library_archive_bytes
    monkeypatch.setattr(assets, "library_archive_bytes", lambda: made.append(1) or make())
    first = assets.library_archive()
    assert assets.library_archive() == first and len(made) == 1  # nothing saved: the same file
    module.write_text("VERSION = 22\n")
    stat = module.stat()
    os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    second = assets.library_archive()
    assert second != first and len(made) == 2
    with zipfile.ZipFile(second) as archive:
        assert archive.read("protocol.py") == b"VERSION = 22\n"


@pytest.mark.parametrize(
    "relative",
    [
        "",
        "pyb24/../portal_emulator/server.py",
        "pyb24/missing.py",
        "static/app.css",  # the demo's own stylesheet, not a boot file
        "static/vendor/../../../etc/passwd",
        "static/vendor/pyodide/nothing.js",
        "static//pyb24-boot.js",
        "portal_emulator/server.py",
        "pyproject.toml",
        "static/vendor",
    ],
)
def test_nothing_else_is_shipped(cache, relative):
    assert assets.shipped_file(relative) is None


# -- patches to the pinned runtime --------------------------------------------------------------

CORE_GLOB = "pyscript/core-*.js"


def _patch(**changes) -> assets.RuntimePatch:
    fields = {"name": "a test patch", "file": CORE_GLOB, "find": "A", "replace": "B", "why": "test"}
    return assets.RuntimePatch(**(fields | changes))


def _installed_originals() -> Path:
    """node_modules of this machine's runtime (the npm packages as published), or skip."""
    modules = assets.npm_modules_dir()
    if not assets.runtime_ready() or not modules.is_dir():
        pytest.skip("the pinned runtime is not installed here (./dev test installs it)")
    return modules


def test_each_patch_applies_once_to_its_pinned_file_and_the_runtime_has_them_all():
    modules = _installed_originals()
    by_file: dict[Path, list[assets.RuntimePatch]] = {}
    for patch in assets.RUNTIME_PATCHES:
        assert patch.why.strip() and patch.find != patch.replace, patch.name
        by_file.setdefault(assets.patched_file(modules, patch, original=True), []).append(patch)
    for original, patches in by_file.items():
        text = original.read_text(encoding="utf-8")
        for patch in patches:  # in table order, each on what the one before left
            text = assets.apply_patch(patch, text, assets.pinned_version(modules, patch))
        installed = assets.patched_file(assets.runtime_dir(), patches[0])
        assert installed.read_text(encoding="utf-8") == text, installed


def test_a_new_or_changed_patch_names_a_new_runtime_folder(monkeypatch):
    before = assets.runtime_key()
    monkeypatch.setattr(assets, "RUNTIME_PATCHES", (*assets.RUNTIME_PATCHES, _patch()))
    added = assets.runtime_key()
    monkeypatch.setattr(assets, "RUNTIME_PATCHES", (*assets.RUNTIME_PATCHES[:-1], _patch(why="x")))
    changed = assets.runtime_key()
    assert len({before, added, changed}) == 3


@pytest.mark.parametrize(("text", "count"), [("no such text", 0), ("A and A", 2)])
def test_a_patch_whose_text_is_missing_or_twice_fails_the_install_in_one_line(text, count):
    with pytest.raises(assets.AssetError) as caught:
        assets.apply_patch(_patch(find="A"), text, "@pyscript/core@0.7.31")
    message = str(caught.value)
    assert "\n" not in message
    assert "'a test patch'" in message and "@pyscript/core@0.7.31" in message
    assert f"occurs {count} times" in message


def test_a_patch_applies_where_its_text_occurs_once():
    assert assets.apply_patch(_patch(find="A", replace="B"), "xAy", "v") == "xBy"


def test_a_patch_must_name_exactly_one_pinned_file(tmp_path):
    (tmp_path / "pyscript").mkdir()
    for name in ("core-1.js", "core-2.js"):
        (tmp_path / "pyscript" / name).write_text("A")
    with pytest.raises(assets.AssetError, match="2 files match pyscript/core-"):
        assets.patched_file(tmp_path, _patch())
    with pytest.raises(assets.AssetError, match="0 files match"):
        assets.patched_file(tmp_path, _patch(file="pyscript/nothing-*.js"))
    with pytest.raises(assets.AssetError, match="not a pinned file"):
        assets.patched_file(tmp_path, _patch(file="fake-indexeddb/auto.mjs"), original=True)


# -- the standard library, stored ---------------------------------------------------------------


def test_a_stored_zip_has_the_same_members_in_order_each_stored():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("a/b.pyc", date_time=(2020, 1, 2, 3, 4, 6)), b"x" * 500)
        archive.writestr("c.py", b"print(1)\n" * 50)
        archive.writestr(zipfile.ZipInfo("empty/"), b"")
    stored = zipfile.ZipFile(io.BytesIO(assets.store_zip(buffer.getvalue())))
    original = zipfile.ZipFile(buffer)
    assert [i.filename for i in stored.infolist()] == [i.filename for i in original.infolist()]
    assert {i.compress_type for i in stored.infolist()} == {zipfile.ZIP_STORED}
    for info in original.infolist():
        assert stored.read(info.filename) == original.read(info)
        assert stored.getinfo(info.filename).date_time == info.date_time
    assert stored.testzip() is None


def test_the_installed_standard_library_is_pyodides_stored_with_fresh_twins():
    import gzip
    import zipfile

    import brotli

    modules = _installed_originals()
    installed = assets.runtime_dir() / "pyodide/python_stdlib.zip"
    original = zipfile.ZipFile(modules / "pyodide/python_stdlib.zip")
    stored = zipfile.ZipFile(installed)
    assert [i.filename for i in stored.infolist()] == [i.filename for i in original.infolist()]
    assert {i.compress_type for i in stored.infolist()} == {zipfile.ZIP_STORED}
    assert stored.read("json/__init__.py") == original.read("json/__init__.py")
    for suffix, unpack in ((".br", brotli.decompress), (".gz", gzip.decompress)):
        twin = installed.with_name("python_stdlib.zip" + suffix)
        assert unpack(twin.read_bytes()) == installed.read_bytes()
        assert twin.stat().st_mtime >= installed.stat().st_mtime  # the emulator sends it
        assert twin.stat().st_size < installed.stat().st_size / 4  # what storing it is for
