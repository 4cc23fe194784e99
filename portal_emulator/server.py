"""HTTP side of the emulated portal: one route table for both origins, nothing else.

Two ports run the same handler, so the portal page (``http://127.0.0.1:P1``) and the app
frame (``http://localhost:P2``) live on different origins, as in production, and origin
checks on both sides of the postMessage protocol are exercised for real.

Layering: the store is the model; the REST emulator (:mod:`.rest`) and the portal page's
actions (:mod:`.portal`) work on it; this module only adapts HTTP to them — it finds the
route, reads the body, calls down, and writes the answer. Which file answers a URL of the app
is :mod:`.appfiles`' business, the dev-server events :mod:`.devtools`'.
"""

from __future__ import annotations

import errno
import html
import json
import mimetypes
import os
import re
import shutil
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit

from .appfiles import AppFiles, EmulatorError, Shipped, Watcher, file_in
from .devtools import DevEvents, app_error, format_app_error, inject_dev_client, python_scripts
from .masking import mask_rule, mask_secrets
from .pickers import directory
from .portal import APP_NAME, PORTAL_NAME, PortalError, page_config, run_action
from .rest import Records, RestEmulator, RestRequest
from .rest.phpquery import MAX_NESTING, nesting
from .store import Store

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATE = PACKAGE_DIR / "templates" / "portal.html"
PORTAL_STATIC = PACKAGE_DIR / "static"
MAX_BODY = 1024 * 1024
# The start-up snapshot as pyb24 build names it by its content: cached for good (immutable).
HASHED_SNAPSHOT = re.compile(r"pyb24-[0-9a-f]{16}\.snapshot")
SSE_HEARTBEAT = 15.0  # seconds between keep-alive comments on the dev event stream

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".py": "text/plain; charset=utf-8",
    ".toml": "text/plain; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
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


@dataclass
class Emulator:
    """A running emulated portal: two origins, one store. Build it with start_emulator()."""

    root: Path
    store: Store
    portal_origin: str
    app_origin: str
    _servers: list[ThreadingHTTPServer]
    verbose: bool = False
    dev: bool = False  # dev client in the app's pages, reload on save, app tracebacks
    files: AppFiles | None = None
    out: TextIO | None = None  # where app tracebacks are printed (None: sys.stderr)
    rest: RestEmulator = field(init=False)  # the REST API and its test knobs (emu.rest)
    records: Records = field(init=False)  # the store in the REST shape (records.add(...))
    events: DevEvents = field(init=False)  # reload / app-error events for the portal page
    app_errors: list[dict[str, Any]] = field(init=False)  # every app error reported, in order
    watcher: Watcher = field(init=False)

    def __post_init__(self) -> None:
        self.rest = RestEmulator(self.store)
        self.records = Records(self.store)
        self.events = DevEvents()
        self.app_errors = []
        if self.files is None:
            self.files = AppFiles(self.root)
        self.watcher = Watcher(self.root, self._files_changed, skip=self.files.is_hidden)

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

    def fail_next(
        self,
        method: str | None = None,
        status: int = 500,
        code: str | None = None,
        description: str | None = None,
        count: int = 1,
    ) -> None:
        """The portal refuses the next ``count`` calls of ``method`` (None: any method) with
        HTTP ``status`` and ``{"error": code, "error_description": description}``, e.g.
        ``fail_next("crm.deal.update", 400, "ACCESS_DENIED", "Access denied")``. Codes and
        texts default by status (500 ``INTERNAL_SERVER_ERROR``, 503
        ``QUERY_LIMIT_EXCEEDED``…); ``emu.rest.fail_next`` also sends raw bodies."""
        self.rest.fail_next(count, status, method, code=code, description=description)

    def check_for_changes(self) -> list[str]:
        """Look at the app folder once; after a change, the portal pages reload their app
        frames. Returns the changed paths (relative, sorted). The watch thread calls this."""
        return self.watcher.check()

    def report_app_error(self, body: dict[str, Any]) -> dict[str, Any]:
        """An uncaught exception in the app (the dev client's report): printed to the
        terminal, kept in ``app_errors`` and shown in the portal page's inspector."""
        report = app_error(body, self._page_script(body.get("page")))
        self.app_errors.append(report)
        out = self.out or sys.stderr
        out.write(format_app_error(report))
        out.flush()
        self.events.publish("app-error", report)
        return report

    def _page_script(self, page: Any) -> tuple[str, str] | None:
        """(name, source) of the one Python script of the app page ``page``, if it has one."""
        if not isinstance(page, str) or self.files is None:
            return None
        html_file = self.files.resolve(page)
        if html_file is None:
            return None
        scripts = python_scripts(html_file.read_text(encoding="utf-8", errors="replace"))
        if len(scripts) != 1:
            return None  # PyScript names every script "<exec>": which one it was is unknown
        path = urljoin(page, urlsplit(scripts[0].src).path)
        script = self.files.resolve(path)
        if script is None:
            return None
        return path.lstrip("/"), script.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        servers, self._servers = self._servers, []
        self.watcher.stop()
        self.events.close()  # ends the portal pages' event streams
        for server in servers:
            server.shutdown()
            server.server_close()
        if servers:
            self.store.close()

    def _files_changed(self, paths: list[str]) -> None:
        if self.verbose:
            shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
            _log(f"changed: {shown}: reloading the app")
        self.events.publish("reload", {"paths": paths})

    # -- the portal page ---------------------------------------------------------------------

    def render_portal(self, query: str, host: str) -> tuple[int, str]:
        status, config = page_config(self.store, query, host=host, app_origin=self.app_origin)
        config["mask"] = mask_rule()
        config["dev"] = {"events": self.events.seq} if self.dev else None
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


