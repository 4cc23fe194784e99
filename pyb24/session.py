"""The frame session: init data, the install chain and the init/ready lifecycle (PROTOCOL.md
§4.2, §4.3). Pure core.

One ``getInitData`` is sent when the session starts. Its answer fixes the session's
:class:`InitData`; then, as BX24.js does, either the FIRST_RUN installer chain runs
(installers call ``installFinish()``), or the init handlers run, each deferred by
``DEFER`` (BX24.js' ``setTimeout(fn, 10)``). The raw answer goes to one listener first
(the auth state takes its tokens from it). ``ready`` handlers wait for the DOM instead.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable, Mapping
from typing import Any, TypedDict

from .bridge import (
    OUTSIDE_PORTAL_MESSAGE,
    NotInPortalError,
    ParentBridge,
    invoke_callback,
    require,
)
from .host import Host
from .jsvalues import encode_uri_component
from .phparray import as_options
from .protocol import FrameParams, is_https_flag

log = logging.getLogger("pyb24")

DEFER = 0.01  # BX24.js runs init/ready handlers through setTimeout(fn, 10)

Handler = Callable[[], Any]
Queued = tuple[Handler | None, "asyncio.Future[Any] | None"]  # a handler and its awaitable


class NotInitializedError(RuntimeError):
    """A call that needs the portal's init data was made before ``BX24.init`` completed."""


class InitData(TypedDict):
    """What the session keeps of ``getInitData``'s answer (the tokens go to the auth state)."""

    LANG: str
    PATH: str
    PLACEMENT: Any
    PLACEMENT_OPTIONS: dict[str, Any]  # always a dict, whatever shape PHP sent
    USER_OPTIONS: dict[str, Any]
    APP_OPTIONS: dict[str, Any]
    INSTALL: bool
    FIRST_RUN: bool


class InstallState(enum.Enum):
    """What ``installFinish()`` does right now: BX24.js rebinds the function (§4.2)."""

    FINISH = "finish"  # install mode (or not known yet): tell the portal it is installed
    NEXT_INSTALLER = "next-installer"  # inside the FIRST_RUN chain: run the next installer
    DONE = "done"  # the chain ended, or the app is not in install mode: nothing


