"""BX24.js window, dialog, slider, messenger and placement commands (PROTOCOL.md §3.7–3.20).

Pure core: every command goes through ``ParentBridge.send`` with its policy from
``COMMAND_POLICIES``; the only browser facts used (document sizes, size changes) come from the
host. ``BX24Facade`` inherits :class:`FrameCommands`, ``BX24.placement`` inherits
:class:`PlacementCommands`.

Conventions, shared by every command here:

* names, arguments and argument shuffling are BX24.js' (``selectUser(callback)``,
  ``selectAccess([title,] [value,] callback)``, ``placement.call(cmd, callback)``…);
* a command that waits returns an awaitable *and* runs the callback; cancelling the awaitable
  (``task.cancel()``, ``asyncio.wait_for``) forgets the callback id — the way to give up on a
  dialog the person closed, since the portal never answers a cancelled dialog;
* where BX24.js silently sends nothing (``resizeWindow(0, 10)``, ``placement.call("init")``)
  pyb24 sends nothing too, logs a warning, never runs the callback, and the awaitable resolves
  to ``None`` at once;
* fire-and-forget commands (``reloadWindow``, ``im.*``) return ``None``.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .autofit import AutoFit
from .bridge import ParentBridge, invoke_callback
from .encoding import js_number_text
from .protocol import PLACEMENT_COMMAND_POLICY, JsonText

if TYPE_CHECKING:  # the facade imports this module; no import cycle at run time
    from .facade import BX24Facade

log = logging.getLogger("pyb24")

# Every public name of the BX24.js object. placement.call() refuses them, as BX24.js does
# (it checks BX24[cmd]), even those pyb24 has no Python twin for (see README).
BX24_JS_NAMES = frozenset(
    {
        "init", "install", "installFinish", "ready", "isReady", "isAdmin", "getAuth",
        "refreshAuth", "getLang", "getDomain", "resizeWindow", "fitWindow", "reloadWindow",
        "setTitle", "getScrollSize", "scrollParentWindow", "openApplication",
        "closeApplication", "openPath", "proxy", "proxyContext", "bind", "unbind",
        "loadScript", "canUse", "callMethod", "callBatch", "callBind", "callUnbind",
        "callUnBind", "selectUser", "selectUsers", "selectAccess", "selectCRM", "userOption",
        "appOption", "placement", "im",
    }
)  # fmt: skip

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

    def __init__(self, path: Any, reply: dict):
        self.path = path
        self.reply = reply
        self.code = str(reply.get("errorCode") or "UNKNOWN")
        why = OPEN_PATH_ERRORS.get(self.code, "the portal refused to open it")
        super().__init__(f"BX24.openPath({path!r}): {self.code}: {why}")


class EventUnbound(RuntimeError):
    """Waiting on an :class:`EventBinding` that was unbound."""


# -- JavaScript coercions ------------------------------------------------------------------

_PARSE_INT = re.compile(r"([+-]?)(0[xX][0-9a-fA-F]+|[0-9]+)")


def js_parse_int(value: Any) -> int | None:
    """JavaScript ``parseInt(value)`` (no radix); ``None`` where JS gives ``NaN``.

    ``"300px"`` → 300, ``" 42.9"`` → 42, ``"0x1A"`` → 26, ``"px"`` → None, ``True`` → None.
    """
    if isinstance(value, bool) or value is None:
        return None  # String(true) is "true", String(null) is "null": NaN
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return js_parse_int(js_number_text(value))  # parseInt(String(value)), as JS does
    match = _PARSE_INT.match(str(value).lstrip())
    if match is None:
        return None
    sign, digits = match.groups()
    number = int(digits, 16) if digits[:2] in ("0x", "0X") else int(digits)
    return -number if sign == "-" else number


def js_string(value: Any) -> str:
    """``String(value)`` for the values a Python caller passes (``True`` → ``"true"``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float):
        return js_number_text(value)
    return str(value)


