"""REST from the frame: ``callMethod``, ``callBatch``, result objects, token refresh (PROTOCOL.md
§4.6, §5). Pure core: HTTP goes through the injected host's ``fetch``.

The seam: every HTTP request pyb24 makes passes through one coroutine, :meth:`RestClient.send`
``(method, params_body) -> (status, answer)``. It waits for init (BX24.js queues REST calls
until then), refreshes a token known to have expired, sends, and on ``expired_token`` /
``invalid_token`` refreshes once — one ``refreshAuth`` shared by every concurrent request —
and retries once. ``callMethod``, ``AjaxResult.next()`` and ``callBatch`` all go through it,
and so does the Pythonic layer (``pyb24.scale``). Each HTTP request it makes passes
:meth:`RestClient._fetch`, the only place that calls ``host.fetch``, and there the page's one
:class:`~pyb24.throttle.Throttle` (``RestClient.throttle``) waits for a slot in the portal's
rate-limit bucket, retries 503 ``QUERY_LIMIT_EXCEEDED`` after a backoff, and answers for a
method the portal blocked for its operating time without sending it.

The client knows its frame only through two small protocols: :class:`RestPortal` (where to
send, and when) and :class:`Credentials` (the token, whether it is valid, a shared refresh).

Where BX24.js is silent pyb24 is not: 5xx answers, bodies that are not JSON, network failures,
requests that get no answer in ``REQUEST_TIMEOUT`` (on the host's clock) and a portal that
never answers ``refreshAuth`` all come back as error results with a status — never a hang,
never an exception escaping into the page.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Protocol, TypedDict

from .batching import BATCH_LIMIT, answer_maps, normalize_calls
from .bridge import ReplyTimeout, invoke_callback, resolved
from .encoding import prepare_data
from .errors import error_fields
from .host import Host, NetworkError, pause, within
from .jsvalues import JsonDepthError, encode_uri_component, js_parse_int, json_parse
from .throttle import Throttle

log = logging.getLogger("pyb24.rest")

REQUEST_TIMEOUT = 65.0  # seconds; the cloud portal's own wall time is 60 s
# Refreshed once, then retried once. NO_AUTH_FOUND: a token the portal revoked (it rotates
# the tokens on refreshAuth), e.g. one sent while a refresh was in flight.
AUTH_ERRORS = ("expired_token", "invalid_token", "NO_AUTH_FOUND")

Answer = dict[str, Any]  # a REST envelope: {"result": …} or {"error": …, "error_description": …}


class RestPortal(Protocol):
    """Where REST calls go, and when (the frame session)."""

    def require_portal(self) -> None:
        """Raise ``NotInPortalError`` outside a portal frame."""

    async def initialised(self) -> None:
        """Return once the init data is in."""

    def method_url(self, method: str) -> str:
        """``https://portal/rest/<method>.json`` (only after init)."""


class Credentials(Protocol):
    """The token the REST client sends (the auth state)."""

    def access_token(self) -> str: ...

    def valid(self) -> bool:
        """A token that has not expired yet, as far as the frame knows."""

    async def refresh(self, stale_token: str | None) -> bool:
        """One refresh shared by concurrent callers; True when a valid token is there after.
        Raises ``ReplyTimeout`` when the portal does not answer."""


class Query(TypedDict, total=False):
    """What an ``AjaxResult`` was asked for: what ``next()`` re-issues."""

    method: str
    params: Any
    callback: Callable[[AjaxResult], Any] | None


class AjaxError(Exception):
    """A REST error as BX24.js' ``ajaxError``; also an exception, so code can ``raise`` it."""

    def __init__(self, status: int, error: str, description: str = "") -> None:
        super().__init__(error, description, status)
        self.status = status
        self.error = error
        self.description = description or ""

    def getError(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}

    def getStatus(self) -> int:
        return self.status

    def __str__(self) -> str:
        code = self.error or "no error code"  # classic methods may answer {"error": ""}
        text = f"{code}: {self.description}" if self.description else code
        return f"{text} ({self.status})"

    def __repr__(self) -> str:
        return f"AjaxError({self})"


