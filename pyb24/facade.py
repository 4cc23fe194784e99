"""The ``BX24`` object: BX24.js names, arguments and semantics (PROTOCOL.md §3.1–3.6, §4).

Every call that waits on the portal takes the BX24.js callback *and* returns an awaitable,
so ``BX24.init(fn)`` and ``await BX24.init()`` both work. Pure core: the browser comes in
through the injected host.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from .bridge import ParentBridge, invoke_callback
from .host import Host
from .protocol import FrameParams, is_https_flag, parse_window_name
from .rest import AjaxResult, RestClient
from .ui import FrameCommands, PlacementCommands

log = logging.getLogger("pyb24")

DEFER = 0.01  # BX24.js runs init/ready handlers through setTimeout(fn, 10)

OUTSIDE_PORTAL_MESSAGE = (
    "pyb24 is not running inside a Bitrix24 portal frame (window.name has no "
    "DOMAIN|PROTOCOL|APP_SID). Open this page from Bitrix24 as an application or placement, "
    "or from the emulated portal: ./dev demo"
)


class NotInPortalError(RuntimeError):
    """The page was opened outside a portal frame, so there is no parent to talk to."""


class NotInitializedError(RuntimeError):
    """A call that needs the portal's init data was made before ``BX24.init`` completed."""


class AuthData(dict):
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


