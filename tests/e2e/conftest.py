"""e2e fixtures: one emulated portal (two origins) and one Chromium for the whole session.

Every test gets a fresh page; the portal store is reset between tests.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.request import urlopen

import pytest
from playwright.sync_api import Frame, Page

from pyb24_snapshot import ensure_snapshot

ROOT = Path(__file__).resolve().parents[2]
HARNESS = "/tests/e2e/apps/harness.html"
BOOT_TIMEOUT_MS = 60_000


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session", autouse=True)
def start_up_snapshot():
    # Every e2e page starts from the snapshot, as in production (./dev test builds it first;
    # this builds it when pytest runs alone and it is missing or stale).
    ensure_snapshot(ROOT)


# The pytest plugin (pyb24_toolkit.plugin) runs the one emulator and the one Chromium of the
# session; these names stay for tests not yet moved onto its `b24` fixture.
@pytest.fixture(scope="session")
def emulator(_b24_emulators):
    return _b24_emulators.get(ROOT)  # the repo's demo app, as b24 serves it to tests/e2e


@pytest.fixture(scope="session")
def browser(b24_browser):
    return b24_browser


@pytest.fixture(scope="session")
def context(b24_context):
    return b24_context


class Portal:
    """A portal page with an app frame in it, as a test sees it."""

    def __init__(self, page: Page, emulator):
        self.page = page
        self.emulator = emulator

    def open(self, app: str = HARNESS, **knobs) -> Portal:
        self.page.goto(self.emulator.portal_url(app=app, **knobs))
        return self

    @property
    def app(self) -> Frame:
        self.page.wait_for_function("window.frames.length > 0 && window.portal")
        for frame in self.page.frames:
            if frame.parent_frame is self.page.main_frame and frame.name.count("|") == 2:
                return frame
        raise AssertionError("the portal page has no app frame")

    def python(self, code: str):
        """Run Python in the harness app (top-level await allowed); return the last value."""
        frame = self.app
        frame.wait_for_function("window.runPy !== undefined", timeout=BOOT_TIMEOUT_MS)
        result = json.loads(frame.evaluate("code => window.runPy(code)", code))
        if not result["ok"]:
            raise AssertionError(f"{result['error']}: {result['message']}")
        return result["value"]

    def python_error(self, code: str) -> dict:
        frame = self.app
        frame.wait_for_function("window.runPy !== undefined", timeout=BOOT_TIMEOUT_MS)
        result = json.loads(frame.evaluate("code => window.runPy(code)", code))
        assert not result["ok"], f"expected an exception, got {result['value']!r}"
        return result

    def log(self, command: str | None = None, direction: str = "in") -> list[dict]:
        entries = self.page.evaluate("() => window.portal.log")
        return [
            e for e in entries if e["dir"] == direction and (command is None or e["cmd"] == command)
        ]

    def state(self) -> dict:
        """The portal's store (options, install flags; never tokens)."""
        with urlopen(self.emulator.portal_origin + "/portal/api/state") as response:
            return json.load(response)


@pytest.fixture
def portal(b24):
    return Portal(b24.page, b24.emulator)
