"""ParentBridge: posts commands to the portal frame and routes its replies (PROTOCOL.md §2).

Pure core: everything browser-specific comes from the injected ``host`` (see ``pyb24.host``).
Every part of ``BX24`` (session, auth, window, dialogs, sliders, placement, messenger,
options) gets this one channel and nothing else of the frame: :meth:`ParentBridge.request`
for commands the portal answers, :meth:`ParentBridge.post` for fire-and-forget ones. Outside
a portal there is no bridge; the parts hold ``None`` and :func:`require` raises
:class:`NotInPortalError` when a command needs one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .host import Host, TimerHandle
from .protocol import (
    COMMAND_POLICIES,
    CommandPolicy,
    FrameParams,
    ProtocolError,
    ReplyPolicy,
    decode_reply,
    encode_message,
    new_callback_id,
)

log = logging.getLogger("pyb24.bridge")

OUTSIDE_PORTAL_MESSAGE = (
    "pyb24 is not running inside a Bitrix24 portal frame (window.name has no "
    "DOMAIN|PROTOCOL|APP_SID). Open this page from Bitrix24 as an application or placement, "
    "or from the emulated portal: ./dev demo"
)


class ReplyTimeout(TimeoutError):
    """The portal did not answer a command within its reply policy's limit."""


class NotInPortalError(RuntimeError):
    """The page was opened outside a portal frame, so there is no parent to talk to."""


def require(bridge: ParentBridge | None) -> ParentBridge:
    """The frame's bridge; :class:`NotInPortalError` outside a portal frame."""
    if bridge is None:
        raise NotInPortalError(OUTSIDE_PORTAL_MESSAGE)
    return bridge


class Spawner(Protocol):
    def spawn(self, awaitable: Awaitable[Any]) -> asyncio.Future[Any]: ...


def invoke_callback(
    host: Spawner, callback: Callable[..., Any] | None, *args: Any, what: str = "a pyb24 callback"
) -> None:
    """Run a user callback; awaitable results are scheduled on ``host``, exceptions are logged
    (as "``what`` raised"), never raised into the browser's event dispatch."""
    if callback is None:
        return
    try:
        result = callback(*args)
    except Exception:
        log.exception("%s raised", what)
        return
    if isinstance(result, Awaitable):
        task = host.spawn(result)
        task.add_done_callback(lambda done: _log_task_failure(what, done))


