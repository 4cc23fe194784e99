"""Which Chromium the e2e tests and the benchmark drive.

Playwright's own browser download is not available everywhere (CI machines here have no
route to it), so: Playwright's Chromium where it is installed (a laptop after
``playwright install chromium``), else the system one (Debian's ``chromium``), or the one
named by ``PYB24_CHROMIUM``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class ChromiumMissing(RuntimeError):
    """No Chromium to drive; the message says how to get one (one line)."""


def launch_chromium(playwright, **options):
    executable = _executable(playwright)
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, **options)


def launch_persistent_chromium(playwright, user_data_dir: str, **options):
    """The same Chromium with a profile on disk (HTTP cache, V8 code cache): a browser
    context as a person's browser has it on a repeat visit (bench/startup.py)."""
    executable = _executable(playwright)
    return playwright.chromium.launch_persistent_context(
        user_data_dir, executable_path=executable, args=CHROMIUM_ARGS, **options
    )


def _executable(playwright) -> str | None:
    """The Chromium to launch: None for Playwright's own (when installed)."""
    chosen = os.environ.get("PYB24_CHROMIUM")
    if not chosen:
        try:
            if Path(playwright.chromium.executable_path).exists():
                return None
        except Exception:  # noqa: BLE001 - no bundled browser registered for this version
            pass
        chosen = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chosen).is_file():
        where = "PYB24_CHROMIUM names" if os.environ.get("PYB24_CHROMIUM") else "found"
        raise ChromiumMissing(
            f"no Chromium {where} ({chosen}): install one with `apt-get install chromium` or "
            "`playwright install chromium`, or set PYB24_CHROMIUM=/path/to/chrome"
        )
    return chosen
