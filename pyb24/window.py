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
* fire-and-forget commands (``im.*``) return ``None``;
* outside the ``DEFAULT`` placement the portal denies ``setTitle``, ``setScroll`` and
  ``reloadWindow`` (its page template creates those layouts so, PROTOCOL.md §8.27): it drops
  them and never answers. pyb24 still posts them, as BX24.js does, but their awaitable fails
  at once with :class:`PortalDeniedError` (as soon as the init data tells the placement)
  instead of waiting for an answer that cannot come; the callback never runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from .autofit import AutoFit
from .bridge import ParentBridge, require
from .host import Host
from .jsvalues import js_parse_int, js_string
from .session import FrameSession

log = logging.getLogger("pyb24")

Callback = Callable[[Any], Any]

# What the portal's page template denies whenever the placement is not DEFAULT (§8.27).
DENIED_OUTSIDE_DEFAULT = frozenset({"setTitle", "setScroll", "reloadWindow"})


class PortalDeniedError(RuntimeError):
    """The portal drops this command in this frame's placement and will never answer it."""


class WindowCommands:
    """The frame's window in the portal page. ``bridge`` is ``None`` outside a portal."""

    def __init__(self, host: Host, bridge: ParentBridge | None, session: FrameSession) -> None:
        self._host = host
        self._bridge = bridge
        self._session = session
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

    def reloadWindow(self) -> asyncio.Future[Any]:
        require(self._bridge).post("reloadWindow", {})  # no answer: resolves to None at once
        return self._denied_or(self._host.create_future(), "reloadWindow")

    def setTitle(self, title: Any, callback: Callback | None = None) -> asyncio.Future[Any]:
        bridge = require(self._bridge)
        future = bridge.request("setTitle", {"title": js_string(title)}, callback)
        return self._denied_or(future, "setTitle")

    def scrollParentWindow(
        self, scroll: Any, callback: Callback | None = None
    ) -> asyncio.Future[Any]:
        bridge = require(self._bridge)
        position = js_parse_int(scroll)
        if position is None:
            return bridge.skip("scrollParentWindow", "scroll must be a number")
        future = bridge.request("setScroll", {"scroll": position}, callback)
        return self._denied_or(future, "setScroll")

    # -- denied outside DEFAULT (§8.27) --------------------------------------------------
    def _denied_or(self, future: asyncio.Future[Any], command: str) -> asyncio.Future[Any]:
        """``future`` as it is where the portal answers ``command``; failed with
        :class:`PortalDeniedError` where the placement denies it (decided when the init data
        arrives, if it has not yet)."""
        if self._session.init_data is None:
            self._host.spawn(self._deny_after_init(future, command))
        else:
            self._deny_if_denied(future, command)
        return future

    async def _deny_after_init(self, future: asyncio.Future[Any], command: str) -> None:
        await self._session.initialised()
        self._deny_if_denied(future, command)

    def _deny_if_denied(self, future: asyncio.Future[Any], command: str) -> None:
        if future.done():  # answered (or cancelled) before the placement was known
            return
        bridge = require(self._bridge)
        callback_id = bridge.callback_id_of(future)  # None for reloadWindow (no answer)
        placement = self._session.init_data["PLACEMENT"] if self._session.init_data else None
        if placement in (None, "DEFAULT"):
            if callback_id is None:
                future.set_result(None)
            return
        if callback_id is not None:
            bridge.forget(callback_id)  # the answer will never come: the callback never runs
        log.warning(
            "%s: the portal denies it in the %s placement; nothing happens", command, placement
        )
        future.set_exception(
            PortalDeniedError(
                f"the portal denies {command} in the {placement} placement (it does so "
                "everywhere but DEFAULT) and never answers it"
            )
        )
        future.exception()  # not awaited (fire-and-forget, as in BX24.js): nothing to report
