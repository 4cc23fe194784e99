"""The emulated portal as a dev server (`pyb24 dev`), in Chromium on two origins: an app
folder holding only its own files boots with pyb24 and the runtime from the installation,
saving a file reloads the app frame (not the portal page), and an uncaught Python exception
shows its traceback in the portal page's inspector and in the terminal."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from portal_emulator.masking import mask_secrets
from portal_emulator.server import start_emulator

ROOT = Path(__file__).resolve().parents[2]
BOOT_TIMEOUT_MS = 150_000

PAGE = """<!doctype html>
<html><head><meta charset="utf-8">
<script type="module" src="./static/pyb24-boot.js"></script>
</head><body><p id="status">booting</p>
<script type="py" src="./{script}" config="./pyscript.toml"></script>
</body></html>
"""

APP = """from js import document
from pyb24 import BX24

await BX24.init()
document.getElementById("status").textContent = "{version} " + BX24.getLang()
"""

BROKEN = """from js import document, setTimeout
from pyodide.ffi import create_proxy


def parse_amount(text):
    return 100 / int(text)


def on_timer():
    raise LookupError("raised in a callback the browser called")


setTimeout(create_proxy(on_timer), 0)
document.getElementById("status").textContent = "about to fail"
parse_amount("0")
"""


def app_folder(base: Path) -> Path:
    """A user's app folder: pages, Python, pyscript.toml — no pyb24/, no static/."""
    modules = sorted(p.name for p in (ROOT / "pyb24").glob("*.py"))
    files = "\n".join(f'"./pyb24/{name}" = "./pyb24/{name}"' for name in modules)
    config = f'interpreter = "./static/vendor/pyodide/pyodide.mjs"\n\n[files]\n{files}\n'
    (base / "pyscript.toml").write_text(config)
    (base / "index.html").write_text(PAGE.format(script="app.py"))
    (base / "app.py").write_text(APP.format(version="v1"))
    (base / "broken.html").write_text(PAGE.format(script="broken.py"))
    (base / "broken.py").write_text(BROKEN)
    return base


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    folder = app_folder(tmp_path_factory.mktemp("myapp"))
    out = io.StringIO()
    emu = start_emulator(
        root=folder, db_path=tmp_path_factory.mktemp("db") / "p.sqlite3", dev=True, out=out
    )
    emu.terminal = out
    yield emu
    emu.stop()


@pytest.fixture
def page(context):
    page = context.new_page()
    yield page
    page.close()


def app_frame(page):
    page.wait_for_function("window.frames.length > 0 && window.portal")
    return page.frame(name=page.evaluate("document.getElementById('app-frame').name"))


@pytest.mark.timeout(360)  # two boots of Python in the frame, on a loaded machine
def test_saving_a_file_reloads_the_app_frame_not_the_portal_page(dev, page):
    assert not (dev.root / "pyb24").exists() and not (dev.root / "static").exists()
    page.goto(dev.portal_url(lang="de"))
    frame = app_frame(page)
    frame.wait_for_function(
        "document.getElementById('status').textContent === 'v1 de'", timeout=BOOT_TIMEOUT_MS
    )
    page.evaluate("window.stillThisPage = true")

    app_py = dev.root / "app.py"
    saved = app_py.stat().st_mtime_ns
    app_py.write_text(APP.format(version="v2"))  # the same size: only the time tells
    os.utime(app_py, ns=(saved + 2_000_000_000, saved + 2_000_000_000))  # coarse clocks
    assert dev.check_for_changes() == ["app.py"]

    page.wait_for_function("window.portal.appReloads === 1")
    frame = app_frame(page)
    frame.wait_for_function(
        "document.getElementById('status').textContent === 'v2 de'", timeout=BOOT_TIMEOUT_MS
    )
    assert page.evaluate("window.stillThisPage") is True
    log = page.evaluate("window.portal.log")
    assert [e["dir"] for e in log if e["cmd"] == "getInitData"] == ["in", "out", "in", "out"]
    assert "app.py" in page.locator("#inspector-rows .b24-log-reload").inner_text()


@pytest.mark.timeout(240)
def test_an_uncaught_exception_shows_its_traceback_in_the_inspector_and_the_terminal(dev, page):
    page.goto(dev.portal_url(app="/broken.html"))
    rows = page.locator("#inspector-rows .b24-log-python-error")
    rows.filter(has_text="ZeroDivisionError").wait_for(timeout=BOOT_TIMEOUT_MS)
    shown = rows.filter(has_text="ZeroDivisionError").inner_text()
    assert "Traceback (most recent call last)" in shown
    assert 'File "broken.py", line 6, in parse_amount\n    return 100 / int(text)' in shown
    assert "_pyodide" not in shown  # the runtime's own frames are left out
    callback = rows.filter(has_text="LookupError")
    callback.wait_for(timeout=BOOT_TIMEOUT_MS)
    assert 'File "broken.py", line 10, in on_timer' in callback.inner_text()

    errors = page.evaluate("window.portal.appErrors")
    assert {e["page"] for e in errors} == {"/broken.html"}
    terminal = dev.terminal.getvalue()
    assert "[app error] uncaught exception in /broken.html\nTraceback" in terminal
    assert 'File "broken.py", line 6, in parse_amount\n    return 100 / int(text)' in terminal
    assert len(errors) == 2  # one report per traceback


MASKED = [
    "auth=9b00c0ffee1234567890abcdef&id=42",
    "GET /x?access_token=9b00c0ffee1234567890 HTTP/1.1",
    '{"AUTH_ID":"9b00c0ffee1234567890","LANG":"en","REFRESH_ID" : "ab\\"cdef123"}',
    "cmd%5Ba%5D=x&auth%3D9b00c0ffee1234567890",
    "code=secret-oauth-code&state=1&AUTH=XYZW12345",
    "id=42&title=authority&barcode=1",
    "",
]


def test_the_page_masks_what_masking_py_masks(dev, page):
    page.goto(dev.portal_url(user=999))  # a scenario error: the page without an app frame
    masked = page.evaluate("texts => texts.map(window.portal.mask)", MASKED)
    assert masked == [mask_secrets(text) for text in MASKED]
    assert masked[0] == "auth=9b00…&id=42"