# -- the route table ---------------------------------------------------------------------------

ANY: frozenset[str] = frozenset()  # every method
GET = frozenset({"GET", "HEAD"})
POST = frozenset({"POST"})


@dataclass(frozen=True)
class Route:
    """``path`` exactly, or every path below it when ``prefix``; the first match answers.

    A path that matches with a method the route does not take is a 405. ``same_origin``
    routes belong to the page of the origin they are on: a request that says it comes from
    another origin gets 403.
    """

    path: str
    methods: frozenset[str]
    handler: Callable[[PortalHandler, Request], None]
    prefix: bool = False
    same_origin: bool = False

    def matches(self, path: str) -> bool:
        return path.startswith(self.path) if self.prefix else path == self.path


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # percent-encoded, as sent
    query: str
    send_body: bool  # False for HEAD (and OPTIONS)

    def arg(self, name: str, default: str = "") -> str:
        return dict(parse_qsl(self.query)).get(name, default)


def find_route(path: str) -> Route | None:
    """The route that answers ``path`` (any method), or None."""
    return next((route for route in ROUTES if route.matches(path)), None)


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

    # -- dispatch: one route table -----------------------------------------------------------

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
        try:
            self._dispatch(send_body)
        except PortalError as exc:
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
        request = Request(self.command, url.path, url.query, send_body)
        route = find_route(url.path)
        if route is None:  # pragma: no cover - the app files' route takes every path
            raise PortalError(404, "NOT_FOUND", "no such file")
        if route.same_origin:
            origin = self.headers.get("Origin")
            if origin is not None and origin != "http://" + self._host():
                # The page's own API; an app frame on another origin may not call it.
                raise PortalError(403, "FORBIDDEN_ORIGIN", "this API is same-origin only")
        if route.methods and self.command not in route.methods:
            allowed = ", ".join(sorted(route.methods))
            raise PortalError(
                405, "METHOD_NOT_ALLOWED", f"{self.command} is not allowed here; use {allowed}"
            )
        route.handler(self, request)

    # -- handlers (one per route) ------------------------------------------------------------

    def serve_rest(self, request: Request) -> None:
        """``/rest/<method>[.json]``: CORS on every answer, preflights counted, faults obeyed."""
        rest = self.emulator.rest
        if request.method == "OPTIONS":
            self._discard_body()
            rest.count_preflight()
            self._send(204, b"", "text/plain", REST_CORS)
            return
        headers = {**REST_CORS, "Cache-Control": "no-store"}
        try:
            body = self._read_raw_body()
        except PortalError as exc:
            payload = {"error": exc.code, "error_description": exc.description}
            self._send(exc.status, json.dumps(payload).encode(), "application/json", headers)
            return
        reply = rest.handle(
            RestRequest(
                request.method,
                request.path,
                request.query,
                self.headers.get("Content-Type", ""),
                body,
            )
        )
        if reply.drop:  # not HTTP: the client's request fails, and is not resent (drop_next)
            self.wfile.write(b"pyb24 portal emulator: connection dropped (drop_next)\r\n")
            self.close_connection = True
            return
        self._send(
            reply.status, reply.body, reply.content_type, headers, send_body=request.send_body
        )

    def serve_directory(self, request: Request) -> None:
        """Users, departments, CRM items for the portal's pickers."""
        self._discard_body()
        self._send_json(200, directory(self.emulator.store))

    def serve_state(self, request: Request) -> None:
        self._discard_body()
        self._send_json(200, self.emulator.store.dump_state())

    def serve_rest_log(self, request: Request) -> None:
        """The inspector's REST rows: ``GET rest_log?after=<seq>``."""
        self._discard_body()
        after = request.arg("after", "0")
        entries = self.emulator.rest.log(int(after) if after.isdigit() else 0)
        self._send_json(200, {"entries": entries, "config": self.emulator.rest.config()})

    def serve_action(self, request: Request) -> None:
        """``POST /portal/api/<action>``: the page's actions (:func:`.portal.run_action`)."""
        action = request.path.removeprefix("/portal/api/")
        body = self._read_json_body()
        emu = self.emulator
        self._send_json(200, run_action(emu.store, emu.rest, action, body))

    def serve_dev_events(self, request: Request) -> None:
        """The dev event stream (Server-Sent Events) the portal page follows in dev mode."""
        self._discard_body()
        events = self.emulator.events
        last = self.headers.get("Last-Event-ID") or request.arg("after")
        seq = int(last) if last.isdigit() else events.seq
        self.close_connection = True  # the stream ends with the connection
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        if not request.send_body:
            return
        self.wfile.write(b"retry: 1000\n\n")
        self.wfile.flush()
        while not events.closed:
            batch = events.after(seq, timeout=SSE_HEARTBEAT)
            if events.closed:
                break
            if not batch:
                self.wfile.write(b": keep-alive\n\n")  # a gone page shows up as a failed write
            for event in batch:
                seq = event["seq"]
                data = json.dumps(event["data"], ensure_ascii=False)
                self.wfile.write(f"id: {seq}\nevent: {event['kind']}\ndata: {data}\n\n".encode())
            self.wfile.flush()

    def serve_dev_error(self, request: Request) -> None:
        """``POST /portal/dev/error``: the dev client reports an uncaught app exception."""
        report = self.emulator.report_app_error(self._read_json_body())
        self._send_json(200, {"reported": True, "message": report["message"]})

    def redirect_to_portal(self, request: Request) -> None:
        self._discard_body()
        self._redirect("/portal/" + ("?" + request.query if request.query else ""))

    def serve_portal_page(self, request: Request) -> None:
        self._discard_body()
        status, page = self.emulator.render_portal(request.query, self._host())
        self._send(status, page.encode(), "text/html; charset=utf-8", send_body=request.send_body)

    def serve_foreign_page(self, request: Request) -> None:
        self._discard_body()
        self._send_file(PORTAL_STATIC / "foreign.html", request.send_body)

    def serve_portal_static(self, request: Request) -> None:
        self._discard_body()
        file = file_in(PORTAL_STATIC, unquote(request.path.removeprefix("/portal/static/")))
        if file is None:
            raise PortalError(404, "NOT_FOUND", "no such file")
        self._send_file(file, request.send_body)

    def serve_favicon(self, request: Request) -> None:
        self._discard_body()
        self._send(204, b"", "image/x-icon", send_body=False)

    def serve_app_file(self, request: Request) -> None:
        """Every file of the app folder; pyb24 and the runtime from the installation."""
        self._discard_body()
        files = self.emulator.files
        file = files.resolve(unquote(request.path)) if files is not None else None
        if file is None:
            raise PortalError(404, "NOT_FOUND", "no such file")
        inject = self.emulator.dev and file.suffix.lower() in (".html", ".htm")
        self._send_file(file, request.send_body, transform=inject_dev_client if inject else None)

    # -- request bodies ----------------------------------------------------------------------

    def _read_json_body(self) -> dict[str, Any]:
        raw = self._read_raw_body()
        try:
            body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            raise PortalError(400, "INVALID_JSON", "the request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise PortalError(400, "INVALID_JSON", "the request body must be a JSON object")
        if any(nesting(value) > MAX_NESTING for value in body.values()):  # as REST bodies
            raise PortalError(
                400, "INVALID_JSON", f"a value of the body nests more than {MAX_NESTING} levels"
            )
        return body

    def _read_raw_body(self) -> bytes:
        length_text = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise PortalError(411, "LENGTH_REQUIRED", "send a Content-Length body")
        try:
            length = int(length_text or "0")
        except ValueError:
            self.close_connection = True
            raise PortalError(400, "INVALID_REQUEST", "bad Content-Length") from None
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            self._drain(length)  # so the client, still sending, gets to read the 413
            raise PortalError(413, "REQUEST_TOO_LARGE", f"body must be at most {MAX_BODY} bytes")
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

    # -- files ---------------------------------------------------------------------------

    def _send_file(
        self,
        file: Path,
        send_body: bool,
        transform: Callable[[bytes], bytes] | None = None,
    ) -> None:
        try:
            stat = file.stat()
        except OSError:
            raise PortalError(404, "NOT_FOUND", "no such file") from None
        if not file.is_file():
            raise PortalError(404, "NOT_FOUND", "no such file")
        # Like nginx's brotli_static/gzip_static: a fresh precompressed twin (file.br, file.gz,
        # as pyb24 build writes them) that the browser accepts is sent as is, brotli first.
        body, encoding, twin = file, None, False
        accepted = _accepted_encodings(self.headers.get("Accept-Encoding", ""))
        for suffix, name in ((".br", "br"), (".gz", "gzip")):
            packed = file.with_name(file.name + suffix)
            if transform is not None or not packed.is_file():
                continue
            packed_stat = packed.stat()
            if packed_stat.st_mtime < stat.st_mtime:
                continue  # older than its file: stale
            twin = True
            if encoding is None and name in accepted:
                body, encoding, stat = packed, name, packed_stat
        vendor = self.path.startswith("/static/vendor/")
        headers = {
            # The pinned runtime changes only with its pins; the start-up snapshot changes with
            # the app, so it is revalidated on every load (a 304 when unchanged).
            "Cache-Control": (
                "public, max-age=31536000, immutable"  # named by its content (pyb24 build)
                if HASHED_SNAPSHOT.fullmatch(file.name)
                else "public, max-age=86400"
                if vendor and file.suffix != ".snapshot"
                else "no-cache"
            ),
            "Last-Modified": formatdate(stat.st_mtime, usegmt=True),
            # Exact to the nanosecond: a file saved twice in one second is still new.
            "ETag": f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"',
            # Public files; lets a page on a third origin load the pinned runtime too.
            "Access-Control-Allow-Origin": "*",
        }
        if twin:
            headers["Vary"] = "Accept-Encoding"
        if encoding:
            headers["Content-Encoding"] = encoding
        if self._not_modified(stat.st_mtime, headers["ETag"]):
            self._send(304, b"", None, headers, send_body=False)
            return
        content_type = CONTENT_TYPES.get(file.suffix.lower()) or (
            mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        )
        if transform is not None:  # small files only (HTML pages): read, change, send
            page = transform(file.read_bytes())
            self._send(200, page, content_type, headers, send_body=send_body)
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(stat.st_size))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            with body.open("rb") as stream:
                shutil.copyfileobj(stream, self.wfile, 256 * 1024)

    def _not_modified(self, mtime: float, etag: str) -> bool:
        tags = self.headers.get("If-None-Match")
        if tags is not None:  # takes precedence over the date (RFC 9110 §13.2.2)
            return etag in (tag.strip().removeprefix("W/") for tag in tags.split(","))
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
        _log(mask_secrets(format % args, keep=0))  # never credentials, even from a URL


