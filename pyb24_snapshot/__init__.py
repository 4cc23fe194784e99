"""Build the pyb24 memory snapshot that lets a pyb24 page start in a fraction of a second.

    python -m pyb24_snapshot [APP_DIR] [--force]

``ensure_snapshot(root)`` (re)builds ``<root>/static/vendor/pyb24/pyb24.snapshot`` (plus its
gzip twin ``pyb24.snapshot.gz``) when it is missing or stale, and does nothing otherwise. The
snapshot is keyed by the pinned Pyodide (its version and runtime files) and the content of
everything it imports, so any change there rebuilds it.

What goes in (one place each, nothing hand-kept twice):
- pyb24's pure modules: every module of the installed ``pyb24`` package that imports no
  ``js``/``pyodide``/``pyscript`` at module level, directly or through another (so not
  ``browser.py``), with the stdlib modules they import; pages get them at ``./pyb24/…``;
- the stdlib modules PyScript's own Python package imports (read from its sources in
  ``node_modules/@pyscript/core``), so ``import pyscript`` finds them loaded;
- the app's own pure imports: ``[pyb24] snapshot_imports = [...]`` in ``pyscript.toml``.

The build is a headless Chromium run of ``build.html`` (beside this file) against a
throw-away local HTTP server; see README "Start-up snapshot".
"""

from __future__ import annotations

import ast
import gzip
import hashlib
import json
import os
import struct
import sys
import threading
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

__all__ = [
    "SnapshotBuildError",
    "SnapshotPlan",
    "ensure_snapshot",
    "fill_zero_blocks",
    "plan_snapshot",
    "read_header",
    "strip_zero_blocks",
]

