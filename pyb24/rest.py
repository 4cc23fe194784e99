"""REST from the frame: ``callMethod``, ``callBatch``, result objects, token refresh (PROTOCOL.md
§4.6, §5). Pure core: HTTP goes through the injected host's ``fetch``.

Where BX24.js is silent pyb24 is not: 5xx answers, bodies that are not JSON, network failures
and a portal that never answers ``refreshAuth`` all come back as error results with a status
— never a hang, never an exception escaping into the page.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .bridge import ReplyTimeout, invoke_callback
from .encoding import encode_uri_component, prepare_data
from .host import NetworkError

if TYPE_CHECKING:
    from .facade import BX24Facade

log = logging.getLogger("pyb24.rest")

BATCH_LIMIT = 50  # commands per batch (PROTOCOL.md §5.8)
REQUEST_TIMEOUT = 65.0  # seconds; the cloud portal's own wall time is 60 s
AUTH_ERRORS = ("expired_token", "invalid_token")


class AjaxError(Exception):
    """A REST error as BX24.js' ``ajaxError``; also an exception, so code can ``raise`` it."""

    def __init__(self, status: int, error: str, description: str = ""):
        super().__init__(error, description, status)
        self.status = status
        self.error = error
        self.description = description or ""

    def getError(self) -> dict:
        return {"error": self.error, "error_description": self.description}

    def getStatus(self) -> int:
        return self.status

    def __str__(self) -> str:
        text = f"{self.error}: {self.description}" if self.description else self.error
        return f"{text} ({self.status})"

    def __repr__(self) -> str:
        return f"AjaxError({self})"


class AjaxResult:
    """What ``callMethod`` gives its callback (BX24.js ``ajaxResult``)."""

    def __init__(self, answer: Mapping, query: dict, status: int, client: RestClient):
        self.answer = dict(answer)
        self.query = query  # {"method", "params", "start"}: what to re-issue for next()
        self.status = status
        self._client = client
        error = self.answer.get("error")
        self.ex: AjaxError | None = None
        # Classic methods answer some failures with {"error": "", ...} and a 4xx status.
        if error or ("error" in self.answer and status >= 400):
            if isinstance(error, Mapping):  # batch sub-results carry {"error", "error_description"}
                code, description = error.get("error"), error.get("error_description")
            else:
                code, description = error, self.answer.get("error_description")
            self.ex = AjaxError(status, str(code), str(description or ""))

    def data(self) -> Any:
        return self.answer.get("result")

    def error(self) -> AjaxError | None:
        return self.ex

    def error_description(self) -> str | None:
        return self.answer.get("error_description")

    def more(self) -> bool:
        return _as_int(self.answer.get("next")) is not None

    def total(self) -> int | None:
        """``total`` of a list method; ``None`` when the answer has none (JS: NaN)."""
        return _as_int(self.answer.get("total"))

    def time(self) -> dict | None:
        return self.answer.get("time")

    def next(self, callback: Callable[[AjaxResult], Any] | None = None):
        """The next page: an awaitable ``AjaxResult`` (its callback: ``callback`` or the
        original one), or ``False`` when there is no next page."""
        start = _as_int(self.answer.get("next"))
        if start is None:
            return False
        query = self.query
        return self._client.call(
            query["method"], query["params"], callback or query.get("callback"), start=start
        )

    def __repr__(self) -> str:  # never the data: it may hold option values or personal data
        state = f"error {self.ex.error}" if self.ex else "ok"
        return f"<AjaxResult {self.query.get('method')} {self.status} {state}>"


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _php_map(value: Any) -> dict:
    """A batch response map: PHP sends ``[]`` when empty and a list for keys 0..n-1."""
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    return {}


def _error_answer(code: str, description: str) -> dict:
    return {"error": code, "error_description": description}


