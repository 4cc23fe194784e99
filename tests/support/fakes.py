"""FakeHost: the browser seam for unit tests, with a virtual clock (no sleeping)."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qsl

from pyb24.host import DocumentSize
from pyb24.protocol import encode_reply, split_request

PORTAL_ORIGIN = "https://acme.bitrix24.com"
WINDOW_NAME = "acme.bitrix24.com:443|1|14d2c95b446cb049375e4a045dc2a177"
SID = "14d2c95b446cb049375e4a045dc2a177"
NOW = 1_720_000_000_000.0

INIT_DATA = {
    "LANG": "en",
    "DOMAIN": "acme.bitrix24.com",
    "PROTOCOL": 1,
    "PATH": "/rest",
    "AUTH_ID": "secret-access-token",
    "AUTH_EXPIRES": 3600,
    "REFRESH_ID": "secret-refresh-token",
    "MEMBER_ID": "member42",
    "FIRST_RUN": False,
    "IS_ADMIN": True,
    "INSTALL": False,
    "USER_OPTIONS": [],
    "APP_OPTIONS": {"mode": "a"},
    "PLACEMENT": "CRM_DEAL_DETAIL_TAB",
    "PLACEMENT_OPTIONS": {"ID": "42"},
}


class _Timer:
    def __init__(self, due: float, fn, args):
        self.due, self.fn, self.args, self.cancelled = due, fn, args, False

    def cancel(self) -> None:
        self.cancelled = True


class _Watch:
    def __init__(self, watchers: list, on_change):
        self._watchers, self._on_change = watchers, on_change

    def cancel(self) -> None:
        if self._on_change in self._watchers:
            self._watchers.remove(self._on_change)


class FakeHost:
    def __init__(self, window_name: str = WINDOW_NAME, now: float = NOW):
        self.window_name = window_name
        self.now = now
        self.sent: list[tuple[str, str]] = []
        self.handler = None
        self.marks: list[str] = []
        self._timers: list[_Timer] = []
        self._dom_ready: list = []
        self.http: list[tuple[str, str]] = []  # (url, body) of every fetch
        self.responses: list = []  # queued answers: (status, text|json), an exception, a Future
        # The page: <html> is content_height tall in a frame viewport_height tall.
        self.content_height = 300
        self.viewport_height = 600
        self.page_width = 800
        self.watchers: list = []  # on_change callbacks of live watch_document handles

    # -- Host --------------------------------------------------------------------------
    def post(self, message: str, target_origin: str) -> None:
        self.sent.append((message, target_origin))

    def listen(self, handler) -> None:
        assert self.handler is None, "one listener per page"
        self.handler = handler

    def now_ms(self) -> float:
        return self.now

    def call_later(self, delay: float, fn, *args) -> _Timer:
        timer = _Timer(self.now + delay * 1000, fn, args)
        self._timers.append(timer)
        return timer

    def create_future(self) -> asyncio.Future:
        return asyncio.get_running_loop().create_future()

    def spawn(self, awaitable) -> asyncio.Future:
        return asyncio.ensure_future(awaitable)

    def on_dom_ready(self, fn) -> None:
        self._dom_ready.append(fn)

    def mark(self, name: str) -> None:
        self.marks.append(name)

    def document_size(self) -> DocumentSize:
        return DocumentSize(
            scroll_width=self.page_width,
            scroll_height=max(self.content_height, self.viewport_height),
            offset_width=self.page_width,
            offset_height=self.content_height,
            content_height=self.content_height,
        )

    def watch_document(self, on_change) -> _Watch:
        self.watchers.append(on_change)
        return _Watch(self.watchers, on_change)

    async def fetch(self, url: str, body: str) -> tuple[int, str]:
        self.http.append((url, body))
        response = self.responses.pop(0) if self.responses else (200, {"result": {}})
        if isinstance(response, asyncio.Future):
            response = await response
        if isinstance(response, BaseException):
            raise response
        status, payload = response
        return status, payload if isinstance(payload, str) else json.dumps(payload)

    def form(self, index: int = -1) -> dict[str, str]:
        """The body of a fetch, decoded flat (``filter[>ID]`` stays one key)."""
        return dict(parse_qsl(self.http[index][1], keep_blank_values=True))

    # -- test controls -----------------------------------------------------------------
    async def advance(self, seconds: float) -> None:
        """Move the virtual clock, firing due timers in order, then let asyncio settle."""
        end = self.now + seconds * 1000
        while True:
            await settle()  # tasks woken by the last timer may schedule new ones
            due = [t for t in self._timers if not t.cancelled and t.due <= end]
            if not due:
                break
            timer = min(due, key=lambda t: t.due)
            self._timers.remove(timer)
            self.now = max(self.now, timer.due)
            timer.fn(*timer.args)
        self.now = end

    def fire_dom_ready(self) -> None:
        for fn in self._dom_ready:
            fn()

    def deliver(self, data, origin: str = PORTAL_ORIGIN) -> None:
        self.handler(origin, data)

    def requests(self, command: str | None = None) -> list[tuple[str, str, str, str]]:
        decoded = [split_request(message) for message, _ in self.sent]
        return [r for r in decoded if command is None or r[0] == command]

    def reply(self, command: str, *value) -> str:
        """Answer the last ``command`` sent, as the portal would. Returns its callback id."""
        callback_id = self.requests(command)[-1][2]
        assert callback_id, f"{command} was sent without a callback id"
        self.deliver(encode_reply(callback_id, *value))
        return callback_id

    def page_changes(self, kind: str = "mutation", **sizes) -> None:
        """The page changed (``content_height=…``); watchers hear ``kind``."""
        for name, value in sizes.items():
            setattr(self, name, value)
        for on_change in list(self.watchers):
            on_change(kind)

    @property
    def pending_timers(self) -> int:
        return sum(not t.cancelled for t in self._timers)


async def settle() -> None:
    """Let already-scheduled asyncio callbacks (future done-callbacks, tasks) run."""
    for _ in range(5):
        await asyncio.sleep(0)
