"""What an installation serves: derived from the package and the pins, never a list."""

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