# -- servers --------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # A test suite or a page with many parallel calls connects all at once: the default
    # listen backlog (5) drops connections before a thread can accept them.
    request_queue_size = 1024
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


# The routes of both origins, first match first. The portal page, its API and the REST API
# are on both ports too (the portal origin is whichever the page was opened on); the app
# folder takes every other path.
ROUTES: tuple[Route, ...] = (
    Route("/rest", ANY, PortalHandler.serve_rest),
    Route("/rest/", ANY, PortalHandler.serve_rest, prefix=True),
    Route("/portal/api/directory", GET, PortalHandler.serve_directory, same_origin=True),
    Route("/portal/api/state", GET, PortalHandler.serve_state, same_origin=True),
    Route("/portal/api/rest_log", GET, PortalHandler.serve_rest_log, same_origin=True),
    Route("/portal/api/", POST, PortalHandler.serve_action, prefix=True, same_origin=True),
    Route("/portal/dev/events", GET, PortalHandler.serve_dev_events, same_origin=True),
    Route("/portal/dev/error", POST, PortalHandler.serve_dev_error, same_origin=True),
    Route("/", GET, PortalHandler.redirect_to_portal),
    Route("/portal", GET, PortalHandler.redirect_to_portal),
    Route("/portal/", GET, PortalHandler.serve_portal_page),
    Route("/portal/foreign.html", GET, PortalHandler.serve_foreign_page),
    Route("/portal/static/", GET, PortalHandler.serve_portal_static, prefix=True),
    Route("/favicon.ico", GET, PortalHandler.serve_favicon),
    Route("/", GET | POST, PortalHandler.serve_app_file, prefix=True),  # the frame POSTs
)


