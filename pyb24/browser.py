"""BrowserHost: the only module that touches ``js``/``pyodide`` (runs in the page's main thread).

A Pyodide worker cannot reach ``window.parent`` or ``window.name`` (PROTOCOL.md §8.5), so pyb24
pages run Python on the main thread.
"""

from __future__ import annotations

import asyncio
import inspect
import math
from collections.abc import Awaitable, Callable
from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.code import run_js  # type: ignore[import-not-found]
from pyodide.ffi import (  # type: ignore[import-not-found]
    JsException,
    create_once_callable,
    create_proxy,
    to_js,
)
from pyodide.webloop import PyodideTask  # type: ignore[import-not-found]

from .host import DocumentSize, NetworkError

# One promise per request, status and text together: each JS promise Python awaits costs a
# trip through the browser's event loop. And fetch() starts from a microtask, on a shallow
# stack: where DevTools watches the network (an open network panel, Playwright) Chromium
# records each request's initiator stack, and from inside Python that stack is the
# interpreter's wasm frames: ~1 ms more per request (bench/call_overhead.py).
_POST_FORM = run_js(
    """(url, body) => Promise.resolve().then(() => fetch(url, {
      method: "POST",
      body,
      headers: {"Content-Type": "application/x-www-form-urlencoded"},
      credentials: "omit",  // the token is in the body; cookies are not ours to send
    })).then((response) => response.text().then((text) => [response.status, text]))"""
)


class BrowserHost:
    def __init__(self) -> None:
        self.window_name = str(js.window.name or "")
        self._listener = None

    def post(self, message: str, target_origin: str) -> None:
        js.window.parent.postMessage(message, target_origin)

    def listen(self, handler: Callable[[str, Any], None]) -> None:
        def on_message(event: Any) -> None:
            data = event.data
            # Only strings cross into Python; objects stay JS proxies the core ignores.
            handler(str(event.origin), data if isinstance(data, str) else None)

        self._listener = create_proxy(on_message)  # kept alive for the page's lifetime
        js.window.addEventListener("message", self._listener)

    def now_ms(self) -> float:
        return float(js.Date.now())

    def call_later(self, delay: float, fn: Callable[..., Any], *args: Any) -> asyncio.TimerHandle:
        return asyncio.get_event_loop().call_later(delay, fn, *args)

    def create_future(self) -> asyncio.Future[Any]:
        return asyncio.get_event_loop().create_future()

    def spawn(self, awaitable: Awaitable[Any]) -> asyncio.Future[Any]:
        if not inspect.iscoroutine(awaitable):
            return asyncio.ensure_future(awaitable)
        # Eager, as a JS async function runs: a REST call's request leaves inside
        # callMethod(), as BX24.js sends its XHR there, and no trip through the event loop
        # is spent on starting the task (bench/call_overhead.py).
        task: asyncio.Future[Any] = PyodideTask(
            awaitable, loop=asyncio.get_event_loop(), eager_start=True
        )
        return task

    def on_dom_ready(self, fn: Callable[[], Any]) -> None:
        if js.document.readyState != "loading" and js.document.body:
            asyncio.get_event_loop().call_soon(fn)
        else:
            js.document.addEventListener("DOMContentLoaded", create_once_callable(lambda _e: fn()))

    async def fetch(self, url: str, body: str) -> tuple[int, str]:
        try:
            status, text = await _POST_FORM(url, body)
        except JsException as exc:  # fetch rejects only when no HTTP answer arrived
            raise NetworkError(str(exc)) from None
        return int(status), str(text)

    def mark(self, name: str) -> None:
        js.performance.mark(name)

    def document_size(self) -> DocumentSize:
        root = js.document.documentElement
        height = float(root.getBoundingClientRect().height)
        return DocumentSize(
            scroll_width=int(root.scrollWidth),
            scroll_height=int(root.scrollHeight),
            offset_width=int(root.offsetWidth),
            offset_height=int(root.offsetHeight),
            content_height=math.ceil(round(height, 2)),  # 300.004 is 300, 300.4 needs 301
        )

    def watch_document(self, on_change: Callable[[str], None]) -> _DocumentWatch:
        return _DocumentWatch(on_change)


class _DocumentWatch:
    """A ResizeObserver on <html> and <body> plus a MutationObserver on the whole document."""

    def __init__(self, on_change: Callable[[str], None]) -> None:
        self._proxies = [
            create_proxy(lambda _entries, _observer: on_change("resize")),
            create_proxy(lambda _records, _observer: on_change("mutation")),
        ]
        self._resize = js.ResizeObserver.new(self._proxies[0])
        self._resize.observe(js.document.documentElement)
        if js.document.body:
            self._resize.observe(js.document.body)
        self._mutation = js.MutationObserver.new(self._proxies[1])
        options = {"childList": True, "subtree": True, "attributes": True, "characterData": True}
        self._mutation.observe(
            js.document.documentElement, to_js(options, dict_converter=js.Object.fromEntries)
        )

    def cancel(self) -> None:
        self._resize.disconnect()
        self._mutation.disconnect()
        for proxy in self._proxies:
            proxy.destroy()
        self._proxies = []
