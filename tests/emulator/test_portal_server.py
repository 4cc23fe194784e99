"""The emulated portal over real HTTP on ephemeral ports (no browser)."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from portal_emulator.server import start_emulator


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """An app folder: its files (all served) next to dot-files and a link out (never served)."""
    root = tmp_path_factory.mktemp("repo")
    files = {
        "index.html": "<!DOCTYPE html><title>app</title>",
        "app.py": "print('hi')\n",
        "pyscript.toml": 'name = "demo"\n',
        "pyb24/__init__.py": "",
        "pyb24/protocol.py": "X = 1\n",
        "static/app.css": "body{}",
        "static/pyb24-boot.js": "1;",
        "static/vendor/pyodide/pyodide.asm.wasm": "\0asm",
        "static/vendor/pyodide/pyodide.mjs": "export {}",
        "static/vendor/pyodide/python_stdlib.zip": "PK",
        "static/vendor/pyodide/pyodide-lock.json": "{}",
        "tests/e2e/apps/probe.html": "<p>probe</p>",
        "bench/pages/b.html": "<p>bench</p>",
        "examples/e.py": "pass\n",
        "pyproject.toml": "[project]",
        "notes.txt": "served: a file of the app folder",
        ".env": "SECRET",
        ".git/config": "SECRET",
        "node_modules/x/index.js": "SECRET",
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    outside = tmp_path_factory.mktemp("outside") / "passwd"
    outside.write_text("SECRET")
    os.symlink(outside, root / "static" / "leak.txt")
    return root


@pytest.fixture(scope="module")
def emu(root, tmp_path_factory):
    emulator = start_emulator(root=root, db_path=tmp_path_factory.mktemp("db") / "portal.sqlite3")
    yield emulator
    emulator.stop()


@pytest.fixture(autouse=True)
def clean(emu):
    emu.reset()


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)


def request(url, *, method="GET", data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return Response(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as err:
        return Response(err.code, err.headers, err.read())


def api(emu, action, body, *, raw=None):
    data = raw if raw is not None else json.dumps(body).encode()
    return request(
        f"{emu.portal_origin}/portal/api/{action}",
        method="POST",
        data=data,
        headers={"Content-Type": "application/json"},
    )


def raw_request(origin, text: bytes) -> bytes:
    host, port = urlsplit(origin).hostname, urlsplit(origin).port
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(text)
        sock.shutdown(socket.SHUT_WR)  # no more request bytes: the server must answer or close
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def page_config(body: bytes) -> dict:
    match = re.search(rb'<script type="application/json" id="portal-config">(.*?)</script>', body)
    assert match, "the portal page embeds its config"
    return json.loads(match.group(1))


def open_layout(emu, **knobs) -> dict:
    resp = request(emu.portal_url(**knobs))
    assert resp.status == 200
    return page_config(resp.body)


# -- origins and URLs ------------------------------------------------------------------------


def test_two_origins_on_loopback(emu):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", emu.portal_origin)
    assert re.fullmatch(r"http://localhost:\d+", emu.app_origin)
    assert emu.portal_origin.rsplit(":", 1)[1] != emu.app_origin.rsplit(":", 1)[1]
    assert request(emu.app_origin + "/index.html").status == 200


def test_portal_url_writes_knobs_the_page_understands(emu):
    url = emu.portal_url(admin=0, deny="setAppOption")
    assert url == f"{emu.portal_origin}/portal/?app=%2Findex.html&admin=0&deny=setAppOption"
    url = emu.portal_url(
        "/tests/e2e/apps/probe.html",
        admin=True,
        hold=["a", "b"],
        placement_options={"ID": "1"},
        user=None,
    )
    query = parse_qs(urlsplit(url).query)
    assert query == {
        "app": ["/tests/e2e/apps/probe.html"],
        "admin": ["1"],
        "hold": ["a,b"],
        "placement_options": ['{"ID":"1"}'],
    }


# -- app files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/index.html", "text/html"),
        ("/app.py", "text/plain"),
        ("/pyscript.toml", "text/plain"),
        ("/pyb24/protocol.py", "text/plain"),
        ("/static/app.css", "text/css"),
        ("/static/pyb24-boot.js", "text/javascript"),
        ("/static/vendor/pyodide/pyodide.mjs", "text/javascript"),
        ("/static/vendor/pyodide/pyodide.asm.wasm", "application/wasm"),
        ("/static/vendor/pyodide/python_stdlib.zip", "application/zip"),
        ("/static/vendor/pyodide/pyodide-lock.json", "application/json"),
        ("/tests/e2e/apps/probe.html", "text/html"),
        ("/bench/pages/b.html", "text/html"),
        ("/examples/e.py", "text/plain"),
        ("/pyproject.toml", "text/plain"),
        ("/notes.txt", "text/plain"),
        ("/node_modules/x/index.js", "text/javascript"),
    ],
)
def test_app_files_are_served_with_their_type(emu, path, content_type):
    resp = request(emu.app_origin + path)
    assert resp.status == 200
    assert resp.headers["Content-Type"].split(";")[0] == content_type
    assert int(resp.headers["Content-Length"]) == len(resp.body)


def test_cache_headers(emu):
    vendor = request(emu.app_origin + "/static/vendor/pyodide/pyodide.mjs")
    assert vendor.headers["Cache-Control"] == "public, max-age=86400"
    for path in ("/index.html", "/pyb24/protocol.py", "/static/app.css"):
        assert request(emu.app_origin + path).headers["Cache-Control"] == "no-cache"


def test_revalidation_answers_304(emu):
    first = request(emu.app_origin + "/app.py")
    again = request(
        emu.app_origin + "/app.py", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert again.status == 304 and again.body == b""
    tagged = request(emu.app_origin + "/app.py", headers={"If-None-Match": first.headers["ETag"]})
    assert tagged.status == 304
    other = request(
        emu.app_origin + "/app.py",
        headers={"If-None-Match": '"0-1"', "If-Modified-Since": first.headers["Last-Modified"]},
    )
    assert other.status == 200 and other.body == b"print('hi')\n"  # the tag wins over the date


def test_app_files_are_served_on_both_ports(emu):
    assert request(emu.portal_origin + "/index.html").status == 200


@pytest.mark.parametrize(
    "path",
    [
        "/.env",
        "/.git/config",
        "/static/leak.txt",  # symlink out of the tree
        "/static/",
        "/pyb24",
        "/static/vendor/../../.env",
        "/static/%2e%2e/.env",
        "/static/..%2f.env",
        "/../outside/passwd",
        "/static/./app.css",
        "/static//app.css",
        "/missing.html",
    ],
)
def test_dot_files_folders_and_ways_out_are_404(emu, path):
    conn = http.client.HTTPConnection(*urlsplit(emu.app_origin).netloc.split(":"), timeout=5)
    try:
        conn.request("GET", path)  # http.client sends the path as is, "../" included
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    assert resp.status == 404
    assert b"SECRET" not in body
    assert json.loads(body)["error"] == "NOT_FOUND"


def test_favicon_is_empty(emu):
    assert request(emu.portal_origin + "/favicon.ico").status == 204


def test_head_sends_headers_only(emu):
    resp = request(emu.app_origin + "/index.html", method="HEAD")
    assert resp.status == 200 and resp.body == b""
    assert int(resp.headers["Content-Length"]) > 0


# -- portal page -----------------------------------------------------------------------------


def test_portal_page_embeds_the_scenario(emu):
    config = open_layout(
        emu,
        admin=0,
        user=2,
        lang="de",
        placement="crm_deal_detail_tab",
        placement_options={"ID": "42"},
        deny="setTitle",
        hold="refreshAuth,setScroll",
        expires=120,
    )
    assert re.fullmatch(r"[0-9a-f]{32}", config["appSid"])
    assert config["appOrigin"] == emu.app_origin
    app_url = urlsplit(config["appUrl"])
    assert f"{app_url.scheme}://{app_url.netloc}{app_url.path}" == emu.app_origin + "/index.html"
    assert parse_qs(app_url.query) == {
        "DOMAIN": [urlsplit(emu.portal_origin).netloc],
        "PROTOCOL": ["0"],
        "LANG": ["de"],
        "APP_SID": [config["appSid"]],
    }
    assert config["isAdmin"] is False
    assert config["user"]["id"] == 2
    assert config["lang"] == "de"
    assert config["placement"] == "CRM_DEAL_DETAIL_TAB"
    assert config["placementOptions"] == {"ID": "42"}
    assert config["deny"] == ["setTitle"]
    assert config["hold"] == ["refreshAuth", "setScroll"]
    assert config["auth"]["AUTH_EXPIRES"] == 120
    assert len(config["auth"]["AUTH_ID"]) == 70
    assert config["firstRun"] is True
    assert config["install"] is False
    assert config["error"] is None


def test_portal_page_looks_like_a_portal(emu):
    resp = request(emu.portal_url())
    assert resp.headers["Content-Type"].startswith("text/html")
    html = resp.body.decode()
    assert '<h1 id="pagetitle">' in html
    assert 'id="app-container"' in html
    assert "/portal/static/portal.js" in html
    assert "Alex Morgan" in html
    for asset in ("portal.js", "portal.css"):
        assert request(f"{emu.portal_origin}/portal/static/{asset}").status == 200


def test_admin_defaults_to_the_users_own_flag(emu):
    assert open_layout(emu)["isAdmin"] is True  # user 1 is the portal administrator
    assert open_layout(emu, user=3)["isAdmin"] is False
    assert open_layout(emu, user=3, admin=1)["isAdmin"] is True


def test_same_frame_serves_the_app_from_the_portal_origin(emu):
    config = open_layout(emu, frame="same")
    assert config["appOrigin"] == emu.portal_origin
    assert config["appUrl"].startswith(emu.portal_origin + "/index.html?")


def test_full_app_url_sets_the_app_origin(emu):
    config = open_layout(emu, app="http://localhost:9/x.html?a=1")
    assert config["appOrigin"] == "http://localhost:9"
    assert config["appUrl"].startswith("http://localhost:9/x.html?a=1&DOMAIN=")


def test_first_run_and_install_knobs_write_the_store(emu):
    assert open_layout(emu, first_run=0)["firstRun"] is False
    assert open_layout(emu)["firstRun"] is False  # remembered
    assert open_layout(emu, first_run=1)["firstRun"] is True
    assert open_layout(emu, install=1)["install"] is True
    assert open_layout(emu)["install"] is True
    assert open_layout(emu, install=0)["install"] is False
    state = request(emu.portal_origin + "/portal/api/state").json()
    assert state["installed"] == "Y"


def test_invalid_knob_shows_an_error_banner(emu):
    resp = request(emu.portal_url(placement_options="{oops"))
    assert resp.status == 400
    config = page_config(resp.body)
    assert config["error"].startswith("Invalid scenario: placement_options is not valid JSON")
    assert "appSid" not in config
    assert "placement_options is not valid JSON" in resp.body.decode()


def test_unknown_user_is_a_scenario_error(emu):
    resp = request(emu.portal_url(user=999))
    assert resp.status == 400
    assert "user 999 does not exist" in page_config(resp.body)["error"]


def test_config_cannot_break_out_of_its_script_element(emu):
    config = open_layout(emu, placement_options={"x": "</script><script>alert(1)</script>"})
    assert config["placementOptions"]["x"] == "</script><script>alert(1)</script>"


def test_foreign_page_is_served(emu):
    resp = request(emu.app_origin.replace("localhost", "127.0.0.1") + "/portal/foreign.html")
    assert resp.status == 200
    assert b"pyb24-foreign-done" in resp.body


def test_root_redirects_to_the_portal(emu):
    conn = http.client.HTTPConnection(*urlsplit(emu.portal_origin).netloc.split(":"), timeout=5)
    try:
        conn.request("GET", "/")
        resp = conn.getresponse()
        resp.read()
    finally:
        conn.close()
    assert resp.status == 302 and resp.getheader("Location") == "/portal/"


# -- REST (the method behaviour itself: test_rest_*.py) ----------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_rest_wants_a_token(emu, method):
    data = b"auth=x&id=1" if method == "POST" else None
    resp = request(emu.portal_origin + "/rest/user.current.json", method=method, data=data)
    assert resp.status == 401
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert resp.json() == {
        "error": "NO_AUTH_FOUND",
        "error_description": "Wrong authorization data",
    }


# -- portal API --------------------------------------------------------------------------------


def test_refresh_rotates_tokens(emu):
    config = open_layout(emu, expires=77)
    sid, auth = config["appSid"], config["auth"]
    resp = api(emu, "refresh", {"app_sid": sid, "refresh_token": auth["REFRESH_ID"]})
    assert resp.status == 200
    fresh = resp.json()
    assert set(fresh) == {"AUTH_ID", "AUTH_EXPIRES", "REFRESH_ID"}
    assert fresh["AUTH_EXPIRES"] == 77
    assert fresh["AUTH_ID"] != auth["AUTH_ID"]

    again = api(emu, "refresh", {"app_sid": sid, "refresh_token": auth["REFRESH_ID"]})
    assert again.status == 400 and again.json()["error"] == "invalid_grant"
    assert api(emu, "refresh", {"app_sid": sid, "refresh_token": "x"}).status == 400


def test_user_option_persists_per_user(emu):
    sid = open_layout(emu, user=2)["appSid"]
    value = {"nested": [1, "two", None, True]}
    resp = api(emu, "user_option", {"app_sid": sid, "name": "prefs", "value": value})
    assert resp.status == 200 and resp.json() == {"name": "prefs", "value": value}
    assert open_layout(emu, user=2)["userOptions"] == {"prefs": value}
    assert open_layout(emu, user=1)["userOptions"] == {}


def test_app_options_need_an_admin_layout(emu):
    admin_sid = open_layout(emu, admin=1)["appSid"]
    user_sid = open_layout(emu, admin=0)["appSid"]
    options = [{"name": "mode", "value": "a"}, {"name": "n", "value": 5}]
    denied = api(emu, "app_options", {"app_sid": user_sid, "options": options})
    assert denied.status == 403 and denied.json()["error"] == "ACCESS_DENIED"
    assert request(emu.portal_origin + "/portal/api/state").json()["app_options"] == {}

    saved = api(emu, "app_options", {"app_sid": admin_sid, "options": options})
    assert saved.status == 200 and saved.json() == {"mode": "a", "n": 5}
    more = api(emu, "app_options", {"app_sid": admin_sid, "options": [{"name": "x", "value": []}]})
    assert more.json() == {"mode": "a", "n": 5, "x": []}  # the full object after the update
    assert open_layout(emu)["appOptions"] == {"mode": "a", "n": 5, "x": []}


def test_install_flags_via_api(emu):
    sid = open_layout(emu)["appSid"]
    assert api(emu, "install", {"app_sid": sid, "install": True}).json() == {"install": True}
    assert open_layout(emu)["firstRun"] is False
    assert api(emu, "installed", {"app_sid": sid, "v": "N"}).json() == {"installed": "N"}
    assert open_layout(emu)["install"] is True
    state = request(emu.portal_origin + "/portal/api/state").json()
    assert state["installed"] == "N" and state["user_install"] == {"1": True}
    assert api(emu, "installed", {"app_sid": sid, "v": "yes"}).status == 400
    assert api(emu, "install", {"app_sid": sid, "install": "yes"}).status == 400


def test_reset_action_wipes_the_store(emu):
    sid = open_layout(emu)["appSid"]
    api(emu, "user_option", {"app_sid": sid, "name": "a", "value": 1})
    assert api(emu, "reset", {}).status == 200
    state = request(emu.portal_origin + "/portal/api/state").json()
    assert state["user_options"] == {} and state["layouts"] == 0


def test_state_never_shows_tokens(emu):
    config = open_layout(emu)
    body = request(emu.portal_origin + "/portal/api/state").body.decode()
    assert config["auth"]["AUTH_ID"] not in body
    assert config["auth"]["REFRESH_ID"] not in body


@pytest.mark.parametrize(
    ("action", "body", "raw", "status", "error"),
    [
        ("user_option", None, b"{not json", 400, "INVALID_JSON"),
        ("user_option", None, b"[1, 2]", 400, "INVALID_JSON"),
        ("user_option", None, b"\xff\xfe", 400, "INVALID_JSON"),
        ("user_option", {"name": "a"}, None, 400, "INVALID_REQUEST"),
        ("user_option", {"app_sid": "0" * 32, "name": "a"}, None, 404, "LAYOUT_NOT_FOUND"),
        ("no_such_action", {}, None, 404, "NOT_FOUND"),
    ],
)
def test_bad_api_requests_get_json_errors(emu, action, body, raw, status, error):
    resp = api(emu, action, body, raw=raw)
    assert resp.status == status
    assert resp.headers["Content-Type"].startswith("application/json")
    payload = resp.json()
    assert payload["error"] == error and isinstance(payload["error_description"], str)


def test_api_validates_fields(emu):
    sid = open_layout(emu)["appSid"]
    assert api(emu, "user_option", {"app_sid": sid, "name": ""}).status == 400
    assert api(emu, "app_options", {"app_sid": sid, "options": "x"}).status == 400
    assert api(emu, "app_options", {"app_sid": sid, "options": [{"value": 1}]}).status == 400
    assert api(emu, "refresh", {"app_sid": sid}).json()["error"] == "invalid_grant"


def test_api_is_same_origin_only(emu):
    sid = open_layout(emu)["appSid"]
    resp = request(
        f"{emu.portal_origin}/portal/api/user_option",
        method="POST",
        data=json.dumps({"app_sid": sid, "name": "a", "value": 1}).encode(),
        headers={"Origin": emu.app_origin, "Content-Type": "text/plain"},
    )
    assert resp.status == 403 and resp.json()["error"] == "FORBIDDEN_ORIGIN"


def test_api_wants_post(emu):
    resp = request(f"{emu.portal_origin}/portal/api/refresh")
    assert resp.status == 405 and resp.json()["error"] == "METHOD_NOT_ALLOWED"


def test_oversized_body_is_refused(emu):
    resp = api(emu, "user_option", None, raw=b"{" + b" " * (1024 * 1024 + 10) + b"}")
    assert resp.status == 413


# -- robustness --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "garbage",
    [
        b"GARBAGE\r\n\r\n",
        b"\x00\x01\x02\x03\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"POST /portal/api/refresh HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}",
        b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
        b"",
    ],
)
def test_server_survives_garbage(emu, garbage):
    answer = raw_request(emu.portal_origin, garbage)
    # Errors are JSON, not the default HTML page. (A one-word request line is HTTP/0.9 to the
    # standard library, which then sends the body without a status line.)
    assert b"<html" not in answer.lower()
    if answer.startswith(b"HTTP/1."):
        assert b"application/json" in answer
    assert request(emu.portal_url()).status == 200


def test_keep_alive_connection_serves_several_requests(emu):
    conn = http.client.HTTPConnection(*urlsplit(emu.app_origin).netloc.split(":"), timeout=5)
    try:
        for path in ("/index.html", "/missing", "/app.py"):
            conn.request("GET", path)
            conn.getresponse().read()
        conn.request("POST", "/portal/api/nope", body=b"{}")
        not_found = conn.getresponse()
        assert not_found.status == 404 and json.loads(not_found.read())["error"] == "NOT_FOUND"
        conn.request("GET", "/app.py")
        assert conn.getresponse().read() == b"print('hi')\n"
    finally:
        conn.close()


def test_state_survives_a_restart(root, tmp_path):
    db = tmp_path / "restart.sqlite3"
    first = start_emulator(root=root, db_path=db)
    try:
        sid = open_layout(first, user=4)["appSid"]
        api(first, "user_option", {"app_sid": sid, "name": "k", "value": "v"})
    finally:
        first.stop()
    second = start_emulator(root=root, db_path=db)
    try:
        assert open_layout(second, user=4)["userOptions"] == {"k": "v"}
    finally:
        second.stop()
