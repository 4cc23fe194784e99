"""``BX24.placement``: info, the placement interface, placement commands and events
(PROTOCOL.md §3.18–3.20). Pure core.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable, Generator
from typing import TYPE_CHECKING, Any, TypedDict

from .bridge import ParentBridge, invoke_callback, require
from .host import Host
from .jsvalues import json_stringify
from .phparray import as_list
from .protocol import PLACEMENT_COMMAND_POLICY, JsonText
from .session import FrameSession

Callback = Callable[[Any], Any]


class EventUnbound(RuntimeError):
    """Waiting on an :class:`EventBinding` that was unbound."""


class PlacementInfo(TypedDict):
    """``BX24.placement.info()``: the placement's code (``"CRM_DEAL_DETAIL_TAB"``) and its
    options; both ``None`` before init."""

    placement: str | None
    options: dict[str, Any] | None


class PlacementInterface(TypedDict):
    """``BX24.placement.getInterface()``: the placement's own commands and events."""

    command: list[Any]
    event: list[Any]


def normalize_interface(reply: Any) -> PlacementInterface:
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

    Empty text, ``0`` and ``False`` are sent too, where BX24.js would drop them (``!!params``);
    NaN and infinities are refused (``TypeError``), here and inside structured values.
    """
    if value is None:
        value = ""
    elif isinstance(value, dict | list | tuple):
        value = json_stringify(value)
    return JsonText(json_stringify(value))


class Placement:
    """``BX24.placement``. ``is_bx24_name(name)``: whether ``BX24.<name>`` exists, so
    ``call`` refuses it as BX24.js does (it checks ``BX24[cmd]``)."""

    def __init__(
        self,
        host: Host,
        bridge: ParentBridge | None,
        session: FrameSession,
        is_bx24_name: Callable[[str], bool],
    ) -> None:
        self._host = host
        self._bridge = bridge
        self._session = session
        self._is_bx24_name = is_bx24_name
        self._bindings: list[EventBinding] = []

    def info(self) -> PlacementInfo:
        """``{"placement": PLACEMENT, "options": PLACEMENT_OPTIONS}`` (options always a dict)."""
        data = self._session.init_data
        if data is None:
            return {"placement": None, "options": None}
        return {"placement": data["PLACEMENT"], "options": data["PLACEMENT_OPTIONS"]}

    def getInterface(self, callback: Callback | None = None) -> asyncio.Future[PlacementInterface]:
        """The placement's own commands and events: ``{"command": [...], "event": [...]}``.
        General commands are never listed (a ``DEFAULT`` placement gets two empty lists)."""
        bridge = require(self._bridge)
        return bridge.request("getInterface", None, callback, convert=normalize_interface)

    def call(
        self, command: str, params: Any = None, callback: Callback | None = None
    ) -> asyncio.Future[Any]:
        """Run a placement command (``reloadData``, ``setValue``, ``getStatus``…).

        As in BX24.js: a name of a BX24 function (``resizeWindow``, ``init``…) is refused
        (nothing sent; call ``BX24.<name>`` instead) and a function as ``params`` is the
        callback. ``setValue`` sends its value bare — see :func:`set_value_params` for how
        text, ``None`` and structured values are sent. Resolves to the portal's answer
        (``None`` for an empty one); a command the placement lacks gets no answer and ends in
        ``ReplyTimeout``.
        """
        bridge = require(self._bridge)
        if not isinstance(command, str) or not command:
            raise TypeError("placement.call(command, …) needs a command name")
        if self._is_bx24_name(command):
            return bridge.skip(f"placement.call({command!r})", f"use BX24.{command}() instead")
        if callable(params):
            params, callback = {}, params
        if command == "setValue":
            params = set_value_params(params)
        return bridge.request(command, params, callback, policy=PLACEMENT_COMMAND_POLICY)

    def bindEvent(self, event: str, callback: Callback | None = None) -> EventBinding:
        """Run ``callback(payload)`` on every occurrence of a placement event (see
        :class:`EventBinding`). Unknown events (and every event of ``DEFAULT``) never fire."""
        bridge = require(self._bridge)
        binding = EventBinding(self._host, bridge, event, callback)
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

    # PEP 8 names for type checkers; at run time pyb24.aliases adds them from
    # ALIASES['placement'] (tests/pyb24/test_aliases.py holds the two together).
    if TYPE_CHECKING:
        get_interface = getInterface
        bind_event = bindEvent
        unbind_event = unbindEvent


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

    def __init__(
        self, host: Host, bridge: ParentBridge, event: str, callback: Callback | None
    ) -> None:
        self.event = event
        self._host = host
        self._bridge = bridge
        self._callback = callback
        self._waiters: list[asyncio.Future[Any]] = []  # next() / await binding
        self._queues: list[deque[Any]] = []  # one per async-for loop
        self._iter_waiters: list[asyncio.Future[Any]] = []  # async-for loops waiting for data
        self._subscription = bridge.request("placementBindEvent", {"event": event}, self._deliver)
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
        invoke_callback(self._host, self._callback, payload)
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(payload)
        for queue in self._queues:
            queue.append(payload)
        self._wake()

    def next(self) -> asyncio.Future[Any]:
        """A future for the next occurrence's payload."""
        waiter: asyncio.Future[Any] = self._host.create_future()
        if not self.bound:
            waiter.set_exception(EventUnbound(f"{self.event!r} is not bound"))
        else:
            self._waiters.append(waiter)
        return waiter

    def __await__(self) -> Generator[Any, None, Any]:
        return self.next().__await__()

    def __aiter__(self) -> AsyncIterator[Any]:
        queue: deque[Any] = deque()
        self._queues.append(queue)  # occurrences from now on are this loop's
        return self._iterate(queue)

    async def _iterate(self, queue: deque[Any]) -> AsyncIterator[Any]:
        while True:
            while not queue:
                if not self.bound:
                    self._queues.remove(queue)
                    return
                wake: asyncio.Future[Any] = self._host.create_future()
                self._iter_waiters.append(wake)
                await wake
            yield queue.popleft()

    def _wake(self) -> None:
        for waiter in list(self._iter_waiters):
            if not waiter.done():
                waiter.set_result(None)
        self._iter_waiters.clear()
