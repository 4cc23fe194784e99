"""The dev server side of the emulated portal: one route table, which file answers a URL of
the app (any file and any page of the app folder, pyb24 and the runtime from the
installation, never a dot-file or a way out), the watcher, and app errors (no browser)."""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import socket
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from portal_emulator import AppFolderError, PortInUseError, check_app_folder, start_emulator
from portal_emulator.appfiles import AppFiles, file_in
from portal_emulator.devtools import PythonScript, python_scripts, tidy_traceback
from portal_emulator.server import GET, POST, ROUTES, PortalHandler, find_route


def write(base: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


class Installation:
    """A stand-in installation: a pyb24 package and the runtime, with the real rule's
    shape (pyb24_toolkit.assets.shipped_file): only the app-relative layout's paths."""

    def __init__(self, base: Path) -> None:
        self.base = base

    def __call__(self, relative: str) -> Path | None:
        parts = relative.split("/")
        if parts[0] == "pyb24" or relative == "static/pyb24-boot.js" or parts[1:2] == ["vendor"]:
            return file_in(self.base, relative)
        return None


@pytest.fixture(scope="module")
def runtime(tmp_path_factory) -> Installation:
    base = tmp_path_factory.mktemp("install")
    write(
        base,
        {
            "pyb24/__init__.py": "INSTALLED = True\n",
            "pyb24/protocol.py": "# installed\n",
            "static/pyb24-boot.js": "// installed boot\n",
            "static/app.css": "/* the installation's own demo css */",
            "static/vendor/pyodide/pyodide.mjs": "export {}\n",
            "secret.txt": "SECRET",
        },
    )
    return Installation(base)


def make_app(tmp_path: Path, runtime: Installation) -> Path:
    folder = tmp_path / "myapp"
    write(
        folder,
        {
            "index.html": "<!doctype html><html><head><title>app</title></head><body></body>",
            "settings.html": "<!doctype html><title>settings</title>",
            "app.py": "print('app')\n",
            "helpers.py": "X = 1\n",
            "pyscript.toml": 'interpreter = "./static/vendor/pyodide/pyodide.mjs"\n',
            "pkg/module.py": "Y = 2\n",
            "static/app.css": "/* the app's own css */",
            "pyb24/protocol.py": "# the app's own copy wins\n",
            ".env": "SECRET",
            ".git/config": "SECRET",
            "assets/.hidden/x.js": "SECRET",
        },
    )
    (tmp_path / "outside.txt").write_text("SECRET")
    os.symlink(tmp_path / "outside.txt", folder / "leak.txt")
    os.symlink(runtime.base, folder / "linked")
    (folder / "portal.sqlite3-wal").write_text("SECRET")
    return folder


@pytest.fixture(scope="module")
def app(tmp_path_factory, runtime) -> Path:
    """A user's app folder: its own pages and modules, no pyb24/ and no runtime."""
    return make_app(tmp_path_factory.mktemp("app"), runtime)


def start(app: Path, runtime: Installation):
    out = io.StringIO()
    emulator = start_emulator(
        root=app, db_path=app / "portal.sqlite3", shipped=runtime, dev=True, out=out
    )
    emulator.out_text = out
    return emulator


# -- the route table ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "handler", "methods"),
    [
        ("/rest/user.current.json", "serve_rest", frozenset()),
        ("/rest", "serve_rest", frozenset()),
        ("/portal/api/directory", "serve_directory", GET),
        ("/portal/api/state", "serve_state", GET),
        ("/portal/api/rest_log", "serve_rest_log", GET),
        ("/portal/api/refresh", "serve_action", POST),
        ("/portal/dev/events", "serve_dev_events", GET),
        ("/portal/dev/error", "serve_dev_error", POST),
        ("/", "redirect_to_portal", GET),
        ("/portal", "redirect_to_portal", GET),
        ("/portal/", "serve_portal_page", GET),
        ("/portal/foreign.html", "serve_foreign_page", GET),
        ("/portal/static/portal.js", "serve_portal_static", GET),
        ("/favicon.ico", "serve_favicon", GET),
        ("/index.html", "serve_app_file", GET | POST),  # the portal POSTs the frame
        ("/settings.html", "serve_app_file", GET | POST),  # the portal POSTs the frame
        (
            "/restaurant.html",
            "serve_app_file",
            GET | POST,
        ),  # the portal POSTs the frame  # a prefix of "/rest" is not REST
        ("/portal.html", "serve_app_file", GET | POST),  # the portal POSTs the frame
    ],
)
def test_one_route_table_answers_every_path(path, handler, methods):
    route = find_route(path)
    assert route is not None and route.handler.__name__ == handler
    assert route.methods == methods


