"""The snapshot build's plan (what goes in, its key) and the in-snapshot refresh, under CPython."""

from __future__ import annotations

import importlib.util
import io
import json
import shutil
import sys
import types
import zipfile
from pathlib import Path

import pytest

import pyb24_snapshot
from pyb24_snapshot import SnapshotBuildError, _pack, plan_snapshot, read_header

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_SOURCE = (ROOT / "pyb24_snapshot" / "runtime.py").read_text(encoding="utf-8")


@pytest.fixture
def app(tmp_path, monkeypatch):
    """The demo's config, a copy of pyb24 as the installed library, a stand-in Pyodide."""
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "pyb24", tmp_path / "pyb24", ignore=skip)
    monkeypatch.setattr(
        pyb24_snapshot,
        "_library_files",
        lambda: {
            "./" + p.relative_to(tmp_path).as_posix(): p
            for p in sorted((tmp_path / "pyb24").rglob("*.py"))
        },
    )
    monkeypatch.setattr(pyb24_snapshot, "_library_archive", lambda: b"the library archive")
    shutil.copy(ROOT / "pyscript.toml", tmp_path / "pyscript.toml")
    (tmp_path / "demo_ui.py").write_text("from pyscript import document\n")
    pyodide = tmp_path / "static/vendor/pyodide"
    pyodide.mkdir(parents=True)
    (pyodide / "package.json").write_text('{"version": "314.0.2"}')
    for name in ("pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"):
        (pyodide / name).write_bytes(name.encode())
    return tmp_path


def test_pyb24s_pure_modules_go_in_browser_glue_stays_out(app):
    plan = plan_snapshot(app)
    modules = sorted(f"pyb24.{p.stem}" for p in (ROOT / "pyb24").glob("*.py"))
    expected = ["pyb24", *(m for m in modules if m not in ("pyb24.__init__", "pyb24.browser"))]
    assert plan.imports[: len(expected)] == sorted(expected)
    assert "pyb24.browser" not in plan.imports and "./pyb24/browser.py" not in plan.files
    assert "./demo_ui.py" not in plan.files  # imports pyscript: not listed, not written
    assert plan.imports[len(expected) :] == [
        name for name in ["asyncio", "json", "time"] if name not in expected
    ]


def test_a_module_importing_browser_glue_is_left_out_with_whatever_imports_it(app):
    (app / "pyb24" / "glue.py").write_text("import js\n")
    (app / "pyb24" / "uses_glue.py").write_text("from . import glue\n")
    (app / "pyb24" / "lazy.py").write_text("def f():\n    import js\n")
    (app / "pyb24" / "sub").mkdir()
    (app / "pyb24" / "sub" / "__init__.py").write_text("from .. import glue\n")
    (app / "pyb24" / "sub" / "pure.py").write_text("from ..protocol import *\nimport json\n")
    plan = plan_snapshot(app)
    assert "pyb24.lazy" in plan.imports  # an import inside a function is not at start-up
    assert "pyb24.sub.pure" in plan.imports and "./pyb24/sub/pure.py" in plan.files
    for impure in ("pyb24.glue", "pyb24.uses_glue", "pyb24.sub"):
        assert impure not in plan.imports


def test_the_key_follows_pyodide_and_every_imported_file_but_not_the_rest(app):
    key = plan_snapshot(app).key
    (app / "demo_ui.py").write_text("from pyscript import window\n")
    assert plan_snapshot(app).key == key  # not in the snapshot
    (app / "pyb24" / "rest.py").write_text((app / "pyb24" / "rest.py").read_text() + "\n# x\n")
    edited = plan_snapshot(app).key
    assert edited != key
    (app / "static/vendor/pyodide/pyodide.asm.wasm").write_bytes(b"another build")
    assert plan_snapshot(app).key != edited


def _pinned_core() -> str:
    from pyb24_toolkit.assets import runtime_dir, runtime_ready

    if not runtime_ready():
        pytest.skip("the pinned runtime is not installed here (./dev test installs it)")
    [core] = (runtime_dir() / "pyscript").glob("core-*.js")
    return core.read_text(encoding="utf-8")


def test_pyscripts_package_goes_in_exactly_as_its_core_writes_it(app):
    core = _pinned_core()
    package = plan_snapshot(app).pyscript
    assert "pyscript/__init__.py" in package and "pyscript/web.py" in package
    # the object PyScript's core embeds and writes file by file, {pyscript:{"__init__.py":...}}
    tree: dict = {}
    for path, text in package.items():
        *folders, name = path.split("/")
        node = tree
        for folder in folders:
            node = node.setdefault(folder, {})
        node[name] = text
    embedded = json.dumps(tree["pyscript"], separators=(",", ":"), ensure_ascii=False)
    assert "{pyscript:" + embedded + "}" in core


