"""The REST emulator: one request in, one envelope out — plus the knobs tests turn.

``RestEmulator.handle`` knows nothing about sockets: the HTTP handler hands it the method
path, query and body and sends back what it returns (or drops the connection when told).

Error codes (HTTP status, ``error``, when):

=====  ==================================  ====================================================
401    ``NO_AUTH_FOUND``                   no ``auth``, or a token the portal does not know
                                           (never issued, or rotated away by a refresh
                                           before its lifetime was over)
401    ``expired_token``                   the access token's lifetime is over (also when a
                                           refresh has replaced it since)
404    ``ERROR_METHOD_NOT_FOUND``          no such method ("Method not found!")
400    ``ERROR_ARGUMENT``                  unreadable body (bad JSON, unsupported type, a JSON
                                           parameter nested over 64 levels), bad
                                           ``cmd``/``options``/``handler`` (+ ``argument``)
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
429    ``OPERATION_TIME_LIMIT``            the method used its operating time in the window
500    ``INTERNAL_SERVER_ERROR``           an injected fault, or a bug (the server goes on)
=====  ==================================  ====================================================

Inside ``batch`` a command's error lands in ``result_error`` (nested ``batch``:
``ERROR_BATCH_METHOD_NOT_ALLOWED``; the commands after the 50th:
``ERROR_BATCH_LENGTH_EXCEEDED``, not run).
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import random
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
from .limits import (
    OPERATING_LIMIT,
    PLANS,
    Clock,
    Fault,
    FaultPlan,
    LeakyBucket,
    OperatingTime,
)
from .methods import METHODS
from .phpquery import MAX_NESTING, nesting, parse_pairs, parse_str

if TYPE_CHECKING:
    from ..store import Store

LOG_SIZE = 500
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
_DESCRIPTIONS = {  # the portal's texts
    "INTERNAL_SERVER_ERROR": "Internal server error",
    "QUERY_LIMIT_EXCEEDED": "Too many requests",
    "OPERATION_TIME_LIMIT": "Method is blocked due to operation time limit.",
}
# The knobs of configure() that the portal page's REST panel may turn.
PANEL_KNOBS = (
    "rate_limit",
    "plan",
    "latency_ms",
    "token_ttl",
    "strict_fields",
    "operating_limit",
    "operating_cost",
    "churn",
)
CHURN_SEED = 24


@dataclass
class RestRequest:
    http_method: str
    path: str  # "/rest/user.current.json"
    query: str = ""
    content_type: str = ""
    body: bytes = b""


@dataclass
class RestReply:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    drop: bool = False  # answer no HTTP at all and close the connection (drop_next)


def method_name(path: str) -> str:
    """``/rest/User.Current.json`` -> ``user.current`` (names are case-insensitive)."""
    name = unquote(path.removeprefix("/rest").lstrip("/")).strip().lower()
    for suffix in (".json", ".xml"):
        name = name.removesuffix(suffix)
    return name


class RestEmulator:
    """The portal's REST API over the shared store, with switchable misbehaviour.

    Test API (``emu.rest``): :meth:`configure` (and :meth:`config`), :meth:`operating`,
    :meth:`fail_next`, :meth:`drop_next`, :meth:`expire_access_tokens`, :meth:`log`,
    :attr:`preflights`, :meth:`reset`.
    """

    def __init__(self, store: Store, *, clock: Clock = time.time) -> None:
        self.store = store
        self._default_clock = clock
        self._lock = threading.Lock()
        self._log: deque[dict[str, Any]] = deque(maxlen=LOG_SIZE)
        self._seq = 0
        self._preflights = 0
        self._faults = FaultPlan()
        self._defaults()

    def _defaults(self) -> None:
        self._clock: Clock = self._default_clock
        self._rate_limit = False
        self._plan = "default"
        self._bucket = LeakyBucket(*PLANS["default"], clock=self._now)
        self._latency_ms = 0
        self._strict_fields = True
        self._operating = OperatingTime(OPERATING_LIMIT, clock=self._now)
        self._operating_cost: dict[str, float] = {}
        self._churn = (0, 0)
        self._churn_rng = random.Random(CHURN_SEED)
        self.store.token_ttl = None

    def _now(self) -> float:
        return self._clock()

    # -- the test API ------------------------------------------------------------------------

    def configure(
        self,
        *,
        rate_limit: bool | tuple[int, float] = _UNSET,
        plan: str = _UNSET,
        latency_ms: int = _UNSET,
        token_ttl: int | None = _UNSET,
        strict_fields: bool = _UNSET,
        operating_limit: float | None = _UNSET,
        operating_cost: float | Mapping[str, float] = _UNSET,
        churn: int | tuple[int, int] = _UNSET,
        clock: Clock = _UNSET,
    ) -> dict[str, Any]:
        """Change only what is passed (all or nothing: a bad value changes nothing); returns
        the whole configuration (:meth:`config`). :meth:`reset` restores every default.

        ``rate_limit``: True for the leaky bucket of the ``plan`` (PROTOCOL.md §5.9), a tuple
        ``(burst, per_second)`` for another one, False for none (the default). Each HTTP
        request counts once, a ``batch`` too. ``plan``: ``"default"`` (50 burst, drains 2/s)
        or ``"enterprise"`` (250, 5/s); choosing one starts an empty bucket.

        ``latency_ms``: delay before every answer. ``token_ttl``: lifetime in seconds of
        tokens issued from now on (page loads and refreshes), None for the scenario's
        ``expires``. ``strict_fields``: refuse unknown names in CRM ``fields`` (True, the
        default) or ignore them like the portal.

        ``operating_limit``: seconds of operating time a method may use in ten minutes
        before its next call gets 429 ``OPERATION_TIME_LIMIT`` (480, the cloud's; None: no
        limit). ``operating_cost``: seconds each call adds on top of its measured time — a
        number for every method or ``{"crm.deal.list": 100, "*": 1}`` per method; ``{}`` or
        0 for none. The outer ``batch`` is not counted, its commands are.

        ``churn``: after every CRM list page (``crm.item.list``, ``crm.deal.list``, also
        inside a ``batch``) add N items of the listed type and delete N existing ones —
        ``N`` or ``(added, deleted)``; 0 for none. Deterministic after :meth:`reset`.

        ``clock``: the time source of both limits and the time block (``time.time``-like);
        tests pass a fake one instead of sleeping.
        """
        changes: dict[str, Any] = {}
        if plan is not _UNSET:
            if plan not in PLANS:
                raise ValueError(f"plan must be one of {', '.join(PLANS)}, got {plan!r}")
            changes["plan"] = plan
        if rate_limit is not _UNSET:
            changes["rate_limit"] = _bucket_size(rate_limit)
        if latency_ms is not _UNSET:
            if not _whole(latency_ms) or latency_ms < 0:
                raise ValueError("latency_ms must be a whole number >= 0")
            changes["latency_ms"] = latency_ms
        if token_ttl is not _UNSET:
            if token_ttl is not None and (not _whole(token_ttl) or token_ttl < 1):
                raise ValueError("token_ttl must be None or a whole number of seconds >= 1")
            changes["token_ttl"] = token_ttl
        if operating_limit is not _UNSET:
            if operating_limit is not None and (
                not _number(operating_limit) or operating_limit <= 0
            ):
                raise ValueError("operating_limit must be None or a number of seconds > 0")
            changes["operating_limit"] = operating_limit
        if operating_cost is not _UNSET:
            changes["operating_cost"] = _costs(operating_cost)
        if churn is not _UNSET:
            changes["churn"] = _churn(churn)
        if clock is not _UNSET:
            if not callable(clock):
                raise ValueError("clock must be a function returning epoch seconds")
            changes["clock"] = clock
        with self._lock:
            self._apply(changes, strict_fields)
        return self.config()

    def _apply(self, changes: dict[str, Any], strict_fields: Any) -> None:
        if "clock" in changes:
            self._clock = changes["clock"]
        if "plan" in changes:
            self._plan = changes["plan"]
            if not isinstance(changes.get("rate_limit"), tuple):
                self._bucket = LeakyBucket(*PLANS[self._plan], clock=self._now)
        if "rate_limit" in changes:
            size = changes["rate_limit"]
            self._rate_limit = size is not False
            burst, drain = size if isinstance(size, tuple) else PLANS[self._plan]
            self._bucket = LeakyBucket(burst, drain, clock=self._now)
        if "latency_ms" in changes:
            self._latency_ms = changes["latency_ms"]
        if "token_ttl" in changes:
            self.store.token_ttl = changes["token_ttl"]
        if "operating_limit" in changes:
            self._operating.limit = changes["operating_limit"]
        if "operating_cost" in changes:
            self._operating_cost = changes["operating_cost"]
        if "churn" in changes:
            self._churn = changes["churn"]
        if strict_fields is not _UNSET:
            self._strict_fields = bool(strict_fields)

    def config(self) -> dict[str, Any]:
        bucket = self._bucket
        return {
            "rate_limit": self._rate_limit,
            "plan": self._plan,
            "burst": bucket.burst,
            "drain_per_second": bucket.drain,
            "latency_ms": self._latency_ms,
            "token_ttl": self.store.token_ttl,
            "strict_fields": self._strict_fields,
            "operating_limit": self._operating.limit,
            "operating_cost": dict(self._operating_cost),
            "churn": list(self._churn),
            "faults": [
                {"kind": f.kind, "remaining": f.remaining, "method": f.method, "status": f.status}
                for f in self._faults.pending()
            ],
        }

    def operating(self, method: str) -> dict[str, Any]:
        """A method's operating time now: ``{"used": seconds, "reset_at": epoch second,
        "blocked": bool}`` (what the next answer's time block will build on)."""
        key = _method_key(method)
        used, reset_at = self._operating.usage(key)
        return {
            "used": used,
            "reset_at": reset_at,
            "blocked": self._operating.blocked(key) is not None,
        }

    def fail_next(
        self,
        count: int = 1,
        status: int = 500,
        method: str | None = None,
        *,
        code: str | None = None,
        body: str | bytes | None = None,
        description: str | None = None,
    ) -> None:
        """Answer the next ``count`` requests (of ``method``, or any) with HTTP ``status``:
        ``{"error": code, "error_description": description}`` (default code by status: 500
        INTERNAL_SERVER_ERROR, 503 QUERY_LIMIT_EXCEEDED, 429 OPERATION_TIME_LIMIT; default
        description: the portal's text for the code, else "Injected fault"), or ``body`` as
        raw text/html."""
        if not 100 <= status <= 599:
            raise ValueError("status must be an HTTP status")
        raw = body.encode("utf-8") if isinstance(body, str) else body
        fault = Fault("fail", count, _method_key(method), status, code, raw, description)
        self._faults.add(fault)

    def drop_next(self, count: int = 1, method: str | None = None) -> None:
        """Answer the next ``count`` requests with no HTTP at all (a line that is not a status
        line) and close the connection, so ``fetch`` rejects (Chromium:
        ``net::ERR_INVALID_HTTP_RESPONSE``). A connection closed with no answer would not do:
        Chromium silently resends a request whose socket it took for a stale keep-alive one
        (an idle socket it connected ahead counts too, more often on a busy machine), and that
        resend would succeed; a response that is not HTTP is never resent."""
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
            self._log.clear()
            self._preflights = 0

    def apply_panel(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """The portal page's REST panel (``POST /portal/api/rest_config``): the knobs of
        :meth:`configure` by name (``churn`` as a number or ``[added, deleted]``, no
        ``clock``), plus ``fail_next``, ``drop_next``, ``expire_tokens``. ValueError on bad
        input."""
        settings = {name: body[name] for name in PANEL_KNOBS if name in body}
        if "rate_limit" in settings and not isinstance(settings["rate_limit"], bool):
            raise ValueError("rate_limit must be true or false")
        if isinstance(settings.get("churn"), list):
            settings["churn"] = tuple(settings["churn"])
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
        started = (time.time(), time.perf_counter())  # for the log: real time, always
        method = method_name(request.path)
        if self._latency_ms:
            time.sleep(self._latency_ms / 1000)
        fault = self._faults.take(method)
        if fault is not None and fault.kind == "drop":
            self._record(request, method, started, 0, b"", "connection dropped, no HTTP answer")
            return RestReply(0, drop=True)
        if fault is not None:
            reply = _fault_reply(fault)
            self._record(request, method, started, reply.status, reply.body, "injected fault")
            return reply

        note = ""
        try:
            params = read_params(request)
            if self._rate_limit and not self._bucket.hit():  # a batch counts once
                raise RestError(503, "QUERY_LIMIT_EXCEEDED", _DESCRIPTIONS["QUERY_LIMIT_EXCEEDED"])
            caller = self._authenticate(params.pop("auth", None))
            result = self._execute(caller, method, params)
            payload: dict[str, Any] = {"result": result.value}
            if result.total is not None:
                payload["total"] = result.total
            if result.next is not None:
                payload["next"] = result.next
            payload.update(result.root)
            payload["time"] = result.time
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
        return Caller(
            self.store, user, is_admin, check.app_sid, self._strict_fields, self._after_page
        )

    def _execute(self, caller: Caller, method: str, params: dict[str, Any]) -> Result:
        if method not in METHODS:
            raise RestError(404, "ERROR_METHOD_NOT_FOUND", "Method not found!")
        if method == "batch":
            # The outer batch is not counted against operating time; its commands are.
            began, started = time.perf_counter(), self._now()
            value = run_batch(caller, params, lambda m, p: self._command(caller, m, p))
            processing = time.perf_counter() - began
            used, reset_at = self._operating.usage(method)
            timing = time_block(started, started + processing, processing, used, reset_at)
            return Result(value, time=timing)
        return self._counted(caller, method, params)

    def _counted(self, caller: Caller, method: str, params: dict[str, Any]) -> Result:
        """Run one method under its operating-time limit and count what it used."""
        if self._operating.blocked(method) is not None:
            raise RestError(429, "OPERATION_TIME_LIMIT", _DESCRIPTIONS["OPERATION_TIME_LIMIT"])
        began, started = time.perf_counter(), self._now()
        try:
            value = METHODS[method](caller, params)
        finally:
            processing = time.perf_counter() - began
            cost = self._operating_cost.get(method, self._operating_cost.get("*", 0.0))
            used, reset_at = self._operating.spend(method, processing + cost)
        result = value if isinstance(value, Result) else Result(value)
        result.time = time_block(started, started + processing, processing, used, reset_at)
        return result

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

    def _after_page(self, entity_type_id: int) -> None:
        """A CRM list page was read: the ``churn`` knob changes the data under the client."""
        added, deleted = self._churn
        if added or deleted:
            self.store.churn_items(entity_type_id, added, deleted, self._churn_rng)

    # -- the inspector's log -----------------------------------------------------------------

    def _record(
        self,
        request: RestRequest,
        method: str,
        started: tuple[float, float],
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
            "params": _logged_params(request),
            "http": request.http_method,
            "status": status,
            "error": payload.get("error") if payload else None,
            "request": _clip(mask_secrets(sent)),
            "response": _clip(mask_secrets(answer)),
            "summary": _summary(status, payload, note),
            "ms": round((time.perf_counter() - started[1]) * 1000, 1),
            "t": int(started[0] * 1000),
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
        except RecursionError:
            raise _too_deep() from None
        except (UnicodeDecodeError, ValueError):
            raise RestError(400, "ERROR_ARGUMENT", "The request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise RestError(400, "ERROR_ARGUMENT", "The JSON body must be an object")
        if any(nesting(value) > MAX_NESTING for value in data.values()):
            raise _too_deep()
        params.update({str(key): value for key, value in data.items()})
    elif content_type in ("application/x-www-form-urlencoded", "text/plain", ""):
        params.update(parse_str(body.decode("utf-8", "replace")))
    elif content_type == "multipart/form-data":
        params.update(_multipart(request.content_type, body))
    else:
        raise RestError(400, "ERROR_ARGUMENT", f"Unsupported request body type {content_type}")
    return params


def _too_deep() -> RestError:
    """A JSON body with a parameter nesting deeper than a form's can (PHP's
    max_input_nesting_level, 64 levels of arrays in one parameter): refused whole. (The
    portal's json_decode reads 512 levels; no app sends that many, and the emulator's methods
    would hit Python's recursion limit long before.)"""
    return RestError(
        400,
        "ERROR_ARGUMENT",
        f"A parameter of the request body nests more than {MAX_NESTING} levels of arrays",
    )


def _logged_params(request: RestRequest) -> dict[str, Any] | None:
    """The call's parameters as the method gets them (nested, decoded; no ``auth``), secrets
    masked by the one rule; None when the body cannot be read."""
    try:
        params = read_params(request)
    except RestError:
        return None
    params.pop("auth", None)
    masked: dict[str, Any] = json.loads(mask_secrets(json.dumps(params, ensure_ascii=False)))
    return masked


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
    description = fault.description
    if description is None:
        description = _DESCRIPTIONS.get(code, "Injected fault")
    payload = {"error": code, "error_description": description}
    return RestReply(fault.status, json.dumps(payload).encode())


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


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _bucket_size(value: Any) -> tuple[int, float] | bool:
    """``rate_limit``: True/False, or ``(burst, per_second)``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, tuple | list) and len(value) == 2:
        burst, drain = value
        if _whole(burst) and burst >= 1 and _number(drain) and drain > 0:
            return int(burst), float(drain)
    raise ValueError("rate_limit must be true, false or (burst >= 1, per_second > 0)")


def _costs(value: Any) -> dict[str, float]:
    """``operating_cost``: seconds for every method, or a map method -> seconds ("*": any)."""
    costs = {"*": value} if _number(value) else value
    if not isinstance(costs, Mapping) or not all(
        _number(seconds) and seconds >= 0 for seconds in costs.values()
    ):
        raise ValueError(
            "operating_cost must be seconds >= 0, or a map of method name to seconds >= 0"
        )
    return {
        ("*" if name == "*" else _method_key(str(name))): float(seconds)
        for name, seconds in costs.items()
        if seconds
    }


def _churn(value: Any) -> tuple[int, int]:
    """``churn``: N (add N, delete N) or ``(added, deleted)``."""
    pair = (value, value) if _whole(value) else value
    if (
        isinstance(pair, tuple | list)
        and len(pair) == 2
        and all(_whole(count) and 0 <= count <= 1000 for count in pair)
    ):
        return int(pair[0]), int(pair[1])
    raise ValueError("churn must be N or (added, deleted), whole numbers from 0 to 1000")