def test_every_route_is_a_handler_method_and_the_page_api_is_same_origin_only():
    for route in ROUTES:
        assert getattr(PortalHandler, route.handler.__name__) is route.handler
        assert route.same_origin == route.path.startswith(("/portal/api/", "/portal/dev/"))
    assert ROUTES[-1].path == "/" and ROUTES[-1].prefix  # the app folder takes the rest


def request(url, *, method="GET", data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


@pytest.fixture(scope="module")
def emu(app, runtime):
    emulator = start(app, runtime)
    yield emulator
    emulator.stop()


@pytest.fixture
def fresh(tmp_path, runtime):
    """An emulator of its own over an app folder of its own (for tests that edit files)."""
    emulator = start(make_app(tmp_path, runtime), runtime)
    yield emulator
    emulator.stop()


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("PUT", "/index.html", 405),  # POST is served: the portal POSTs the frame's form
        ("DELETE", "/portal/", 405),
        ("GET", "/portal/api/refresh", 405),
        ("POST", "/portal/api/directory", 405),
        ("GET", "/portal/dev/error", 405),
        ("POST", "/portal/api/no_such_action", 404),
    ],
)
def test_wrong_methods_get_405_from_the_table(emu, method, path, status):
    code, headers, body = request(emu.app_origin + path, method=method, data=b"{}")
    assert code == status
    assert json.loads(body)["error"] == ("METHOD_NOT_ALLOWED" if status == 405 else "NOT_FOUND")


def test_an_app_page_answers_the_portals_form_post(emu):
    """The portal loads the frame with a form POST (api-reference/widgets/_includes/
    widget_data.md): the page comes back as for GET, and the connection stays usable."""
    form = b"AUTH_ID=x&PLACEMENT=DEFAULT"
    code, _, body = request(emu.app_origin + "/index.html?DOMAIN=d", method="POST", data=form)
    assert code == 200 and b"<title>app</title>" in body


# -- the app folder ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/index.html", "<title>app</title>"),
        ("/settings.html", "<title>settings</title>"),
        ("/helpers.py", "X = 1"),
        ("/pkg/module.py", "Y = 2"),
        ("/pyscript.toml", "interpreter"),
        ("/static/app.css", "the app's own css"),  # never the installation's
        ("/pyb24/protocol.py", "the app's own copy wins"),
        ("/pyb24/__init__.py", "INSTALLED = True"),  # the app lacks it: from the installation
        ("/static/pyb24-boot.js", "installed boot"),
        ("/static/vendor/pyodide/pyodide.mjs", "export {}"),
    ],
)
def test_every_file_of_the_app_and_the_runtime_from_the_installation(emu, path, expected):
    code, _headers, body = request(emu.app_origin + path)
    assert code == 200 and expected in body.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/.env",
        "/.git/config",
        "/assets/.hidden/x.js",
        "/%2eenv",
        "/leak.txt",  # a symlink out of the folder
        "/linked/secret.txt",  # a folder symlinked from outside
        "/linked/static/pyb24-boot.js",
        "/../outside.txt",
        "/static/../../outside.txt",
        "/static/%2e%2e/%2e%2e/outside.txt",
        "/static/..%2f..%2foutside.txt",
        "/pkg/",
        "/pkg",
        "/static/other.css",  # the installation stands in for pyb24 and the runtime only
        "/secret.txt",
        "/portal.sqlite3",  # the emulator's database holds live tokens
        "/portal.sqlite3-wal",
    ],
)
def test_never_a_dot_file_a_way_out_or_the_database(emu, path):
    conn = http.client.HTTPConnection(*urlsplit(emu.app_origin).netloc.split(":"), timeout=5)
    try:
        conn.request("GET", path)  # sent as is: "../" included
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    assert resp.status == 404 and b"SECRET" not in body
    assert json.loads(body)["error"] == "NOT_FOUND"