def test_the_key_follows_pyscripts_package(app, monkeypatch):
    key = plan_snapshot(app).key
    monkeypatch.setattr(pyb24_snapshot, "_pyscript_package", lambda root: {"pyscript/x.py": ""})
    assert plan_snapshot(app).key != key


def test_the_library_archive_goes_in_as_the_page_fetches_it(app):
    assert plan_snapshot(app).archives == {"./pyb24": b"the library archive"}
    (app / "pyb24.zip").write_bytes(b"the app's own archive")  # what the server sends then
    plan = plan_snapshot(app)
    assert plan.archives == {"./pyb24": b"the app's own archive"}
    (app / "pyb24.zip").unlink()
    assert plan.key != plan_snapshot(app).key


def test_modules_not_imported_get_their_bytecode_kept_and_page_scripts_their_code(app):
    (app / "index.html").write_text(
        '<script type="module" src="./static/pyb24-boot.js"></script>\n'
        '<script type="py" src="./app.py" config="./pyscript.toml"></script>\n'
        '<script type="py" src="./worker.py" worker></script>\n'
        '<py-script src="tab.py"></py-script><script type="py" src="../outside.py"></script>\n'
        '<script type="py" src="https://cdn.example/x.py"></script>'
    )
    for name in ("app.py", "worker.py", "tab.py"):
        (app / name).write_text("print(1)\n")
    (app.parent / "outside.py").write_text("print(1)\n")
    plan = plan_snapshot(app)
    assert "./pyb24/browser.py" in plan.compiled and "./demo_ui.py" in plan.compiled
    assert not set(plan.compiled) & set(plan.files)
    assert plan.scripts == {"app.py": app / "app.py", "tab.py": app / "tab.py"}
    key = plan.key
    (app / "app.py").write_text("print(2)\n")  # checked at run time by its text: no rebuild
    (app / "demo_ui.py").write_text("from pyscript import window\n")  # by its hash
    assert plan_snapshot(app).key == key


def test_the_apps_imports_must_be_module_names(app):
    config = app / "pyscript.toml"
    config.write_text(config.read_text().replace('"time"]', '""]'))
    with pytest.raises(SnapshotBuildError, match="snapshot_imports"):
        plan_snapshot(app)


def test_a_fresh_snapshot_is_not_rebuilt(app, monkeypatch):
    plan = plan_snapshot(app)
    plan.path.parent.mkdir(parents=True)
    plan.path.write_bytes(_pack({"key": plan.key, "pyodide": "314.0.2"}, b"x"))
    plan.path.with_name("pyb24.snapshot.gz").write_bytes(b"")
    monkeypatch.setattr(pyb24_snapshot, "_run_build", lambda plan: pytest.fail("rebuilt"))
    assert pyb24_snapshot.ensure_snapshot(app) == "fresh"


def test_only_pyb24_build_rebuilds_for_an_edit_the_key_leaves_out(app, monkeypatch):
    (app / "index.html").write_text('<script type="py" src="app.py"></script>')
    (app / "app.py").write_text("print(1)\n")
    plan = plan_snapshot(app)
    plan.path.parent.mkdir(parents=True)
    header = {"key": plan.key, "kept": plan.kept_key, "pyodide": "314.0.2"}
    plan.path.write_bytes(_pack(header, b"x"))
    plan.path.with_name("pyb24.snapshot.gz").write_bytes(b"")
    (app / "app.py").write_text("print(2)\n")  # the kept script is now unused
    built = []
    monkeypatch.setattr(pyb24_snapshot, "_run_build", lambda plan: built.append(plan) or 1 / 0)
    assert pyb24_snapshot.ensure_snapshot(app) == "fresh"  # pyb24 dev, the test kit
    with pytest.raises(ZeroDivisionError):
        pyb24_snapshot.ensure_snapshot(app, exact=True)  # pyb24 build
    assert len(built) == 1


def test_a_stale_snapshot_is_rebuilt_and_written_with_its_gzip_twin(app, monkeypatch):
    plan = plan_snapshot(app)
    plan.path.parent.mkdir(parents=True)
    plan.path.write_bytes(_pack({"key": "old"}, b"x"))
    report = {"app_modules": ["pyb24"], "skipped": [], "zeroed": 0}
    monkeypatch.setattr(pyb24_snapshot, "_run_build", lambda plan: ("314.0.2", b"heap", report))
    assert pyb24_snapshot.ensure_snapshot(app) == "built"
    header = read_header(plan.path)
    assert header["key"] == plan.key and header["payload"] == 4
    data = plan.path.read_bytes()
    assert data.endswith(b"heap") and (len(data) - 4) % 16 == 0  # Pyodide reads it as u32s
    import gzip

    assert gzip.decompress(plan.path.with_name("pyb24.snapshot.gz").read_bytes()) == data


