"""BrowserHost: the only module that touches ``js``/``pyodide`` (runs in the page's main thread).

A Pyodide worker cannot reach ``window.parent`` or ``window.name`` (PROTOCOL.md §8.5), so pyb24
pages run Python on the main thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import (  # type: ignore[import-not-found]
    JsException,
    create_once_callable,
    create_proxy,
    to_js,
)

from .host import NetworkError


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

    def call_later(self, delay: float, fn: Callable[..., Any], *args: Any):
        return asyncio.get_event_loop().call_later(delay, fn, *args)

    def create_future(self) -> asyncio.Future:
        return asyncio.get_event_loop().create_future()

    def on_dom_ready(self, fn: Callable[[], Any]) -> None:
        if js.document.readyState != "loading" and js.document.body:
            asyncio.get_event_loop().call_soon(fn)
        else:
            js.document.addEventListener("DOMContentLoaded", create_once_callable(lambda _e: fn()))

    async def fetch(self, url: str, body: str) -> tuple[int, str]:
        options = to_js(
            {
                "method": "POST",
                "body": body,
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
                "credentials": "omit",  # the token is in the body; cookies are not ours to send
            },
            dict_converter=js.Object.fromEntries,
        )
        try:
            response = await js.fetch(url, options)
            text = await response.text()
        except JsException as exc:  # fetch rejects only when no HTTP answer arrived
            raise NetworkError(str(exc)) from None
        return int(response.status), str(text)

    def mark(self, name: str) -> None:
        js.performance.mark(name)