class AjaxResult:
    """What ``callMethod`` gives its callback (BX24.js ``ajaxResult``)."""

    def __init__(
        self, answer: Mapping[str, Any], query: Query, status: int, client: RestClient
    ) -> None:
        self.answer = dict(answer)
        self.query = query  # {"method", "params", "callback"}: what to re-issue for next()
        self.status = status
        self._client = client
        error = self.answer.get("error")
        self.ex: AjaxError | None = None
        # Classic methods answer some failures with {"error": "", ...} and a 4xx status.
        if error or ("error" in self.answer and status >= 400):
            self.ex = AjaxError(status, *error_fields(self.answer))

    def data(self) -> Any:
        return self.answer.get("result")

    def error(self) -> AjaxError | None:
        return self.ex

    def error_description(self) -> str | None:
        description = self.answer.get("error_description")
        return None if description is None else str(description)

    def more(self) -> bool:
        return js_parse_int(self.answer.get("next")) is not None

    def total(self) -> int | None:
        """``total`` of a list method (``parseInt``, as BX24.js); ``None`` where JS has NaN."""
        return js_parse_int(self.answer.get("total"))

    def time(self) -> dict[str, Any] | None:
        time = self.answer.get("time")
        return time if isinstance(time, dict) else None

    def next(
        self, callback: Callable[[AjaxResult], Any] | None = None
    ) -> asyncio.Future[Any] | bool:
        """The next page: an awaitable ``AjaxResult`` (its callback: ``callback`` or the
        original one), or ``False`` when there is no next page."""
        start = js_parse_int(self.answer.get("next"))
        if start is None:
            return False
        query = self.query
        return self._client.call(
            query["method"], query.get("params"), callback or query.get("callback"), start=start
        )

    def __repr__(self) -> str:  # never the data: it may hold option values or personal data
        state = f"error {self.ex.error}" if self.ex else "ok"
        return f"<AjaxResult {self.query.get('method')} {self.status} {state}>"


def _error_answer(code: str, description: str) -> Answer:
    return {"error": code, "error_description": description}