def test_read_header_of_something_else_is_none(tmp_path):
    (tmp_path / "x").write_bytes(b"<html>")
    assert read_header(tmp_path / "x") is None
    assert read_header(tmp_path / "missing") is None


@pytest.fixture
def runtime(tmp_path, monkeypatch):
    """The in-snapshot module, with an app module ``snapmod`` imported through it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "snapmod.py").write_text("VALUE = 1\n")
    module = types.ModuleType("_pyb24_snapshot_under_test")
    exec(compile(RUNTIME_SOURCE, "runtime.py", "exec"), module.__dict__)
    yield module
    sys.modules.pop("snapmod", None)


def test_take_records_the_app_modules_it_imported(runtime, tmp_path):
    report = runtime.take(["snapmod"], ["json", "no_such_module_here"], str(tmp_path))
    assert report["app_modules"] == ["snapmod"] and report["skipped"] == ["no_such_module_here"]
    assert "json" in report["modules"]


def test_kept_files_and_their_bytecode_come_back_on_restore(runtime, tmp_path):
    """A memory snapshot holds Python's heap, not the file system: take() keeps the files in
    the heap, restore() writes them back, and their hash-checked bytecode is what imports."""
    (tmp_path / "kept").mkdir()
    (tmp_path / "kept" / "__init__.py").write_text("VALUE = 'kept'\n")
    runtime.take([], [], str(tmp_path), ["kept/__init__.py"])
    pyc = f"kept/__pycache__/__init__.{sys.implementation.cache_tag}.pyc"
    assert sorted(runtime.FILES) == ["kept/__init__.py", pyc]
    shutil.rmtree(tmp_path / "kept")  # a restored page's file system: none of it
    runtime.restore(str(tmp_path))
    data = (tmp_path / pyc).read_bytes()
    assert int.from_bytes(data[4:8], "little") == 0b11  # hash-based, checked on import
    assert data[8:16] == importlib.util.source_hash((tmp_path / "kept/__init__.py").read_bytes())
    assert set(runtime.WRITTEN) == set(runtime.FILES)
    import kept

    assert kept.VALUE == "kept" and kept.__cached__.endswith(pyc)
    sys.modules.pop("kept")


def test_a_module_the_snapshot_does_not_import_gets_its_bytecode_back_on_restore(runtime, tmp_path):
    (tmp_path / "glue.py").write_text("VALUE = 'from the bytecode'\n")
    runtime.take([], [], str(tmp_path), compiled=["glue.py"])
    pyc = f"__pycache__/glue.{sys.implementation.cache_tag}.pyc"
    assert sorted(runtime.FILES) == [pyc] and "glue" not in sys.modules
    shutil.rmtree(tmp_path / "__pycache__")
    runtime.restore(str(tmp_path))  # the bytecode first; the page writes the source later
    assert (tmp_path / pyc).is_file()
    import glue

    assert glue.VALUE == "from the bytecode" and glue.__cached__.endswith(pyc)
    sys.modules.pop("glue")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_an_archive_with_the_bytes_kept_is_written_from_the_heap(runtime, tmp_path):
    data = _zip({"__init__.py": b"A = 1\n", "sub/": b"", "sub/m.py": b"B = 2\n"})
    (tmp_path / "lib.zip").write_bytes(data)
    (tmp_path / "evil.zip").write_bytes(_zip({"../evil.py": b""}))
    runtime.take([], [], str(tmp_path), archives={"./lib": "lib.zip", "./evil": "evil.zip"})
    assert list(runtime.ARCHIVES) == ["lib"]  # a name zipfile would rewrite: Pyodide's to unpack
    assert runtime.unpack(data + b"x", "./lib") is False and not (tmp_path / "lib").exists()
    assert runtime.unpack(data, "./other") is False
    assert runtime.unpack(_Buffer(data), "./lib") is True  # as a JS buffer comes to Python
    assert (tmp_path / "lib/__init__.py").read_bytes() == b"A = 1\n"
    assert (tmp_path / "lib/sub/m.py").read_bytes() == b"B = 2\n"
    assert runtime.UNPACKED == ["lib"]


class _Buffer:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def to_bytes(self) -> bytes:
        return self.data


class _CodeRunner:
    """Pyodide's pyodide.code.CodeRunner as take() uses it (compile once, keep .code)."""

    def __init__(self, source: str, *, filename: str, flags: int) -> None:
        self.source, self.filename, self.flags, self.ast = source, filename, flags, "tree"

    def compile(self):
        self.code = compile(self.source, self.filename, "exec", flags=self.flags)
        return self