def normalize_options(value: Any) -> dict:
    """USER_OPTIONS / APP_OPTIONS / PLACEMENT_OPTIONS arrive as an object, as PHP's ``[]`` when
    empty, or (placement options) as JSON text (§8.16, §8.17). Always give back a dict."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError:
            log.warning("ignoring placement/app options that are not valid JSON")
            return {}
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    return {}


def _resolve(future: asyncio.Future | None, value: Any = None) -> None:
    if future is not None and not future.done():
        future.set_result(value)


class _OptionStore:
    """``BX24.userOption`` / ``BX24.appOption``: inert stubs until BX24.js' own init handler
    binds them (§4.5)."""

    def __init__(self, bx24: BX24Facade, command: str | None):
        self._bx24 = bx24
        self._command = command  # None: this store is still the pre-init stub
        self._values: dict = {}

    def get(self, name: str) -> Any:
        return self._values.get(name)

    def __repr__(self) -> str:  # option values stay out of reprs
        return f"<{type(self).__name__} names={sorted(self._values)!r}>"


class UserOption(_OptionStore):
    def set(self, name: str, value: Any) -> None:
        """Local write + ``setUserOption`` (no callback in BX24.js, so nothing to await)."""
        if self._command is None:
            return
        self._values[name] = value
        self._bx24._bridge_or_raise().send("setUserOption", {"name": name, "value": value})


class AppOption(_OptionStore):
    def __init__(self, bx24: BX24Facade, command: str | None, admin: bool = False):
        super().__init__(bx24, command)
        self._admin = admin  # captured when bound, like BX24.js

    def set(self, name: str, value: Any, callback: Callable[[Any], Any] | None = None):
        """Admin: local write + ``setAppOption``; the awaitable gives the portal's answer (the
        app options after the save). Not admin: nothing is sent, the callback never runs and
        the awaitable resolves to ``False``."""
        if self._command is None or not self._admin:
            done = self._bx24._host.create_future()
            done.set_result(False)
            return done
        self._values[name] = value
        return self._bx24._bridge_or_raise().send(
            "setAppOption", {"name": name, "value": value}, callback
        )


class Placement(PlacementCommands):
    def __init__(self, bx24: BX24Facade):
        self._bx24 = bx24

    def info(self) -> dict:
        """``{"placement": PLACEMENT, "options": PLACEMENT_OPTIONS}`` (options always a dict)."""
        state = self._bx24._init_data
        if state is None:
            return {"placement": None, "options": None}
        return {"placement": state["PLACEMENT"], "options": state["PLACEMENT_OPTIONS"]}


_UNSET: Any = object()  # "argument not given" (JS undefined), unlike None (JS null)


class BX24Facade(FrameCommands):
    """The Python ``BX24``. Create it with a host; ``pyb24.BX24`` is the browser's instance."""

    def __init__(self, host: Host):
        self._host = host
        self._frame: FrameParams | None = parse_window_name(host.window_name)
        self._bridge: ParentBridge | None = None
        self._init_data: dict | None = None  # set when getInitData answers (isInit)
        self._auth: dict[str, Any] = {}
        self._init_done = False  # doInit ran: BX24.init() now just defers
        self._init_list: list[tuple[Callable | None, asyncio.Future | None]] = []
        self._install_list: list[Callable] = []
        # What installFinish() does right now: BX24.js rebinds the function (§4.2).
        self._install_finish_mode = "send"  # "send" | "advance" | "noop"
        self._ready = False
        self._ready_list: list[tuple[Callable | None, asyncio.Future]] = []
        self.userOption: UserOption = UserOption(self, None)
        self.appOption: AppOption = AppOption(self, None)
        self.placement = Placement(self)
        self._rest = RestClient(self)
        # BX24.js registers its own init handler first, so options are bound before user code.
        self._init_list.append((self._bind_options, None))
        host.on_dom_ready(self._run_ready)
        if self._frame is not None:
            self._bridge = ParentBridge(host, self._frame)
            self._bridge.send("getInitData", None, self._on_init_data)

    # -- state -------------------------------------------------------------------------
    def __repr__(self) -> str:
        where = self._frame.target_origin if self._frame else "outside a portal"
        state = "initialised" if self._init_data is not None else "waiting for init data"
        return f"<BX24 {where}, {state}>"

    @property
    def in_portal(self) -> bool:
        return self._frame is not None

    def _bridge_or_raise(self) -> ParentBridge:
        if self._bridge is None:
            raise NotInPortalError(OUTSIDE_PORTAL_MESSAGE)
        return self._bridge

    # -- init and install (§4.2) -------------------------------------------------------
    def init(self, callback: Callable[[], Any] | None = None) -> asyncio.Future:
        """Run ``callback`` (and resolve the awaitable) once the portal's init data is in."""
        self._bridge_or_raise()
        future = self._host.create_future()
        if self._init_done:
            self._host.call_later(DEFER, self._run_init_handler, callback, future)
        else:
            self._init_list.append((callback, future))
        return future

    def install(self, callback: Callable[[], Any]) -> None:
        """Queue an installer, run on FIRST_RUN before init handlers. It must call
        ``BX24.installFinish()`` when done (it may be ``async``)."""
        if isinstance(callback, str):
            raise TypeError(
                "BX24.install(url) loads a JavaScript installer in BX24.js; in pyb24 pass a "
                "Python callable instead"
            )
        if callback:
            self._install_list.append(callback)

    def installFinish(self) -> None:
        """Inside an installer: "this installer is done". In install mode, outside the
        install chain: tell the portal the installation is finished. Otherwise: nothing."""
        if self._install_finish_mode == "advance":
            self._install_next()
        elif self._install_finish_mode == "send":
            self._bridge_or_raise().send("setInstallFinish", {})

    def _on_init_data(self, data: Any) -> None:
        if not isinstance(data, dict):
            log.error("the portal's init data is not an object; staying uninitialised")
            return
        frame = self._frame
        if "PROTOCOL" in data:
            frame.https = is_https_flag(data["PROTOCOL"])  # BX24.js: PROTOCOL is overwritten
        if data.get("AUTH_ID"):
            self._auth = {
                "AUTH_ID": data["AUTH_ID"],
                "REFRESH_ID": data.get("REFRESH_ID"),
                "AUTH_EXPIRES": self._expiry_ms(data.get("AUTH_EXPIRES")),
                "IS_ADMIN": bool(data.get("IS_ADMIN")),
                "MEMBER_ID": data.get("MEMBER_ID") or "",
            }
        self._init_data = {
            "LANG": data.get("LANG") or "",
            "PATH": data.get("PATH") or "",
            "PLACEMENT": data.get("PLACEMENT"),
            "PLACEMENT_OPTIONS": normalize_options(data.get("PLACEMENT_OPTIONS")),
            "USER_OPTIONS": normalize_options(data.get("USER_OPTIONS")),
            "APP_OPTIONS": normalize_options(data.get("APP_OPTIONS")),
            "INSTALL": bool(data.get("INSTALL")),
            "FIRST_RUN": bool(data.get("FIRST_RUN")),
        }
        if self._init_data["FIRST_RUN"] and self._install_list:
            self._install_next()
        else:
            self._do_init()

    def _expiry_ms(self, lifetime_s: Any) -> float:
        try:
            seconds = float(lifetime_s)
        except (TypeError, ValueError):
            seconds = 0.0
        return self._host.now_ms() + seconds * 1000

    def _install_next(self) -> None:
        if self._install_list:
            installer = self._install_list.pop(0)
            self._install_finish_mode = "advance"
            # Synchronously, not deferred (BX24.js); a failure stalls the chain.
            invoke_callback(installer, what="Installation failed! The installer")
        else:
            self._install_finish_mode = "noop"
            self._bridge_or_raise().send("setInstall", {"install": True})
            self._host.call_later(DEFER, self._do_init)

    def _do_init(self) -> None:
        self._init_done = True
        if not self._init_data["INSTALL"]:
            self._install_finish_mode = "noop"
        queued, self._init_list = self._init_list, []
        for callback, future in queued:
            self._host.call_later(DEFER, self._run_init_handler, callback, future)

    def _run_init_handler(self, callback: Callable | None, future: asyncio.Future | None) -> None:
        invoke_callback(callback)
        _resolve(future)

    def _bind_options(self) -> None:
        self._host.mark("pyb24:init")  # the first init handler: init data is in
        data = self._init_data
        self.userOption = UserOption(self, "setUserOption")
        self.userOption._values = data["USER_OPTIONS"]
        self.appOption = AppOption(self, "setAppOption", admin=self.isAdmin())
        self.appOption._values = data["APP_OPTIONS"]

    # -- ready (§4.3) ------------------------------------------------------------------
    def ready(self, callback: Callable[[], Any] | None = None) -> asyncio.Future:
        future = self._host.create_future()
        if self._ready:
            self._host.call_later(DEFER, self._run_init_handler, callback, future)
        else:
            self._ready_list.append((callback, future))
        return future

    def isReady(self) -> bool:
        return self._ready

    def _run_ready(self) -> None:
        if self._ready:
            return
        self._ready = True
        queued, self._ready_list = self._ready_list, []
        for callback, future in queued:
            self._host.call_later(DEFER, self._run_init_handler, callback, future)

    # -- accessors (§4.4) --------------------------------------------------------------
    def isAdmin(self) -> bool:
        return bool(self._auth.get("IS_ADMIN"))

    def getLang(self) -> str:
        return self._init_data["LANG"] if self._init_data else ""

    def getDomain(self) -> str:
        return self._frame.domain if self._frame else ""

    def getAuth(self) -> AuthData | bool:
        """``False`` before init or once expired; else the tokens, with ``expires_in`` as the
        absolute expiry time in epoch milliseconds (BX24.js units)."""
        auth = self._auth
        if self._init_data is None or not auth or auth["AUTH_EXPIRES"] <= self._host.now_ms():
            return False
        return AuthData(
            access_token=auth["AUTH_ID"],
            refresh_token=auth["REFRESH_ID"],
            expires_in=int(auth["AUTH_EXPIRES"]),
            domain=self._frame.domain,
            member_id=auth["MEMBER_ID"],
        )

    def refreshAuth(self, callback: Callable[[Any], Any] | None = None) -> asyncio.Future:
        """Ask the portal for fresh tokens; ``callback``/the awaitable get ``getAuth()``.
        Raises ``ReplyTimeout`` (awaitable only) if the portal stays silent (§3.2)."""
        bridge = self._bridge_or_raise()
        if self._init_data is None:
            raise NotInitializedError("BX24.refreshAuth() needs init data: call it after init")
        return bridge.send("refreshAuth", {}, callback, convert=self._apply_tokens)

    # -- REST (§4.6, §5) ----------------------------------------------------------------
    def callMethod(
        self, method: str, params: Any = None, callback: Callable[[AjaxResult], Any] | None = None
    ) -> asyncio.Future:
        """Call a REST method; the callback and the awaitable get an ``AjaxResult``."""
        return self._rest.call(method, params, callback)

    def callBatch(
        self, calls: Any, callback: Callable[[Any], Any] | None = None, bHaltOnError: bool = False
    ) -> asyncio.Future:
        """Up to 50 calls in one request; results as a list or dict shaped like ``calls``."""
        return self._rest.batch(calls, callback, bHaltOnError)

    def callBind(self, event: str, handler: str, auth_type: Any = _UNSET, callback=None):
        """``event.bind`` for admins (``auth_type`` defaults to 0); ``False`` for others."""
        params = {
            "event": event or "",
            "handler": handler or "",
            "auth_type": 0 if auth_type is _UNSET else auth_type,
        }
        return self._admin_call("event.bind", params, callback)

    def callUnbind(self, event: str, handler: str, auth_type: Any = _UNSET, callback=None):
        """``event.unbind`` for admins (``auth_type`` only when given); ``False`` for others."""
        params = {"event": event or "", "handler": handler or ""}
        if auth_type is not _UNSET and auth_type is not None:
            params["auth_type"] = auth_type
        return self._admin_call("event.unbind", params, callback)

    callUnBind = callUnbind  # BX24.js has both spellings

    def _admin_call(self, method: str, params: dict, callback):
        self._bridge_or_raise()
        if self._init_data is None:  # BX24.js re-queues the call through init
            result = self._host.create_future()

            async def after_init() -> None:
                await self.init()
                sent = self._admin_call(method, params, callback)
                result.set_result(await sent if sent is not False else False)

            asyncio.ensure_future(after_init())
            return result
        if not self.isAdmin():
            return False
        return self._rest.call(method, params, callback)

    def _apply_tokens(self, tokens: Any) -> AuthData | bool:
        if isinstance(tokens, dict) and tokens.get("AUTH_ID"):
            self._auth["AUTH_ID"] = tokens["AUTH_ID"]
            self._auth["REFRESH_ID"] = tokens.get("REFRESH_ID")
            self._auth["AUTH_EXPIRES"] = self._expiry_ms(tokens.get("AUTH_EXPIRES"))
        else:
            log.error("refreshAuth: the portal's answer has no AUTH_ID")
        return self.getAuth()