# -- reply normalisation -----------------------------------------------------------------


def as_list(value: Any) -> list:
    """A list from what PHP may send for one: a list, ``{"0": a, "1": b}``, ``[]`` or nothing."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        items = list(value.items())
        if all(str(key).isdigit() for key, _ in items):
            items.sort(key=lambda item: int(item[0]))
        return [item for _, item in items]
    return []


def normalize_crm_selection(reply: Any) -> dict[str, list]:
    """selectCRM's answer: ``{"deal": [{"id": "D_1", …}], …}``, every bucket a list (§3.13).

    The parent historically sends buckets as objects with numeric keys, and an empty answer
    as PHP's ``[]``; buckets it leaves out stay out.
    """
    if not isinstance(reply, dict):
        return {}
    return {str(kind): as_list(bucket) for kind, bucket in reply.items()}


def normalize_interface(reply: Any) -> dict[str, list]:
    """getInterface's answer, always ``{"command": [...], "event": [...]}`` (§3.18)."""
    reply = reply if isinstance(reply, dict) else {}
    return {"command": as_list(reply.get("command")), "event": as_list(reply.get("event"))}


def set_value_params(value: Any) -> JsonText:
    """The params field of ``setValue``: the bare JSON value, never an object around it (§3.20).

    * text goes as a JSON string: ``setValue("+7 000")`` → ``setValue:"+7 000":CB:SID``;
    * numbers and booleans go as JSON numbers/booleans (the field stores their text);
    * ``None`` clears the field (sends ``""``);
    * dicts and lists are stored as JSON **text** (sent double-encoded), because an object
      reaches the field handler as an object and is saved as ``[object Object]``. Read it back
      with ``json.loads(BX24.placement.info()["options"]["VALUE"])``.

    Empty text, ``0`` and ``False`` are sent too, where BX24.js would drop them (``!!params``).
    """
    if value is None:
        value = ""
    elif isinstance(value, dict | list | tuple):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return JsonText(json.dumps(value, ensure_ascii=False, allow_nan=False))


def shuffle_select_access(args: tuple) -> tuple[Any, Callable | None]:
    """``selectAccess([title,] [value,] callback)``: BX24.js' argument shuffling (§3.12).

    A first argument that is not text is the value; a value that is a function is the
    callback (and the value becomes ``[]``). The title is never sent.
    """
    if len(args) > 3:
        raise TypeError("selectAccess([title,] [value,] callback) takes at most 3 arguments")
    items = list(args)
    if items and not isinstance(items[0], str):
        items.insert(0, None)
    _title, value, callback = (items + [None, None, None])[:3]
    if callable(value):
        value, callback = [], value
    return ([] if value is None else value), callback


def settings_to_params(params: Any, settings: dict | None) -> Any:
    """openApplication's ``settings`` (width, title, label, leftBoundary) as ``bx24_*`` params."""
    if not settings:
        return params
    merged = dict(params or {})
    for key, value in settings.items():
        merged[key if key.startswith("bx24_") else "bx24_" + key] = value
    return merged


# -- the commands ------------------------------------------------------------------------


def _done(bx24: BX24Facade, command: str, why: str) -> asyncio.Future:
    """BX24.js sends nothing here: neither do we; the awaitable resolves to None at once."""
    log.warning("%s: %s; nothing sent", command, why)
    future = bx24._host.create_future()
    future.set_result(None)
    return future