def test_a_page_script_runs_the_code_compiled_at_build_time_once(runtime, monkeypatch):
    import ast

    pyodide = types.ModuleType("pyodide")
    pyodide.code = types.SimpleNamespace(CodeRunner=_CodeRunner)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pyodide", pyodide)
    monkeypatch.setitem(sys.modules, "pyodide.code", pyodide.code)
    source = "def main():\n    return 1\nawait something()\n"
    runtime.take([], [], ".", scripts={"app.py": source})
    kept = runtime.SCRIPTS[source]
    assert kept.flags == ast.PyCF_ALLOW_TOP_LEVEL_AWAIT and kept.ast is None
    assert runtime.script(source + "\n", "app.py") is None  # other text: Pyodide compiles it
    runner = runtime.script(source, "myapp/app.py")  # a page served below the root
    assert runner is kept and runner.code.co_filename == "myapp/app.py"
    inner = [c for c in runner.code.co_consts if isinstance(c, types.CodeType)]
    assert [c.co_filename for c in inner] == ["myapp/app.py"]
    assert runtime.script(source, "myapp/app.py") is None  # once


def test_refresh_keeps_unchanged_modules(runtime, tmp_path):
    runtime.take(["snapmod"], [], str(tmp_path))
    before = sys.modules["snapmod"]
    assert runtime.refresh() == []
    assert sys.modules["snapmod"] is before


def test_refresh_forgets_the_app_modules_when_a_file_changed_once(runtime, tmp_path):
    runtime.take(["snapmod"], [], str(tmp_path))
    (tmp_path / "snapmod.py").write_text("VALUE = 2\n")
    assert runtime.refresh() == ["snapmod"]
    assert "snapmod" not in sys.modules
    import snapmod

    assert snapmod.VALUE == 2
    assert runtime.refresh() == []  # only the first call after start-up


def test_refresh_leaves_a_module_whose_file_the_page_lacks(runtime, tmp_path):
    runtime.take(["snapmod"], [], str(tmp_path))
    (tmp_path / "snapmod.py").unlink()
    assert runtime.refresh() == [] and "snapmod" in sys.modules


def test_zero_blocks_are_left_out_of_the_file_and_come_back_on_restore():
    from pyb24_snapshot import BLOCK, fill_zero_blocks, strip_zero_blocks

    block = bytes(range(256)) * (BLOCK // 256)
    zero = bytes(BLOCK)
    # zero blocks at the start, between runs and at the end; a short last block, all zero too
    snapshot = zero + block + block + zero + zero + block + zero + bytes(100)
    runs, payload = strip_zero_blocks(snapshot)
    assert runs == [[1, 2], [5, 1], [7, 1]]
    assert len(payload) == 3 * BLOCK + 100
    assert fill_zero_blocks(len(snapshot), runs, payload) == snapshot
    assert strip_zero_blocks(b"") == ([], b"")
    with pytest.raises(ValueError, match="do not match"):
        fill_zero_blocks(len(snapshot), runs, payload[:-1])


def test_the_built_snapshot_has_no_zero_block_and_restores_to_its_size():
    from pyb24_snapshot import BLOCK, fill_zero_blocks

    path = ROOT / "static/vendor/pyb24/pyb24.snapshot"
    header = read_header(path)
    if header is None:
        pytest.skip("no snapshot built in this checkout (./dev test builds it)")
    data = path.read_bytes()
    payload = data[len(data) - header["payload"] :]
    memory = fill_zero_blocks(header["size"], header["runs"], payload)
    assert header["format"] == 2 and len(memory) == header["size"] > len(payload)
    stored = [payload[i : i + BLOCK] for i in range(0, len(payload), BLOCK)]
    assert bytes(BLOCK) not in stored[:-1]
    # free malloc chunks and the unused stack were zeroed: megabytes the file leaves out
    assert header["zeroed"] > 2_000_000 and header["payload"] < 17_000_000


def test_a_build_says_what_it_does_and_how_long_before_it_starts(app, monkeypatch):
    """Issue 15 item 6: a first run is not silent for a minute; a fresh snapshot says nothing."""
    heard = []
    report = {"app_modules": ["pyb24"], "skipped": [], "zeroed": 0}

    def run(plan):
        assert len(heard) == 1  # said before the build, not after
        return "314.0.2", b"heap", report

    monkeypatch.setattr(pyb24_snapshot, "_run_build", run)
    assert pyb24_snapshot.ensure_snapshot(app, say=heard.append) == "built"
    assert "building the start-up snapshot" in heard[0] and "about a minute" in heard[0]
    assert pyb24_snapshot.ensure_snapshot(app, say=heard.append) == "fresh" and len(heard) == 1
