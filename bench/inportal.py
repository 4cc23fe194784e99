"""Shared by the benchmarks: the emulated portal and one Chromium (startup.py loads its own
pages in them); for the REST benchmarks also an app page in the portal's frame whose Python
functions the benchmark runs (through the pytest plugin's runner, so benchmarks and tests
drive pages the same way)."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from portal_emulator.chromium import launch_chromium
from portal_emulator.server import Emulator, start_emulator
from pyb24_toolkit.plugin import B24, App

ROOT = Path(__file__).resolve().parents[1]
PAGE = "/tests/e2e/apps/harness.html"  # a pyb24 page that does nothing by itself


@contextlib.contextmanager
def emulated_portal() -> Iterator[tuple[Emulator, Browser]]:
    """An emulated portal serving this checkout (a throwaway store) and one Chromium."""
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        emulator = start_emulator(root=str(ROOT), db_path=str(Path(tmp) / "bench.sqlite3"))
        browser = launch_chromium(playwright)
        try:
            yield emulator, browser
        finally:
            browser.close()
            emulator.stop()


@contextlib.contextmanager
def portal(seed_deals: int = 0) -> Iterator[tuple[Emulator, App]]:
    """An emulated portal (with ``seed_deals`` more deals) and the app open in it."""
    with emulated_portal() as (emulator, browser):
        if seed_deals:
            emulator.store.seed_deals(seed_deals)
        page = browser.new_context().new_page()
        yield emulator, B24(page, emulator).open(page=PAGE)
