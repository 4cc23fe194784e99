"""BX24.js window commands: resize, fit, scroll, title, reload, and pyb24's ``autoFit``
(PROTOCOL.md §3.7–3.10). Pure core.

Conventions shared by every command part (window, dialogs, sliders, placement, messenger):

* names, arguments and argument shuffling are BX24.js' (``selectUser(callback)``,
  ``selectAccess([title,] [value,] callback)``, ``placement.call(cmd, callback)``…);
* a command that waits returns an awaitable *and* runs the callback; cancelling the awaitable
  (``task.cancel()``, ``asyncio.wait_for``) forgets the callback id — the way to give up on a
  dialog the person closed, since the portal never answers a cancelled dialog;
* where BX24.js silently sends nothing (``resizeWindow(0, 10)``, ``placement.call("init")``)
  pyb24 sends nothing too, logs a warning, never runs the callback, and the awaitable resolves
  to ``None`` at once (``ParentBridge.skip``);
* fire-and-forget commands (``reloadWindow``, ``im.*``) return ``None``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from .autofit import AutoFit
from .bridge import ParentBridge, require
from .host import Host
from .jsvalues import js_parse_int, js_string

Callback = Callable[[Any], Any]


class WindowCommands:
    """The frame's window in the portal page. ``bridge`` is ``None`` outside a portal."""

    def __init__(self, host: Host, bridge: ParentBridge | None) -> None:
        self._host = host
        self._bridge = bridge
        self._auto_fit: AutoFit | None = None

    def resizeWindow(
        self, width: Any, height: Any, callback: Callback | None = None
    ) -> asyncio.Future[Any]:
        bridge = require(self._bridge)
        w, h = js_parse_int(width), js_parse_int(height)
        if w is None or h is None or w <= 0 or h <= 0:
            return bridge.skip("resizeWindow", "width and height must be positive numbers")
        return bridge.request("resizeWindow", {"width": w, "height": h}, callback)

    def fitWindow(self, callback: Callback | None = None) -> asyncio.Future[Any]:
        bridge = require(self._bridge)
        height = self.getScrollSize()["scrollHeight"]
        return bridge.request("resizeWindow", {"width": "100%", "height": height}, callback)

    def getScrollSize(self) -> dict[str, int]:
        size = self._host.document_size()
        return {
            "scrollWidth": max(size.scroll_width, size.offset_width),
            "scrollHeight": max(size.scroll_height, size.offset_height),
        }

    def autoFit(self, enable: bool = True) -> None:
        bridge = require(self._bridge)
        if enable and (self._auto_fit is None or not self._auto_fit.running):
            self._auto_fit = AutoFit(bridge, self._host)
            self._auto_fit.start()
        elif not enable and self._auto_fit is not None:
            self._auto_fit.stop()
            self._auto_fit = None

    def reloadWindow(self) -> None:
        require(self._bridge).post("reloadWindow", {})

    def setTitle(self, title: Any, callback: Callback | None = None) -> asyncio.Future[Any]:
        return require(self._bridge).request("setTitle", {"title": js_string(title)}, callback)

    def scrollParentWindow(
        self, scroll: Any, callback: Callback | None = None
    ) -> asyncio.Future[Any]:
        bridge = require(self._bridge)
        position = js_parse_int(scroll)
        if position is None:
            return bridge.skip("scrollParentWindow", "scroll must be a number")
        return bridge.request("setScroll", {"scroll": position}, callback)
