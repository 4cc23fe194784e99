"""The ``BX24`` object: BX24.js names, arguments and semantics (PROTOCOL.md §3, §4).

``BX24Facade`` composes small parts, each handed only what it needs (the way BX24.js'
successor ``B24Frame`` hands its managers the message channel):

* :class:`~pyb24.bridge.ParentBridge` — the frame's message channel (``None`` outside a portal);
* :class:`~pyb24.session.FrameSession` — init data, install chain, init/ready lifecycle;
* :class:`~pyb24.auth.AuthState` — tokens (``getAuth``, ``refreshAuth``, ``isAdmin``);
* :class:`~pyb24.rest.RestClient` — REST, seeing the session and the tokens through protocols;
* :class:`~pyb24.window.WindowCommands`, :class:`~pyb24.dialogs.Dialogs`,
  :class:`~pyb24.slider.Sliders` — window, picker and slider commands;
* :class:`~pyb24.placement.Placement` (``BX24.placement``), :class:`~pyb24.messenger.Messenger`
  (``BX24.im``), :class:`~pyb24.options.UserOption` / :class:`~pyb24.options.AppOption`;
* :class:`~pyb24.scale.PythonApi` — the Pythonic layer (``call``, ``list``, ``list_all``,
  ``batch``) over the REST client's one ``send``; ``configure`` sets the client's throttle.

PEP 8 names (``call_method``, ``placement.bind_event``…) come from one table in
:mod:`pyb24.aliases`.

Every BX24.js method here delegates to one part, explicitly. Every call that waits on the
portal takes the BX24.js callback *and* returns an awaitable, so ``BX24.init(fn)`` and
``await BX24.init()`` both work. Pure core: the browser comes in through the injected host.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from .aliases import add_aliases
from .auth import AuthData, AuthState
from .bridge import ParentBridge, require
from .dialogs import Dialogs, SelectedAccess, SelectedCrm, SelectedUser
from .fields import Field
from .host import Host
from .listing import Strategy
from .messenger import Messenger
from .options import AppOption, UserOption
from .placement import Placement
from .protocol import parse_window_name
from .rest import AjaxResult, RestClient
from .scale import Progress, PythonApi
from .session import FrameSession, InitData
from .slider import Sliders
from .window import WindowCommands

Callback = Callable[[Any], Any]
Handler = Callable[[], Any]

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

_UNSET: Any = object()  # "argument not given" (JS undefined), unlike None (JS null)


class BX24Facade:
    """The Python ``BX24``. Create it with a host; ``pyb24.BX24`` is the browser's instance."""

    def __init__(self, host: Host) -> None:
        self._host = host
        frame = parse_window_name(host.window_name)
        self._bridge: ParentBridge | None = ParentBridge(host, frame) if frame else None
        self._auth = AuthState(host, frame, self._bridge)
        self._session = FrameSession(
            host, frame, self._bridge, on_init_data=self._auth.load, first_init_handler=self._bind
        )
        self._rest = RestClient(host, self._session, self._auth)
        self._python = PythonApi(self._rest.send)
        self._window = WindowCommands(host, self._bridge, self._session)
        self._dialogs = Dialogs(self._bridge)
        self._sliders = Sliders(host, self._bridge)
        self.im = Messenger(self._bridge)
        self.placement = Placement(host, self._bridge, self._session, self._is_bx24_name)
        self.userOption = UserOption(self._bridge, None)
        self.appOption = AppOption(host, self._bridge, None)
        self._host.mark("pyb24:session")  # pyb24 imported: the init round trip starts
        self._session.start()

    def __repr__(self) -> str:
        where = self._session.target_origin or "outside a portal"
        state = "initialised" if self._session.init_data is not None else "waiting for init data"
        return f"<BX24 {where}, {state}>"

    @property
    def in_portal(self) -> bool:
        return self._session.in_portal

    @property
    def _init_data(self) -> InitData | None:
        """The session's init data (tests read it inside the frame)."""
        return self._session.init_data

    def _bind(self) -> None:
        """BX24.js' own init handler, the first to run: bind the option stores."""
        self._host.mark("pyb24:init")
        data = self._session.require_init_data("binding options")
        self.userOption = UserOption(self._bridge, data["USER_OPTIONS"])
        self.appOption = AppOption(
            self._host, self._bridge, data["APP_OPTIONS"], admin=self._auth.isAdmin()
        )

    def _is_bx24_name(self, name: str) -> bool:
        return name in BX24_JS_NAMES or (not name.startswith("_") and hasattr(self, name))

    # -- init, install, ready (§4.2, §4.3) -----------------------------------------------
    def init(self, callback: Handler | None = None) -> asyncio.Future[None]:
        """Run ``callback`` (and resolve the awaitable) once the portal's init data is in."""
        return self._session.init(callback)

    def install(self, callback: Handler | None) -> None:
        """Queue an installer, run on FIRST_RUN before init handlers. It must call
        ``BX24.installFinish()`` when done (it may be ``async``)."""
        self._session.install(callback)

    def installFinish(self) -> None:
        """Inside an installer: "this installer is done". In install mode, outside the
        install chain: tell the portal the installation is finished. Otherwise: nothing."""
        self._session.installFinish()

    def ready(self, callback: Handler | None = None) -> asyncio.Future[None]:
        """Run ``callback`` (and resolve the awaitable) once the document has a body."""
        return self._session.ready(callback)

    def isReady(self) -> bool:
        return self._session.isReady()

    # -- accessors, tokens (§4.4, §3.1, §3.2) --------------------------------------------
    def isAdmin(self) -> bool:
        return self._auth.isAdmin()

    def getLang(self) -> str:
        return self._session.getLang()

    def getDomain(self) -> str:
        return self._session.getDomain()

    def getAuth(self) -> AuthData | Literal[False]:
        """``False`` before init or once expired; else the tokens, with ``expires_in`` as the
        absolute expiry time in epoch milliseconds (BX24.js units)."""
        return self._auth.getAuth()

    def refreshAuth(
        self, callback: Callback | None = None
    ) -> asyncio.Future[AuthData | Literal[False]]:
        """Ask the portal for fresh tokens; ``callback``/the awaitable get ``getAuth()``.
        Raises ``ReplyTimeout`` (awaitable only) if the portal stays silent (§3.2)."""
        return self._auth.refreshAuth(callback)

    # -- REST (§4.6, §5) -------------------------------------------------------------------
    def callMethod(
        self, method: str, params: Any = None, callback: Callable[[AjaxResult], Any] | None = None
    ) -> asyncio.Future[AjaxResult]:
        """Call a REST method; the callback and the awaitable get an ``AjaxResult``."""
        return self._rest.call(method, params, callback)

    def callBatch(
        self, calls: Any, callback: Callback | None = None, bHaltOnError: bool = False
    ) -> asyncio.Future[Any]:
        """Up to 50 calls in one request; results as a list or dict shaped like ``calls``."""
        return self._rest.batch(calls, callback, bHaltOnError)

    def callBind(
        self, event: str, handler: str, auth_type: Any = _UNSET, callback: Callback | None = None
    ) -> asyncio.Future[Any] | bool:
        """``event.bind`` for admins (``auth_type`` defaults to 0); ``False`` for others."""
        params = {
            "event": event or "",
            "handler": handler or "",
            "auth_type": 0 if auth_type is _UNSET else auth_type,
        }
        return self._admin_call("event.bind", params, callback)

    def callUnbind(
        self, event: str, handler: str, auth_type: Any = _UNSET, callback: Callback | None = None
    ) -> asyncio.Future[Any] | bool:
        """``event.unbind`` for admins (``auth_type`` only when given); ``False`` for others."""
        params = {"event": event or "", "handler": handler or ""}
        if auth_type is not _UNSET and auth_type is not None:
            params["auth_type"] = auth_type
        return self._admin_call("event.unbind", params, callback)

    callUnBind = callUnbind  # BX24.js has both spellings

    def _admin_call(
        self, method: str, params: dict[str, Any], callback: Callback | None
    ) -> asyncio.Future[Any] | bool:
        require(self._bridge)
        if self._session.init_data is None:  # BX24.js re-queues the call through init
            result: asyncio.Future[Any] = self._host.create_future()

            async def after_init() -> None:
                await self.init()
                sent = self._admin_call(method, params, callback)
                result.set_result(False if isinstance(sent, bool) else await sent)

            self._host.spawn(after_init())
            return result
        if not self.isAdmin():
            return False
        return self._rest.call(method, params, callback)

    # -- window (§3.7–3.10) --------------------------------------------------------------
    def resizeWindow(
        self, width: Any, height: Any, callback: Callback | None = None
    ) -> asyncio.Future[Any]:
        """Resize the frame's container; sent only when ``parseInt`` of both is > 0 (so
        ``"300px"`` works). Resolves to the container's new ``{"width", "height"}`` in px."""
        return self._window.resizeWindow(width, height, callback)

    def fitWindow(self, callback: Callback | None = None) -> asyncio.Future[Any]:
        """``resizeWindow`` to the full width and the page's scroll height (BX24.js: it can
        grow the frame but not shrink it; :meth:`autoFit` does both)."""
        return self._window.fitWindow(callback)

    def getScrollSize(self) -> dict[str, int]:
        """``{"scrollWidth", "scrollHeight"}``: the larger of scroll* and offset* of ``<html>``."""
        return self._window.getScrollSize()

    def autoFit(self, enable: bool = True) -> None:
        """Keep the frame's height matched to the page's own height while the page changes.

        pyb24-only (BX24.js has no twin). Watches the document (ResizeObserver +
        MutationObserver), waits for changes to settle, then sends one ``resizeWindow``
        (full width, the height of ``<html>``): it grows *and* shrinks the frame, and a
        change usually takes one resize, two when a scrollbar comes or goes. It stops
        resizing when the page's height follows the frame's (``height: 100vh`` content) and
        when the portal does not answer. ``autoFit(False)`` stops it.
        """
        self._window.autoFit(enable)

    def reloadWindow(self) -> asyncio.Future[Any]:
        """Reload the whole portal page (fire-and-forget: the page goes away). Outside the
        ``DEFAULT`` placement the portal denies it: awaiting it raises ``PortalDeniedError``."""
        return self._window.reloadWindow()

    def setTitle(self, title: Any, callback: Callback | None = None) -> asyncio.Future[Any]:
        """Set the portal page's title (``#pagetitle``); resolves to the echo ``{"title"}``.
        Outside the ``DEFAULT`` placement the portal denies it: awaiting it raises
        ``PortalDeniedError`` at once (the portal never answers there)."""
        return self._window.setTitle(title, callback)

    def scrollParentWindow(
        self, scroll: Any, callback: Callback | None = None
    ) -> asyncio.Future[Any]:
        """Scroll the portal page to ``scroll`` px from the top (sent only when ``parseInt``
        gives a number); resolves to the echo ``{"scroll"}``. Denied outside ``DEFAULT`` as
        :meth:`setTitle` is."""
        return self._window.scrollParentWindow(scroll, callback)

    # -- dialogs (§3.11–3.13) ------------------------------------------------------------
    def selectUser(
        self, title: Any = None, callback: Callback | None = None
    ) -> asyncio.Future[SelectedUser]:
        """The portal's user picker; resolves to the chosen user ``{"id", "name", …}``.

        ``selectUser(callback)`` works as in BX24.js. Closing the picker sends no answer:
        cancel the awaitable (or use ``asyncio.wait_for``) to stop waiting.
        """
        return self._dialogs.selectUser(title, callback)

    def selectUsers(
        self, title: Any = None, callback: Callback | None = None
    ) -> asyncio.Future[list[SelectedUser]]:
        """The multiple user picker; resolves to a list of users (see :meth:`selectUser`)."""
        return self._dialogs.selectUsers(title, callback)

    @overload
    def selectAccess(
        self, callback: Callback | None = None, /
    ) -> asyncio.Future[list[SelectedAccess]]: ...
    @overload
    def selectAccess(
        self, value: Sequence[str], callback: Callback | None = None, /
    ) -> asyncio.Future[list[SelectedAccess]]: ...
    @overload
    def selectAccess(
        self,
        title: str,
        value: Sequence[str] | Callback | None = None,
        callback: Callback | None = None,
        /,
    ) -> asyncio.Future[list[SelectedAccess]]: ...
    def selectAccess(self, *args: Any) -> asyncio.Future[list[SelectedAccess]]:
        """``selectAccess([title,] [value,] callback)``: the access-permission picker.

        ``value`` lists access codes shown as already granted (``["AU", "U1"]``). Resolves
        to a list of ``{"id", "name", "provider"}``; closing the dialog sends no answer.
        """
        return self._dialogs.selectAccess(*args)

    def selectCRM(
        self, params: Any = None, callback: Callback | None = None
    ) -> asyncio.Future[dict[str, list[SelectedCrm]]]:
        """The CRM entity picker. ``params``: ``entityType`` (list of ``lead``, ``contact``,
        ``company``, ``deal``, ``quote``), ``multiple``, ``value`` (``{"deal": [1, 2]}``).

        Resolves to ``{"deal": [{"id": "D_1", "title", …}], …}`` with every bucket a list.
        """
        return self._dialogs.selectCRM(params, callback)

    # -- sliders (§3.14–3.16) ------------------------------------------------------------
    def openApplication(
        self,
        params: Any = None,
        callback: Callback | None = None,
        settings: dict[str, Any] | None = None,
    ) -> asyncio.Future[Any]:
        """Open this application in a slider; ``params`` become its ``PLACEMENT_OPTIONS``.

        ``settings`` (``width``, ``title``, ``label``, ``leftBoundary``) are sent as
        ``bx24_*`` params, as the newer BX24.js does. Resolves to ``None`` when the slider
        closes (the callback gets no data either).
        """
        return self._sliders.openApplication(params, callback, settings)

    def closeApplication(self, callback: Callback | None = None) -> asyncio.Future[Any]:
        """Close the slider this application was opened in (by ``openApplication``).

        The portal answers only when it closes a slider of this application, and the closed
        frame is gone by then: don't count on the awaitable finishing.
        """
        return self._sliders.closeApplication(callback)

    def openPath(self, path: str, callback: Callback | None = None) -> asyncio.Future[Any]:
        """Open a portal page (``/crm/deal/details/42/``) in a slider.

        The callback gets the portal's raw answer, as in BX24.js: ``{"result": "close"}`` when
        the slider closes, ``{"result": "error", "errorCode": …}`` at once when it cannot
        open. The awaitable resolves to ``{"result": "close"}`` on close and raises
        :class:`~pyb24.slider.OpenPathError` (``.code``) on an error.
        """
        return self._sliders.openPath(path, callback)

    # -- JS-only helpers (see README) ----------------------------------------------------
    def canUse(self, feature: str = "") -> bool:
        """BX24.js tells whether the browser can read files (``"upload"``); Pyodide always can
        (``await file.arrayBuffer()``), and every other feature is available too."""
        return True

    # -- the Pythonic layer (pyb24.scale): raises, lists, batches of any size ------------
    async def call(
        self,
        method: str,
        params: Any = None,
        *,
        typed: bool | None = None,
        entity: str | None = None,
    ) -> Any:
        """``await BX24.call(method, params)``: the answer's ``result``, or raises
        :class:`~pyb24.errors.B24Error` (``.code``, ``.description``, ``.status``, ``.method``).

        ``typed=True`` (default: the page's ``configure(typed=…)``): values in Python types
        by the entity's fields, told from the method (``crm.deal.get`` → ``crm.deal``) or
        named by ``entity=`` (see :mod:`pyb24.typed`)."""
        return await self._python.call(method, params, typed=typed, entity=entity)

    async def fields(self, entity: str, params: Any = None) -> dict[str, Field]:
        """The entity's fields by name (``"crm.deal"``, ``"crm.item"`` with
        ``{"entityTypeId": 2}``, ``"user"``, ``"tasks.task"``…), each a
        :class:`~pyb24.fields.Field` (``type``, ``multiple``, ``required``, ``read_only``,
        ``title``, ``items``). One ``*.fields`` request per entity per page."""
        return await self._python.fields(entity, params)

    def list(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        limit: int | None = None,
        strategy: Strategy = "auto",
        progress: Progress | None = None,
        items_key: str | None = None,
        id_key: str | None = None,
        typed: bool | None = None,
        entity: str | None = None,
    ) -> AsyncIterator[Any]:
        """``async for row in BX24.list(method, params)``: every row of a list method once, in
        a stable order, 2 500 rows a request (see :mod:`pyb24.listing` for ``strategy``:
        ``"auto"``, ``"cursor"``, ``"offset"``). ``select`` gets the id field added;
        ``progress(done, total)`` is called after each request; ``limit`` stops early;
        ``typed``/``entity`` as in :meth:`call`."""
        return self._python.list(
            method,
            params,
            limit=limit,
            strategy=strategy,
            progress=progress,
            items_key=items_key,
            id_key=id_key,
            typed=typed,
            entity=entity,
        )

    async def list_all(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        limit: int | None = None,
        strategy: Strategy = "auto",
        progress: Progress | None = None,
        items_key: str | None = None,
        id_key: str | None = None,
        typed: bool | None = None,
        entity: str | None = None,
    ) -> builtins.list[Any]:
        """:meth:`list` gathered into a list (same options)."""
        return await self._python.list_all(
            method,
            params,
            limit=limit,
            strategy=strategy,
            progress=progress,
            items_key=items_key,
            id_key=id_key,
            typed=typed,
            entity=entity,
        )

    async def batch(
        self,
        calls: Any,
        halt: bool = False,
        progress: Progress | None = None,
        *,
        typed: bool | None = None,
    ) -> dict[str, Any] | builtins.list[Any]:
        """Any number of commands (a dict or a list, as ``callBatch`` takes), 50 to a request,
        ``$result[key][…]`` macros working across requests. Results keyed like ``calls``; a
        failed command's value is its ``B24Error``; with ``halt`` the rest are absent;
        ``typed``: each command typed by its method's entity, as in :meth:`call`."""
        return await self._python.batch(calls, halt, progress, typed=typed)

    def configure(
        self,
        plan: str | None = None,
        *,
        burst: float | None = None,
        rate: float | None = None,
        retries: int | None = None,
        throttle: bool | None = None,
        typed: bool | None = None,
    ) -> None:
        """The page's REST throttle: ``plan="enterprise"`` (250 burst, 5 per second) or
        ``"default"`` (50, 2), or explicit ``burst``/``rate``; ``retries`` after a 503;
        ``throttle=False`` sends every request at once (the portal may then answer 503).
        ``typed=True``: ``call``/``list``/``list_all``/``batch`` type values by default
        (methods of no known entity then go untyped; ``callMethod`` never converts)."""
        self._rest.throttle.configure(plan, burst, rate, retries, throttle)
        if typed is not None:
            self._python.types.enabled = bool(typed)

    # PEP 8 names for type checkers; at run time pyb24.aliases adds them from
    # ALIASES['BX24'] (tests/pyb24/test_aliases.py holds the two together).
    if TYPE_CHECKING:
        install_finish = installFinish
        is_ready = isReady
        is_admin = isAdmin
        get_auth = getAuth
        refresh_auth = refreshAuth
        get_lang = getLang
        get_domain = getDomain
        call_method = callMethod
        call_batch = callBatch
        call_bind = callBind
        call_unbind = callUnbind

        @property
        def user_option(self) -> UserOption:
            return self.userOption

        @property
        def app_option(self) -> AppOption:
            return self.appOption

        resize_window = resizeWindow
        fit_window = fitWindow
        auto_fit = autoFit
        reload_window = reloadWindow
        set_title = setTitle
        get_scroll_size = getScrollSize
        scroll_parent_window = scrollParentWindow
        select_user = selectUser
        select_users = selectUsers
        select_access = selectAccess
        select_crm = selectCRM
        open_application = openApplication
        close_application = closeApplication
        open_path = openPath


add_aliases(BX24Facade, "BX24")
add_aliases(Placement, "placement")
add_aliases(Messenger, "im")