class RestClient:
    """Sends REST calls for one ``BX24Facade`` and keeps its token fresh."""

    def __init__(self, bx24: BX24Facade):
        self._bx24 = bx24
        self._refreshing: asyncio.Future | None = None

    # -- public entry points (the facade delegates here) -------------------------------
    def call(
        self,
        method: str,
        params: Any = None,
        callback: Callable[[AjaxResult], Any] | None = None,
        start: int | None = None,
    ) -> asyncio.Future:
        """``callMethod``: an awaitable ``AjaxResult``; the callback gets the same object."""
        if not isinstance(method, str) or not method:
            raise ValueError("callMethod needs a method name, e.g. 'user.current'")
        self._bx24._bridge_or_raise()  # outside a portal: fail fast, like BX24.init()
        if start is not None and isinstance(params, Mapping):
            params = {**params, "start": start}
            start = None
        query = {"method": method, "params": params, "callback": callback}
        body = self._encode(params, start)  # bad parameters raise here, at the call site
        return self._deliver(self._request(method, body, query), callback)

    def batch(
        self,
        calls: Any,
        callback: Callable[[Any], Any] | None = None,
        halt_on_error: bool = False,
    ) -> asyncio.Future:
        """``callBatch``: results per key as ``AjaxResult`` in a list or dict like ``calls``."""
        self._bx24._bridge_or_raise()
        commands = _batch_commands(calls)
        if len(commands) > BATCH_LIMIT:
            raise ValueError(
                f"callBatch takes at most {BATCH_LIMIT} commands, got {len(commands)}; "
                "split the calls into several batches"
            )
        as_list = isinstance(calls, list | tuple)
        if not commands:
            done = self._bx24._host.create_future()
            empty: Any = [] if as_list else {}
            invoke_callback(callback, empty)
            done.set_result(empty)
            return done
        # Each row's query is encoded once: it goes on the wire and into its result's next().
        encoded = [(key, method, prepare_data(params)) for key, (method, params) in commands]
        rows = {key: f"{method}?{query}" for key, method, query in encoded}
        body = self._encode({"halt": 1 if halt_on_error else 0, "cmd": rows}, None)
        query = {"method": "batch", "params": None, "callback": callback}

        async def run() -> Any:
            answer = await self._request("batch", body, query)
            return self._split_batch(answer, encoded, as_list)

        return self._deliver(run(), callback)

    # -- internals ---------------------------------------------------------------------
    def _deliver(self, coroutine, callback) -> asyncio.Future:
        task = asyncio.ensure_future(coroutine)

        def done(finished: asyncio.Future) -> None:
            if not finished.cancelled() and finished.exception() is None:
                invoke_callback(callback, finished.result())
            elif not finished.cancelled():
                log.error("REST call failed inside pyb24", exc_info=finished.exception())

        task.add_done_callback(done)
        return task

    def _encode(self, params: Any, start: int | None) -> str:
        encoded = prepare_data(params)
        if start is not None:
            encoded = f"{encoded}&start={start}" if encoded else f"start={start}"
        return encoded

    async def _request(self, method: str, params_body: str, query: dict) -> AjaxResult:
        bx24 = self._bx24
        if bx24._init_data is None:
            await bx24.init()  # BX24.js queues REST calls until init
        if not bx24.getAuth():  # known expired: refresh before sending
            failure = await self._refresh(None)
            if failure:
                return AjaxResult(failure[0], query, failure[1], self)
        token = bx24._auth["AUTH_ID"]
        status, answer = await self._send(method, token, params_body)
        if status == 401 and answer.get("error") in AUTH_ERRORS:
            failure = await self._refresh(token)
            if failure:
                return AjaxResult(failure[0], query, failure[1], self)
            status, answer = await self._send(method, bx24._auth["AUTH_ID"], params_body)
        return AjaxResult(answer, query, status, self)

    async def _refresh(self, stale_token: str | None) -> tuple[dict, int] | None:
        """One ``refreshAuth`` shared by every call that needs it; None when tokens are fresh."""
        bx24 = self._bx24
        if stale_token is not None and bx24._auth.get("AUTH_ID") != stale_token:
            if bx24.getAuth():
                return None  # someone else refreshed while this request was in flight
        if self._refreshing is None:
            self._refreshing = asyncio.ensure_future(bx24.refreshAuth())
            self._refreshing.add_done_callback(self._refresh_done)
        try:
            await asyncio.shield(self._refreshing)
        except ReplyTimeout:
            return _error_answer(
                "REFRESH_AUTH_TIMEOUT", "the portal did not answer refreshAuth in time"
            ), 408
        if not bx24.getAuth():
            return _error_answer("expired_token", "the portal gave no usable token"), 401
        return None

    def _refresh_done(self, _future: asyncio.Future) -> None:
        self._refreshing = None

    async def _send(self, method: str, token: str, params_body: str) -> tuple[int, dict]:
        bx24 = self._bx24
        frame = bx24._frame
        url = (
            f"{'https' if frame.https else 'http'}://{frame.domain}"
            f"{bx24._init_data['PATH']}/{encode_uri_component(method)}.json"
        )
        body = f"auth={encode_uri_component(token)}" + (f"&{params_body}" if params_body else "")
        log.debug("REST %s", method)  # never the body: it carries the token
        try:
            status, text = await asyncio.wait_for(bx24._host.fetch(url, body), REQUEST_TIMEOUT)
        except TimeoutError:
            return 408, _error_answer("REQUEST_TIMEOUT", f"no answer in {REQUEST_TIMEOUT:.0f} s")
        except NetworkError as exc:
            return 0, _error_answer("NETWORK_ERROR", str(exc) or "the request did not complete")
        return status, _parse_answer(status, text)

    def _split_batch(self, outer: AjaxResult, commands: list, as_list: bool) -> Any:
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
                    answer, {"method": method, "params": query}, outer.status, self
                )
        else:
            maps = {
                name: _php_map(inner.get(name))
                for name in ("result", "result_error", "result_total", "result_next", "result_time")
            }
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
                    answer, {"method": method, "params": query}, outer.status, self
                )
        if as_list:
            return [results[key] for key, _, _ in commands if key in results]
        return results