class PortInUseError(EmulatorError, OSError):
    """A port given to start_emulator is taken by another program (an OSError with errno
    EADDRINUSE too, for callers that catch that); the message says what to do."""

    def __init__(self, message: str) -> None:
        OSError.__init__(self, errno.EADDRINUSE, message)

    def __str__(self) -> str:
        return str(self.strerror)


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
            if exc.errno == errno.EADDRINUSE:
                v4.server_close()
                if port == 0:
                    continue  # the ephemeral port is taken on ::1; pick another one
                raise  # another program has [::1]:port: the browser's localhost may reach it
            return [v4]  # no IPv6 loopback here: localhost means 127.0.0.1
    raise OSError(errno.EADDRINUSE, "could not find a port free on both 127.0.0.1 and ::1")


def _bind_named(port: int, name: str, option: str) -> list[_Server]:
    try:
        return _bind(port)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE or port == 0:
            raise
        raise PortInUseError(
            f"the {name} port {port} is already in use (is another emulated portal running?); "
            f"stop that program or choose a free port with {option} PORT (0 picks one)"
        ) from None


def start_emulator(
    root: str | os.PathLike[str],
    db_path: str | os.PathLike[str],
    portal_port: int = 0,
    app_port: int = 0,
    *,
    verbose: bool = False,
    dev: bool = False,
    watch: float | None = None,
    shipped: Shipped | None = None,
    out: TextIO | None = None,
) -> Emulator:
    """Start the portal origin and the app origin in daemon threads (port 0 = ephemeral).

    ``root``: the app folder, served whole (no dot-files, nothing outside it); ``/pyb24.zip``,
    ``/pyb24/*.py``, ``/static/pyb24-boot.js`` and ``/static/vendor/**`` come from
    ``shipped(relative_path)`` (default: the installation, ``pyb24_toolkit.assets``) when the
    folder lacks them. ``dev``: the app's HTML pages get the dev client
    (uncaught Python exceptions: traceback to ``out``, default stderr, and to the portal
    page's inspector) and the portal page reloads its app frame when files change.
    ``watch``: look for changed files every ``watch`` seconds in a thread (None: only when
    :meth:`Emulator.check_for_changes` is called). A taken port raises :class:`PortInUseError`.
    """
    store = Store(str(db_path))
    servers: list[_Server] = []
    try:
        portal_servers = _bind_named(portal_port, "portal", "--portal-port")
        servers += portal_servers
        app_servers = _bind_named(app_port, "app", "--app-port")
        servers += app_servers
    except BaseException:
        for server in servers:
            server.server_close()
        store.close()
        raise
    app_root = Path(root).resolve()
    emulator = Emulator(
        root=app_root,
        store=store,
        portal_origin=f"http://127.0.0.1:{portal_servers[0].server_port}",
        app_origin=f"http://localhost:{app_servers[0].server_port}",
        _servers=list(servers),
        verbose=verbose,
        dev=dev,
        files=AppFiles(app_root, shipped, hidden=[Path(db_path)]),
        out=out,
    )
    for server in servers:
        server.emulator = emulator
        name = f"portal-emulator-{server.server_address[0]}:{server.server_port}"
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True
        ).start()
    if watch is not None:
        emulator.watcher.start(watch)
    return emulator


