"""The Python side of the pyb24 memory snapshot; it lives *inside* the snapshot.

The snapshot build page runs this source as the module ``_pyb24_snapshot`` in a fresh Pyodide
(no file on disk) and calls :func:`take`; the page's boot calls :func:`restore` right after the
restore, :func:`unpack` for each archive PyScript's ``[files]`` unpacks, and :func:`refresh`
once PyScript has written the page's ``[files]``. Pure Python (no
``js``/``pyodide``): unit-tested under CPython.

Why :func:`refresh`: a restored snapshot already holds pyb24's modules (and the app's) in
``sys.modules``, so ``import`` would not read the files the page ships. When one of them
differs from what the snapshot was built from (a module edited since the last build), every
module the snapshot loaded from the app's files is forgotten, and the next import reads the
files the page really has. Stdlib modules stay: they come with the Pyodide version, which the
page checks before it restores anything.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import io
import os
import py_compile
import sys
import types
import zipfile
from typing import Any

# module name -> (absolute source path, sha256 of its bytes) for modules loaded from app files
SOURCES: dict[str, tuple[str, str]] = {}
# path relative to the app folder -> bytes: files :func:`restore` writes back. A memory snapshot
# holds Python's heap but not Emscripten's file system, so files written at build time are gone
# on a restored page; these (PyScript's package and its bytecode) live in the heap instead.
FILES: dict[str, bytes] = {}
# path -> st_mtime just after restore() wrote it (tells whether someone wrote it again since)
WRITTEN: dict[str, float] = {}
# [files] archive target folder (normalised: "pyb24") -> (the archive's bytes, its members:
# name -> bytes), for unpack(); and the folders unpack() wrote, in order
ARCHIVES: dict[str, tuple[bytes, dict[str, bytes]]] = {}
UNPACKED: list[str] = []
# a page script's source -> Pyodide's CodeRunner for it, compiled at build time (script())
SCRIPTS: dict[str, Any] = {}
_refreshed = False


def _digest(path: str) -> str | None:
    try:
        with open(path, "rb") as stream:
            return hashlib.sha256(stream.read()).hexdigest()
    except OSError:
        return None


def take(
    imports: list[str],
    optional: list[str],
    app_dir: str,
    kept: list[str] | None = None,
    archives: dict[str, str] | None = None,
    compiled: list[str] | None = None,
    scripts: dict[str, str] | None = None,
) -> dict[str, list[str]]:
    """Build time: import ``imports`` (errors propagate: the build fails) and whatever of
    ``optional`` this Python has; remember the source of every module under ``app_dir``;
    keep the ``kept`` files (relative to ``app_dir``) and their bytecode for :func:`restore`,
    the bytecode alone of the ``compiled`` ones (modules the page's [files] bring but the
    snapshot does not import: the page writes the source, the import finds its bytecode),
    each of ``archives`` (target folder -> the zip file's path) for :func:`unpack`, and each
    of ``scripts`` (the page's name for it -> source) compiled for :func:`script`."""
    for file in compiled or []:
        FILES.update(_bytecode(os.path.join(app_dir, file), app_dir))
    for target, archive_path in (archives or {}).items():
        with open(archive_path, "rb") as stream:
            data = stream.read()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {info.filename: archive.read(info) for info in archive.infolist()}
        if any(name.startswith("/") or ".." in name.split("/") for name in members):
            continue  # zipfile would rewrite such a name: left to Pyodide's unpack
        ARCHIVES[os.path.normpath(target)] = (data, members)
    for file in kept or []:
        path = os.path.join(app_dir, file)
        with open(path, "rb") as stream:
            FILES[os.path.relpath(path, app_dir)] = stream.read()
        FILES.update(_bytecode(path, app_dir))
    if scripts:
        import ast

        from pyodide.code import CodeRunner  # the build page's Pyodide, as eval_code_async

        for name, source in scripts.items():
            runner = CodeRunner(source, filename=name, flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
            runner.compile().ast = None  # the code is what runs; the tree would only weigh
            SCRIPTS[source] = runner
    for name in imports:
        importlib.import_module(name)
    skipped = []
    for name in optional:
        try:
            importlib.import_module(name)
        except ImportError:
            skipped.append(name)
    prefix = os.path.join(os.path.abspath(app_dir), "")
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if isinstance(file, str) and os.path.abspath(file).startswith(prefix):
            digest = _digest(file)
            if digest is not None:
                SOURCES[name] = (os.path.abspath(file), digest)
    importlib.invalidate_caches()
    return {"app_modules": sorted(SOURCES), "skipped": skipped, "modules": sorted(sys.modules)}


def _bytecode(path: str, app_dir: str) -> dict[str, bytes]:
    """The bytecode of the source at ``path``, checked by the source's hash (valid while the
    text is the same, else the import compiles the source), by its path under ``app_dir``."""
    bytecode = importlib.util.cache_from_source(path)
    py_compile.compile(
        path,
        cfile=bytecode,
        doraise=True,
        invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
    )
    with open(bytecode, "rb") as stream:
        return {os.path.relpath(bytecode, app_dir): stream.read()}


def script(source: str, filename: str) -> Any:
    """Run time, for a page script PyScript runs (Pyodide's eval_code_async, which parses
    and compiles it each time): the CodeRunner compiled at build time for this very source,
    its code named ``filename`` as the page names the script; once. None: not kept (Pyodide
    compiles it as usual)."""
    runner = SCRIPTS.pop(source, None)
    if runner is not None and runner.code.co_filename != filename:
        runner.code = _renamed(runner.code, filename)
    return runner


def _renamed(code: types.CodeType, filename: str) -> types.CodeType:
    consts = tuple(
        _renamed(const, filename) if isinstance(const, types.CodeType) else const
        for const in code.co_consts
    )
    return code.replace(co_filename=filename, co_consts=consts)


def restore(app_dir: str = ".") -> None:
    """Run time, right after the snapshot is restored (before PyScript runs anything): write
    :data:`FILES` back, so ``import pyscript`` finds its bytecode and compiles nothing."""
    for relative, data in FILES.items():
        path = os.path.join(app_dir, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as stream:
            stream.write(data)
        WRITTEN[relative] = os.stat(path).st_mtime


def unpack(data: object, extract_dir: str) -> bool:
    """Run time, for an archive PyScript's ``[files]`` unpacks into ``extract_dir``: when
    ``data`` (bytes, or a buffer with ``to_bytes()``) is, byte for byte, the archive kept for
    that folder, write its members there and return True; else False (Pyodide unpacks it)."""
    folder = os.path.normpath(extract_dir)
    if folder not in ARCHIVES:
        return False
    to_bytes = getattr(data, "to_bytes", None)
    raw = to_bytes() if callable(to_bytes) else bytes(data)  # type: ignore[call-overload]
    archive, members = ARCHIVES[folder]
    if raw != archive:
        return False
    for name, content in members.items():
        path = os.path.join(folder, name)
        if name.endswith("/"):
            os.makedirs(path, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as stream:
            stream.write(content)
    UNPACKED.append(folder)
    return True


def refresh() -> list[str]:
    """Run time, after the page's files are written: the app modules whose file now differs
    from the snapshot's copy (then all app modules are forgotten). Missing files are left
    alone: the snapshot's module is all such a page has. Only the first call does anything."""
    global _refreshed
    if _refreshed:
        return []
    _refreshed = True
    importlib.invalidate_caches()  # the page's files are newer than the snapshot's caches
    changed = [
        name
        for name, (path, digest) in sorted(SOURCES.items())
        if (now := _digest(path)) is not None and now != digest
    ]
    if changed:
        for name in SOURCES:
            sys.modules.pop(name, None)
    return changed
