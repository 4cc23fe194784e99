"""Which file answers a URL on the app origin, and which files changed since the last look.

The app folder is served whole — every file and every page — except dot-files and
dot-folders, and never anything outside it (``..`` and symlinks that leave the folder are
refused). What the folder does not have of the app-relative URL layout (``/pyb24.zip``,
``/pyb24/*.py``, ``/static/pyb24-boot.js``, ``/static/vendor/**``) comes from the
installation (``pyb24_toolkit.assets.shipped_file``), so an app folder needs only its own
files. Pure file-system logic: no HTTP here.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from pyb24_toolkit.assets import shipped_file

# Never part of the app a person edits and ships: its tests, tooling, caches and notes
# (nor dot-files, log files, another app's folder or an earlier build: see is_not_app).
# Still served by the emulator; not watched, not built.
NOT_APP = frozenset(
    {
        "tests",
        "__pycache__",
        "node_modules",
        "conftest.py",
        "pytest.ini",
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "tox.ini",
        "package.json",
        "package-lock.json",
        "README.md",
    }
)
NOT_APP_SUFFIXES = (".log", ".egg-info")


def is_not_app(path: Path, root: Path) -> bool:
    """Whether ``path`` (a file or folder under the app folder ``root``) is none of the app's
    own content: a dot-name, a NOT_APP name, a log file, or a folder that is another app
    (its own index.html and pyscript.toml, as the pytest plugin finds apps) or an earlier
    pyb24 build (pyb24.zip and static/pyb24-boot.js)."""
    name = path.name
    if name.startswith(".") or name in NOT_APP or name.endswith(NOT_APP_SUFFIXES):
        return True
    if path == root or not path.is_dir():
        return False
    app = (path / "index.html").is_file() and (path / "pyscript.toml").is_file()
    build = (path / "pyb24.zip").is_file() and (path / "static" / "pyb24-boot.js").is_file()
    return app or build


class EmulatorError(Exception):
    """Something the person can fix (a folder, a port): the message says what and how."""


class AppFolderError(EmulatorError):
    """The app folder cannot be served; the message says why and what to do."""


# Where the app-relative layout's files come from when the app folder lacks them: given
# "pyb24.zip", "pyb24/rest.py", "static/pyb24-boot.js", "static/vendor/...", the
# installation's file, else None (the installation's rule: pyb24_toolkit.assets).
Shipped = Callable[[str], Path | None]


def check_app_folder(root: str | os.PathLike[str]) -> Path:
    """The app folder, resolved; :class:`AppFolderError` when it is missing or has no page."""
    folder = Path(root).expanduser()
    if not folder.exists():
        raise AppFolderError(f"app folder {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise AppFolderError(f"{str(folder)!r} is not a folder: give the folder holding index.html")
    if not (folder / "index.html").is_file():
        raise AppFolderError(
            f"app folder {str(folder)!r} has no index.html: it is the page the portal opens "
            "(create one with `pyb24 new DIR`, or give the folder that holds it)"
        )
    return folder.resolve()


class AppFiles:
    """Maps URL paths of the app origin to files: the app folder first, then the installation."""

    def __init__(
        self,
        root: str | os.PathLike[str],
        shipped: Shipped | None = None,
        hidden: Iterable[Path] = (),
    ) -> None:
        self.root = Path(root).resolve()
        self.shipped = shipped or shipped_file
        # Never served although inside the folder: the emulator's own database (and the
        # journal files SQLite keeps beside it), which holds live tokens.
        self._hidden = frozenset(
            Path(str(Path(p).resolve()) + suffix)
            for p in hidden
            for suffix in ("", "-journal", "-wal", "-shm")
        )

    def is_hidden(self, file: Path) -> bool:
        """Whether ``file`` (resolved) is one the emulator keeps to itself (its database)."""
        return file in self._hidden

    def resolve(self, url_path: str) -> Path | None:
        """The file for an (already percent-decoded) URL path, or None: answer 404."""
        parts = _parts(url_path)
        if parts is None:
            return None
        try:
            return self._resolve(parts)
        except OSError:  # a path the file system refuses (a loop of links…) names no file
            return None

    def _resolve(self, parts: list[str]) -> Path | None:
        own = _inside(self.root, parts)
        if own is None:
            return None  # leads out of the folder
        if own.is_file():
            return None if self.is_hidden(own) else own
        if own.exists() or _is_link(self.root, parts):
            return None  # a folder, a dangling link: the installation does not stand in
        return self.shipped("/".join(parts))


def file_in(base: Path, relative: str) -> Path | None:
    """The file ``relative`` (a ``/``-separated, decoded path) names inside ``base``, or None
    for anything that is not such a file (a folder, a dot-name, a way out of ``base``)."""
    parts = _parts(relative)
    file = _inside(base, parts) if parts is not None else None
    return file if file is not None and file.is_file() else None


NAME_MAX = 255  # bytes in one file name (Linux, macOS, Windows)


def _parts(url_path: str) -> list[str] | None:
    """The path's segments; None for anything suspicious or hidden (dot-names, ``..``)."""
    relative = url_path.removeprefix("/")
    if not relative or "\\" in relative or "\x00" in relative:
        return None
    parts = relative.split("/")
    if any(part == "" or part.startswith(".") for part in parts):
        return None  # "", ".", "..", ".git", ".env": never
    if any(len(part.encode("utf-8", "surrogatepass")) > NAME_MAX for part in parts):
        return None  # longer than any file name can be
    return parts


