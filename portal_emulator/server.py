"""HTTP side of the emulated portal: app files, the portal page, its JSON API, REST.

Two ports run the same handler, so the portal page (``http://127.0.0.1:P1``) and the app
frame (``http://localhost:P2``) live on different origins, as in production, and origin
checks on both sides of the postMessage protocol are exercised for real.
"""

from __future__ import annotations

import errno
import html
import json
import mimetypes
import os
import re
import shutil
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from pyb24_toolkit.assets import shipped_file

from .masking import mask_secrets
from .pickers import directory
from .rest import RestEmulator, RestRequest
from .scenario import Scenario, ScenarioError, parse_scenario
from .store import InvalidGrant, Store, User

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATE = PACKAGE_DIR / "templates" / "portal.html"
PORTAL_STATIC = PACKAGE_DIR / "static"

PORTAL_NAME = "Acme Corp"
APP_NAME = "pyb24 App"
APP_CODE = "local.pyb24"  # from_app=... in openPath URLs, like a local application's code
MAX_BODY = 1024 * 1024

# What the app origin may serve: the app page and its library, never the rest of the repo.
APP_FILES = frozenset({"index.html", "app.py", "demo_ui.py", "pyscript.toml"})
APP_DIRS = ("pyb24/", "static/", "tests/e2e/apps/", "bench/pages/", "examples/")

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".py": "text/plain; charset=utf-8",
    ".toml": "text/plain; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".wasm": "application/wasm",  # lets the browser compile the module while streaming
    ".zip": "application/zip",
    ".whl": "application/zip",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}

REST_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Authorization, X-Requested-With",
    "Access-Control-Max-Age": "86400",
}