class FrameCommands:
    """The window, dialog, slider and messenger half of ``BX24`` (a mixin of ``BX24Facade``)."""

    _auto_fit: AutoFit | None = None

    # -- window (§3.7–3.10) ------------------------------------------------------------
    def resizeWindow(
        self: BX24Facade, width: Any, height: Any, callback: Callable | None = None
    ) -> asyncio.Future:
        """Resize the frame's container; sent only when ``parseInt`` of both is > 0 (so
        ``"300px"`` works). Resolves to the container's new ``{"width", "height"}`` in px."""
        bridge = self._bridge_or_raise()
        w, h = js_parse_int(width), js_parse_int(height)
        if w is None or h is None or w <= 0 or h <= 0:
            return _done(self, "resizeWindow", "width and height must be positive numbers")
        return bridge.send("resizeWindow", {"width": w, "height": h}, callback)

    def fitWindow(self: BX24Facade, callback: Callable | None = None) -> asyncio.Future:
        """``resizeWindow`` to the full width and the page's scroll height (BX24.js: it can
        grow the frame but not shrink it; :meth:`autoFit` does both)."""
        bridge = self._bridge_or_raise()
        height = self.getScrollSize()["scrollHeight"]
        return bridge.send("resizeWindow", {"width": "100%", "height": height}, callback)

    def getScrollSize(self: BX24Facade) -> dict[str, int]:
        """``{"scrollWidth", "scrollHeight"}``: the larger of scroll* and offset* of ``<html>``."""
        size = self._host.document_size()
        return {
            "scrollWidth": max(size.scroll_width, size.offset_width),
            "scrollHeight": max(size.scroll_height, size.offset_height),
        }

    def autoFit(self: BX24Facade, enable: bool = True) -> None:
        """Keep the frame's height matched to the page's own height while the page changes.

        pyb24-only (BX24.js has no twin). Watches the document (ResizeObserver +
        MutationObserver), waits for changes to settle, then sends one ``resizeWindow``
        (full width, the height of ``<html>``): it grows *and* shrinks the frame, and a
        change usually takes one resize, two when a scrollbar comes or goes. It stops
        resizing when the page's height follows the frame's (``height: 100vh`` content) and
        when the portal does not answer. ``autoFit(False)`` stops it.
        """
        bridge = self._bridge_or_raise()
        if enable and (self._auto_fit is None or not self._auto_fit.running):
            self._auto_fit = AutoFit(bridge, self._host)
            self._auto_fit.start()
        elif not enable and self._auto_fit is not None:
            self._auto_fit.stop()
            self._auto_fit = None

    def reloadWindow(self: BX24Facade) -> None:
        """Reload the whole portal page (fire-and-forget: the page goes away)."""
        self._bridge_or_raise().send("reloadWindow", {})

    def setTitle(self: BX24Facade, title: Any, callback: Callable | None = None) -> asyncio.Future:
        """Set the portal page's title (``#pagetitle``); resolves to the echo ``{"title"}``."""
        return self._bridge_or_raise().send("setTitle", {"title": js_string(title)}, callback)

    def scrollParentWindow(
        self: BX24Facade, scroll: Any, callback: Callable | None = None
    ) -> asyncio.Future:
        """Scroll the portal page to ``scroll`` px from the top (sent only when ``parseInt``
        gives a number); resolves to the echo ``{"scroll"}``."""
        bridge = self._bridge_or_raise()
        position = js_parse_int(scroll)
        if position is None:
            return _done(self, "scrollParentWindow", "scroll must be a number")
        return bridge.send("setScroll", {"scroll": position}, callback)

    # -- dialogs (§3.11–3.13) ----------------------------------------------------------
    def selectUser(
        self: BX24Facade, title: Any = None, callback: Callable | None = None
    ) -> asyncio.Future:
        """The portal's user picker; resolves to the chosen user ``{"id", "name", …}``.

        ``selectUser(callback)`` works as in BX24.js. Closing the picker sends no answer:
        cancel the awaitable (or use ``asyncio.wait_for``) to stop waiting.
        """
        return self._select_user(title, callback, multiple=False)

    def selectUsers(
        self: BX24Facade, title: Any = None, callback: Callable | None = None
    ) -> asyncio.Future:
        """The multiple user picker; resolves to a list of users (see :meth:`selectUser`)."""
        return self._select_user(title, callback, multiple=True)

    def _select_user(self: BX24Facade, title: Any, callback: Callable | None, multiple: bool):
        bridge = self._bridge_or_raise()
        if callable(title):
            title, callback = None, title
        params = {"mult": multiple} if title is None else {"title": title, "mult": multiple}
        return bridge.send("selectUser", params, callback, convert=as_list if multiple else None)

    def selectAccess(self: BX24Facade, *args: Any) -> asyncio.Future:
        """``selectAccess([title,] [value,] callback)``: the access-permission picker.

        ``value`` lists access codes shown as already granted (``["AU", "U1"]``). Resolves
        to a list of ``{"id", "name", "provider"}``; closing the dialog sends no answer.
        """
        bridge = self._bridge_or_raise()
        value, callback = shuffle_select_access(args)
        return bridge.send("selectAccess", {"value": value}, callback, convert=as_list)

    def selectCRM(
        self: BX24Facade, params: Any = None, callback: Callable | None = None
    ) -> asyncio.Future:
        """The CRM entity picker. ``params``: ``entityType`` (list of ``lead``, ``contact``,
        ``company``, ``deal``, ``quote``), ``multiple``, ``value`` (``{"deal": [1, 2]}``).

        Resolves to ``{"deal": [{"id": "D_1", "title", …}], …}`` with every bucket a list.
        """
        bridge = self._bridge_or_raise()
        if callable(params):
            params, callback = None, params
        params = params or {}
        sent = {k: params[k] for k in ("entityType", "multiple", "value") if k in params}
        sent = {k: v for k, v in sent.items() if v is not None}  # JSON drops undefined
        return bridge.send("selectCRM", sent, callback, convert=normalize_crm_selection)

    # -- sliders (§3.14–3.16) ----------------------------------------------------------
    def openApplication(
        self: BX24Facade,
        params: Any = None,
        callback: Callable | None = None,
        settings: dict | None = None,
    ) -> asyncio.Future:
        """Open this application in a slider; ``params`` become its ``PLACEMENT_OPTIONS``.

        ``settings`` (``width``, ``title``, ``label``, ``leftBoundary``) are sent as
        ``bx24_*`` params, as the newer BX24.js does. Resolves to ``None`` when the slider
        closes (the callback gets no data either).
        """
        bridge = self._bridge_or_raise()
        if callable(params):
            params, callback = None, params
        return bridge.send("openApplication", settings_to_params(params, settings), callback)

    def closeApplication(self: BX24Facade, callback: Callable | None = None) -> asyncio.Future:
        """Close the slider this application was opened in (by ``openApplication``).

        The portal answers only when it closes a slider of this application, and the closed
        frame is gone by then: don't count on the awaitable finishing.
        """
        return self._bridge_or_raise().send("closeApplication", None, callback)

    def openPath(self: BX24Facade, path: str, callback: Callable | None = None) -> asyncio.Future:
        """Open a portal page (``/crm/deal/details/42/``) in a slider.

        The callback gets the portal's raw answer, as in BX24.js: ``{"result": "close"}`` when
        the slider closes, ``{"result": "error", "errorCode": …}`` at once when it cannot
        open. The awaitable resolves to ``{"result": "close"}`` on close and raises
        :class:`OpenPathError` (``.code``) on an error.
        """
        sent = self._bridge_or_raise().send("openPath", {"path": path}, callback)
        result = self._host.create_future()
        _settle_from(result, sent, functools.partial(_open_path_result, path), callback is not None)
        return result

    # -- messenger (§3.17) ---------------------------------------------------------------
    @functools.cached_property
    def im(self: BX24Facade) -> Messenger:
        return Messenger(self)

    # -- JS-only helpers (see README) ------------------------------------------------------
    def canUse(self: BX24Facade, feature: str = "") -> bool:
        """BX24.js tells whether the browser can read files (``"upload"``); Pyodide always can
        (``await file.arrayBuffer()``), and every other feature is available too."""
        return True