def _inside(base: Path, parts: list[str]) -> Path | None:
    """``base/parts`` resolved (symlinks followed) if it stays inside ``base``, else None."""
    base = base.resolve()
    candidate = base.joinpath(*parts).resolve()
    if candidate != base and base not in candidate.parents:
        return None  # a symlink that leads out of the folder
    return candidate


def _is_link(base: Path, parts: list[str]) -> bool:
    """Whether ``base/parts`` or one of its parent folders is a symlink (served or not, it
    is the app's own entry: never replaced by the installation's file)."""
    path = base
    for part in parts:
        path = path / part
        if path.is_symlink():
            return True
    return False


# -- the watcher (reload on save) -------------------------------------------------------------


Snapshot = dict[str, tuple[int, int]]


def snapshot(root: Path, skip: Callable[[Path], bool] = lambda path: False) -> Snapshot:
    """``{relative path: (mtime_ns, size)}`` of the files a person edits under ``root``
    (not what :func:`is_not_app` says: tests, caches, logs, builds…; not editor temporaries,
    nor what ``skip`` says). So nothing the app's run writes (a log, a test's output, the
    emulator's database) can make the dev server reload, and reload again."""
    files: Snapshot = {}
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs[:] = [d for d in dirs if not is_not_app(here / d, root)]
        for name in names:
            if is_not_app(here / name, root) or _EDITOR_TEMP.search(name):
                continue
            path = os.path.join(folder, name)
            if skip(Path(path).resolve()):
                continue
            try:
                stat = os.stat(path)
            except OSError:
                continue  # removed while we looked
            relative = os.path.relpath(path, root).replace(os.sep, "/")
            files[relative] = (stat.st_mtime_ns, stat.st_size)
    return files


_EDITOR_TEMP = re.compile(r"~$|\.sw[a-p]$|^#.*#$|\.tmp$")


class Watcher:
    """Notices added, removed and modified files of a folder by comparing snapshots.

    :meth:`check` looks once (tests call it: no sleeps); :meth:`start` looks every
    ``interval`` seconds in a daemon thread and calls ``on_change(paths)`` after a change.
    """

    def __init__(
        self,
        root: Path,
        on_change: Callable[[list[str]], None],
        skip: Callable[[Path], bool] = lambda path: False,
    ) -> None:
        self.root = root
        self.on_change = on_change
        self.skip = skip  # e.g. the emulator's own database, which changes on every write
        self._lock = threading.Lock()
        self._last = snapshot(root, skip)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> list[str]:
        """The paths changed since the previous check (sorted); calls ``on_change`` if any."""
        with self._lock:
            now = snapshot(self.root, self.skip)
            changed = sorted(
                path
                for path in now.keys() | self._last.keys()
                if now.get(path) != self._last.get(path)
            )
            self._last = now
        if changed:
            self.on_change(changed)
        return changed

    def start(self, interval: float) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._run, args=(interval,), name="portal-emulator-watcher", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.check()
            except Exception:  # noqa: BLE001 - a watcher hiccup must not end the dev server
                continue
