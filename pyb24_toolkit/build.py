"""``pyb24 build DIR -o dist/``: the folder to upload to a static host.

dist/ = the app's own files + what the fixed URL layout promises from the installation:
``pyb24.zip`` and ``pyb24/<module>.py`` (the library), ``static/<boot files>`` and
``static/vendor/…`` (the pinned runtime, or with ``cdn=True`` the same pinned versions from
jsDelivr). The result is checked: nothing may point at localhost or outside the folder.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import assets, compress
from .appdir import app_files, checked_app_dir, configs, read_config
from .errors import ToolError

SKIPPED_SUFFIXES = (".pyc", ".sqlite3")
TEXT_SUFFIXES = (".html", ".htm", ".js", ".mjs", ".css", ".py", ".toml", ".json", ".txt", ".svg")
LOCAL_HOSTS = re.compile(r"\b(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])\b", re.IGNORECASE)
# src="…", href="…" and import("…") / from "…" in pages and scripts.
REFERENCE = re.compile(r"""(?:\b(?:src|href)\s*=\s*|\bimport\s*\(\s*|\bfrom\s+)["']([^"']+)["']""")


@dataclass
class BuildResult:
    out: Path
    files: int
    size: int  # bytes

    def summary(self) -> str:
        return f"{self.out}: {self.files} files, {self.size / 1e6:.1f} MB"


def build(
    app: str | Path, out: str | Path, *, cdn: bool = False, snapshot: bool = True, say=print
) -> BuildResult:
    folder = checked_app_dir(app)
    target = Path(out).expanduser().resolve()
    _check_target(folder, target)
    # The runtime is needed even with cdn: the snapshot is built against the same pinned
    # Pyodide, and lands in the app's static/vendor/pyb24/ (so it ships as an app file).
    runtime: Path | None = assets.prepare_app(folder, say, snapshot=snapshot, exact=True)
    if cdn:
        runtime = None

    staging = target.with_name(f".{target.name}.building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        app_files = _copy_app(folder, staging, skip=target)
        _add_installation(staging, app_files, runtime)
        _name_snapshot_by_content(staging, app_files)
        if (staging / "static" / "vendor").is_dir():  # the runtime and the snapshot
            compress.write_twins(staging / "static" / "vendor", assets.cache_root() / "twins")
        if cdn:
            _point_at_cdn(staging)
        _check(staging)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    files = [p for p in target.rglob("*") if p.is_file()]
    return BuildResult(target, len(files), sum(p.stat().st_size for p in files))


def _check_target(folder: Path, target: Path) -> None:
    if target == folder or target in folder.parents:
        raise ToolError(f"-o {target} would replace the app itself: choose a folder for the build")
    if target.exists() and not target.is_dir():
        raise ToolError(f"-o {target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not _is_build(target):
        raise ToolError(
            f"-o {target} is not empty and is not an earlier pyb24 build: "
            "choose a new folder (pyb24 build replaces its own output only)"
        )


def _is_build(folder: Path) -> bool:
    return (folder / "static" / "pyb24-boot.js").is_file() and (
        folder / assets.LIBRARY_ARCHIVE
    ).is_file()


def _copy_app(folder: Path, staging: Path, skip: Path) -> set[str]:
    copied = set()
    unlisted = _unlisted_package(folder)
    for file in app_files(folder, skip=skip):
        relative = file.relative_to(folder)
        if not file.is_file() or file.suffix in SKIPPED_SUFFIXES or unlisted(file):
            continue
        resolved = file.resolve()
        if folder not in resolved.parents:
            raise ToolError(f"{relative.as_posix()} is a link to a file outside the app folder")
        (staging / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(resolved, staging / relative)
        copied.add(relative.as_posix())
    return copied


def _unlisted_package(folder: Path) -> Callable[[Path], bool]:
    """Whether a file is inside a Python package (a folder with ``__init__.py``) that no
    ``pyscript.toml`` ``[files]`` entry names: the page cannot import it, so it is none of
    the app's content (e.g. the tooling beside the demo app at this repository's root)."""
    listed: list[Path] = []
    for config in configs(folder):
        files = read_config(config, folder).get("files")
        if isinstance(files, dict):
            for source in files:
                if isinstance(source, str) and not source.startswith("{"):
                    listed.append((config.parent / source.removesuffix("/*")).resolve())

    def named(package: Path) -> bool:
        return any(
            path == package or package in path.parents or path in package.parents for path in listed
        )

    def unlisted(file: Path) -> bool:
        for parent in file.parents:
            if parent == folder:
                return False
            if (parent / "__init__.py").is_file() and not named(parent.resolve()):
                return True
        return False

    return unlisted


def _add_installation(staging: Path, app_files: set[str], runtime: Path | None) -> None:
    """The installation's part of the layout, wherever the app does not bring its own."""

    def put(relative: str, source: Path | None = None, data: bytes | None = None) -> None:
        if relative in app_files:
            return
        destination = staging / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if data is not None:
            destination.write_bytes(data)
        elif source is not None:
            shutil.copy2(source, destination)  # the time too: a twin stays fresh

    put(assets.LIBRARY_ARCHIVE, data=assets.library_archive_bytes())
    for relative, file in assets.library_files().items():
        put(relative, file)
    for relative, file in assets.boot_files().items():
        put(relative, file)
    if runtime is not None:
        for file in sorted(runtime.rglob("*")):
            if file.is_file():
                put("static/vendor/" + file.relative_to(runtime).as_posix(), file)


# -- the start-up snapshot's name ----------------------------------------------------------------