# -- helpers ----------------------------------------------------------------------------------


def _accepted_encodings(header: str) -> set[str]:
    """The content codings an Accept-Encoding header accepts (``q=0`` refuses one)."""
    accepted = set()
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        quality = (
            params.strip().removeprefix("q=").strip() if params.strip().startswith("q=") else "1"
        )
        try:
            if float(quality) > 0:
                accepted.add(name.strip().lower())
        except ValueError:
            continue
    return accepted


def _log(line: str) -> None:
    sys.stderr.write(f"[portal {time.strftime('%H:%M:%S')}] {line}\n")


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


def serve_until_stopped(emulator: Emulator, seed_deals: int, banner: list[str]) -> None:
    """What ``pyb24 dev`` and ``python -m portal_emulator`` do once the emulator runs: fill the
    store up to ``seed_deals`` deals, print ``banner``, wait for Ctrl-C or SIGTERM, stop."""
    stop = threading.Event()
    try:
        missing = seed_deals - emulator.store.count_items(2)
        if missing > 0:
            first, last = emulator.store.seed_deals(missing)
            print(f"Seeded deals {first}..{last}.", flush=True)
        for line in banner:
            print(line, flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        # SIGTERM (a process manager, `kill`) stops as cleanly as Ctrl-C.
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(0.5):  # a timed wait keeps Ctrl-C responsive
                pass
        except KeyboardInterrupt:
            pass
    finally:
        print("\nStopping.", flush=True)
        emulator.stop()
