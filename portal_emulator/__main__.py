"""``python -m portal_emulator``: run the emulated portal until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .appfiles import EmulatorError, check_app_folder
from .server import serve_until_stopped, start_emulator

REPO_ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m portal_emulator",
        description="Serve the emulated Bitrix24 portal (portal origin) and the app (app origin).",
    )
    parser.add_argument("--portal-port", type=int, default=8001, help="default: 8001")
    parser.add_argument("--app-port", type=int, default=8002, help="default: 8002")
    parser.add_argument(
        "--db",
        default=str(REPO_ROOT / ".portal_emulator.sqlite3"),
        help="SQLite file for options, flags and tokens (default: %(default)s)",
    )
    parser.add_argument("--root", default=str(REPO_ROOT), help="folder holding the app files")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    parser.add_argument(
        "--dev",
        action="store_true",
        help="dev server: reload the app frame on save, show the app's Python tracebacks",
    )
    parser.add_argument(
        "--seed-deals",
        type=int,
        default=0,
        metavar="N",
        help="add generated deals until the store holds at least N (benchmarks: 10000)",
    )
    args = parser.parse_args(argv)

    try:
        emulator = start_emulator(
            root=check_app_folder(args.root),
            db_path=args.db,
            portal_port=args.portal_port,
            app_port=args.app_port,
            verbose=not args.quiet,
            dev=args.dev,
            watch=0.5 if args.dev else None,
        )
    except EmulatorError as exc:  # a folder or a port the person can fix: no traceback
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    banner = [
        f"Emulated portal: {emulator.portal_url()}",
        f"App origin:      {emulator.app_origin}",
    ]
    serve_until_stopped(emulator, args.seed_deals, banner)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