SNAPSHOT_FILE = "static/vendor/pyb24/pyb24.snapshot"
# How static/pyb24-pyodide.mjs names the snapshot; the build names it by its content instead.
SNAPSHOT_REFERENCE = '"./vendor/pyb24/pyb24.snapshot"'


def _name_snapshot_by_content(staging: Path, app_files: set[str]) -> str | None:
    """``pyb24.snapshot`` → ``pyb24-<sha256, 16 hex>.snapshot``, and the installation's
    snapshot interpreter pointed at that name: a host may then let browsers keep it for good
    (``Cache-Control: immutable``), so a repeat visit loads it without asking, and a new build
    is a new name. Returns the new name (None: no snapshot, or the app brings its own
    interpreter module, which keeps the plain name)."""
    snapshot = staging / SNAPSHOT_FILE
    interpreter_path = f"static/{assets.SNAPSHOT_INTERPRETER}"
    interpreter = staging / interpreter_path
    if not snapshot.is_file() or interpreter_path in app_files or not interpreter.is_file():
        return None
    text = interpreter.read_text(encoding="utf-8")
    if text.count(SNAPSHOT_REFERENCE) != 1:
        raise ToolError(f"{interpreter_path} does not name {SNAPSHOT_REFERENCE} once")
    name = f"pyb24-{hashlib.sha256(snapshot.read_bytes()).hexdigest()[:16]}.snapshot"
    snapshot.rename(snapshot.with_name(name))
    for twin in compress.TWINS:  # the app's own twins are of the old name: written again
        snapshot.with_name(snapshot.name + twin).unlink(missing_ok=True)
    interpreter.write_text(
        text.replace(SNAPSHOT_REFERENCE, f'"./vendor/pyb24/{name}"'), encoding="utf-8"
    )
    return name


# -- --cdn ---------------------------------------------------------------------------------------


def cdn_urls() -> dict[str, str]:
    """The pinned runtime on jsDelivr: local vendor path → URL (versions from the npm lock)."""
    lock = json.loads(assets.npm_manifest()[1].read_text(encoding="utf-8"))
    packages = lock.get("packages", {})

    def version(name: str) -> str:
        try:
            return packages[f"node_modules/{name}"]["version"]
        except KeyError:
            raise ToolError(f"package-lock.json pins no {name}") from None

    return {
        "vendor/pyscript/": f"https://cdn.jsdelivr.net/npm/@pyscript/core@{version('@pyscript/core')}/dist/",
        "vendor/pyodide/": f"https://cdn.jsdelivr.net/pyodide/v{version('pyodide')}/full/",
        "vendor/fake-indexeddb/auto.mjs": (
            f"https://cdn.jsdelivr.net/npm/fake-indexeddb@{version('fake-indexeddb')}/auto/+esm"
        ),
    }


def _point_at_cdn(staging: Path) -> None:
    """Rewrite every reference to the local runtime (any ``…/vendor/<pkg>/``) to the CDN."""
    urls = cdn_urls()
    pattern = re.compile(
        r"""(?<=["'])(?:\.{1,2}/)*(?:static/)?(""" + "|".join(re.escape(key) for key in urls) + ")"
    )
    for file in _text_files(staging):
        text = file.read_text(encoding="utf-8")
        new = pattern.sub(lambda match: urls[match.group(1)], text)
        if new != text:
            file.write_text(new, encoding="utf-8")


# -- checks ----------------------------------------------------------------------------------


def _text_files(staging: Path) -> list[Path]:
    vendor = staging / "static" / "vendor"
    return [
        file
        for file in sorted(staging.rglob("*"))
        if file.is_file()
        and file.suffix.lower() in TEXT_SUFFIXES
        and vendor not in file.parents  # the pinned runtime's own code is not the app's
    ]


def _check(staging: Path) -> None:
    problems = []
    for file in _text_files(staging):
        name = file.relative_to(staging).as_posix()
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if LOCAL_HOSTS.search(line):
                problems.append(f"{name}:{number} points at this machine ({line.strip()[:80]})")
        if file.suffix.lower() in (".html", ".htm", ".js", ".mjs", ".css"):
            for reference in REFERENCE.findall(text):
                problem = _outside(staging, file, reference)
                if problem:
                    problems.append(f"{name}: {reference} {problem}")
    for config in configs(staging):
        name = config.relative_to(staging).as_posix()
        data = read_config(config, staging)
        sources = [data["interpreter"]] if isinstance(data.get("interpreter"), str) else []
        files = data.get("files")
        if isinstance(files, dict):
            sources += [s for s in files if isinstance(s, str) and not s.startswith("{")]
        for source in sources:
            problem = _outside(staging, config, source)
            if problem:
                problems.append(f"{name}: {source} {problem}")
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ToolError(f"the build is not self-contained: {problems[0]}{more}")


def _outside(staging: Path, file: Path, reference: str) -> str | None:
    """Why a relative reference from ``file`` does not land on a file of the build, or None."""
    parts = urlsplit(reference)
    if parts.scheme or reference.startswith(("//", "#", "data:", "mailto:", "{")):
        return None  # absolute URLs: the local ones were caught above; others are the app's
    if not parts.path or reference.startswith("/"):
        return None if not parts.path else "is absolute to the host's root, not the app's"
    if "*" in parts.path:
        return None
    target = (file.parent / parts.path).resolve()
    if staging.resolve() not in target.parents:
        return "points outside the app folder"
    if not target.exists():
        return "is not in the app folder"
    return None