class FrameSession:
    """One frame's lifecycle. ``frame``/``bridge`` are ``None`` outside a portal frame."""

    def __init__(
        self,
        host: Host,
        frame: FrameParams | None,
        bridge: ParentBridge | None,
        on_init_data: Callable[[Mapping[str, Any]], None],
        first_init_handler: Handler,
    ) -> None:
        self._host = host
        self._frame = frame
        self._bridge = bridge
        self._on_init_data = on_init_data
        self.init_data: InitData | None = None  # set when getInitData answers (isInit)
        self.install_state = InstallState.FINISH
        self._init_done = False  # the init handlers ran: BX24.init() now just defers
        # BX24.js registers its own init handler first (options are bound before user code).
        self._init_list: list[Queued] = [(first_init_handler, None)]
        self._install_list: list[Handler] = []
        self._ready = False
        self._ready_list: list[Queued] = []
        host.on_dom_ready(self._run_ready)

    def start(self) -> None:
        """Ask the portal for the init data (inside a portal frame)."""
        if self._bridge is not None:
            self._bridge.request("getInitData", None, self._on_reply)

    # -- facts ---------------------------------------------------------------------------
    @property
    def in_portal(self) -> bool:
        return self._frame is not None

    @property
    def target_origin(self) -> str | None:
        return self._frame.target_origin if self._frame else None

    def require_portal(self) -> None:
        require(self._bridge)

    def require_init_data(self, what: str) -> InitData:
        if self.init_data is None:
            raise NotInitializedError(f"{what} needs init data: call it after init")
        return self.init_data

    def getLang(self) -> str:
        return self.init_data["LANG"] if self.init_data else ""

    def getDomain(self) -> str:
        return self._frame.domain if self._frame else ""

    def method_url(self, method: str) -> str:
        """The REST endpoint of ``method`` (after init: the portal's PATH is in the init data)."""
        frame = self._frame
        if frame is None:
            raise NotInPortalError(OUTSIDE_PORTAL_MESSAGE)
        data = self.require_init_data("a REST call")
        scheme = "https" if frame.https else "http"
        return f"{scheme}://{frame.domain}{data['PATH']}/{encode_uri_component(method)}.json"

    async def initialised(self) -> None:
        """Return once the init data is in (BX24.js queues REST calls until init)."""
        if self.init_data is None:
            await self.init()

    # -- init and install (§4.2) ---------------------------------------------------------
    def init(self, callback: Handler | None = None) -> asyncio.Future[Any]:
        require(self._bridge)
        return self._handle(callback, self._init_list, run_now=self._init_done)

    def install(self, callback: Handler | None) -> None:
        if isinstance(callback, str):
            raise TypeError(
                "BX24.install(url) loads a JavaScript installer in BX24.js; in pyb24 pass a "
                "Python callable instead"
            )
        if callback:
            self._install_list.append(callback)

    def installFinish(self) -> None:
        if self.install_state is InstallState.NEXT_INSTALLER:
            self._install_next()
        elif self.install_state is InstallState.FINISH:
            require(self._bridge).post("setInstallFinish", {})

    def _on_reply(self, data: Any) -> None:
        if not isinstance(data, dict):
            log.error("the portal's init data is not an object; staying uninitialised")
            return
        if "PROTOCOL" in data and self._frame is not None:
            self._frame.https = is_https_flag(data["PROTOCOL"])  # BX24.js overwrites PROTOCOL
        self._on_init_data(data)
        self.init_data = InitData(
            LANG=data.get("LANG") or "",
            PATH=data.get("PATH") or "",
            PLACEMENT=data.get("PLACEMENT"),
            PLACEMENT_OPTIONS=as_options(data.get("PLACEMENT_OPTIONS")),
            USER_OPTIONS=as_options(data.get("USER_OPTIONS")),
            APP_OPTIONS=as_options(data.get("APP_OPTIONS")),
            INSTALL=bool(data.get("INSTALL")),
            FIRST_RUN=bool(data.get("FIRST_RUN")),
        )
        if self.init_data["FIRST_RUN"] and self._install_list:
            self._install_next()
        else:
            self._do_init()

    def _install_next(self) -> None:
        if self._install_list:
            installer = self._install_list.pop(0)
            self.install_state = InstallState.NEXT_INSTALLER
            # Synchronously, not deferred (BX24.js); a failure stalls the chain.
            invoke_callback(self._host, installer, what="Installation failed! The installer")
        else:
            self.install_state = InstallState.DONE
            require(self._bridge).post("setInstall", {"install": True})
            self._host.call_later(DEFER, self._do_init)

    def _do_init(self) -> None:
        self._init_done = True
        if self.init_data is not None and not self.init_data["INSTALL"]:
            self.install_state = InstallState.DONE
        queued, self._init_list = self._init_list, []
        self._run_handlers(queued)

    def _handle(
        self, callback: Handler | None, queue: list[Queued], run_now: bool
    ) -> asyncio.Future[Any]:
        """Queue an init/ready handler, or (that moment has passed) run it deferred."""
        future: asyncio.Future[Any] = self._host.create_future()
        if run_now:
            self._run_handlers([(callback, future)])
        else:
            queue.append((callback, future))
        return future

    def _run_handlers(self, queued: list[Queued]) -> None:
        for callback, future in queued:
            self._host.call_later(DEFER, self._run_handler, callback, future)

    def _run_handler(self, callback: Handler | None, future: asyncio.Future[Any] | None) -> None:
        invoke_callback(self._host, callback)
        if future is not None and not future.done():
            future.set_result(None)

    # -- ready (§4.3) --------------------------------------------------------------------
    def ready(self, callback: Handler | None = None) -> asyncio.Future[Any]:
        return self._handle(callback, self._ready_list, run_now=self._ready)

    def isReady(self) -> bool:
        return self._ready

    def _run_ready(self) -> None:
        if self._ready:
            return
        self._ready = True
        queued, self._ready_list = self._ready_list, []
        self._run_handlers(queued)
