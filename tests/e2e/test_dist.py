"""`pyb24 new` + `pyb24 build`: the dist/ folder boots in the emulated portal when a plain
static server (http.server, a third origin) serves it: no dev server, no fallbacks."""

import functools
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest


class StaticHost(SimpleHTTPRequestHandler):
    """A static host that serves POST like GET, as a placement's host must (the portal
    POSTs the frame's form, PROTOCOL.md §1.1)."""

    def do_POST(self):  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.do_GET()

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


def test_the_portal_posts_the_frame_form(b24, dist, static_host):
    """The frame is loaded by a hidden form POST, as the portal does
    (api-reference/widgets/_includes/widget_data.md, api-reference/widgets/crm/detail-tab.md):
    DOMAIN/PROTOCOL/LANG/APP_SID in the query string, the tokens, SERVER_ENDPOINT,
    APPLICATION_TOKEN/SCOPE, member_id, status, PLACEMENT and PLACEMENT_OPTIONS (JSON text)
    in the body, in the portal's order."""
    from urllib.parse import parse_qs, parse_qsl, urlsplit

    deal_tab = {"placement": "CRM_DEAL_DETAIL_TAB", "options": {"ID": "1"}}
    with b24.page.expect_request(lambda r: r.url.startswith(static_host + "/index.html")) as seen:
        app = b24.open(static_host + "/index.html", **deal_tab)
    request = seen.value
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    fields = parse_qsl(request.post_data or "", keep_blank_values=True)
    assert [name for name, _ in fields] == [
        "AUTH_ID",
        "AUTH_EXPIRES",
        "REFRESH_ID",
        "SERVER_ENDPOINT",
        "APPLICATION_TOKEN",
        "APPLICATION_SCOPE",
        "member_id",
        "status",
        "PLACEMENT",
        "PLACEMENT_OPTIONS",
    ]
    body = dict(fields)
    assert body["PLACEMENT"] == "CRM_DEAL_DETAIL_TAB" and body["status"] == "L"
    assert body["PLACEMENT_OPTIONS"] == '{"ID":"1"}' and body["AUTH_EXPIRES"].isdigit()
    assert body["member_id"] == b24.store.member_id()
    assert len(body["APPLICATION_TOKEN"]) == 32 and "crm" in body["APPLICATION_SCOPE"].split(",")
    assert body["AUTH_ID"] == app.page.evaluate("() => window.portal.auth.AUTH_ID")
    query = parse_qs(urlsplit(request.url).query)
    assert set(query) >= {"DOMAIN", "PROTOCOL", "LANG", "APP_SID"}
    app.frame.wait_for_selector("#greeting:text('Hello, Alex!')", timeout=60_000)


def test_the_default_placement_posts_no_placement_options(b24, dist, static_host):
    """settings/oauth/simple-way.md: an app opened as itself (DEFAULT) gets no
    PLACEMENT_OPTIONS."""
    from urllib.parse import parse_qs

    with b24.page.expect_request(lambda r: r.url.startswith(static_host + "/index.html")) as seen:
        b24.open(static_host + "/index.html")
    body = parse_qs(seen.value.post_data or "")
    assert body["PLACEMENT"] == ["DEFAULT"] and "PLACEMENT_OPTIONS" not in body


class GetOnlyHost(SimpleHTTPRequestHandler):
    """A static host that answers POST with 405, as nginx's static module does."""

    def do_POST(self):  # noqa: N802 - http.server's name
        self.send_error(405)

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass


def test_a_host_that_refuses_post_is_reported(b24, dist):
    """A host that serves the built app for GET only: b24.open() says so at once, in one line
    that says what to do, instead of the test passing on GET or timing out."""
    from pyb24_toolkit.plugin import FrameLoadError

    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(GetOnlyHost, directory=str(dist))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/index.html"
    try:
        with pytest.raises(FrameLoadError) as caught:
            b24.open(url)
    finally:
        server.shutdown()
        server.server_close()
    message = str(caught.value)
    assert message.startswith(f"{url} answered 405 to the portal's form POST")
    assert "serve the page for POST" in message and "\n" not in message
