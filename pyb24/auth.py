"""The frame's tokens: ``getAuth``, ``refreshAuth``, ``isAdmin`` (PROTOCOL.md §3.1, §3.2, §4.4).
Pure core.

The tokens come from the init data and from ``refreshAuth`` answers. The REST client sees
this object only through ``pyb24.rest.Credentials``: the access token, whether it is still
valid, and one refresh shared by every request that needs it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypedDict

from .bridge import ParentBridge, require
from .host import Host
from .protocol import FrameParams
from .session import NotInitializedError

log = logging.getLogger("pyb24")


class AuthFields(TypedDict):
    """The keys of ``BX24.getAuth()`` (BX24.js' names) and their types."""

    access_token: str
    refresh_token: str
    expires_in: int  # the absolute expiry time, epoch milliseconds
    domain: str  # the portal's host, no scheme
    member_id: str


if TYPE_CHECKING:
    # Type checkers see the TypedDict: ``auth["access_token"]`` is a ``str``.
    AuthData: TypeAlias = AuthFields
else:

    class AuthData(dict[str, Any]):
        """``BX24.getAuth()``: a plain dict (``auth["access_token"]``) that also allows
        ``auth.access_token`` as in the JS docs, and never shows tokens in its repr."""

        _SECRET = ("access_token", "refresh_token")

        def __getattr__(self, name: str) -> Any:
            try:
                return self[name]
            except KeyError:
                raise AttributeError(name) from None

        def __repr__(self) -> str:
            shown = {k: ("***" if k in self._SECRET else v) for k, v in self.items()}
            return f"AuthData({shown!r})"

        __str__ = __repr__


@dataclass
class _Tokens:
    access: str
    refresh: Any
    expires_ms: float  # absolute, epoch milliseconds
    is_admin: bool
    member_id: str


class AuthState:
    """Tokens of one frame. ``frame``/``bridge`` are ``None`` outside a portal frame."""

    def __init__(self, host: Host, frame: FrameParams | None, bridge: ParentBridge | None):
        self._host = host
        self._frame = frame
        self._bridge = bridge
        self._loaded = False  # the init data arrived
        self._tokens: _Tokens | None = None
        self._refreshing: asyncio.Future[Any] | None = None

    def __repr__(self) -> str:  # never the tokens
        return f"<AuthState {'valid' if self.valid() else 'no valid token'}>"

    def load(self, init_data: Mapping[str, Any]) -> None:
        """Take the tokens from ``getInitData``'s answer."""
        self._loaded = True
        if init_data.get("AUTH_ID"):
            self._tokens = _Tokens(
                access=str(init_data["AUTH_ID"]),
                refresh=init_data.get("REFRESH_ID"),
                expires_ms=self._expiry_ms(init_data.get("AUTH_EXPIRES")),
                is_admin=bool(init_data.get("IS_ADMIN")),
                member_id=init_data.get("MEMBER_ID") or "",
            )

    # -- BX24.js --------------------------------------------------------------------------
    def isAdmin(self) -> bool:
        return self._tokens is not None and self._tokens.is_admin

    def getAuth(self) -> AuthData | Literal[False]:
        tokens = self._tokens
        if not self._loaded or tokens is None or tokens.expires_ms <= self._host.now_ms():
            return False
        return AuthData(
            access_token=tokens.access,
            refresh_token=tokens.refresh,
            expires_in=int(tokens.expires_ms),
            domain=self._frame.domain if self._frame else "",
            member_id=tokens.member_id,
        )

    def refreshAuth(self, callback: Callable[[Any], Any] | None = None) -> asyncio.Future[Any]:
        bridge = require(self._bridge)
        if not self._loaded:
            raise NotInitializedError("BX24.refreshAuth() needs init data: call it after init")
        # The portal rotates the tokens and revokes the old ones whatever the caller does:
        # the request lives on when the caller stops waiting (wait_for, cancel), so the new
        # tokens are taken whenever they arrive.
        request = bridge.request("refreshAuth", {}, callback, convert=self._apply)
        return _detached(self._host, request)

    def _apply(self, tokens: Any) -> AuthData | Literal[False]:
        if isinstance(tokens, dict) and tokens.get("AUTH_ID"):
            if self._tokens is None:  # the init data had none: not an admin, no member id
                self._tokens = _Tokens("", None, 0.0, is_admin=False, member_id="")
            self._tokens.access = str(tokens["AUTH_ID"])
            self._tokens.refresh = tokens.get("REFRESH_ID")
            self._tokens.expires_ms = self._expiry_ms(tokens.get("AUTH_EXPIRES"))
        else:
            log.error("refreshAuth: the portal's answer has no AUTH_ID")
        return self.getAuth()

    def _expiry_ms(self, lifetime_s: Any) -> float:
        try:
            seconds = float(lifetime_s)
        except (TypeError, ValueError):
            seconds = 0.0
        return self._host.now_ms() + seconds * 1000

    # -- Credentials (what the REST client sees) ------------------------------------------
    def access_token(self) -> str:
        return self._tokens.access if self._tokens else ""

    def valid(self) -> bool:
        """A token that has not expired yet, as far as the frame knows."""
        return bool(self.getAuth())

    async def refresh(self, stale_token: str | None) -> bool:
        """Make sure a fresh token is there: one ``refreshAuth`` shared by every caller at
        once. ``stale_token``: the one the portal refused (None: the token is known to have
        expired); if it was replaced meanwhile, nothing is sent. True when a valid token is
        there afterwards; ``ReplyTimeout`` when the portal stays silent."""
        if stale_token is not None and self.access_token() != stale_token and self.valid():
            return True  # someone else refreshed while this request was in flight
        if self._refreshing is None:
            self._refreshing = self.refreshAuth()
            self._refreshing.add_done_callback(self._refresh_done)
        await asyncio.shield(self._refreshing)
        return self.valid()

    def _refresh_done(self, _future: asyncio.Future[Any]) -> None:
        self._refreshing = None


def _detached(host: Host, inner: asyncio.Future[Any]) -> asyncio.Future[Any]:
    """A future with ``inner``'s outcome; cancelling it leaves ``inner`` running (like
    ``asyncio.shield``, on the host's loop)."""
    outer: asyncio.Future[Any] = host.create_future()

    def copy(done: asyncio.Future[Any]) -> None:
        error = None if done.cancelled() else done.exception()  # retrieved: never "unhandled"
        if outer.done():
            return
        if done.cancelled():
            outer.cancel()
        elif error is not None:
            outer.set_exception(error)
        else:
            outer.set_result(done.result())

    inner.add_done_callback(copy)
    return outer
