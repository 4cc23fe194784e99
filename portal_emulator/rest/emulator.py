"""The REST emulator: one request in, one envelope out — plus the knobs tests turn.

``RestEmulator.handle`` knows nothing about sockets: the HTTP handler hands it the method
path, query and body and sends back what it returns (or drops the connection when told).

Error codes (HTTP status, ``error``, when):

=====  ==================================  ====================================================
401    ``NO_AUTH_FOUND``                   no ``auth``, or a token the portal does not know
                                           (never issued, or rotated away by a refresh)
401    ``expired_token``                   the access token's lifetime is over
404    ``ERROR_METHOD_NOT_FOUND``          no such method ("Method not found!")
400    ``ERROR_ARGUMENT``                  unreadable body (bad JSON, unsupported type), bad
                                           ``cmd``/``options``/``handler`` (+ ``argument``)
400    ``ERROR_BATCH_LENGTH_EXCEEDED``     more than 50 batch commands
400    ``100`` (a number)                  ``crm.item.*``: missing/ill-typed ``entityTypeId``,
                                           ``id``, ``fields``, ``filter``, ``order``
400    ``NOT_FOUND``                       ``crm.item.*``: unknown entity type ("Smart process
                                           not found") or item ("Element not found")
400    ``INVALID_ARG_VALUE``               ``crm.item.*``: bad filter/order field or value,
                                           unknown field in ``fields`` (strict mode)
400    ``CRM_FIELD_ERROR_VALUE_NOT_VALID`` ``crm.item.*``: a field value of the wrong type
400    ``""`` (empty)                      ``crm.deal.*``: "Not found", "ID is not defined or
                                           invalid.", bad fields — classic CRM style
400    ``ERROR_EVENT_NOT_FOUND``           ``event.bind``/``unbind``: unknown event
400    ``WRONG_HANDLER_URL``               ``event.bind``: handler is not an http(s) URL
400    ``ERROR_CORE``                      ``event.bind``: "Handler already binded"
403    ``ACCESS_DENIED``                   ``app.option.set``/``event.unbind`` by a non-admin,
                                           offline or foreign ``event.bind`` by a non-admin
503    ``QUERY_LIMIT_EXCEEDED``            the leaky bucket is full (when the limit is on)
500    ``INTERNAL_SERVER_ERROR``           an injected fault, or a bug (the server goes on)
=====  ==================================  ====================================================

Inside ``batch`` a command's error lands in ``result_error`` (nested ``batch``:
``ERROR_BATCH_METHOD_NOT_ALLOWED``).
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
import time
import traceback
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from ..masking import mask_secrets
from .batch import run_batch
from .core import Caller, RestError, Result, time_block
from .limits import Fault, FaultPlan, LeakyBucket
from .methods import METHODS
from .phpquery import parse_pairs, parse_str

if TYPE_CHECKING:
    from ..store import Store

LOG_SIZE = 500
RESEND_WINDOW = 2.0  # seconds in which a browser's automatic resend of a dropped request comes
LOG_TEXT_LIMIT = 4000
_UNSET: Any = object()

_DEFAULT_CODES = {
    500: "INTERNAL_SERVER_ERROR",
    503: "QUERY_LIMIT_EXCEEDED",
    429: "OPERATION_TIME_LIMIT",
    401: "NO_AUTH_FOUND",
    403: "ACCESS_DENIED",
    404: "ERROR_METHOD_NOT_FOUND",
}
_DESCRIPTIONS = {
    "INTERNAL_SERVER_ERROR": "Internal server error",
    "QUERY_LIMIT_EXCEEDED": "Too many requests",
    "OPERATION_TIME_LIMIT": "Method is blocked due to operation time limit",
}


@dataclass
class RestRequest:
    http_method: str
    path: str  # "/rest/user.current.json"
    query: str = ""
    content_type: str = ""
    body: bytes = b""
    reused: bool = False  # the connection served an earlier request (keep-alive)


@dataclass
class RestReply:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    drop: bool = False  # close the connection without answering


def method_name(path: str) -> str:
    """``/rest/User.Current.json`` -> ``user.current`` (names are case-insensitive)."""
    name = unquote(path.removeprefix("/rest").lstrip("/")).strip().lower()
    for suffix in (".json", ".xml"):
        name = name.removesuffix(suffix)
    return name


class RestEmulator:
    """The portal's REST API over the shared store, with switchable misbehaviour.

    Test API (``emu.rest``): :meth:`configure`, :meth:`fail_next`, :meth:`drop_next`,
    :meth:`expire_access_tokens`, :meth:`log`, :attr:`preflights`, :meth:`reset`.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._log: deque[dict[str, Any]] = deque(maxlen=LOG_SIZE)
        self._seq = 0
        self._preflights = 0
        self._faults = FaultPlan()
        self._resend: tuple[str, bytes, float] | None = None
        self._defaults()

    def _defaults(self) -> None:
        self._rate_limit = False
        self._bucket = LeakyBucket()
        self._latency_ms = 0
        self._strict_fields = True
        self.store.token_ttl = None

    # -- the test API ------------------------------------------------------------------------

    def configure(
        self,
        *,
        rate_limit: bool | tuple[int, float] = _UNSET,
        latency_ms: int = _UNSET,
        token_ttl: int | None = _UNSET,
        strict_fields: bool = _UNSET,
    ) -> dict[str, Any]:
        """Change only what is passed; returns the whole configuration.

        ``rate_limit``: True for the portal's leaky bucket (50 burst, drains 2/s), a tuple
        ``(burst, per_second)`` for another one, False for none. ``latency_ms``: delay before
        every answer. ``token_ttl``: lifetime in seconds of tokens issued from now on (page
        loads and refreshes), None for the scenario's ``expires``. ``strict_fields``: refuse
        unknown names in CRM ``fields`` (True, the default) or ignore them like the portal.
        """
        with self._lock:
            if rate_limit is not _UNSET:
                if isinstance(rate_limit, tuple):
                    burst, drain = rate_limit
                    self._bucket = LeakyBucket(int(burst), float(drain))
                    self._rate_limit = True
                else:
                    self._bucket = LeakyBucket()
                    self._rate_limit = bool(rate_limit)
            if latency_ms is not _UNSET:
                if not isinstance(latency_ms, int) or latency_ms < 0:
                    raise ValueError("latency_ms must be a whole number >= 0")
                self._latency_ms = latency_ms
            if token_ttl is not _UNSET:
                if token_ttl is not None and (not isinstance(token_ttl, int) or token_ttl < 1):
                    raise ValueError("token_ttl must be None or a whole number of seconds >= 1")
                self.store.token_ttl = token_ttl
            if strict_fields is not _UNSET:
                self._strict_fields = bool(strict_fields)
        return self.config()

    def config(self) -> dict[str, Any]:
        bucket = self._bucket
        return {
            "rate_limit": self._rate_limit,
            "burst": bucket.burst,
            "drain_per_second": bucket.drain,
            "latency_ms": self._latency_ms,
            "token_ttl": self.store.token_ttl,
            "strict_fields": self._strict_fields,
            "faults": [
                {"kind": f.kind, "remaining": f.remaining, "method": f.method, "status": f.status}
                for f in self._faults.pending()
            ],
        }

    def fail_next(
        self,
        count: int = 1,
        status: int = 500,
        method: str | None = None,
        *,
        code: str | None = None,
        body: str | bytes | None = None,
    ) -> None:
        """Answer the next ``count`` requests (of ``method``, or any) with HTTP ``status``:
        ``{"error": code}`` (default code by status: 500 INTERNAL_SERVER_ERROR, 503
        QUERY_LIMIT_EXCEEDED, 429 OPERATION_TIME_LIMIT), or ``body`` as raw text/html."""
        if not 100 <= status <= 599:
            raise ValueError("status must be an HTTP status")
        raw = body.encode("utf-8") if isinstance(body, str) else body
        self._faults.add(Fault("fail", count, _method_key(method), status, code, raw))

    def drop_next(self, count: int = 1, method: str | None = None) -> None:
        """Close the connection of the next ``count`` requests without any answer, so
        ``fetch`` rejects. Browsers silently resend a request whose reused keep-alive socket
        closed unanswered; such resends (same body, within 2 s) are dropped too, until one
        arrives on a new socket (browsers do not resend those)."""
        self._faults.add(Fault("drop", count, _method_key(method)))

    def expire_access_tokens(self) -> int:
        """Every live access token is expired from now on (the next call gets 401
        ``expired_token``); refresh tokens still work. Returns how many tokens expired."""
        return self.store.expire_access_tokens()

    def log(self, after: int = 0) -> list[dict[str, Any]]:
        """Recorded exchanges with ``seq > after``, oldest first (the last 500 are kept)."""
        with self._lock:
            return [dict(entry) for entry in self._log if entry["seq"] > after]

    @property
    def preflights(self) -> int:
        """CORS preflights (OPTIONS) seen on /rest since the start or the last reset."""
        return self._preflights

    def count_preflight(self) -> None:
        with self._lock:
            self._preflights += 1

    def reset(self) -> None:
        """Back to defaults: no limit, no latency, no faults, empty log (``seq`` goes on)."""
        with self._lock:
            self._defaults()
            self._faults.clear()
            self._resend = None
            self._log.clear()
            self._preflights = 0

    def apply_panel(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """The portal page's REST panel (``POST /portal/api/rest_config``); ValueError on
        bad input."""
        settings = {
            name: body[name]
            for name in ("rate_limit", "latency_ms", "token_ttl", "strict_fields")
            if name in body
        }
        if "rate_limit" in settings and not isinstance(settings["rate_limit"], bool):
            raise ValueError("rate_limit must be true or false")
        self.configure(**settings)
        fail = body.get("fail_next")
        if isinstance(fail, Mapping):
            self.fail_next(
                int(fail.get("count") or 1), int(fail.get("status") or 500), fail.get("method")
            )
        drop = body.get("drop_next")
        if isinstance(drop, Mapping):
            self.drop_next(int(drop.get("count") or 1), drop.get("method"))
        if body.get("expire_tokens"):
            self.expire_access_tokens()
        return self.config()

    # -- one request -------------------------------------------------------------------------

    def handle(self, request: RestRequest) -> RestReply:
        started = time.time()
        method = method_name(request.path)
        if self._latency_ms:
            time.sleep(self._latency_ms / 1000)
        if self._is_resend(request, method):
            self._record(request, method, started, 0, b"", "dropped again: the client's resend")
            return RestReply(0, drop=True)
        fault = self._faults.take(method)
        if fault is not None and fault.kind == "drop":
            if request.reused:
                # A browser resends a request whose reused keep-alive socket closed without an
                # answer (it takes that for a stale socket); drop that resend too, once.
                self._resend = (method, _fingerprint(request), time.monotonic() + RESEND_WINDOW)
            self._record(request, method, started, 0, b"", "connection dropped, no answer")
            return RestReply(0, drop=True)
        if fault is not None:
            reply = _fault_reply(fault)
            self._record(request, method, started, reply.status, reply.body, "injected fault")
            return reply

        note = ""
        try:
            params = read_params(request)
            if self._rate_limit and not self._bucket.hit():
                raise RestError(503, "QUERY_LIMIT_EXCEEDED", "Too many requests")
            caller = self._authenticate(params.pop("auth", None))
            result = self._execute(caller, method, params)
            payload: dict[str, Any] = {"result": result.value}
            if result.total is not None:
                payload["total"] = result.total
            if result.next is not None:
                payload["next"] = result.next
            payload.update(result.root)
            payload["time"] = time_block(started, time.time())
            status = 200
        except RestError as exc:
            status, payload = exc.status, exc.payload()
        except Exception as exc:  # a bug costs one request, never the server
            status = 500
            payload = {"error": "INTERNAL_SERVER_ERROR", "error_description": "Internal error"}
            note = "emulator bug: " + "".join(traceback.format_exception_only(exc)).strip()
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._record(request, method, started, status, body, note, payload)
        return RestReply(status, body)

    def _is_resend(self, request: RestRequest, method: str) -> bool:
        """Whether this is the browser resending a dropped request (drop it as well). A
        resend on another reused socket may be resent again; one on a new socket is final."""
        with self._lock:
            expected = self._resend
            if expected is None:
                return False
            if time.monotonic() >= expected[2]:
                self._resend = None
                return False
            if (method, _fingerprint(request)) != expected[:2]:
                return False
            again = (*expected[:2], time.monotonic() + RESEND_WINDOW)
            self._resend = again if request.reused else None
            return True

    def _authenticate(self, token: Any) -> Caller:
        if not isinstance(token, str) or not token:
            raise RestError(401, "NO_AUTH_FOUND", "Wrong authorization data")
        check = self.store.check_access_token(token)
        if check.status == "expired":
            raise RestError(401, "expired_token", "The access token provided has expired.")
        user = self.store.user(check.user_id) if check.status == "valid" else None
        if user is None:
            raise RestError(401, "NO_AUTH_FOUND", "Wrong authorization data")
        layout = self.store.layout(check.app_sid)
        is_admin = layout.is_admin if layout is not None else user.is_admin
        return Caller(self.store, user, is_admin, check.app_sid, self._strict_fields)

    def _execute(self, caller: Caller, method: str, params: dict[str, Any]) -> Result:
        if method not in METHODS:
            raise RestError(404, "ERROR_METHOD_NOT_FOUND", "Method not found!")
        if method == "batch":
            return Result(run_batch(caller, params, lambda m, p: self._command(caller, m, p)))
        value = METHODS[method](caller, params)
        return value if isinstance(value, Result) else Result(value)

    def _command(self, caller: Caller, method: str, params: dict[str, Any]) -> Result:
        if method == "batch":
            raise RestError(
                405, "ERROR_BATCH_METHOD_NOT_ALLOWED", "Method is not allowed for batch usage"
            )
        try:
            return self._execute(caller, method, params)
        except RestError:
            raise
        except Exception as exc:  # one command's bug is that command's error
            raise RestError(500, "INTERNAL_SERVER_ERROR", f"Internal error ({exc!r})") from exc

    # -- the inspector's log -----------------------------------------------------------------

    def _record(
        self,
        request: RestRequest,
        method: str,
        started: float,
        status: int,
        body: bytes,
        note: str = "",
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        sent = request.body.decode("utf-8", "replace")
        if request.query:
            sent = "?" + request.query + ("\n" + sent if sent else "")
        answer = body.decode("utf-8", "replace")
        entry = {
            "method": method,
            "http": request.http_method,
            "status": status,
            "error": payload.get("error") if payload else None,
            "request": _clip(mask_secrets(sent)),
            "response": _clip(mask_secrets(answer)),
            "summary": _summary(status, payload, note),
            "ms": round((time.time() - started) * 1000, 1),
            "t": int(started * 1000),
        }
        if note:
            entry["note"] = note
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._log.append(entry)


def read_params(request: RestRequest) -> dict[str, Any]:
    """The call's parameters: the query string, then the body on top (PHP's ``$_REQUEST``).

    Bodies: form-urlencoded, ``text/plain`` carrying a form (BX24.js sends a string body
    without a type), JSON (an object), multipart/form-data. Anything else is a 400.
    """
    params = parse_str(request.query) if request.query else {}
    body = request.body
    if not body.strip():
        return params
    content_type = request.content_type.split(";", 1)[0].strip().lower()
    if content_type == "application/json" or (
        content_type in ("", "text/plain") and body.lstrip()[:1] == b"{"
    ):
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise RestError(400, "ERROR_ARGUMENT", "The request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise RestError(400, "ERROR_ARGUMENT", "The JSON body must be an object")
        params.update({str(key): value for key, value in data.items()})
    elif content_type in ("application/x-www-form-urlencoded", "text/plain", ""):
        params.update(parse_str(body.decode("utf-8", "replace")))
    elif content_type == "multipart/form-data":
        params.update(_multipart(request.content_type, body))
    else:
        raise RestError(400, "ERROR_ARGUMENT", f"Unsupported request body type {content_type}")
    return params


def _multipart(content_type: str, body: bytes) -> dict[str, Any]:
    header = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
    if not message.is_multipart():
        raise RestError(400, "ERROR_ARGUMENT", "The multipart body cannot be read")
    pairs = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        pairs.append((name, filename if filename else payload.decode("utf-8", "replace")))
    return parse_pairs(pairs)


def _fault_reply(fault: Fault) -> RestReply:
    if fault.body is not None:
        return RestReply(fault.status, fault.body, "text/html; charset=utf-8")
    code = fault.code or _DEFAULT_CODES.get(fault.status, "INTERNAL_SERVER_ERROR")
    payload = {"error": code, "error_description": _DESCRIPTIONS.get(code, "Injected fault")}
    return RestReply(fault.status, json.dumps(payload).encode())


def _fingerprint(request: RestRequest) -> bytes:
    return request.query.encode() + b"\n" + request.body


def _method_key(method: str | None) -> str | None:
    return None if method is None else method_name("/rest/" + method)


def _clip(text: str) -> str:
    return text if len(text) <= LOG_TEXT_LIMIT else text[:LOG_TEXT_LIMIT] + "…"


def _summary(status: int, payload: Mapping[str, Any] | None, note: str) -> str:
    if status == 0:
        return note
    if payload is None:
        return f"HTTP {status} ({note})" if note else f"HTTP {status}"
    if "error" in payload:
        return f"{payload['error']}: {payload.get('error_description', '')}".strip()
    result = payload.get("result")
    if isinstance(result, dict) and set(result) == {
        "result",
        "result_error",
        "result_total",
        "result_next",
        "result_time",
    }:
        done, failed = len(result["result"]), len(result["result_error"])
        text = f"batch: {done} ok, {failed} failed"
    elif isinstance(result, dict) and isinstance(result.get("items"), list):
        text = f"{len(result['items'])} items"
    elif isinstance(result, list):
        text = f"{len(result)} rows"
    elif isinstance(result, dict):
        keys = list(result)
        text = "{" + ", ".join(keys[:5]) + (", …" if len(keys) > 5 else "") + "}"
    else:
        text = json.dumps(result, ensure_ascii=False)[:80]
    if "total" in payload:
        text += f", total {payload['total']}"
    if "next" in payload:
        text += f", next {payload['next']}"
    return text