def _parse_answer(status: int, text: str) -> dict:
    if not text.strip():
        if status >= 500:
            return _error_answer("INTERNAL_SERVER_ERROR", f"HTTP {status} with an empty body")
        return {"result": {}}  # BX24.js: an empty body is an empty result
    try:
        answer = json.loads(text)
    except ValueError:
        return _error_answer("ERROR_UNEXPECTED_ANSWER", f"HTTP {status}: the answer is not JSON")
    if not isinstance(answer, dict):
        return _error_answer("ERROR_UNEXPECTED_ANSWER", f"HTTP {status}: not a REST envelope")
    if status >= 500 and not answer.get("error"):
        answer = {**answer, **_error_answer("INTERNAL_SERVER_ERROR", f"HTTP {status}")}
    return answer


def _batch_commands(calls: Any) -> list[tuple[str, tuple[str, Any]]]:
    """``[(key, (method, params))]`` from a list or dict of ``[method, params]`` or
    ``{"method": …, "params": …}``; falsy entries and entries without a method are skipped."""
    if isinstance(calls, Mapping):
        entries = [(str(key), value) for key, value in calls.items()]
    elif isinstance(calls, list | tuple):
        entries = [(str(index), value) for index, value in enumerate(calls)]
    else:
        raise TypeError("callBatch takes a list or a dict of calls")
    commands = []
    for key, entry in entries:
        if isinstance(entry, list | tuple) and entry:
            method, params = entry[0], entry[1] if len(entry) > 1 else None
        elif isinstance(entry, Mapping):
            method, params = entry.get("method"), entry.get("params")
        else:
            continue
        if method:
            commands.append((key, (str(method), params)))
    return commands
