"""The seam between the pure core and the browser (DESIGN.md: pure core, thin glue).

``pyb24.browser.BrowserHost`` implements it with ``js``/``pyodide``; unit tests use a fake
with a virtual clock (tests/support/fakes.py). Every timer, task and clock reading of the
core goes through the host, so that fake clock drives all of pyb24's time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class NetworkError(OSError):
    """A request that got no HTTP answer at all (offline, refused, CORS, aborted)."""


class TimerHandle(Protocol):
    def cancel(self) -> None: ...


@dataclass(frozen=True)
class DocumentSize:
    """Sizes of ``document.documentElement`` in CSS px (BX24.getScrollSize, BX24.autoFit)."""

    scroll_width: int
    scroll_height: int  # never less than the frame's height: it includes empty space
    offset_width: int
    offset_height: int
    content_height: int  # the <html> box's height, rounded up: the page's own height


class Host(Protocol):
    window_name: str

    def post(self, message: str, target_origin: str) -> None:
        """``window.parent.postMessage(message, target_origin)``."""

    def listen(self, handler: Callable[[str, Any], None]) -> None:
        """Call ``handler(event.origin, event.data)`` for every window ``message`` event.

        ``data`` is a ``str`` for string messages and anything else (never a str) otherwise."""

    def now_ms(self) -> float:
        """``Date.now()``: epoch milliseconds."""

    def call_later(self, delay: float, fn: Callable[..., Any], *args: Any) -> TimerHandle:
        """Run ``fn(*args)`` after ``delay`` seconds."""

    def create_future(self) -> asyncio.Future[Any]:
        """A future on the page's event loop."""

    def spawn(self, awaitable: Awaitable[Any]) -> asyncio.Future[Any]:
        """Run ``awaitable`` as a task on the page's event loop. It may run at once up to its
        first suspension, as a JS async function does (BrowserHost) or start on the loop's
        next turn (the unit tests' fake): the core must not depend on which."""

    def on_dom_ready(self, fn: Callable[[], Any]) -> None:
        """Run ``fn`` once the document has a body (at once if it already has)."""

    async def fetch(self, url: str, body: str) -> tuple[int, str]:
        """POST ``body`` as ``application/x-www-form-urlencoded`` (CORS-safelisted: no preflight);
        return ``(status, text)``. Raises ``NetworkError`` when no answer arrives."""

    def mark(self, name: str) -> None:
        """A ``performance.mark``: shows pyb24's milestones in the browser's profiler."""

    def document_size(self) -> DocumentSize:
        """The page's sizes now."""

    def watch_document(self, on_change: Callable[[str], None]) -> TimerHandle:
        """Call ``on_change("resize")`` when the page's box changes size and
        ``on_change("mutation")`` when its DOM changes, until the handle is cancelled."""


async def within(host: Host, seconds: float, awaitable: Awaitable[T]) -> T:
    """Await ``awaitable`` for at most ``seconds`` of the host's clock (``asyncio.timeout`` on
    the host's timers): ``TimeoutError`` when time runs out, the work itself cancelled.

    No task of its own: the timer cancels the task that awaits, so a REST call costs no extra
    trip through the browser's event loop (bench/call_overhead.py)."""
    task = asyncio.current_task()
    if task is None:
        raise RuntimeError("within() must be awaited inside a task")
    expired = False

    def expire() -> None:
        nonlocal expired
        expired = True
        task.cancel()

    timer = host.call_later(seconds, expire)
    try:
        return await awaitable
    except asyncio.CancelledError:
        if expired and task.uncancel() == 0:  # our cancel, not the caller's
            raise TimeoutError(f"no answer in {seconds:g} s") from None
        raise
    finally:
        timer.cancel()


async def pause(host: Host, seconds: float) -> None:
    """``asyncio.sleep`` on the host's clock (a fake clock drives it in tests)."""
    done = host.create_future()

    def wake() -> None:
        if not done.done():
            done.set_result(None)

    host.call_later(seconds, wake)
    await done