def _log_task_failure(what: str, task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("%s raised", what, exc_info=task.exception())


def resolved(host: Host, value: Any = None) -> asyncio.Future[Any]:
    """A future that is already done with ``value``."""
    future: asyncio.Future[Any] = host.create_future()
    future.set_result(value)
    return future


@dataclass
class _Pending:
    command: str
    policy: ReplyPolicy
    callback: Callable[[Any], Any] | None
    future: asyncio.Future[Any]
    convert: Callable[[Any], Any] | None = None
    timer: TimerHandle | None = None


class ParentBridge:
    """One frame's link to its portal page: a plain dict of pending callback ids (§8.23)."""

    def __init__(self, host: Host, frame: FrameParams) -> None:
        self._host = host
        self.frame = frame
        self._pending: dict[str, _Pending] = {}
        self._foreign_origins: set[str] = set()
        host.listen(self.on_message)

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    def request(
        self,
        command: str,
        params: Any = None,
        callback: Callable[[Any], Any] | None = None,
        policy: CommandPolicy | None = None,
        convert: Callable[[Any], Any] | None = None,
    ) -> asyncio.Future[Any]:
        """Post ``command`` with a callback id; the future is settled by the first reply
        (after ``callback`` ran), or by ``ReplyTimeout`` under a TIMEOUT policy.

        ``convert`` turns the raw reply into what the callback and the future receive.
        Cancelling the future forgets the callback id. Fire-and-forget commands go through
        :meth:`post`.
        """
        policy = policy or COMMAND_POLICIES.get(command) or CommandPolicy(ReplyPolicy.ONE_SHOT)
        if policy.policy is ReplyPolicy.FIRE_AND_FORGET:
            raise ValueError(f"{command} is fire-and-forget: the portal never answers; use post()")
        callback_id = new_callback_id()
        while callback_id in self._pending:  # astronomically unlikely, but ids must be unique
            callback_id = new_callback_id()
        future: asyncio.Future[Any] = self._host.create_future()
        entry = _Pending(command, policy.policy, callback, future, convert)
        self._post(command, params, callback_id)  # may raise: register only what was sent
        self._pending[callback_id] = entry
        if policy.policy is ReplyPolicy.TIMEOUT:
            timeout = policy.timeout if policy.timeout is not None else 0.0
            entry.timer = self._host.call_later(timeout, self._expire, callback_id)
        future.add_done_callback(lambda f: self._on_future_done(callback_id, f))
        return future

    def post(self, command: str, params: Any = None) -> None:
        """Post ``command`` without a callback id: the portal sends no answer."""
        self._post(command, params, "")

    def skip(self, command: str, why: str) -> asyncio.Future[Any]:
        """Where BX24.js silently sends nothing, send nothing either: log why, and give an
        awaitable that is already resolved to ``None`` (the callback never runs)."""
        log.warning("%s: %s; nothing sent", command, why)
        return resolved(self._host)

    def _post(self, command: str, params: Any, callback_id: str) -> None:
        message = encode_message(command, params, callback_id, self.frame.app_sid)
        log.debug("-> %s (callback %s)", command, callback_id or "none")  # never the params
        self._host.post(message, self.frame.target_origin)

    def on_message(self, origin: str, data: Any) -> None:
        """The window ``message`` listener. Junk is dropped; nothing here raises into the page."""
        try:
            self._on_message(origin, data)
        except Exception:  # a bug in a handler must not break the next message
            log.exception("pyb24 failed to handle a frame message")

    def _on_message(self, origin: str, data: Any) -> None:
        if origin != self.frame.target_origin:
            if origin not in self._foreign_origins:  # warn once per origin, never with data
                self._foreign_origins.add(origin)
                log.warning(
                    "ignoring frame messages from %s (portal is %s)",
                    origin,
                    self.frame.target_origin,
                )
            return
        if not isinstance(data, str):
            return
        callback_id = data.partition(":")[0]
        entry = self._pending.get(callback_id)
        if entry is None:
            return  # not ours: other scripts talk on the same channel
        try:
            reply = decode_reply(data)
        except ProtocolError:
            log.warning("ignoring a malformed reply to %s", entry.command)
            return
        log.debug("<- reply to %s (callback %s)", entry.command, callback_id)
        if entry.policy is not ReplyPolicy.PERSISTENT:
            self.forget(callback_id)
        value = entry.convert(reply.value) if entry.convert else reply.value
        invoke_callback(self._host, entry.callback, value)
        if not entry.future.done():
            entry.future.set_result(value)

    def _expire(self, callback_id: str) -> None:
        entry = self._pending.get(callback_id)
        if entry is None:
            return
        self.forget(callback_id)
        log.warning("the portal did not answer %s in time", entry.command)
        if not entry.future.done():
            entry.future.set_exception(
                ReplyTimeout(f"the portal did not answer {entry.command!r} in time")
            )
            if entry.callback is not None:
                entry.future.exception()  # callback style: the warning above is the report

    def _on_future_done(self, callback_id: str, future: asyncio.Future[Any]) -> None:
        # A cancelled awaitable (a dialog the user closed, wait_for…) leaves no entry behind.
        if future.cancelled():
            self.forget(callback_id)

    def callback_id_of(self, future: asyncio.Future[Any]) -> str | None:
        """The callback id ``future`` (from :meth:`request`) waits on while it is pending — how a
        persistent subscription is ended later with :meth:`forget`."""
        for callback_id, entry in self._pending.items():
            if entry.future is future:
                return callback_id
        return None

    def forget(self, callback_id: str) -> None:
        """Stop listening for ``callback_id`` (a persistent subscription ends, a wait is over)."""
        entry = self._pending.pop(callback_id, None)
        if entry is not None and entry.timer is not None:
            entry.timer.cancel()