HERE = Path(__file__).resolve().parent
BUILD_PAGE = HERE / "build.html"
RUNTIME = HERE / "runtime.py"
SNAPSHOT_DIR = Path("static/vendor/pyb24")
SNAPSHOT_NAME = "pyb24.snapshot"
PYODIDE_DIR = Path("static/vendor/pyodide")
PYSCRIPT_PYTHON = Path("node_modules/@pyscript/core/src/stdlib/pyscript")
# Files of the pinned Pyodide whose bytes are the runtime a snapshot belongs to.
PYODIDE_RUNTIME = ("pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "package.json")
BROWSER_ONLY = frozenset({"js", "pyodide", "pyscript", "_pyscript", "polyscript"})

# File layout (read by static/pyb24-pyodide.mjs): MAGIC, u32 LE header length, the header
# (JSON, space-padded so the payload starts on a 16-byte boundary), then Pyodide's snapshot
# without its all-zero 64 KiB blocks (about 14 of its 31 MB): the header's ``runs`` list the
# blocks kept, ``[first block, count]``, in order, and ``size`` the snapshot's full length.
MAGIC = b"pyb24-snapshot1\n"
FORMAT = 2
BLOCK = 65536
BUILD_TIMEOUT_S = 300


class SnapshotBuildError(RuntimeError):
    """The snapshot could not be built (the pages then boot without one)."""


@dataclass(frozen=True)
class SnapshotPlan:
    root: Path
    pyodide_dir: Path  # the pinned Pyodide the app's pages load
    pyodide_version: str
    files: dict[str, Path]  # [files] target ("./pyb24/rest.py") -> source file
    imports: list[str]  # must import (pyb24's pure modules, the app's snapshot_imports)
    optional: list[str]  # imported when this Pyodide has them (PyScript's stdlib needs)
    key: str

    @property
    def path(self) -> Path:
        return self.root / SNAPSHOT_DIR / SNAPSHOT_NAME


def _top_level_imports(source: str) -> set[str]:
    """Absolute module names and ``.relative`` names imported at module level (not in defs)."""
    found: set[str] = set()
    tree = ast.parse(source)
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                dots = "." * node.level
                found.update(
                    [dots + node.module] if node.module else [dots + a.name for a in node.names]
                )
            else:
                found.add(node.module or "")
        else:
            pending.extend(ast.iter_child_nodes(node))
    return found


def _resolve(name: str, is_package: bool, imported: str) -> str:
    """The absolute name of ``imported`` (maybe ``.relative``) as module ``name`` sees it."""
    if not imported.startswith("."):
        return imported
    dots = len(imported) - len(imported.lstrip("."))
    base = name.split(".") if is_package else name.split(".")[:-1]
    base = base[: len(base) - (dots - 1)] if dots > 1 else base
    rest = imported.lstrip(".")
    return ".".join([*base, rest] if rest else base)


def _pure_modules(files: dict[str, Path]) -> list[str]:
    """Modules among ``files`` (target -> source) that import nothing of the browser at
    module level, directly or through another of them (``pyb24.browser`` is left out so)."""
    imports: dict[str, set[str]] = {}
    for target, source in files.items():
        name = _module_of(target)
        if name is not None:
            is_package = target.endswith("/__init__.py")
            found = _top_level_imports(source.read_text(encoding="utf-8"))
            imports[name] = {_resolve(name, is_package, need) for need in found}
    impure: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, needs in imports.items():
            if name not in impure and any(
                need.split(".")[0] in BROWSER_ONLY
                or need in impure
                or any(need.startswith(bad + ".") for bad in impure)
                for need in needs
            ):
                impure.add(name)
                changed = True
    return sorted(name for name in imports if name not in impure)


def _pyscript_stdlib_needs(root: Path) -> list[str]:
    # PyScript's Python sources: the app's node_modules, else the runtime cache's (toolkit).
    from pyb24_toolkit.assets import npm_modules_dir

    candidates = (root / PYSCRIPT_PYTHON, npm_modules_dir().parent / PYSCRIPT_PYTHON)
    folder = next((f for f in candidates if f.is_dir()), None)
    names: set[str] = set()
    for file in sorted(folder.glob("*.py")) if folder else []:
        names.update(_top_level_imports(file.read_text(encoding="utf-8")))
    # pathlib and os: PyScript writes its package with them before the first script runs.
    names.update({"os", "pathlib"})
    return sorted(
        name
        for name in names
        if not name.startswith(".") and name.split(".")[0] in sys.stdlib_module_names
    )


def _module_of(target: str) -> str | None:
    """The module a [files] target holds: "./pyb24/rest.py" -> "pyb24.rest"."""
    parts = Path(target.removeprefix("./")).parts
    if not parts or not parts[-1].endswith(".py") or ".." in parts:
        return None
    names = [*parts[:-1], parts[-1].removesuffix(".py")]
    return ".".join(names[:-1] if names[-1] == "__init__" else names)


def _wanted(module: str, pure: list[str], app_imports: list[str]) -> bool:
    """Its file goes to the build: a module imported, inside an imported package, or a
    package around one."""
    if module in pure:
        return True
    return any(
        module == name or module.startswith(name + ".") or name.startswith(module + ".")
        for name in app_imports
    )


def _library_files() -> dict[str, Path]:
    """``./pyb24/…`` target -> source for every module of the installed browser library."""
    from pyb24_toolkit.assets import library_files

    return {"./" + relative: file for relative, file in library_files().items()}


def _vendor_dir(root: Path) -> Path:
    """The runtime the app's pages load: its own static/vendor/, else the installation's."""
    if (root / PYODIDE_DIR / "package.json").is_file():
        return root / PYODIDE_DIR.parent
    from pyb24_toolkit.assets import runtime_dir

    return runtime_dir()


def plan_snapshot(root: str | os.PathLike[str]) -> SnapshotPlan:
    """What the snapshot of the app in ``root`` holds, and its key."""
    root = Path(root).resolve()
    config = tomllib.loads((root / "pyscript.toml").read_text(encoding="utf-8"))
    pyodide_dir = _vendor_dir(root) / "pyodide"
    package = pyodide_dir / "package.json"
    if not package.is_file():
        raise SnapshotBuildError(f"{package} is missing: install the runtime assets first")
    pyodide_version = json.loads(package.read_text(encoding="utf-8"))["version"]

    library = _library_files()  # the pyb24 package itself: no list to keep
    pure = _pure_modules(library)
    app_imports = list(config.get("pyb24", {}).get("snapshot_imports", []))
    if not all(isinstance(name, str) and name for name in app_imports):
        raise SnapshotBuildError("[pyb24] snapshot_imports must be a list of module names")
    imports = pure + [name for name in app_imports if name not in pure]
    # The app's own modules, where its pages get them: [files] (sources relative to root).
    mapped = {
        target: (root / source).resolve()
        for source, target in config.get("files", {}).items()
        if target.endswith(".py") and not target.startswith("./pyb24/")
    }
    files = {
        target: source
        for target, source in {**mapped, **library}.items()
        if _module_of(target) is not None and _wanted(_module_of(target), pure, app_imports)
    }
    optional = [name for name in _pyscript_stdlib_needs(root) if name not in imports]

    digest = hashlib.sha256()

    def feed(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    feed("format", str(FORMAT).encode())
    feed("pyodide", pyodide_version.encode())
    for name in PYODIDE_RUNTIME:
        feed(name, (pyodide_dir / name).read_bytes())
    for name in (BUILD_PAGE, RUNTIME):
        feed(name.name, name.read_bytes())
    for target in sorted(files):
        feed(target, files[target].read_bytes())
    feed("imports", json.dumps([imports, optional]).encode())
    return SnapshotPlan(
        root, pyodide_dir, pyodide_version, files, imports, optional, digest.hexdigest()
    )


def read_header(path: str | os.PathLike[str]) -> dict | None:
    """The JSON header of a snapshot file, or None when it is not one."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(len(MAGIC) + 4)
            if len(head) < len(MAGIC) + 4 or head[: len(MAGIC)] != MAGIC:
                return None
            (length,) = struct.unpack("<I", head[len(MAGIC) :])
            return json.loads(stream.read(length))
    except (OSError, ValueError):
        return None


def ensure_snapshot(
    root: str | os.PathLike[str] = ".",
    *,
    force: bool = False,
    say: Callable[[str], None] = lambda _text: None,
) -> str:
    """Build the app's snapshot when it is missing or stale: ``"fresh"`` or ``"built"``;
    ``say`` hears one line before a build starts (it takes a while).

    Raises :class:`SnapshotBuildError` when it cannot (pages then boot without a snapshot).
    """
    plan = plan_snapshot(root)
    header = read_header(plan.path)
    gz = plan.path.with_name(plan.path.name + ".gz")
    if not force and header and header.get("key") == plan.key and gz.is_file():
        return "fresh"
    say(
        "building the start-up snapshot in headless Chromium: about a minute on a quiet "
        "machine, once per change of the app's pure modules (--no-snapshot skips it)"
    )
    version, snapshot, report = _run_build(plan)
    runs, payload = strip_zero_blocks(snapshot)
    header = {
        "format": FORMAT,
        "pyodide": version,
        "key": plan.key,
        "size": len(snapshot),
        "runs": runs,
        "payload": len(payload),
        "imports": plan.imports,
        "app_modules": report["app_modules"],
        "skipped": report["skipped"],
    }
    _write(plan.path, _pack(header, payload))
    return "built"


def strip_zero_blocks(snapshot: bytes) -> tuple[list[list[int]], bytes]:
    """The snapshot without its all-zero ``BLOCK``-sized blocks: the runs of blocks kept
    (``[first, count]``) and their bytes. The last block may be short; it is always kept."""
    zero = bytes(BLOCK)
    runs: list[list[int]] = []
    kept = []
    for block, at in enumerate(range(0, len(snapshot), BLOCK)):
        piece = snapshot[at : at + BLOCK]
        if piece == zero:
            continue
        if runs and runs[-1][0] + runs[-1][1] == block:
            runs[-1][1] += 1
        else:
            runs.append([block, 1])
        kept.append(piece)
    return runs, b"".join(kept)


def fill_zero_blocks(size: int, runs: list[list[int]], payload: bytes) -> bytes:
    """The snapshot again from :func:`strip_zero_blocks`' runs and bytes (the page's
    ``receive`` in static/pyb24-pyodide.mjs does the same in the browser)."""
    memory = bytearray(size)
    at = 0
    for first, count in runs:
        start = first * BLOCK
        length = min(count * BLOCK, size - start)
        if length <= 0 or at + length > len(payload):
            raise ValueError("the runs do not match the payload")
        memory[start : start + length] = payload[at : at + length]
        at += length
    if at != len(payload):
        raise ValueError("the runs do not match the payload")
    return bytes(memory)


def _pack(header: dict, payload: bytes) -> bytes:
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-(len(MAGIC) + 4 + len(text)) % 16)
    return MAGIC + struct.pack("<I", len(text)) + text + payload


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    gz = path.with_name(path.name + ".gz")
    for target, body in ((path, data), (gz, gzip.compress(data, compresslevel=6, mtime=0))):
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(body)
        os.replace(partial, target)  # the .gz last and newer: servers prefer a fresh twin


# -- the build run -------------------------------------------------------------------------


def _run_build(plan: SnapshotPlan) -> tuple[str, bytes, dict]:
    from playwright.sync_api import sync_playwright  # dev dependency; imported when building

    from portal_emulator.chromium import launch_chromium

    server = _BuildServer(plan)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{server.server_port}/build/build.html")
                result = page.evaluate("window.buildResult", None)
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    if not result.get("ok"):
        raise SnapshotBuildError(f"the build page failed: {result.get('error')}")
    if server.snapshot is None:
        raise SnapshotBuildError("the build page posted no snapshot")
    return result["version"], server.snapshot, result["report"]


CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".wasm": "application/wasm",
    ".json": "application/json",
}


class _BuildServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, plan: SnapshotPlan) -> None:
        self.plan = plan
        self.snapshot: bytes | None = None
        sources = sorted(plan.files.items())
        self.routes: dict[str, Path] = {
            "/build/build.html": BUILD_PAGE,
            "/build/runtime.py": RUNTIME,
            **{f"/build/file/{i}": source for i, (_, source) in enumerate(sources)},
            **{
                f"/pyodide/{name}": plan.pyodide_dir / name
                for name in ("pyodide.mjs", "pyodide-lock.json", *PYODIDE_RUNTIME)
            },
        }
        self.spec = json.dumps(
            {
                "indexURL": "/pyodide/",
                "files": {target: f"./file/{i}" for i, (target, _) in enumerate(sources)},
                "imports": plan.imports,
                "optional": plan.optional,
            }
        ).encode()
        super().__init__(("127.0.0.1", 0), _BuildHandler)


class _BuildHandler(BaseHTTPRequestHandler):
    server: _BuildServer

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path == "/build/spec.json":
            body, kind = self.server.spec, "application/json"
        elif path in self.server.routes:
            file = self.server.routes[path]
            body = file.read_bytes()
            kind = CONTENT_TYPES.get(file.suffix, "application/octet-stream")
        else:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        self._reply(200, body, kind)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        data = self.rfile.read(length)
        if self.path != "/build/snapshot" or len(data) != length:
            self.send_error(HTTPStatus.BAD_REQUEST)
            return
        self.server.snapshot = data
        self._reply(204, b"", "text/plain")

    def _reply(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
        pass
