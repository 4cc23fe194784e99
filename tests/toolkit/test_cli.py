"""The ``pyb24`` command: bad input is one clear line and an exit code, never a traceback."""

import http.server
import os
import socket
import subprocess
import sys
import threading

import pytest


def pyb24(*args, cwd, env_cache, timeout=60):
    env = {**os.environ, "PYB24_CACHE_DIR": str(env_cache)}
    return subprocess.run(
        [sys.executable, "-m", "pyb24_toolkit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_one_line_error(result, *fragments, code=1):
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pyb24: error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def test_new_then_build_from_the_command_line(tmp_path, cache):
    created = pyb24(
        "new", "myapp", "--placement", "CRM_DEAL_DETAIL_TAB", cwd=tmp_path, env_cache=cache
    )
    assert created.returncode == 0, created.stderr
    assert "tests/test_app.py" in created.stdout and "pyb24 dev myapp" in created.stdout
    built = pyb24("build", "myapp", "-o", "dist", "--no-snapshot", cwd=tmp_path, env_cache=cache)
    assert built.returncode == 0, built.stderr
    assert (
        built.stdout.startswith("Built ") and " files, " in built.stdout and " MB" in built.stdout
    )
    assert (tmp_path / "dist/index.html").is_file()


@pytest.mark.parametrize("command", ["dev", "build"])
def test_a_missing_folder(tmp_path, cache, command):
    result = pyb24(command, "nowhere", cwd=tmp_path, env_cache=cache)
    assert_one_line_error(result, "'nowhere' does not exist")


@pytest.mark.parametrize("command", ["dev", "build"])
def test_a_folder_without_index_html(tmp_path, cache, command):
    (tmp_path / "app").mkdir()
    (tmp_path / "app/app.py").write_text("")
    result = pyb24(command, "app", cwd=tmp_path, env_cache=cache)
    assert_one_line_error(result, "'app' has no index.html", "pyb24 new DIR")


@pytest.mark.parametrize("command", ["dev", "build"])
def test_a_pyscript_toml_that_does_not_parse(tmp_path, cache, command):
    pyb24("new", "app", cwd=tmp_path, env_cache=cache)
    (tmp_path / "app/pyscript.toml").write_text('interpreter = "./x.mjs"\n[files\n')
    result = pyb24(command, "app", cwd=tmp_path, env_cache=cache)
    assert_one_line_error(result, "app/pyscript.toml does not parse", "line 2")


def test_a_port_in_use(tmp_path, cache):
    pyb24("new", "app", cwd=tmp_path, env_cache=cache)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = pyb24(
            "dev",
            "app",
            "--no-snapshot",
            "--portal-port",
            str(port),
            "--app-port",
            "0",
            cwd=tmp_path,
            env_cache=cache,
        )
    assert_one_line_error(result, f"the portal port {port} is already in use", "--portal-port")


@pytest.mark.parametrize("port", ["-1", "70000", "http"])
def test_a_bad_port_is_a_usage_error(tmp_path, cache, port):
    result = pyb24("dev", ".", "--app-port", port, cwd=tmp_path, env_cache=cache)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "is not a port" in result.stderr


def test_new_into_a_folder_with_files(tmp_path, cache):
    (tmp_path / "app").mkdir()
    (tmp_path / "app/x").write_text("")
    assert_one_line_error(pyb24("new", "app", cwd=tmp_path, env_cache=cache), "is not empty")


def test_build_that_points_at_localhost(tmp_path, cache):
    pyb24("new", "app", cwd=tmp_path, env_cache=cache)
    (tmp_path / "app/app.py").write_text("URL = 'http://127.0.0.1:8001/'\n")
    result = pyb24("build", "app", "--no-snapshot", cwd=tmp_path, env_cache=cache)
    assert_one_line_error(result, "app.py:1 points at this machine")


def test_no_npm_for_the_runtime(tmp_path):
    """A machine without the runtime and without npm: say what to install."""
    env = {**os.environ, "PYB24_CACHE_DIR": str(tmp_path / "empty"), "PATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "pyb24_toolkit", "runtime"], env=env, capture_output=True, text=True
    )
    assert_one_line_error(result, "npm is missing", "Node.js")


def test_missing_chromium_says_how_to_get_one(tmp_path, monkeypatch):
    from portal_emulator.chromium import ChromiumMissing, launch_chromium

    class NoBundledBrowser:
        class chromium:  # noqa: N801 - Playwright's attribute name
            executable_path = str(tmp_path / "none")

    monkeypatch.setenv("PYB24_CHROMIUM", str(tmp_path / "chrome"))
    with pytest.raises(ChromiumMissing, match="PYB24_CHROMIUM names .*apt-get install chromium"):
        launch_chromium(NoBundledBrowser)


def test_dev_with_a_page_the_app_does_not_have(tmp_path, cache):
    pyb24("new", "app", cwd=tmp_path, env_cache=cache)
    result = pyb24("dev", "app", "--page", "/settings.html", cwd=tmp_path, env_cache=cache)
    assert_one_line_error(result, "--page /settings.html: no such page")


class _NginxLikeHost(http.server.SimpleHTTPRequestHandler):
    """A static host that answers POST with 405, as nginx's static module does."""

    def do_POST(self):  # noqa: N802 - http.server's name
        self.send_error(405)

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass


class _PlainHost(http.server.SimpleHTTPRequestHandler):
    """``python -m http.server``: no do_POST, so POST is its 501."""

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass


@pytest.mark.parametrize(("handler", "status"), [(_NginxLikeHost, 405), (_PlainHost, 501)])
def test_dev_with_a_page_on_a_host_that_refuses_post(tmp_path, cache, handler, status):
    """The portal loads a page with a form POST (api-reference/widgets/_includes/
    widget_data.md): a host that serves only GET is caught before the portal starts."""
    pyb24("new", "app", cwd=tmp_path, env_cache=cache)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        result = pyb24("dev", "app", "--page", url, "--no-snapshot", cwd=tmp_path, env_cache=cache)
    finally:
        server.shutdown()
        server.server_close()
    assert_one_line_error(
        result,
        f"--page {url} answered {status} to the portal's form POST",
        "serve the page for POST",
    )


def test_dev_with_a_page_on_a_host_that_is_down(tmp_path, cache):
    pyb24("new", "app", cwd=tmp_path, env_cache=cache)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/index.html"
    result = pyb24("dev", "app", "--page", url, "--no-snapshot", cwd=tmp_path, env_cache=cache)
    assert_one_line_error(result, f"--page cannot reach {url}")


@pytest.mark.parametrize(
    "target",
    ["/proc/newapp", "/dev/null/x", "afile/x", "a" * 300, "afile"],
    ids=["proc", "under-dev-null", "under-a-file", "300-char-name", "a-file"],
)
def test_new_with_a_target_that_cannot_be_created(tmp_path, cache, target):
    (tmp_path / "afile").write_text("keep me\n")
    result = pyb24("new", target, cwd=tmp_path, env_cache=cache)
    assert_one_line_error(result, target, "choose")  # names it, says what to do
    assert (tmp_path / "afile").read_text() == "keep me\n"
    assert not os.path.exists(tmp_path / target) or target == "afile"


def _sqlite_of_another_program(path):
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.close()


@pytest.mark.parametrize(
    ("db", "says"),
    [
        ("/proc/portal.sqlite3", "cannot write there"),
        ("afile/portal.sqlite3", "cannot write there"),
        ("folder", "is a folder"),
        ("afile", "is not a SQLite file"),
        ("other.sqlite3", "another program's SQLite database"),
        ("fifo", "is not a regular file"),  # opening it to read the header waited forever
        ("/dev/null", "is not a regular file"),  # read as empty, then SQLite's own error
    ],
)
def test_dev_with_a_db_it_cannot_use(tmp_path, cache, db, says):
    pyb24("new", "app", cwd=tmp_path, env_cache=cache)
    (tmp_path / "afile").write_text("keep me\n")
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "fifo")
    _sqlite_of_another_program(tmp_path / "other.sqlite3")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    result = pyb24(
        "dev", "app", "--db", db, "--no-snapshot", cwd=tmp_path, env_cache=cache, timeout=30
    )
    assert_one_line_error(result, f"--db {db}", says)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before
    assert list((tmp_path / "folder").iterdir()) == []
