"""BX24.js sliders: ``openApplication``, ``closeApplication``, ``openPath`` (PROTOCOL.md
§3.14–3.16). Pure core.

Sliders answer when they close, after minutes or hours; the awaitables wait that long (see
``pyb24.window`` for the conventions every command part shares).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from .bridge import ParentBridge, require
from .host import Host

Callback = Callable[[Any], Any]

OPEN_PATH_ERRORS = {
    "PATH_NOT_AVAILABLE": (
        "the portal does not open this path in a slider; it opens CRM deals, leads, contacts, "
        "companies and smart-process items, user profiles, workgroups and the marketplace "
        "(paths like /crm/deal/details/42/)"
    ),
    "METHOD_NOT_SUPPORTED_ON_DEVICE": (
        "the portal cannot open sliders on this device (a mobile browser); open the path in a "
        "new tab instead"
    ),
}


class OpenPathError(RuntimeError):
    """``await BX24.openPath(path)`` when the portal answers ``{"result": "error"}``.

    ``code`` is the portal's ``errorCode`` (``PATH_NOT_AVAILABLE``,
    ``METHOD_NOT_SUPPORTED_ON_DEVICE``, or whatever a newer portal sends); ``reply`` is the raw
    answer, which is also what a callback receives.
    """

    def __init__(self, path: Any, reply: dict[str, Any]) -> None:
        self.path = path
        self.reply = reply
        self.code = str(reply.get("errorCode") or "UNKNOWN")
        why = OPEN_PATH_ERRORS.get(self.code, "the portal refused to open it")
        super().__init__(f"BX24.openPath({path!r}): {self.code}: {why}")


def settings_to_params(params: Any, settings: dict[str, Any] | None) -> Any:
    """openApplication's ``settings`` (width, title, label, leftBoundary) as ``bx24_*`` params."""
    if not settings:
        return params
    merged = dict(params or {})
    for key, value in settings.items():
        merged[key if key.startswith("bx24_") else "bx24_" + key] = value
    return merged


class Sliders:
    """Slider commands. ``bridge`` is ``None`` outside a portal."""

    def __init__(self, host: Host, bridge: ParentBridge | None) -> None:
        self._host = host
        self._bridge = bridge

    def openApplication(
        self,
        params: Any = None,
        callback: Callback | None = None,
        settings: dict[str, Any] | None = None,
    ) -> asyncio.Future[Any]:
        bridge = require(self._bridge)
        if callable(params):
            params, callback = None, params
        return bridge.request("openApplication", settings_to_params(params, settings), callback)

    def closeApplication(self, callback: Callback | None = None) -> asyncio.Future[Any]:
        return require(self._bridge).request("closeApplication", None, callback)

    def openPath(self, path: str, callback: Callback | None = None) -> asyncio.Future[Any]:
        sent = require(self._bridge).request("openPath", {"path": path}, callback)
        result: asyncio.Future[Any] = self._host.create_future()
        _settle_from(
            result, sent, lambda reply: _open_path_result(path, reply), callback is not None
        )
        return result


def _open_path_result(path: Any, reply: Any) -> Any:
    if isinstance(reply, dict) and reply.get("result") == "error":
        raise OpenPathError(path, reply)
    return reply


def _settle_from(
    derived: asyncio.Future[Any],
    source: asyncio.Future[Any],
    fn: Callable[[Any], Any],
    quiet: bool,
) -> None:
    """Settle ``derived`` as ``fn(source's result)``; cancelling it cancels ``source`` (so the
    bridge forgets the callback id). ``quiet``: a callback already reported the answer, so an
    exception nobody awaits is not logged again by asyncio."""

    def settle(done: asyncio.Future[Any]) -> None:
        if derived.done():
            return
        error = None if done.cancelled() else done.exception()
        if done.cancelled():
            derived.cancel()
        elif error is not None:
            derived.set_exception(error)
        else:
            try:
                derived.set_result(fn(done.result()))
            except Exception as exc:  # noqa: BLE001 - becomes the awaitable's exception
                derived.set_exception(exc)
        if quiet and not derived.cancelled() and derived.exception() is not None:
            derived.exception()  # marks it retrieved

    def propagate_cancel(done: asyncio.Future[Any]) -> None:
        if done.cancelled() and not source.done():
            source.cancel()

    source.add_done_callback(settle)
    derived.add_done_callback(propagate_cancel)
