"""``python -m pyb24_snapshot [APP_DIR] [--force]``: build the app's snapshot when stale."""

from __future__ import annotations

import argparse
import sys
import time

from . import SnapshotBuildError, ensure_snapshot, plan_snapshot


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pyb24_snapshot", description=__doc__)
    parser.add_argument("root", nargs="?", default=".", help="the app folder (pyscript.toml)")
    parser.add_argument("--force", action="store_true", help="rebuild even when fresh")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        status = ensure_snapshot(args.root, force=args.force)
    except SnapshotBuildError as exc:
        print(f"pyb24 snapshot: not built: {exc}", file=sys.stderr)
        return 1
    path = plan_snapshot(args.root).path
    if status == "built":
        size = path.stat().st_size / 1e6
        packed = path.with_name(path.name + ".gz").stat().st_size / 1e6
        elapsed = time.monotonic() - started
        print(
            f"pyb24 snapshot: built {path} ({size:.1f} MB, {packed:.1f} MB gzipped) "
            f"in {elapsed:.1f} s",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
