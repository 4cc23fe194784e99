"""The Python side of the pyb24 memory snapshot; it lives *inside* the snapshot.

The snapshot build page runs this source as the module ``_pyb24_snapshot`` in a fresh Pyodide
(no file on disk) and calls :func:`take`; the page's boot calls :func:`restore` right after the
restore and :func:`refresh` once PyScript has written the page's ``[files]``. Pure Python (no
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
import os
import py_compile
import sys

# module name -> (absolute source path, sha256 of its bytes) for modules loaded from app files
SOURCES: dict[str, tuple[str, str]] = {}
# path relative to the app folder -> bytes: files :func:`restore` writes back. A memory snapshot
# holds Python's heap but not Emscripten's file system, so files written at build time are gone
# on a restored page; these (PyScript's package and its bytecode) live in the heap instead.
FILES: dict[str, bytes] = {}
# path -> st_mtime just after restore() wrote it (tells whether someone wrote it again since)
WRITTEN: dict[str, float] = {}
_refreshed = False


def _digest(path: str) -> str | None:
    try:
        with open(path, "rb") as stream:
            return hashlib.sha256(stream.read()).hexdigest()
    except OSError:
        return None


def take(
    imports: list[str], optional: list[str], app_dir: str, kept: list[str] | None = None
) -> dict[str, list[str]]:
    """Build time: import ``imports`` (errors propagate: the build fails) and whatever of
    ``optional`` this Python has; remember the source of every module under ``app_dir``;
    keep the ``kept`` files (relative to ``app_dir``) and their bytecode for :func:`restore`."""
    for file in kept or []:
        path = os.path.join(app_dir, file)
        bytecode = importlib.util.cache_from_source(path)
        py_compile.compile(  # checked by the source's hash: valid while the text is the same
            path,
            cfile=bytecode,
            doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
        )
        for name in (path, bytecode):
            with open(name, "rb") as stream:
                FILES[os.path.relpath(name, app_dir)] = stream.read()
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


def restore(app_dir: str = ".") -> None:
    """Run time, right after the snapshot is restored (before PyScript runs anything): write
    :data:`FILES` back, so ``import pyscript`` finds its bytecode and compiles nothing."""
    for relative, data in FILES.items():
        path = os.path.join(app_dir, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as stream:
            stream.write(data)
        WRITTEN[relative] = os.stat(path).st_mtime


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