def test_app_files_resolve_without_http(app, runtime):
    files = AppFiles(app, runtime)
    assert files.resolve("/settings.html") == (app / "settings.html").resolve()
    assert files.resolve("/pyb24/__init__.py") == (runtime.base / "pyb24/__init__.py").resolve()
    assert files.resolve("/pyb24/../app.py") is None
    assert files.resolve("/static/vendor/../../secret.txt") is None
    assert files.resolve("/") is None


def page_config(body: bytes) -> dict:
    return json.loads(re.search(rb'id="portal-config">(.*?)</script>', body)[1])


def test_any_page_of_the_app_opens_in_the_portal(emu):
    code, _headers, body = request(emu.portal_url(app="/settings.html"))
    assert code == 200
    config = page_config(body)
    url = urlsplit(config["appUrl"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == emu.app_origin + "/settings.html"
    assert parse_qs(url.query)["APP_SID"] == [config["appSid"]]
    assert config["dev"] == {"events": emu.events.seq}
    assert request(config["appUrl"])[0] == 200


def test_dev_mode_injects_the_dev_client_into_html_pages_only(emu, app, runtime, tmp_path):
    tag = b'<script type="module" src="/portal/static/dev-client.js"></script>'
    page = request(emu.app_origin + "/index.html")[2]
    assert page.startswith(b"<!doctype html><html><head>" + tag + b"<title>")
    assert request(emu.app_origin + "/settings.html")[2].startswith(tag + b"<!doctype html>")
    assert tag not in request(emu.app_origin + "/app.py")[2]
    assert request(emu.app_origin + "/portal/static/dev-client.js")[0] == 200
    plain = start_emulator(root=app, db_path=tmp_path / "plain.sqlite3", shipped=runtime)
    try:
        assert tag not in request(plain.app_origin + "/index.html")[2]
        assert page_config(request(plain.portal_url())[2])["dev"] is None
    finally:
        plain.stop()


def test_the_repo_is_an_app_folder_too():
    root = Path(__file__).resolve().parents[2]
    files = AppFiles(root)  # the installation's rule: pyb24_toolkit.assets.shipped_file
    for path in ("/index.html", "/app.py", "/tests/e2e/apps/harness.html", "/pyb24/protocol.py"):
        assert files.resolve(path) is not None, path
    assert files.resolve("/pyb24.zip") is not None  # generated from the package
    assert files.resolve("/.git/config") is None


# -- clear messages, never a traceback ---------------------------------------------------------


def test_an_app_folder_without_index_html_is_refused_clearly(tmp_path):
    with pytest.raises(AppFolderError, match="has no index.html"):
        check_app_folder(tmp_path)
    with pytest.raises(AppFolderError, match="does not exist"):
        check_app_folder(tmp_path / "nope")
    (tmp_path / "file").write_text("")
    with pytest.raises(AppFolderError, match="is not a folder"):
        check_app_folder(tmp_path / "file")
    (tmp_path / "index.html").write_text("")
    assert check_app_folder(tmp_path) == tmp_path.resolve()


def test_a_port_in_use_is_refused_clearly(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUseError, match=f"portal port {port} is already in use"):
            start_emulator(root=tmp_path, db_path=tmp_path / "a.sqlite3", portal_port=port)
        with pytest.raises(PortInUseError, match="--app-port"):
            start_emulator(root=tmp_path, db_path=tmp_path / "b.sqlite3", app_port=port)


# -- reload on save ------------------------------------------------------------------------------


def test_the_watcher_sees_saves_new_and_removed_files_but_not_dot_files(fresh):
    emu, app = fresh, fresh.root
    assert emu.check_for_changes() == []
    before = emu.events.seq
    (app / "app.py").write_text("print('changed')\n")
    os.utime(app / "app.py", ns=(1, 1))  # a different mtime even on a coarse clock
    (app / "new.py").write_text("")
    (app / "helpers.py").unlink()
    (app / ".env").write_text("changed")
    (app / ".app.py.swp").write_text("editor")
    (app / "node_modules").mkdir()
    (app / "node_modules" / "x.js").write_text("")
    emu.store.set_app_installed("N")  # a write to the database inside the app folder
    (app / "portal.sqlite3-wal").write_text("changed")
    assert emu.check_for_changes() == ["app.py", "helpers.py", "new.py"]
    assert emu.check_for_changes() == []
    events = emu.events.after(before)
    assert [(e["kind"], e["data"]) for e in events] == [
        ("reload", {"paths": ["app.py", "helpers.py", "new.py"]})
    ]


def test_the_watcher_ignores_tests_caches_logs_builds_and_other_apps(fresh):
    """Issue 15 item 6: only the app's own files reload it."""
    emu, app = fresh, fresh.root
    assert emu.check_for_changes() == []
    write(
        app,
        {
            "tests/test_app.py": "def test(): pass\n",
            ".pytest_cache/v/cache/lastfailed": "{}",
            "__pycache__/app.cpython-311.pyc": "",
            "pkg/__pycache__/module.cpython-311.pyc": "",
            "dev.log": "GET /index.html 200\n",
            "logs/app.log": "started\n",
            "dist/index.html": "",  # an earlier `pyb24 build -o dist`
            "dist/pyb24.zip": "",
            "dist/static/pyb24-boot.js": "",
            "other/index.html": "",  # another app (its own page and config)
            "other/pyscript.toml": "",
            "myapp.egg-info/PKG-INFO": "",
            "README.md": "notes",
        },
    )
    assert emu.check_for_changes() == []
    (app / "static/data.json").write_text("{}")
    assert emu.check_for_changes() == ["static/data.json"]


def test_a_log_written_on_every_reload_cannot_loop(tmp_path):
    """`pyb24 dev app 2> app/dev.log`: each reload writes the log; the log is no reason to
    reload, so one save is one reload, however often the watcher looks."""
    from portal_emulator.appfiles import Watcher

    write(tmp_path, {"index.html": "", "app.py": "print(1)\n"})
    log = tmp_path / "dev.log"
    reloads = []

    def reload(paths):
        reloads.append(paths)
        with log.open("a") as file:
            file.write(f"changed: {', '.join(paths)}: reloading the app\n")

    watcher = Watcher(tmp_path, reload)
    (tmp_path / "app.py").write_text("print(2)\n")
    os.utime(tmp_path / "app.py", ns=(3, 3))
    assert watcher.check() == ["app.py"]
    assert [watcher.check() for _ in range(3)] == [[], [], []]
    assert reloads == [["app.py"]] and log.read_text().count("reloading") == 1


def test_the_portal_page_hears_reloads_as_server_sent_events(fresh):
    emu, app = fresh, fresh.root
    (app / "app.py").write_text("print('saved')\n")
    os.utime(app / "app.py", ns=(2, 2))
    start = emu.events.seq
    assert emu.check_for_changes() == ["app.py"]
    conn = http.client.HTTPConnection(*urlsplit(emu.portal_origin).netloc.split(":"), timeout=10)
    try:
        conn.request("GET", f"/portal/dev/events?after={start}")
        resp = conn.getresponse()
        assert resp.status == 200
        assert resp.getheader("Content-Type").startswith("text/event-stream")
        lines = []
        while (line := resp.fp.readline().decode().rstrip("\n")) != "" or len(lines) < 2:
            lines.append(line)
    finally:
        conn.close()
    assert lines[0] == "retry: 1000"
    assert lines[2:] == [f"id: {start + 1}", "event: reload", 'data: {"paths": ["app.py"]}']


# -- uncaught exceptions of the app ----------------------------------------------------------------

TRACEBACK = """Traceback (most recent call last):
  File "/home/pyodide/app.py", line 3, in <module>
    fetch("/rest/x?auth=9b00c0ffee1234567890")
ZeroDivisionError: division by zero
"""


def test_an_app_error_goes_to_the_terminal_and_the_portal_page(fresh):
    emu = fresh
    before = emu.events.seq
    body = {"appSid": "a" * 32, "page": "/index.html", "traceback": TRACEBACK}
    code, _headers, answer = request(
        emu.app_origin + "/portal/dev/error",
        method="POST",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Origin": emu.app_origin},
    )
    assert code == 200 and json.loads(answer)["message"] == "ZeroDivisionError: division by zero"
    printed = emu.out_text.getvalue()
    assert printed.startswith("[app error] uncaught exception in /index.html\nTraceback")
    assert "ZeroDivisionError: division by zero\n" in printed
    assert "9b00c0ffee" not in printed and "auth=…" in printed
    [event] = emu.events.after(before)
    assert event["kind"] == "app-error"
    assert event["data"]["appSid"] == "a" * 32
    assert "auth=9b00…" in event["data"]["traceback"]
    assert emu.app_errors[-1] == event["data"]


def test_only_the_app_itself_reports_its_errors(emu):
    before = len(emu.app_errors)
    code, _headers, body = request(
        emu.app_origin + "/portal/dev/error",
        method="POST",
        data=b'{"traceback": "forged"}',
        headers={"Content-Type": "application/json", "Origin": "http://evil.example"},
    )
    assert code == 403 and len(emu.app_errors) == before


def test_python_m_portal_emulator_says_what_is_wrong_without_a_traceback(tmp_path, capsys):
    from portal_emulator.__main__ import main

    assert main(["--root", str(tmp_path), "--db", str(tmp_path / "p.sqlite3")]) == 2
    assert capsys.readouterr().err == (
        f"python -m portal_emulator: error: app folder {str(tmp_path)!r} has no index.html: it"
        " is the page the portal opens (create one with `pyb24 new DIR`, or give the folder"
        " that holds it)\n"
    )
    (tmp_path / "index.html").write_text("")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        argv = ["--root", str(tmp_path), "--db", str(tmp_path / "p.sqlite3"), "--app-port", port]
        assert main(argv + ["--portal-port", "0"]) == 2
    assert f"the app port {port} is already in use" in capsys.readouterr().err


PYODIDE_TRACEBACK = """Traceback (most recent call last):
  File "/lib/python314.zip/_pyodide/_base.py", line 597, in eval_code_async
    await CodeRunner(
    ...<9 lines>...
    .run_async(globals, locals)
  File "<exec>", line 3, in <module>
  File "/home/pyodide/helpers.py", line 1, in twice
    return 2 * x
  File "<exec>", line 2, in f
ZeroDivisionError: division by zero"""


def test_tracebacks_name_the_apps_script_and_leave_out_the_runtime():
    source = "def f():\n    return 1 / 0\nf()\n"
    assert tidy_traceback(PYODIDE_TRACEBACK, ("app.py", source)) == (
        "Traceback (most recent call last):\n"
        '  File "app.py", line 3, in <module>\n'
        "    f()\n"
        '  File "/home/pyodide/helpers.py", line 1, in twice\n'
        "    return 2 * x\n"
        '  File "app.py", line 2, in f\n'
        "    return 1 / 0\n"
        "ZeroDivisionError: division by zero"
    )
    assert '"<exec>", line 3' in tidy_traceback(PYODIDE_TRACEBACK)  # which script: unknown
    page = """<script type="module" src="./static/pyb24-boot.js"></script>
    <script src='x.js'></script><script config="./c.toml" type="py" src="./app.py"></script>
    <script type=mpy src=m.py></script><script type="py">inline()</script>
    <py-script src="./w.py" worker></py-script><mpy-script src="e.py"></mpy-script>"""
    assert python_scripts(page) == [
        PythonScript("./app.py", "py", worker=False),
        PythonScript("m.py", "mpy", worker=False),
        PythonScript("./w.py", "py", worker=True),
        PythonScript("e.py", "mpy", worker=False),
    ]


def test_a_taken_port_is_an_oserror_too(tmp_path):
    import errno

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError) as caught:
            start_emulator(tmp_path, tmp_path / "c.sqlite3", portal_port=taken.getsockname()[1])
    assert caught.value.errno == errno.EADDRINUSE
    assert str(caught.value).startswith("the portal port ")
