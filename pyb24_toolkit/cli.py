"""The ``pyb24`` command: ``new``, ``dev``, ``build`` (and ``runtime``) for app authors.

Bad input ends in one line on stderr and a non-zero exit code, never a traceback:
1 for a failed step or bad app folder, 2 for bad arguments (argparse's usage message).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from . import assets
from .appdir import checked_app_dir
from .errors import ToolError
from .framehost import probe

PROG = "pyb24"


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0-65535; 0 picks a free one)")
    return port


def say(text: str) -> None:
    print(f"[{PROG}] {text}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except (ToolError, assets.AssetError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Write, run, test and ship Bitrix24 placement apps in Python.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    new = commands.add_parser("new", help="create an app folder that runs and is tested")
    new.add_argument("dir", help="the folder to create (must be new or empty)")
    new.add_argument(
        "--placement",
        default="DEFAULT",
        help="the placement the app is for, e.g. CRM_DEAL_DETAIL_TAB (default: %(default)s)",
    )
    new.set_defaults(run=_new)

    dev = commands.add_parser("dev", help="run an app inside the emulated portal")
    dev.add_argument("dir", nargs="?", default=".", help="the app folder (default: .)")
    dev.add_argument("--portal-port", type=_port, default=8001, help="default: %(default)s")
    dev.add_argument("--app-port", type=_port, default=8002, help="default: %(default)s")
    dev.add_argument(
        "--db", help="SQLite file of the emulated portal (default: one per app in the cache)"
    )
    dev.add_argument("--quiet", action="store_true", help="do not log requests")
    dev.add_argument(
        "--seed-deals",
        type=int,
        default=0,
        metavar="N",
        help="add generated deals until the store holds at least N (benchmarks: 10000)",
    )
    dev.add_argument(
        "--page",
        default="/index.html",
        help="the app page the printed URL opens: a path in DIR, or the URL of a page served "
        "elsewhere (checked to answer the portal's form POST)",
    )
    dev.add_argument(
        "--no-snapshot", action="store_true", help="do not build the start-up snapshot"
    )
    dev.set_defaults(run=_dev)

    build = commands.add_parser("build", help="make the folder to upload to a static host")
    build.add_argument("dir", nargs="?", default=".", help="the app folder (default: .)")
    build.add_argument("-o", "--out", default="dist", help="output folder (default: %(default)s)")
    build.add_argument(
        "--cdn",
        action="store_true",
        help="load PyScript and Pyodide from jsDelivr (pinned versions) instead of shipping them",
    )
    build.add_argument(
        "--no-snapshot", action="store_true", help="do not build the start-up snapshot"
    )
    build.set_defaults(run=_build)

    runtime = commands.add_parser(
        "runtime", help="install the pinned browser runtime on this machine now (needs npm)"
    )
    runtime.add_argument(
        "--mirror", metavar="DIR", help="also keep a copy in DIR (a checkout's static/vendor)"
    )
    runtime.add_argument(
        "--app", metavar="DIR", help="also build the start-up snapshot of the app in DIR"
    )
    runtime.set_defaults(run=_runtime)
    return parser


def _new(args: argparse.Namespace) -> int:
    from .scaffold import create_app

    target = Path(args.dir)
    written = create_app(target, placement=args.placement)
    print(f"Created {target}/ ({len(written)} files):")
    for file in written:
        print(f"  {file.relative_to(target).as_posix()}")
    print("Next:")
    print(f"  pyb24 dev {args.dir}      # the app in the emulated portal")
    print(f"  pytest {args.dir}         # its tests in Chromium")
    print(f"  pyb24 build {args.dir} -o dist")
    return 0


def _dev(args: argparse.Namespace) -> int:
    from portal_emulator.appfiles import EmulatorError
    from portal_emulator.server import serve_until_stopped, start_emulator

    folder = checked_app_dir(args.dir)
    page = args.page.split("?")[0].split("#")[0]
    if "://" in page:  # served elsewhere: it must take the portal's form POST
        if not page.startswith(("http://", "https://")):
            raise ToolError(f"--page {args.page}: give an http:// or https:// URL")
        problem = probe(args.page)
        if problem:
            raise ToolError(f"--page {problem}")
    elif not page.startswith("/") or not (folder / page.lstrip("/")).is_file():
        raise ToolError(
            f"--page {args.page}: no such page in {folder} (give /index.html or so, or the URL "
            "of a page served elsewhere)"
        )
    db = _checked_db(Path(args.db)) if args.db else _default_db(folder)
    assets.prepare_app(folder, say, snapshot=not args.no_snapshot)
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
        emulator = start_emulator(
            root=folder,
            db_path=db,
            portal_port=args.portal_port,
            app_port=args.app_port,
            verbose=not args.quiet,
            dev=True,  # reload the app frame on save; the app's tracebacks here and in the page
            watch=0.5,
        )
    except EmulatorError as exc:  # a taken port: the message names it and the option
        raise ToolError(getattr(exc, "strerror", None) or str(exc)) from None
    except sqlite3.Error as exc:  # a file _checked_db could not tell from a sound one
        raise ToolError(f"--db {db}: {exc} (give a new file name)") from None
    except OSError as exc:
        raise ToolError(f"cannot start the emulated portal: {exc}") from None
    banner = [
        f"App folder:      {folder}",
        f"Emulated portal: {emulator.portal_url(app=args.page)}",
        f"App origin:      {emulator.app_origin}",
        "Saving a file reloads the app; its Python tracebacks show here.",
    ]
    serve_until_stopped(emulator, args.seed_deals, banner)
    return 0


SQLITE_HEADER = b"SQLite format 3\x00"


def _checked_db(db: Path) -> Path:
    """``--db FILE``: a new file in a folder that can hold it, or an emulated portal's own
    SQLite file. Anything else is one line, and the file is left as it was (the emulator
    rewrites a store it does not know, so another program's database is refused)."""
    try:
        if db.is_dir():
            raise ToolError(
                f"--db {db} is a folder: give a file name, e.g. {db / 'portal.sqlite3'}"
            )
        if db.exists() and not db.is_file():  # /dev/null, a FIFO (opening it would wait)
            raise ToolError(f"--db {db} is not a regular file: give a new file name")
        if db.exists():
            with db.open("rb") as file:
                header = file.read(len(SQLITE_HEADER))
            if header and header != SQLITE_HEADER:
                raise ToolError(f"--db {db} is not a SQLite file: give a new file name")
            if header and not _is_portal_db(db):
                raise ToolError(
                    f"--db {db} is another program's SQLite database: give a new file name"
                )
            return db
        db.parent.mkdir(parents=True, exist_ok=True)
        with db.open("xb"):
            pass  # can be created here; the emulator fills it
        db.unlink()
    except OSError as exc:
        raise ToolError(f"--db {db}: cannot write there ({exc.strerror or exc})") from None
    return db


def _is_portal_db(db: Path) -> bool:
    """An emulated portal's store (it has the ``portal`` table), or an empty database."""
    try:
        with contextlib.closing(
            sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        ) as conn:
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error:
        return False
    return not names or "portal" in names


def _default_db(folder: Path) -> Path:
    """One emulated portal per app folder, kept in the cache (never inside the app)."""
    key = hashlib.sha256(str(folder).encode()).hexdigest()[:12]
    return assets.cache_root() / "portals" / f"{folder.name}-{key}.sqlite3"


def _build(args: argparse.Namespace) -> int:
    from .build import build

    result = build(args.dir, args.out, cdn=args.cdn, snapshot=not args.no_snapshot, say=say)
    print(f"Built {result.summary()}")
    return 0


def _runtime(args: argparse.Namespace) -> int:
    if args.mirror:
        assets.mirror_runtime(Path(args.mirror), say)
    if args.app:
        assets.prepare_app(checked_app_dir(args.app), say)
    if not (args.mirror or args.app):
        print(assets.ensure_runtime(say))
    return 0