def _open_path_result(path: Any, reply: Any) -> Any:
    if isinstance(reply, dict) and reply.get("result") == "error":
        raise OpenPathError(path, reply)
    return reply


def _settle_from(
    derived: asyncio.Future, source: asyncio.Future, fn: Callable[[Any], Any], quiet: bool
) -> None:
    """Settle ``derived`` as ``fn(source's result)``; cancelling it cancels ``source`` (so the
    bridge forgets the callback id). ``quiet``: a callback already reported the answer, so an
    exception nobody awaits is not logged again by asyncio."""

    def settle(done: asyncio.Future) -> None:
        if derived.done():
            return
        if done.cancelled():
            derived.cancel()
        elif done.exception() is not None:
            derived.set_exception(done.exception())
        else:
            try:
                derived.set_result(fn(done.result()))
            except Exception as exc:  # noqa: BLE001 - becomes the awaitable's exception
                derived.set_exception(exc)
        if quiet and not derived.cancelled() and derived.exception() is not None:
            derived.exception()  # marks it retrieved

    def propagate_cancel(done: asyncio.Future) -> None:
        if done.cancelled() and not source.done():
            source.cancel()

    source.add_done_callback(settle)
    derived.add_done_callback(propagate_cancel)


class Messenger:
    """``BX24.im``: messenger commands. Fire-and-forget: the portal never answers them."""

    def __init__(self, bx24: BX24Facade):
        self._bx24 = bx24

    def _send(self, command: str, params: dict) -> None:
        self._bx24._bridge_or_raise().send(command, params)

    def callTo(self, userId: Any, video: bool = False) -> None:
        """Start an audio (or ``video=True``) call with a portal user."""
        self._send("imCallTo", {"userId": userId, "video": bool(video)})

    def phoneTo(self, phone: str) -> None:
        """Call a phone number through the portal's telephony."""
        self._send("imPhoneTo", {"phone": phone})

    def openMessenger(self, dialogId: Any = "") -> None:
        """Open a chat: a user id (``5``), ``"chat42"``, ``"sg7"``… or the chat list."""
        self._send("imOpenMessenger", {"dialogId": dialogId})

    def openHistory(self, dialogId: Any) -> None:
        """Open a chat's message history."""
        self._send("imOpenHistory", {"dialogId": dialogId})


