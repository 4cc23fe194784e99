"""``pyb24 build``: the app + pyb24 + the pinned runtime, self-contained, checked."""

import io
import json
import tomllib
import zipfile

import pytest

from pyb24_toolkit import assets
from pyb24_toolkit.build import build, cdn_urls
from pyb24_toolkit.errors import ToolError
from pyb24_toolkit.scaffold import create_app

from .conftest import FAKE_RUNTIME


@pytest.fixture
def app(tmp_path, cache):
    folder = tmp_path / "myapp"
    create_app(folder, placement="CRM_DEAL_DETAIL_TAB")
    (folder / "helpers.py").write_text("ANSWER = 42\n")
    (folder / "settings.html").write_text('<script type="module" src="./static/pyb24-boot.js">')
    return folder


def files_of(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_build_ships_the_app_the_library_and_the_runtime(app, tmp_path):
    result = build(app, tmp_path / "dist", snapshot=False, say=lambda _: None)
    shipped = files_of(tmp_path / "dist")
    expected = (
        ["app.py", "helpers.py", "index.html", "pyb24.zip"]
        + list(assets.library_files())
        + ["pyscript.toml", "settings.html"]
        + list(assets.boot_files())
        + ["static/vendor/" + name for name in FAKE_RUNTIME]
    )
    assert shipped == sorted(expected)  # no tests/, pytest.ini, README.md
    assert result.files == len(shipped)
    assert result.size == sum(
        p.stat().st_size for p in (tmp_path / "dist").rglob("*") if p.is_file()
    )
    assert f"{result.files} files" in result.summary() and "MB" in result.summary()


def test_the_archive_holds_every_module_of_the_package(app, tmp_path):
    build(app, tmp_path / "dist", snapshot=False, say=lambda _: None)
    archive = zipfile.ZipFile(io.BytesIO((tmp_path / "dist/pyb24.zip").read_bytes()))
    names = sorted(archive.namelist())
    assert names == sorted(name.removeprefix("pyb24/") for name in assets.library_files())
    assert "__init__.py" in names
    for name in names:
        assert archive.read(name) == (assets.library_dir() / name).read_bytes()


def test_the_archive_depends_on_content_only():
    assert assets.library_archive_bytes() == assets.library_archive_bytes()


def test_cdn_build_points_at_the_pinned_versions_and_ships_no_runtime(app, tmp_path):
    build(app, tmp_path / "dist", cdn=True, snapshot=False, say=lambda _: None)
    dist = tmp_path / "dist"
    assert not (dist / "static/vendor").exists()
    lock = json.loads(assets.npm_manifest()[1].read_text())["packages"]
    pyodide = lock["node_modules/pyodide"]["version"]
    pyscript = lock["node_modules/@pyscript/core"]["version"]
    config = tomllib.loads((dist / "pyscript.toml").read_text())
    assert config["interpreter"] == "./static/pyb24-pyodide.mjs"  # local: restores the snapshot
    interpreter = (dist / "static/pyb24-pyodide.mjs").read_text()
    assert f"https://cdn.jsdelivr.net/pyodide/v{pyodide}/full/pyodide.mjs" in interpreter
    page = (dist / "index.html").read_text()
    assert f"https://cdn.jsdelivr.net/npm/@pyscript/core@{pyscript}/dist/core.js" in page
    boot = (dist / "static/pyb24-boot.js").read_text()
    assert cdn_urls()["vendor/pyscript/"] + "core.js" in boot
    assert cdn_urls()["vendor/fake-indexeddb/auto.mjs"] in boot
    assert "vendor/" not in page + boot.replace("https://", "")


def test_a_page_pointing_at_localhost_fails_the_build(app, tmp_path):
    (app / "app.py").write_text('API = "http://localhost:8002/rest"\n')
    with pytest.raises(ToolError, match=r"app.py:1 points at this machine"):
        build(app, tmp_path / "dist", snapshot=False, say=lambda _: None)
    assert not (tmp_path / "dist").exists()


@pytest.mark.parametrize(
    ("file", "text"),
    [
        ("pyscript.toml", '[files]\n"../secret.py" = "./secret.py"\n'),
        ("index.html", '<script src="../../shared/lib.js"></script>'),
    ],
)
def test_a_reference_outside_the_folder_fails_the_build(app, tmp_path, file, text):
    (app / file).write_text(text)
    with pytest.raises(ToolError, match="points outside the app folder"):
        build(app, tmp_path / "dist", snapshot=False, say=lambda _: None)


def test_a_missing_module_fails_the_build(app, tmp_path):
    config = app / "pyscript.toml"  # helpers.py is the one that exists
    config.write_text(
        config.read_text().replace("[files]\n", '[files]\n"./helper.py" = "./h.py"\n')
    )
    with pytest.raises(ToolError, match=r"\./helper\.py is not in the app folder"):
        build(app, tmp_path / "dist", snapshot=False, say=lambda _: None)


def test_dot_files_and_caches_are_not_shipped(app, tmp_path):
    (app / ".env").write_text("SECRET=1")
    (app / ".git").mkdir()
    (app / ".git/config").write_text("x")
    (app / "__pycache__").mkdir()
    (app / "__pycache__/app.cpython-311.pyc").write_bytes(b"\0")
    build(app, tmp_path / "dist", snapshot=False, say=lambda _: None)
    assert not [f for f in files_of(tmp_path / "dist") if f.startswith((".", "__pycache__"))]


def test_rebuilds_replace_an_earlier_build_even_inside_the_app(app):
    build(app, app / "dist", snapshot=False, say=lambda _: None)
    (app / "dist/stale.txt").write_text("old")
    build(app, app / "dist", snapshot=False, say=lambda _: None)
    shipped = files_of(app / "dist")
    assert "stale.txt" not in shipped and not [f for f in shipped if f.startswith("dist/")]


def test_never_replaces_a_folder_that_is_not_a_build(app, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/notes.txt").write_text("mine")
    with pytest.raises(ToolError, match="is not empty and is not an earlier pyb24 build"):
        build(app, tmp_path / "docs", snapshot=False, say=lambda _: None)
    with pytest.raises(ToolError, match="would replace the app itself"):
        build(app, app, snapshot=False, say=lambda _: None)
    assert (tmp_path / "docs/notes.txt").read_text() == "mine"


def test_the_runtime_ships_with_brotli_and_gzip_twins_where_they_save_bytes(app, tmp_path):
    import gzip

    import brotli

    vendor = assets.runtime_dir()
    wasm = (b"\0asm" + bytes(range(256)) * 64) * 8  # compresses well
    (vendor / "pyodide/pyodide.asm.wasm").write_bytes(wasm)
    packed = bytes(__import__("random").Random(1).randbytes(4096))  # does not
    (vendor / "pyodide/python_stdlib.zip").write_bytes(packed)
    build(app, tmp_path / "dist", snapshot=False, say=lambda _: None)
    folder = tmp_path / "dist/static/vendor/pyodide"
    assert brotli.decompress((folder / "pyodide.asm.wasm.br").read_bytes()) == wasm
    assert gzip.decompress((folder / "pyodide.asm.wasm.gz").read_bytes()) == wasm
    assert (folder / "pyodide.asm.wasm.br").stat().st_mode & 0o777 == 0o644  # a server reads it
    assert not (folder / "python_stdlib.zip.br").exists()
    assert not (folder / "python_stdlib.zip.gz").exists()
    assert not (folder / "pyodide.mjs.br").exists()  # too small to be worth it
    assert not list((tmp_path / "dist").glob("*.br"))  # the app's own files are left as they are


def test_the_snapshot_ships_under_its_content_hash_and_the_page_names_it(app, tmp_path):
    import hashlib

    snapshot = b"pyb24-snapshot1\n" + bytes(range(256)) * 64
    folder = app / "static/vendor/pyb24"
    folder.mkdir(parents=True)
    (folder / "pyb24.snapshot").write_bytes(snapshot)
    (folder / "pyb24.snapshot.gz").write_bytes(b"an older twin")
    build(app, tmp_path / "dist", snapshot=False, say=lambda _: None)
    name = f"pyb24-{hashlib.sha256(snapshot).hexdigest()[:16]}.snapshot"
    shipped = tmp_path / "dist/static/vendor/pyb24"
    assert sorted(p.name for p in shipped.iterdir()) == [name, name + ".br", name + ".gz"]
    assert (shipped / name).read_bytes() == snapshot
    interpreter = (tmp_path / "dist/static/pyb24-pyodide.mjs").read_text()
    assert f'"./vendor/pyb24/{name}"' in interpreter and 'pyb24.snapshot"' not in interpreter
    source = (assets.boot_dir() / "pyb24-pyodide.mjs").read_text()
    assert interpreter == source.replace(
        '"./vendor/pyb24/pyb24.snapshot"', f'"./vendor/pyb24/{name}"'
    )
    assert '"./vendor/pyb24/pyb24.snapshot"' in source  # the checkout keeps the plain name


def test_an_earlier_build_inside_the_app_is_not_app_content(app, tmp_path):
    """Issue 17 item 12: pyb24 build b1 -o b1/dist, then pyb24 build b1 -o d4."""
    build(app, app / "dist", snapshot=False, say=lambda _: None)
    build(app, tmp_path / "d4", snapshot=False, say=lambda _: None)
    assert not [f for f in files_of(tmp_path / "d4") if f.startswith("dist/")]
    assert files_of(tmp_path / "d4") == files_of(app / "dist")


def test_another_app_and_unlisted_packages_are_not_shipped(app, tmp_path):
    """An app folder may hold other apps (examples/…) and tooling packages beside it; the
    build holds what its pages can load: its files and the modules pyscript.toml names."""
    (app / "examples/other").mkdir(parents=True)
    (app / "examples/other/index.html").write_text('<script src="/abs.js"></script>')
    (app / "examples/other/pyscript.toml").write_text("")
    (app / "tooling").mkdir()
    (app / "tooling/__init__.py").write_text("URL = 'http://127.0.0.1:8001/'\n")
    (app / "lib/inner").mkdir(parents=True)
    (app / "lib/__init__.py").write_text("")
    (app / "lib/inner/__init__.py").write_text("X = 1\n")
    (app / "build.log").write_text("GET / 200\n")
    config = app / "pyscript.toml"
    config.write_text(config.read_text().replace("[files]\n", '[files]\n"./lib/*" = "./lib/*"\n'))
    build(app, tmp_path / "dist", snapshot=False, say=lambda _: None)
    shipped = files_of(tmp_path / "dist")
    assert "lib/__init__.py" in shipped and "lib/inner/__init__.py" in shipped
    assert not [f for f in shipped if f.startswith(("examples/", "tooling/")) or f.endswith(".log")]


def test_the_demo_at_the_repository_root_builds(tmp_path, cache):
    """`pyb24 build . -o dist` on this checkout: examples/ are other apps, the tooling
    packages beside the demo are none of its content; its pages' files are all there."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    build(root, tmp_path / "dist", snapshot=False, say=lambda _: None)
    shipped = files_of(tmp_path / "dist")
    assert {"index.html", "app.py", "demo_ui.py", "pyscript.toml", "pyb24.zip"} <= set(shipped)
    tops = {f.split("/")[0] for f in shipped}
    assert not tops & {"examples", "tests", "portal_emulator", "pyb24_toolkit", "pyb24_snapshot"}