class ApiError(Exception):
    """An error answered as ``{"error": code, "error_description": text}``."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description


@dataclass
class Emulator:
    """A running emulated portal: two origins, one store. Build it with start_emulator()."""

    root: Path
    store: Store
    portal_origin: str
    app_origin: str
    _servers: list[ThreadingHTTPServer]
    verbose: bool = False
    rest: RestEmulator = field(init=False)  # the REST API and its test knobs (emu.rest)

    def __post_init__(self) -> None:
        self.rest = RestEmulator(self.store)

    def portal_url(self, app: str = "/index.html", **knobs: Any) -> str:
        """URL of the portal page showing ``app`` under the scenario given by ``knobs``.

        Values are written as the page expects them: booleans as 1/0, lists as comma lists,
        dicts as JSON; ``None`` leaves a knob out. Values are not validated here, so a test
        can open the page with a bad knob on purpose and look at the error banner.
        """
        params = [("app", app)]
        params += [(name, _knob_text(value)) for name, value in knobs.items() if value is not None]
        return f"{self.portal_origin}/portal/?{urlencode(params)}"

    def reset(self) -> None:
        """Store back to the seed, REST knobs back to their defaults."""
        self.store.reset()
        self.rest.reset()

    def stop(self) -> None:
        servers, self._servers = self._servers, []
        for server in servers:
            server.shutdown()
            server.server_close()
        if servers:
            self.store.close()

    # -- portal page -----------------------------------------------------------------------

    def open_layout(self, scenario: Scenario, host: str) -> dict[str, Any]:
        """Apply the scenario to the store, create a layout, and build the page config."""
        store = self.store
        user = store.user(scenario.user)
        if user is None:
            known = ", ".join(str(u.id) for u in store.users())
            raise ScenarioError(f"user {scenario.user} does not exist; known users: {known}")
        is_admin = user.is_admin if scenario.admin is None else scenario.admin
        if scenario.first_run is not None:
            # first_run=1 means "this user has never run the app": forget their setInstall.
            store.set_user_installed(user.id, not scenario.first_run)
        if scenario.install is not None:
            store.set_app_installed("N" if scenario.install else "Y")
        layout, tokens = store.create_layout(user.id, is_admin, scenario.expires)

        portal_origin = "http://" + host
        if scenario.app_is_url:
            parts = urlsplit(scenario.app)
            app_origin = f"{parts.scheme}://{parts.netloc}"
            app_url = scenario.app
        else:
            app_origin = portal_origin if scenario.frame == "same" else self.app_origin
            app_url = app_origin + scenario.app
        # Like the real portal's GET variant, the frame URL carries DOMAIN/PROTOCOL/LANG/APP_SID.
        frame_query = urlencode(
            {"DOMAIN": host, "PROTOCOL": "0", "LANG": scenario.lang, "APP_SID": layout.app_sid}
        )
        app_url += ("&" if "?" in app_url else "?") + frame_query

        return {
            "appSid": layout.app_sid,
            "appUrl": app_url,
            "appOrigin": app_origin,
            "isAdmin": is_admin,
            "lang": scenario.lang,
            "memberId": store.member_id(),
            "firstRun": not store.user_installed(user.id),
            "install": store.app_installed() == "N",
            "placement": scenario.placement,
            "placementOptions": scenario.placement_options,
            "deny": list(scenario.deny),
            "hold": list(scenario.hold),
            "installFinished": scenario.install_finished,
            "device": scenario.device,
            "auth": {
                "AUTH_ID": tokens.access_token,
                "AUTH_EXPIRES": tokens.expires_in,
                "REFRESH_ID": tokens.refresh_token,
            },
            "userOptions": store.user_options(user.id),
            "appOptions": store.app_options(),
            "user": _user_json(user),
        }

    def render_portal(self, query: str, host: str) -> tuple[int, str]:
        knobs = dict(parse_qsl(query, keep_blank_values=True))
        config: dict[str, Any] = {
            "portalName": PORTAL_NAME,
            "appName": APP_NAME,
            "appCode": APP_CODE,
            "knobs": knobs,
            "users": [_user_json(u) for u in self.store.users()],
            "error": None,
        }
        status = 200
        try:
            config.update(self.open_layout(parse_scenario(query), host))
        except ScenarioError as exc:
            status = 400
            config["error"] = f"Invalid scenario: {exc}"
            config["user"] = config["users"][0] if config["users"] else None
        user = config["user"] or {"fullName": "Guest", "initials": "?"}
        page = TEMPLATE.read_text(encoding="utf-8")
        replacements = {
            "portal_name": html.escape(PORTAL_NAME),
            "app_name": html.escape(APP_NAME),
            "user_name": html.escape(user["fullName"]),
            "user_initials": html.escape(user["initials"]),
            "error_banner": html.escape(config["error"] or ""),
            "error_hidden": "" if config["error"] else "hidden",
            "config_json": _script_json(config),
        }
        for name, value in replacements.items():
            page = page.replace("{{" + name + "}}", value)
        return status, page

    # -- portal API ------------------------------------------------------------------------

    def api(self, action: str, body: dict[str, Any]) -> Any:
        if action == "reset":
            self.reset()
            return {"reset": True}
        if action == "rest_config":  # the page's REST panel: limits and faults
            try:
                return self.rest.apply_panel(body)
            except (TypeError, ValueError) as exc:
                raise ApiError(400, "INVALID_REQUEST", str(exc)) from None
        handler = _API_ACTIONS.get(action)
        if handler is None:
            raise ApiError(404, "NOT_FOUND", f"unknown portal action {action!r}")
        app_sid = body.get("app_sid")
        if not isinstance(app_sid, str) or not app_sid:
            raise ApiError(400, "INVALID_REQUEST", "app_sid (string) is required")
        layout = self.store.layout(app_sid)
        if layout is None:
            raise ApiError(404, "LAYOUT_NOT_FOUND", "no application frame with this app_sid")
        return handler(self.store, layout, body)


def _api_refresh(store: Store, layout, body: dict[str, Any]) -> Any:
    refresh_token = body.get("refresh_token")
    if not isinstance(refresh_token, str) or not refresh_token:
        raise ApiError(400, "invalid_grant", "refresh_token is required")
    try:
        pair = store.refresh_tokens(refresh_token, app_sid=layout.app_sid)
    except InvalidGrant as exc:
        raise ApiError(400, "invalid_grant", str(exc)) from None
    return {
        "AUTH_ID": pair.access_token,
        "AUTH_EXPIRES": pair.expires_in,
        "REFRESH_ID": pair.refresh_token,
    }


def _api_user_option(store: Store, layout, body: dict[str, Any]) -> Any:
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise ApiError(400, "INVALID_REQUEST", "name (non-empty string) is required")
    value = body.get("value")
    store.set_user_option(layout.user_id, name, value)
    return {"name": name, "value": value}


def _api_app_options(store: Store, layout, body: dict[str, Any]) -> Any:
    if not layout.is_admin:
        raise ApiError(403, "ACCESS_DENIED", "only an administrator may change app options")
    options = body.get("options")
    if not isinstance(options, list):
        raise ApiError(400, "INVALID_REQUEST", "options must be a list of {name, value}")
    pairs = []
    for item in options:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise ApiError(400, "INVALID_REQUEST", "every option needs a non-empty string name")
        pairs.append((item["name"], item.get("value")))
    return store.set_app_options(pairs)


def _api_install(store: Store, layout, body: dict[str, Any]) -> Any:
    install = body.get("install")
    if not isinstance(install, bool):
        raise ApiError(400, "INVALID_REQUEST", "install must be true or false")
    store.set_user_installed(layout.user_id, install)
    return {"install": install}


def _api_installed(store: Store, layout, body: dict[str, Any]) -> Any:
    value = body.get("v")
    if value not in ("Y", "N"):
        raise ApiError(400, "INVALID_REQUEST", "v must be 'Y' or 'N'")
    store.set_app_installed(value)
    return {"installed": value}


def _api_layout(store: Store, layout, body: dict[str, Any]) -> Any:
    """openApplication: a new layout (APP_SID, tokens) for the same user, in a slider."""
    opened, tokens = store.create_layout(layout.user_id, layout.is_admin, layout.expires_in)
    return {
        "appSid": opened.app_sid,
        "auth": {
            "AUTH_ID": tokens.access_token,
            "AUTH_EXPIRES": tokens.expires_in,
            "REFRESH_ID": tokens.refresh_token,
        },
        "firstRun": not store.user_installed(layout.user_id),
        "install": store.app_installed() == "N",
        "userOptions": store.user_options(layout.user_id),
        "appOptions": store.app_options(),
    }


_API_ACTIONS = {
    "refresh": _api_refresh,
    "user_option": _api_user_option,
    "app_options": _api_app_options,
    "install": _api_install,
    "installed": _api_installed,
    "layout": _api_layout,
}


class PortalHandler(BaseHTTPRequestHandler):
    # Keep-alive matters: Pyodide boots by fetching dozens of files.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY, Nagle + delayed ACK hold
    # every answer on a reused connection ~40 ms (REST calls from the page, benchmarks).
    disable_nagle_algorithm = True
    server_version = "pyb24-portal-emulator"
    timeout = 60  # idle keep-alive connections give their thread back

    @property
    def emulator(self) -> Emulator:
        return self.server.emulator  # type: ignore[attr-defined]

    # -- dispatch --------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._route(send_body=True)

    def do_HEAD(self) -> None:
        self._route(send_body=False)

    def do_POST(self) -> None:
        self._route(send_body=True)

    def do_PUT(self) -> None:
        self._route(send_body=True)

    def do_DELETE(self) -> None:
        self._route(send_body=True)

    def do_PATCH(self) -> None:
        self._route(send_body=True)

    def do_OPTIONS(self) -> None:
        self._route(send_body=False)

    def _route(self, send_body: bool) -> None:
        self._body_done = False  # one handler instance serves every request of a connection
        self._reused = getattr(self, "_served", 0) > 0  # an earlier request used this socket
        self._served = getattr(self, "_served", 0) + 1
        try:
            self._dispatch(send_body)
        except ApiError as exc:
            self._discard_body()
            self._send_json(exc.status, {"error": exc.code, "error_description": exc.description})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # a bug must cost one request, never the server
            self.close_connection = True
            self.log_message("internal error: %s: %s", type(exc).__name__, exc)
            try:
                self._send_json(500, {"error": "INTERNAL_SERVER_ERROR", "error_description": ""})
            except OSError:
                pass

    def _dispatch(self, send_body: bool) -> None:
        url = urlsplit(self.path)
        path = url.path
        method = self.command

        if path == "/rest" or path.startswith("/rest/"):
            self._rest(path, url.query, send_body)
            return
        if path.startswith("/portal/api/"):
            self._portal_api(path.removeprefix("/portal/api/"))
            return

        self._discard_body()
        if method not in ("GET", "HEAD"):
            raise ApiError(405, "METHOD_NOT_ALLOWED", f"{method} is not allowed here")
        if path == "/":
            self._redirect("/portal/")
        elif path == "/portal":
            self._redirect("/portal/" + ("?" + url.query if url.query else ""))
        elif path == "/portal/":
            status, page = self.emulator.render_portal(url.query, self._host())
            self._send(status, page.encode(), "text/html; charset=utf-8", send_body=send_body)
        elif path == "/portal/foreign.html":
            self._send_file(PORTAL_STATIC / "foreign.html", send_body)
        elif path.startswith("/portal/static/"):
            file = _safe_join(PORTAL_STATIC, path.removeprefix("/portal/static/"))
            if file is None:
                raise ApiError(404, "NOT_FOUND", "no such file")
            self._send_file(file, send_body)
        elif path == "/favicon.ico":
            self._send(204, b"", "image/x-icon", send_body=False)
        else:
            self._send_file(self._app_file(path), send_body)

    # -- portal API ------------------------------------------------------------------------

    def _portal_api(self, action: str) -> None:
        origin = self.headers.get("Origin")
        if origin is not None and origin != "http://" + self._host():
            # The API belongs to the portal page; an app frame on another origin may not call it.
            self._discard_body()
            raise ApiError(403, "FORBIDDEN_ORIGIN", "the portal API is same-origin only")
        if action == "directory":  # users, departments, CRM items for the portal's pickers
            self._discard_body()
            if self.command not in ("GET", "HEAD"):
                raise ApiError(405, "METHOD_NOT_ALLOWED", "use GET for directory")
            self._send_json(200, directory(self.emulator.store))
            return
        if action == "state":
            self._discard_body()
            if self.command not in ("GET", "HEAD"):
                raise ApiError(405, "METHOD_NOT_ALLOWED", "use GET for state")
            self._send_json(200, self.emulator.store.dump_state())
            return
        if action == "rest_log":  # the inspector's REST rows: GET rest_log?after=<seq>
            self._discard_body()
            if self.command not in ("GET", "HEAD"):
                raise ApiError(405, "METHOD_NOT_ALLOWED", "use GET for rest_log")
            after = dict(parse_qsl(urlsplit(self.path).query)).get("after", "0")
            entries = self.emulator.rest.log(int(after) if after.isdigit() else 0)
            self._send_json(200, {"entries": entries, "config": self.emulator.rest.config()})
            return
        if self.command != "POST":
            self._discard_body()
            raise ApiError(405, "METHOD_NOT_ALLOWED", "portal API actions are POST")
        body = self._read_json_body()
        self._send_json(200, self.emulator.api(action, body))

    def _rest(self, path: str, query: str, send_body: bool) -> None:
        """``/rest/<method>[.json]``: CORS on every answer, preflights counted, faults obeyed."""
        rest = self.emulator.rest
        if self.command == "OPTIONS":
            self._discard_body()
            rest.count_preflight()
            self._send(204, b"", "text/plain", REST_CORS)
            return
        headers = {**REST_CORS, "Cache-Control": "no-store"}
        try:
            body = self._read_raw_body()
        except ApiError as exc:
            payload = {"error": exc.code, "error_description": exc.description}
            self._send(exc.status, json.dumps(payload).encode(), "application/json", headers)
            return
        reply = rest.handle(
            RestRequest(
                self.command, path, query, self.headers.get("Content-Type", ""), body, self._reused
            )
        )
        if reply.drop:  # no status line, no headers: the client sees the connection close
            self.close_connection = True
            return
        self._send(reply.status, reply.body, reply.content_type, headers, send_body=send_body)

    def _read_json_body(self) -> dict[str, Any]:
        raw = self._read_raw_body()
        try:
            body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ApiError(400, "INVALID_JSON", "the request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "INVALID_JSON", "the request body must be a JSON object")
        return body

    def _read_raw_body(self) -> bytes:
        length_text = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise ApiError(411, "LENGTH_REQUIRED", "send a Content-Length body")
        try:
            length = int(length_text or "0")
        except ValueError:
            self.close_connection = True
            raise ApiError(400, "INVALID_REQUEST", "bad Content-Length") from None
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            self._drain(length)  # so the client, still sending, gets to read the 413
            raise ApiError(413, "REQUEST_TOO_LARGE", f"body must be at most {MAX_BODY} bytes")
        raw = self.rfile.read(length) if length else b""
        self._body_done = True
        return raw

    def _drain(self, length: int) -> None:
        remaining = length if 0 < length <= 64 * MAX_BODY else 0
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 65536))
            if not chunk:
                break
            remaining -= len(chunk)

    def _discard_body(self) -> None:
        """Read and drop an unread request body so the keep-alive stream stays in sync."""
        if getattr(self, "_body_done", False):
            return
        self._body_done = True
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY or self.headers.get("Transfer-Encoding"):
            self.close_connection = True
        elif length:
            self.rfile.read(length)

    # -- app files -------------------------------------------------------------------------

    def _app_file(self, url_path: str) -> Path:
        relative = unquote(url_path).removeprefix("/")
        allowed = relative in APP_FILES or relative.startswith(APP_DIRS)
        file = _safe_join(self.emulator.root, relative) if allowed else None
        if file is None or not file.is_file():
            # What the app folder lacks of the fixed layout (pyb24.zip, pyb24/, the boot files,
            # static/vendor/) comes from the installation, as `pyb24 build` ships it.
            file = shipped_file(relative) or file
        if file is None:
            raise ApiError(404, "NOT_FOUND", "no such file")
        return file

    def _send_file(self, file: Path, send_body: bool) -> None:
        try:
            stat = file.stat()
        except OSError:
            raise ApiError(404, "NOT_FOUND", "no such file") from None
        if not file.is_file():
            raise ApiError(404, "NOT_FOUND", "no such file")
        headers = {
            "Cache-Control": (
                "public, max-age=86400" if self.path.startswith("/static/vendor/") else "no-cache"
            ),
            "Last-Modified": formatdate(stat.st_mtime, usegmt=True),
            # Public files; lets a page on a third origin load the pinned runtime too.
            "Access-Control-Allow-Origin": "*",
        }
        if self._not_modified(stat.st_mtime):
            self._send(304, b"", None, headers, send_body=False)
            return
        content_type = CONTENT_TYPES.get(file.suffix.lower()) or (
            mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        )
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(stat.st_size))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            with file.open("rb") as stream:
                shutil.copyfileobj(stream, self.wfile, 256 * 1024)

    def _not_modified(self, mtime: float) -> bool:
        since = self.headers.get("If-Modified-Since")
        if not since:
            return False
        try:
            return int(mtime) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, OverflowError):
            return False

    # -- responses -------------------------------------------------------------------------

    def _host(self) -> str:
        """The host the browser used (its origin is the portal page's origin)."""
        host = self.headers.get("Host", "")
        if re.fullmatch(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?", host):
            return host
        return urlsplit(self.emulator.portal_origin).netloc

    def _redirect(self, location: str) -> None:
        self._send(302, b"", "text/plain", {"Location": location})

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        merged = {"Cache-Control": "no-store", **(headers or {})}
        self._send(status, body, "application/json; charset=utf-8", merged)

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        headers: dict[str, str] | None = None,
        *,
        send_body: bool = True,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if "Cache-Control" not in (headers or {}):
            self.send_header("Cache-Control", "no-cache")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if send_body and self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol-level errors (bad request line, bad headers) as JSON too, never HTML."""
        self.close_connection = True
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        body = json.dumps({"error": phrase.upper().replace(" ", "_"), "error_description": phrase})
        self.send_response(code, phrase)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if getattr(self, "command", None) != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body.encode())

    # -- logging: method, path without query, status; nothing secret ------------------------

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = urlsplit(getattr(self, "path", "") or "").path
        self.log_message("%s %s %s", getattr(self, "command", "-"), path, code)

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
        self.log_message(format, *args)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
        if not self.emulator.verbose:
            return
        line = mask_secrets(format % args, keep=0)  # never credentials, even from a URL
        sys.stderr.write(f"[portal {time.strftime('%H:%M:%S')}] {line}\n")


# -- servers --------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    emulator: Emulator

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn) that can stall; skip it.
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super(ThreadingHTTPServer, self).server_bind()  # TCPServer.server_bind
        host, port = self.server_address[:2]
        self.server_name = host
        self.server_port = port


class _Server6(_Server):
    address_family = socket.AF_INET6


def _bind(port: int) -> list[_Server]:
    """Listen on 127.0.0.1:port and, when the host has IPv6 loopback, on [::1]:port too,

    so ``http://localhost:port`` works whichever address the browser resolves first.
    """
    for _attempt in range(20):
        v4 = _Server(("127.0.0.1", port), PortalHandler)
        actual = v4.server_address[1]
        try:
            return [v4, _Server6(("::1", actual), PortalHandler)]
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE and port == 0:
                v4.server_close()  # the ephemeral port is taken on ::1; pick another one
                continue
            return [v4]  # no IPv6 loopback here: localhost means 127.0.0.1
    raise OSError(errno.EADDRINUSE, "could not find a port free on both 127.0.0.1 and ::1")


def start_emulator(
    root: str | os.PathLike[str],
    db_path: str | os.PathLike[str],
    portal_port: int = 0,
    app_port: int = 0,
    *,
    verbose: bool = False,
) -> Emulator:
    """Start the portal origin and the app origin in daemon threads (port 0 = ephemeral)."""
    store = Store(str(db_path))
    servers: list[_Server] = []
    try:
        portal_servers = _bind(portal_port)
        servers += portal_servers
        app_servers = _bind(app_port)
        servers += app_servers
    except BaseException:
        for server in servers:
            server.server_close()
        store.close()
        raise
    emulator = Emulator(
        root=Path(root).resolve(),
        store=store,
        portal_origin=f"http://127.0.0.1:{portal_servers[0].server_port}",
        app_origin=f"http://localhost:{app_servers[0].server_port}",
        _servers=list(servers),
        verbose=verbose,
    )
    for server in servers:
        server.emulator = emulator
        name = f"portal-emulator-{server.server_address[0]}:{server.server_port}"
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True
        ).start()
    return emulator


# -- helpers ----------------------------------------------------------------------------------


def _safe_join(base: Path, relative: str) -> Path | None:
    """``base/relative`` if it names a file inside ``base``; None for anything suspicious."""
    if not relative or "\\" in relative or "\x00" in relative:
        return None
    if any(part in ("", ".", "..") for part in relative.split("/")):
        return None
    base = base.resolve()
    candidate = (base / relative).resolve()
    if candidate != base and base not in candidate.parents:
        return None  # a symlink pointing outside the tree
    return candidate


def _knob_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(str(item) for item in value)
    return str(value)


def _script_json(value: Any) -> str:
    """JSON safe to embed in a <script> element (no "</script>", no "<!--")."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "lastName": user.last_name,
        "fullName": user.full_name,
        "initials": user.initials,
        "position": user.work_position,
        "isAdmin": user.is_admin,
    }