class RestClient:
    """Sends the REST calls of one frame (see the module docstring for the one seam)."""

    def __init__(self, host: Host, portal: RestPortal, credentials: Credentials) -> None:
        self._host = host
        self._portal = portal
        self._credentials = credentials
        # One throttle for every request of the page (PROTOCOL.md §5.9, §5.10).
        self.throttle = Throttle(
            now_s=lambda: host.now_ms() / 1000, sleep=lambda seconds: pause(host, seconds)
        )

    # -- BX24.js entry points (BX24 delegates here) ----------------------------------------
    def call(
        self,
        method: str,
        params: Any = None,
        callback: Callable[[AjaxResult], Any] | None = None,
        start: int | None = None,
    ) -> asyncio.Future[Any]:
        """``callMethod``: an awaitable ``AjaxResult``; the callback gets the same object."""
        if not isinstance(method, str) or not method:
            raise ValueError("callMethod needs a method name, e.g. 'user.current'")
        self._portal.require_portal()  # outside a portal: fail fast, like BX24.init()
        if start is not None and isinstance(params, Mapping):
            params = {**params, "start": start}
            start = None
        query = Query(method=method, params=params, callback=callback)
        body = _encode(params, start)  # bad parameters raise here, at the call site
        return self._deliver(self._call(method, body, query), callback)

    def batch(
        self,
        calls: Any,
        callback: Callable[[Any], Any] | None = None,
        halt_on_error: bool = False,
    ) -> asyncio.Future[Any]:
        """``callBatch``: results per key as ``AjaxResult`` in a list or dict like ``calls``."""
        self._portal.require_portal()
        commands, as_list = normalize_calls(calls, strict=False)
        if len(commands) > BATCH_LIMIT:
            raise ValueError(
                f"callBatch takes at most {BATCH_LIMIT} commands, got {len(commands)}; "
                "split the calls into several batches"
            )
        if not commands:
            empty: Any = [] if as_list else {}
            invoke_callback(self._host, callback, empty)
            return resolved(self._host, empty)
        # Each row's query is encoded once: it goes on the wire and into its result's next().
        encoded = [(c.key, c.method, prepare_data(c.params)) for c in commands]
        rows = {key: f"{method}?{query}" for key, method, query in encoded}
        body = _encode({"halt": 1 if halt_on_error else 0, "cmd": rows}, None)

        async def run() -> Any:
            outer = await self._call("batch", body, Query(method="batch", params=None))
            return self._split_batch(outer, encoded, as_list)

        return self._deliver(run(), callback)

    # -- the seam: every HTTP request passes through here ----------------------------------
    async def send(self, method: str, params_body: str) -> tuple[int, Answer]:
        """POST ``params_body`` (already form-encoded) to ``method`` with the frame's token;
        ``(status, answer)``, where failures of any kind are error answers (never raised).

        Waits for init; refreshes a token known to have expired before sending; on an auth
        error refreshes (shared with concurrent requests) and retries once.
        """
        await self._portal.initialised()
        if not self._credentials.valid():  # known expired: refresh before sending
            failure = await self._refresh(None)
            if failure:
                return failure
        token = self._credentials.access_token()
        status, answer = await self._fetch(method, token, params_body)
        if status == 401 and answer.get("error") in AUTH_ERRORS:
            failure = await self._refresh(token)
            if failure:
                return failure
            status, answer = await self._fetch(
                method, self._credentials.access_token(), params_body
            )
        return status, answer

    async def _refresh(self, stale_token: str | None) -> tuple[int, Answer] | None:
        """None when a fresh token is there; else the error answer the request ends with."""
        try:
            fresh = await self._credentials.refresh(stale_token)
        except ReplyTimeout:
            return 408, _error_answer(
                "REFRESH_AUTH_TIMEOUT", "the portal did not answer refreshAuth in time"
            )
        if not fresh:
            return 401, _error_answer("expired_token", "the portal gave no usable token")
        return None

    async def _fetch(self, method: str, token: str, params_body: str) -> tuple[int, Answer]:
        """One HTTP request when the throttle allows it (and again after a 503 backoff),
        bounded by ``REQUEST_TIMEOUT`` on the host's clock."""
        url = self._portal.method_url(method)
        body = f"auth={encode_uri_component(token)}" + (f"&{params_body}" if params_body else "")
        return await self.throttle.send(method, lambda: self._post(method, url, body))

    async def _post(self, method: str, url: str, body: str) -> tuple[int, Answer]:
        log.debug("REST %s", method)  # never the body: it carries the token
        try:
            status, text = await within(self._host, REQUEST_TIMEOUT, self._host.fetch(url, body))
        except TimeoutError:
            return 408, _error_answer("REQUEST_TIMEOUT", f"no answer in {REQUEST_TIMEOUT:.0f} s")
        except NetworkError as exc:
            return 0, _error_answer("NETWORK_ERROR", str(exc) or "the request did not complete")
        return status, _parse_answer(status, text)

    # -- results ---------------------------------------------------------------------------
    async def _call(self, method: str, body: str, query: Query) -> AjaxResult:
        status, answer = await self.send(method, body)
        return AjaxResult(answer, query, status, self)

    def _deliver(
        self, coroutine: Coroutine[Any, Any, Any], callback: Callable[[Any], Any] | None
    ) -> asyncio.Future[Any]:
        """Run ``coroutine`` as a task (the request goes out unawaited, as in BX24.js); the
        task hands its result to ``callback`` itself: no extra trip through the event loop."""

        async def run() -> Any:
            try:
                result = await coroutine
            except Exception:
                log.exception("REST call failed inside pyb24")
                raise
            invoke_callback(self._host, callback, result)
            return result

        return self._host.spawn(run())

    def _split_batch(
        self, outer: AjaxResult, commands: list[tuple[str, str, str]], as_list: bool
    ) -> Any:
        """Results per ``(key, method, query)`` command of a batch answer."""
        results: dict[str, AjaxResult] = {}
        inner = outer.data() if outer.ex is None else None
        if not isinstance(inner, Mapping):  # the batch itself failed: every command says why
            answer = (
                outer.answer
                if outer.ex
                else _error_answer("ERROR_UNEXPECTED_ANSWER", "the batch answer has no result maps")
            )
            for key, method, query in commands:
                results[key] = AjaxResult(
                    answer, Query(method=method, params=query), outer.status, self
                )
        else:
            maps = answer_maps(inner)
            for key, method, query in commands:
                if key not in maps["result"] and key not in maps["result_error"]:
                    continue  # not run (halt): absent, as in BX24.js
                answer = {"result": maps["result"].get(key, {})}
                for field, source in (
                    ("error", "result_error"),
                    ("total", "result_total"),
                    ("next", "result_next"),
                    ("time", "result_time"),
                ):
                    if key in maps[source]:
                        answer[field] = maps[source][key]
                results[key] = AjaxResult(
                    answer, Query(method=method, params=query), outer.status, self
                )
        if as_list:
            return [results[key] for key, _, _ in commands if key in results]
        return results


def _encode(params: Any, start: int | None) -> str:
    encoded = prepare_data(params)
    if start is not None:
        encoded = f"{encoded}&start={start}" if encoded else f"start={start}"
    return encoded


def _parse_answer(status: int, text: str) -> Answer:
    if not text.strip():
        if status >= 500:
            return _error_answer("INTERNAL_SERVER_ERROR", f"HTTP {status} with an empty body")
        return {"result": {}}  # BX24.js: an empty body is an empty result
    try:
        answer = json_parse(text)  # refuses JSON too deep to parse safely
    except JsonDepthError:
        return _error_answer(
            "ERROR_UNEXPECTED_ANSWER", f"HTTP {status}: the answer is nested too deep to read"
        )
    except ValueError:
        return _error_answer("ERROR_UNEXPECTED_ANSWER", f"HTTP {status}: the answer is not JSON")
    if not isinstance(answer, dict):
        return _error_answer("ERROR_UNEXPECTED_ANSWER", f"HTTP {status}: not a REST envelope")
    if status >= 500 and not answer.get("error"):
        answer = {**answer, **_error_answer("INTERNAL_SERVER_ERROR", f"HTTP {status}")}
    return answer