class EventBinding:
    """One ``BX24.placement.bindEvent`` subscription: every occurrence of the event runs the
    callback, for as long as it is bound (the portal answers the same callback id each time).

    Also awaitable and async-iterable, for code without callbacks::

        binding = BX24.placement.bindEvent("CallCard::CallStateChanged")
        first = await binding            # the next occurrence
        async for state in binding:      # every later one, until binding.unbind()
            ...

    ``unbind()`` makes the bridge forget the callback id (later occurrences are dropped),
    ends ``async for`` loops and makes pending ``await``\\s raise :class:`EventUnbound`.
    """

    def __init__(self, bx24: BX24Facade, bridge: ParentBridge, event: str, callback):
        self.event = event
        self._bx24 = bx24
        self._bridge = bridge
        self._callback = callback
        self._waiters: list[asyncio.Future] = []  # next() / await binding
        self._queues: list[deque] = []  # one per async-for loop
        self._iter_waiters: list[asyncio.Future] = []  # async-for loops waiting for data
        self._subscription = bridge.send("placementBindEvent", {"event": event}, self._deliver)
        self.callback_id = bridge.callback_id_of(self._subscription)

    def __repr__(self) -> str:
        return f"<EventBinding {self.event!r} {'bound' if self.bound else 'unbound'}>"

    @property
    def bound(self) -> bool:
        return self._bridge.callback_id_of(self._subscription) is not None

    def unbind(self) -> None:
        if self.callback_id is not None:
            self._bridge.forget(self.callback_id)
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(EventUnbound(f"{self.event!r} was unbound"))
                waiter.exception()  # an unbound wait nobody awaits is not an error
        self._waiters.clear()
        self._wake()

    def _deliver(self, payload: Any) -> None:
        invoke_callback(self._callback, payload)
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(payload)
        for queue in self._queues:
            queue.append(payload)
        self._wake()

    def next(self) -> asyncio.Future:
        """A future for the next occurrence's payload."""
        waiter = self._bx24._host.create_future()
        if not self.bound:
            waiter.set_exception(EventUnbound(f"{self.event!r} is not bound"))
        else:
            self._waiters.append(waiter)
        return waiter

    def __await__(self):
        return self.next().__await__()

    def __aiter__(self):
        return _EventIterator(self)

    def _wake(self) -> None:
        for waiter in list(self._iter_waiters):
            if not waiter.done():
                waiter.set_result(None)
        self._iter_waiters.clear()


