"""What an installation of pyb24 serves to the browser, and where it comes from.

Every pyb24 page uses one app-relative URL layout (COMMON.md, "fixed contracts"):

    ./pyb24.zip                  the browser library as one archive (``[files]``: "./pyb24/*")
    ./pyb24/<module>.py          the same library, file by file
    ./static/pyb24-boot.js       the boot script (and the other boot modules beside it)
    ./static/vendor/...          the pinned runtime: PyScript, Pyodide, fake-indexeddb

An app folder holds only its own files; a dev server answers these paths from the
installation (:func:`shipped_file`) and ``pyb24 build`` copies them into ``dist/``.

Where the installation's files are:

- the library: the ``pyb24`` package itself (found by import machinery, never a list);
- the boot files and the npm manifest (``package.json`` + lock): in a source checkout, the
  repository's ``static/`` and root; in an installed wheel, ``pyb24_toolkit/_data/`` (copied
  there by ``setup.py`` when the wheel is built);
- the runtime: a per-machine cache (``~/.cache/pyb24/runtime-<key>/vendor``), filled once
  from the pinned npm packages by :func:`ensure_runtime` (``npm ci``), keyed by the content
  of ``package.json`` + lock (and of :data:`RUNTIME_PATCHES`) so a new pin gets a new folder.
  Nothing comes from a CDN at run time.

Pinned files are used as published, except for the few documented patches in
:data:`RUNTIME_PATCHES`, applied to the cache's copy when the runtime is installed (never to a
checkout's ``static/vendor``, whose files are hard links into the cache), and Pyodide's
``python_stdlib.zip``, whose members are stored instead of deflated (:func:`store_zip`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import io
import json
import os
import shutil
import subprocess
import tempfile
import tomllib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import compress

PACKAGE_DIR = Path(__file__).resolve().parent
LIBRARY_ARCHIVE = "pyb24.zip"
# What a page's pyscript.toml says to get the library without naming its modules.
LIBRARY_FILES_ENTRY = f'"./{LIBRARY_ARCHIVE}" = "./pyb24/*"'
RUNTIME_PACKAGES = ("pyscript", "pyodide", "fake-indexeddb")
PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.js",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
    "package.json",
)
# vendor/ folder -> (npm package, its folder copied there as it is); fake-indexeddb is bundled.
VENDOR_SOURCES = {"pyscript": ("@pyscript/core", "dist"), "pyodide": ("pyodide", "")}
RUNTIME_LAYOUT = b"3"  # bump when the cache folder's layout changes (2: node_modules kept,
# 3: python_stdlib.zip stored, every file's brotli and gzip twins beside it)
BOOT_SUFFIXES = (".js", ".mjs")  # static/ files that are boot code (app.css is the demo's own)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the archive's bytes depend on content only


class AssetError(Exception):
    """The runtime could not be prepared; the message says what to do (one line)."""


@dataclass(frozen=True)
class RuntimePatch:
    """One documented change to one pinned runtime file, made when the runtime is installed.

    ``file`` is a glob under ``vendor/`` matching exactly one file; ``find`` must occur exactly
    once in it (a new pin that moved or duplicated it fails the install, naming the patch and
    the version, instead of shipping an unpatched runtime); ``why`` says what it is for.
    """

    name: str
    file: str
    find: str
    replace: str
    why: str


# The patches, in the order they are applied. Their content is part of runtime_key(): a new or
# changed patch installs a new runtime folder. Keep each small, and propose it upstream.
RUNTIME_PATCHES: tuple[RuntimePatch, ...] = (
    # PyScript 0.7 runs a generated Python program before a page's first script that writes
    # its own `pyscript` package file by file (a 32 KB program of string literals to compile and
    # run) and then imports it. A pyb24 page restored from its snapshot already has those very
    # files (pyb24_snapshot keeps them in the heap and writes them back, with their bytecode):
    # these four patches let PyScript see that and only import the package. The check is
    # PyScript's own: every file, byte for byte, against the texts it would write. Anything
    # else under Pyodide (a normal boot, another PyScript's files, one file changed) has the
    # same texts written from JavaScript (Emscripten's FS, UTF-8, as Path.write_text) and then
    # only the import; where that is not possible (MicroPython, an error), the program runs.
    RuntimePatch(
        name="pyscript package: keep the texts PyScript writes",
        file="pyscript/core-*.js",
        find='const{entries:yo}=Object,ho=["import os as _os"',
        replace='let pyscriptPackage;const{entries:yo}=Object,ho=["import os as _os"',
        why="a name for the object of file texts PyScript writes (set by the next patch)",
    ),
    RuntimePatch(
        name="pyscript package: name the texts",
        file="pyscript/core-*.js",
        find='wo(".",{pyscript:{',
        replace='wo(".",pyscriptPackage={pyscript:{',
        why="the object of file texts, passed to the writer as before and kept for the check",
    ),
    RuntimePatch(
        name="pyscript package: the check, and the program that only imports",
        file="pyscript/core-*.js",
        find='const Ao=ho.join("\\n")',
        replace=(
            'const Ao=ho.join("\\n"),pyscriptImportOnly="import pyscript as _pyscript\\n'
            'del _pyscript\\n",pyscriptPackageKept=e=>{try{const t=(n,r)=>Object.entries(r)'
            '.every(([r,s])=>"string"==typeof s?e.FS.readFile(`${n}/${r}`,{encoding:"utf8"})'
            '===s:t(`${n}/${r}`,s));return!!e.FS&&t(".",pyscriptPackage)}catch{return!1}},'
            'pyscriptPackageWritten=e=>{try{if("function"!=typeof e.pyimport)return!1;const '
            't=(n,r)=>{for(const[s,o]of Object.entries(r)){const a=`${n}/${s}`;"string"==typeof '
            'o?e.FS.writeFile(a,o):(e.FS.mkdirTree(a),t(a,o))}};return t(".",pyscriptPackage),!0}'
            "catch{return!1}}"
        ),
        why="whether an interpreter's file system holds every file with the text PyScript "
        "writes (a missing file throws: false); writing them from JavaScript under Pyodide "
        "(false elsewhere, or on an error); and the program to run when either holds",
    ),
    RuntimePatch(
        name="pyscript package: run only the import when it is kept",
        file="pyscript/core-*.js",
        find=(
            'I=(e,t,n,r)=>{const s=e[t].bind(e);e[t]="run"===t?(e,t,...o)=>{n&&s(e,n,...o);'
            "const a=s(e,N(t),...o);return r&&s(e,r,...o),a}:async(e,t,...o)=>{n&&await "
            "s(e,n,...o);"
        ),
        replace=(
            "I=(e,t,n,r)=>{const s=e[t].bind(e),c=e=>pyscriptPackageKept(e)||"
            "pyscriptPackageWritten(e)?n.replace(Ao,"
            'pyscriptImportOnly):n;e[t]="run"===t?(e,t,...o)=>{n&&s(e,c(e),...o);'
            "const a=s(e,N(t),...o);return r&&s(e,r,...o),a}:async(e,t,...o)=>{n&&await "
            "s(e,c(e),...o);"
        ),
        why="the code run before each script (polyscript's run wrapper, which is handed the "
        "interpreter) has the writing program replaced by the import when the files are there "
        "or were just written from JavaScript",
    ),
    # Pyodide 314 awaits a memory snapshot before it instantiates its wasm and sets up the
    # Emscripten runtime, because it sizes the initial memory from the snapshot's length: on a
    # pyb24 page the restore queued behind the whole download. pyb24's snapshot header gives
    # that length up front (`_snapshotSize`, passed by static/pyb24-pyodide.mjs), so these two
    # patches let Pyodide size the memory from it, set up its runtime while the snapshot still
    # downloads, and await the snapshot only to restore it. Without `_snapshotSize` (any other
    # caller) Pyodide does what it did.
    RuntimePatch(
        name="pyodide snapshot: size the memory from the given length",
        file="pyodide/pyodide.mjs",
        find="async function ke(e,t){if(!e._loadSnapshot)return;",
        replace=(
            "async function ke(e,t){if(!e._loadSnapshot)return;if(e._snapshotSize)return "
            "t.noInitialRun=!0,t.INITIAL_MEMORY=e._snapshotSize,[e._loadSnapshot];"
        ),
        why="with the length known, the snapshot itself is handed on still pending (in an "
        "array, so `await` does not wait for it)",
    ),
    RuntimePatch(
        name="pyodide snapshot: await it only to restore it",
        file="pyodide/pyodide.mjs",
        find="let a=Ae(r,s,t);",
        replace="let a=Ae(r,Array.isArray(s)?await ke({_loadSnapshot:s[0]},{}):s,t);",
        why="the wasm is instantiated and the runtime set up (the awaits before this) while "
        "the snapshot downloads; the snapshot goes through Pyodide's own preparation as before",
    ),
)


# -- the installation ------------------------------------------------------------------------


def source_checkout() -> Path | None:
    """The repository root when pyb24_toolkit runs from a source checkout, else None."""
    root = PACKAGE_DIR.parent
    if (root / "static" / "pyb24-boot.js").is_file() and (root / "package-lock.json").is_file():
        return root
    return None


def _data_root() -> Path:
    return source_checkout() or PACKAGE_DIR / "_data"


def boot_dir() -> Path:
    """The folder served as ``./static/`` (boot files only; ``vendor/`` comes from the cache)."""
    return _data_root() / "static"


def boot_files() -> dict[str, Path]:
    """App-relative path → file, for every boot file an installation ships."""
    folder = boot_dir()
    return {
        f"static/{file.name}": file
        for file in sorted(folder.iterdir())
        if file.is_file() and file.suffix in BOOT_SUFFIXES
    }


def npm_manifest() -> tuple[Path, Path]:
    root = _data_root()
    return root / "package.json", root / "package-lock.json"


def library_dir() -> Path:
    """The ``pyb24`` package folder, found without importing it."""
    spec = importlib.util.find_spec("pyb24")
    if spec is None or not spec.submodule_search_locations:
        raise AssetError("the pyb24 package is not installed")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def library_files() -> dict[str, Path]:
    """App-relative path → file for every module of the browser library (``pyb24/…/*.py``).

    Derived from the package on disk, so a new or renamed module needs no list to be edited.
    """
    base = library_dir()
    files = {}
    for file in sorted(base.rglob("*.py")):
        relative = file.relative_to(base)
        if any(part.startswith((".", "__pycache__")) for part in relative.parts):
            continue
        files["pyb24/" + relative.as_posix()] = file
    return files


def library_archive_bytes() -> bytes:
    """The library as a zip whose top level is the package's content (unpacked into pyb24/)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for relative, file in library_files().items():
            info = zipfile.ZipInfo(relative.removeprefix("pyb24/"), date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, file.read_bytes())
    return buffer.getvalue()


# The last archive library_archive() answered, and what it was made from (the cache folder, and
# each module's name, size and mtime): a dev server asks on every page load, and most loads
# come with nothing saved since.
_last_archive: tuple[tuple[object, ...], Path] | None = None


def library_archive() -> Path:
    """``pyb24.zip`` for the library as it is now (content-addressed in the cache).

    Its modification time is the newest module's, so a server's Last-Modified moves forward
    whenever a module is saved, even back to content an older archive had. Made again only
    when a module was added, removed or saved since the last call (a page load's 304 then
    costs a stat of each module, not compressing the library).
    """
    global _last_archive
    folder = cache_root() / "archives"
    stats = {name: file.stat() for name, file in library_files().items()}
    made_from = (folder, *((name, stat.st_size, stat.st_mtime_ns) for name, stat in stats.items()))
    if _last_archive is not None and _last_archive[0] == made_from and _last_archive[1].is_file():
        return _last_archive[1]
    data = library_archive_bytes()
    target = folder / f"pyb24-{hashlib.sha256(data).hexdigest()[:16]}.zip"
    if not target.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        compress.write_atomically(target, data)
    newest = max((stat.st_mtime for stat in stats.values()), default=0.0)
    if target.stat().st_mtime != newest:
        os.utime(target, (newest, newest))
    _last_archive = (made_from, target)
    return target


# -- the per-machine runtime cache -------------------------------------------------------------


def cache_root() -> Path:
    """``$PYB24_CACHE_DIR``, else ``$XDG_CACHE_HOME/pyb24``, else ``~/.cache/pyb24``."""
    explicit = os.environ.get("PYB24_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "pyb24"


def runtime_key() -> str:
    """Names the runtime by the pins that make it: a new pin, a new folder."""
    digest = hashlib.sha256(RUNTIME_LAYOUT)
    for file in npm_manifest():
        digest.update(file.read_bytes())
    for patch in RUNTIME_PATCHES:
        digest.update(json.dumps(dataclasses.asdict(patch), sort_keys=True).encode())
    return digest.hexdigest()[:16]


def runtime_dir() -> Path:
    """The folder served as ``./static/vendor/`` (may not exist yet: see ensure_runtime)."""
    return cache_root() / f"runtime-{runtime_key()}" / "vendor"


def npm_modules_dir() -> Path:
    """The pinned npm packages as installed (node_modules), kept beside the runtime for tools
    that read their sources (e.g. PyScript's Python package); may not exist yet."""
    return runtime_dir().parent / "node_modules"


def runtime_ready() -> bool:
    return (runtime_dir().parent / "complete").is_file()


def ensure_runtime(say: Callable[[str], None] = lambda _text: None) -> Path:
    """The runtime folder, filled from the pinned npm packages if this machine lacks it."""
    vendor = runtime_dir()
    if runtime_ready():
        return vendor
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError(
            "npm is missing: pyb24 installs its pinned browser runtime with it once per machine; "
            "install Node.js 20+ (e.g. apt-get install -y nodejs npm) and run again"
        )
    say(
        f"installing the pinned browser runtime (npm ci) into {vendor.parent}: once per "
        "machine, about a minute (15 MB from the npm registry)"
    )
    home = vendor.parent
    home.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".runtime-", dir=home.parent) as work_text:
        work = Path(work_text)
        for file in npm_manifest():
            shutil.copyfile(file, work / file.name)
        _run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], work, "npm ci")
        staged = work / "runtime"
        _assemble(work / "node_modules", staged / "vendor")
        (work / "node_modules").rename(staged / "node_modules")
        (staged / "complete").write_text(runtime_key() + "\n")
        try:
            os.rename(staged, home)
        except OSError:
            if not runtime_ready():  # not another process that finished first: a real error
                shutil.rmtree(home, ignore_errors=True)
                os.rename(staged, home)
    return vendor


def _assemble(modules: Path, vendor: Path) -> None:
    """node_modules → vendor/{pyscript,pyodide,fake-indexeddb}, as the pages load them, with
    RUNTIME_PATCHES applied to the copies."""
    package, folder = VENDOR_SOURCES["pyscript"]
    shutil.copytree(
        modules / package / folder,
        vendor / "pyscript",
        ignore=shutil.ignore_patterns("*.map"),
    )
    (vendor / "pyodide").mkdir(parents=True)
    package, folder = VENDOR_SOURCES["pyodide"]
    for name in PYODIDE_FILES:
        shutil.copyfile(modules / package / folder / name, vendor / "pyodide" / name)
    stdlib = vendor / "pyodide" / "python_stdlib.zip"
    stdlib.write_bytes(store_zip(stdlib.read_bytes()))
    # One file instead of ~40 small modules: the page loads it in one request, not a waterfall.
    (vendor / "fake-indexeddb").mkdir(parents=True)
    esbuild = modules / ".bin" / "esbuild"
    _run(
        [
            str(esbuild),
            str(modules / "fake-indexeddb/auto/index.mjs"),
            "--bundle",
            "--format=esm",
            "--minify",
            "--log-level=warning",
            f"--outfile={vendor / 'fake-indexeddb' / 'auto.mjs'}",
        ],
        modules.parent,
        "esbuild (bundling fake-indexeddb)",
    )
    shutil.copyfile(modules / "fake-indexeddb/LICENSE", vendor / "fake-indexeddb" / "LICENSE")
    for patch in RUNTIME_PATCHES:
        target = patched_file(vendor, patch)
        text = target.read_text(encoding="utf-8")
        target.write_text(apply_patch(patch, text, pinned_version(modules, patch)), "utf-8")
    compress.write_twins(vendor)


def store_zip(data: bytes) -> bytes:
    """The zip archive ``data`` with every member stored, names, order and times kept.

    Pyodide's standard library (2.5 MB) is deflated member by member, which leaves a server
    nothing to compress; stored (9.7 MB), the whole archive compresses to 1.6-1.8 MB with
    brotli (2.2 MB with gzip), since the members share their words. The page then holds
    the larger file in memory, and imports skip inflating. A snapshot's zipimport caches the
    offsets of the archive it was built with: its key covers this file's bytes
    (pyb24_snapshot.PYODIDE_RUNTIME), so a runtime with another archive builds a new one.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            info.compress_type = zipfile.ZIP_STORED
            target.writestr(info, body)
    return buffer.getvalue()


def _vendor_package(patch: RuntimePatch) -> tuple[str, str]:
    folder = patch.file.split("/", 1)[0]
    if folder not in VENDOR_SOURCES:
        raise AssetError(f"runtime patch {patch.name!r}: {patch.file} is not a pinned file")
    return VENDOR_SOURCES[folder]


def patched_file(base: Path, patch: RuntimePatch, *, original: bool = False) -> Path:
    """The one file ``patch`` changes: under ``base`` = vendor/, or, with ``original``, the
    npm package's file under ``base`` = node_modules/."""
    relative = patch.file.split("/", 1)[1]
    if original:
        package, folder = _vendor_package(patch)
        base = base / package / folder
    else:
        base = base / patch.file.split("/", 1)[0]
    found = sorted(base.glob(relative))
    if len(found) != 1:
        raise AssetError(
            f"runtime patch {patch.name!r}: {len(found)} files match {patch.file} "
            "(expected one); update the patch for this pin"
        )
    return found[0]


def pinned_version(modules: Path, patch: RuntimePatch) -> str:
    """``package@version`` of the npm package the patched file comes from."""
    package, _folder = _vendor_package(patch)
    manifest = json.loads((modules / package / "package.json").read_text(encoding="utf-8"))
    return f"{package}@{manifest.get('version', '?')}"


def apply_patch(patch: RuntimePatch, text: str, version: str) -> str:
    """``text`` with ``patch`` made, or AssetError (one line) unless its find-text occurs
    exactly once."""
    count = text.count(patch.find)
    if count != 1:
        raise AssetError(
            f"runtime patch {patch.name!r} does not apply to {version}: its text occurs "
            f"{count} times in {patch.file} (expected once); update the patch for this pin"
        )
    return text.replace(patch.find, patch.replace)


def _run(command: list[str], cwd: Path, what: str) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        detail = lines[-1] if lines else f"exit code {result.returncode}"
        raise AssetError(f"{what} failed: {detail}")


def mirror_runtime(target: Path, say: Callable[[str], None] = lambda _text: None) -> None:
    """Make ``target`` (a checkout's static/vendor) a copy of the runtime, if it is not one.

    Files are hard-linked when the cache is on the same file system, else copied.
    """
    source = ensure_runtime(say)
    stamp = target / ".runtime-key"
    key = runtime_key()
    if stamp.is_file() and stamp.read_text().strip() == key:
        return
    say(f"linking the runtime into {target}")
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, copy_function=_link_or_copy)
    stamp.write_text(key + "\n")


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


# -- an app's start-up snapshot ---------------------------------------------------------------

SNAPSHOT_INTERPRETER = "pyb24-pyodide.mjs"  # the boot module that restores the snapshot


def uses_snapshot(folder: Path) -> bool:
    """Whether the app's pyscript.toml boots through the snapshot interpreter."""
    config = folder / "pyscript.toml"
    try:
        interpreter = tomllib.loads(config.read_text(encoding="utf-8")).get("interpreter", "")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(interpreter, str) and interpreter.endswith(SNAPSHOT_INTERPRETER)


def prepare_app(
    folder: Path,
    say: Callable[[str], None] = lambda _text: None,
    *,
    snapshot: bool = True,
    exact: bool = False,
) -> Path:
    """Everything an app's pages need from this machine: the runtime (required) and, when the
    app boots through the snapshot interpreter, its start-up snapshot (best effort: pages boot
    without one, so a failure is said once and the command goes on; ``exact``: see
    ``pyb24_snapshot.ensure_snapshot``). Returns the runtime."""
    vendor = ensure_runtime(say)
    if snapshot and uses_snapshot(folder):
        from portal_emulator.chromium import ChromiumMissing
        from pyb24_snapshot import SnapshotBuildError, ensure_snapshot

        try:
            if ensure_snapshot(folder, exact=exact, say=say) == "built":
                say("built the start-up snapshot (static/vendor/pyb24/)")
        except (SnapshotBuildError, ChromiumMissing) as exc:
            say(f"no start-up snapshot, pages boot without it: {exc}")
    return vendor


# -- serving -----------------------------------------------------------------------------------


def shipped_file(relative: str) -> Path | None:
    """The installation's file for an app-relative URL path of the fixed layout, or None.

    For dev servers: ask this when the app folder has no file at ``relative``
    (``pyb24.zip``, ``pyb24/rest.py``, ``static/pyb24-boot.js``, ``static/vendor/...``).
    Never answers a path outside those folders.
    """
    parts = relative.split("/")
    if not relative or any(part in ("", ".", "..") or "\\" in part for part in parts):
        return None
    if relative == LIBRARY_ARCHIVE:
        return library_archive()
    if parts[0] == "pyb24":
        return library_files().get(relative)
    if parts[0] == "static" and len(parts) == 2:
        return boot_files().get(relative)
    if parts[:2] == ["static", "vendor"] and runtime_ready():
        return _inside(runtime_dir(), "/".join(parts[2:]))
    return None


def _inside(base: Path, relative: str) -> Path | None:
    candidate = (base / relative).resolve()
    base = base.resolve()
    if base not in candidate.parents or not candidate.is_file():
        return None
    return candidate
