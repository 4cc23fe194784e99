"""`pyb24 new` + `pyb24 build`: the dist/ folder boots in the emulated portal when a plain
static server (http.server, a third origin) serves it: no dev server, no fallbacks."""

import functools
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest


class StaticHost(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - quiet, like a CDN
        pass


def pyb24(*args):
    command = [sys.executable, "-m", "pyb24_toolkit", *map(str, args)]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    root = tmp_path_factory.mktemp("toolkit")
    pyb24("new", root / "myapp", "--placement", "CRM_DEAL_DETAIL_TAB")
    # --no-snapshot: a new app's snapshot takes a minute to build (README "Start-up snapshot")
    pyb24("build", root / "myapp", "-o", root / "dist", "--no-snapshot")
    return root / "dist"


@pytest.fixture(scope="module")
def static_host(dist):
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(StaticHost, directory=str(dist))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def page_title():
    from pyscript import document

    return document.title


def test_built_app_boots_from_a_plain_static_server(b24, dist, static_host):
    assert not (dist / "tests").exists() and (dist / "pyb24.zip").is_file()
    deal_tab = {"placement": "CRM_DEAL_DETAIL_TAB", "options": {"ID": "1"}}
    app = b24.open(static_host + "/index.html", **deal_tab)
    app.frame.wait_for_selector("#greeting:text('Hello, Alex!')", timeout=60_000)
    app.frame.wait_for_selector("#details:text('Deal 1: Northwind Traders — CRM rollout')")
    assert app.frame.url.startswith(static_host + "/index.html?")
    assert static_host not in (b24.emulator.portal_origin, b24.emulator.app_origin)
    assert app.run(page_title) == "myapp"
    assert [call["method"] for call in app.rest_calls()] == ["user.current", "crm.deal.get"]