class _EventIterator:
    def __init__(self, binding: EventBinding):
        self._binding = binding
        self._queue: deque = deque()
        binding._queues.append(self._queue)

    def __aiter__(self):
        return self

    async def __anext__(self) -> Any:
        binding = self._binding
        while not self._queue:
            if not binding.bound:
                binding._queues.remove(self._queue)
                raise StopAsyncIteration
            wake = binding._bx24._host.create_future()
            binding._iter_waiters.append(wake)
            await wake
        return self._queue.popleft()


class PlacementCommands:
    """``BX24.placement``'s commands (a mixin of ``Placement``; ``self._bx24`` is BX24)."""

    _bx24: BX24Facade

    def getInterface(self, callback: Callable | None = None) -> asyncio.Future:
        """The placement's own commands and events: ``{"command": [...], "event": [...]}``.
        General commands are never listed (a ``DEFAULT`` placement gets two empty lists)."""
        bridge = self._bx24._bridge_or_raise()
        return bridge.send("getInterface", None, callback, convert=normalize_interface)

    def call(
        self, command: str, params: Any = None, callback: Callable | None = None
    ) -> asyncio.Future:
        """Run a placement command (``reloadData``, ``setValue``, ``getStatus``…).

        As in BX24.js: a name of a BX24 function (``resizeWindow``, ``init``…) is refused
        (nothing sent; call ``BX24.<name>`` instead) and a function as ``params`` is the
        callback. ``setValue`` sends its value bare — see :func:`set_value_params` for how
        text, ``None`` and structured values are sent. Resolves to the portal's answer
        (``None`` for an empty one); a command the placement lacks gets no answer and ends in
        ``ReplyTimeout``.
        """
        bx24 = self._bx24
        bridge = bx24._bridge_or_raise()
        if not isinstance(command, str) or not command:
            raise TypeError("placement.call(command, …) needs a command name")
        if command in BX24_JS_NAMES or (not command.startswith("_") and hasattr(bx24, command)):
            return _done(bx24, f"placement.call({command!r})", f"use BX24.{command}() instead")
        if callable(params):
            params, callback = {}, params
        if command == "setValue":
            params = set_value_params(params)
        return bridge.send(command, params, callback, policy=PLACEMENT_COMMAND_POLICY)

    def bindEvent(self, event: str, callback: Callable | None = None) -> EventBinding:
        """Run ``callback(payload)`` on every occurrence of a placement event (see
        :class:`EventBinding`). Unknown events (and every event of ``DEFAULT``) never fire."""
        bridge = self._bx24._bridge_or_raise()
        binding = EventBinding(self._bx24, bridge, event, callback)
        self._bindings[:] = [b for b in self._bindings if b.bound]  # drop ones unbound directly
        self._bindings.append(binding)
        return binding

    def unbindEvent(self, event: str | EventBinding) -> int:
        """Unbind one binding, or every binding of an event name; returns how many were bound."""
        self._bindings[:] = [b for b in self._bindings if b.bound]
        chosen = [
            b for b in self._bindings if b is event or (isinstance(event, str) and b.event == event)
        ]
        for binding in chosen:
            binding.unbind()
            self._bindings.remove(binding)
        return len(chosen)

    @functools.cached_property
    def _bindings(self) -> list[EventBinding]:
        return []
