"""Auto-fit (``BX24.autoFit()``, pyb24-only): keep the frame as tall as the page. Pure core.

The host reports "the document may have changed size" (a ResizeObserver and a
MutationObserver in the browser); this controller waits for the changes to settle, measures
the page's own height (the ``<html>`` box, which unlike ``scrollHeight`` does not include the
frame's empty space, so the frame can shrink too) and sends one ``resizeWindow``.

Why it converges and does not loop:

* it sends nothing while the height equals the height it last asked for, so the size change
  its own resize causes is a no-op;
* one resize at a time: changes during a round trip are measured after the answer;
* a resize that makes the page change height again (a scrollbar appearing or going away
  re-wraps text) costs one more resize; a page whose height *follows* the frame's
  (``min-height: 100vh``) would grow forever, so after ``LOOP_LIMIT`` quick resizes in a row
  with no DOM mutation in between, auto-fit pauses until the page's DOM changes;
* a portal that does not answer ``resizeWindow`` (denied) stops it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .bridge import ParentBridge
    from .host import Host, TimerHandle

log = logging.getLogger("pyb24")

DEBOUNCE = 0.05  # s of quiet before measuring: a burst of DOM changes costs one resize
MAX_WAIT = 0.5  # s: a page that never settles (an animation) is still fitted this often
LOOP_WINDOW = 1.0  # s: resizes closer than this without a DOM mutation form a "streak"
LOOP_LIMIT = 4  # resizes in a streak after which auto-fit pauses (see the module docstring)


class AutoFit:
    def __init__(self, bridge: ParentBridge, host: Host) -> None:
        self._bridge = bridge
        self._host = host
        self.running = False
        self.resizes = 0  # resizeWindow messages sent (for tests and curious developers)
        self._watch: TimerHandle | None = None
        self._timer: TimerHandle | None = None
        self._first_change: float | None = None  # ms; when the current burst began
        self._height: int | None = None  # the height last asked for
        self._in_flight = False
        self._dirty = False  # the page changed while a resize was in flight
        self._mutated = False  # a DOM mutation since the last resize
        self._streak = 0
        self._last_resize = float("-inf")  # ms
        self._paused = False

    def start(self) -> None:
        self.running = True
        self._watch = self._host.watch_document(self._on_change)
        self._on_change("mutation")  # the first fit counts as prompted by the page

    def stop(self) -> None:
        self.running = False
        for handle in (self._watch, self._timer):
            if handle is not None:
                handle.cancel()
        self._watch = self._timer = None

    def _on_change(self, kind: str) -> None:
        """``kind``: ``"mutation"`` (the DOM changed) or ``"resize"`` (a box changed size)."""
        if not self.running:
            return
        if kind == "mutation":
            self._mutated = True
            self._paused = False
        if self._paused:
            return
        now = self._host.now_ms()
        if self._first_change is None:
            self._first_change = now
        if self._timer is not None:
            self._timer.cancel()
        left = MAX_WAIT - (now - self._first_change) / 1000
        self._timer = self._host.call_later(max(0.0, min(DEBOUNCE, left)), self._check)

    def _check(self) -> None:
        self._timer = None
        self._first_change = None
        if not self.running:
            return
        if self._in_flight:
            self._dirty = True
            return
        height = self._host.document_size().content_height
        if height <= 0 or height == self._height:
            return
        now = self._host.now_ms()
        quick = now - self._last_resize < LOOP_WINDOW * 1000
        self._streak = self._streak + 1 if quick and not self._mutated else 0
        if self._streak >= LOOP_LIMIT:
            self._paused = True
            self._streak = 0
            log.warning(
                "autoFit: the page's height keeps following the frame's (min-height: 100vh?); "
                "paused until the page changes"
            )
            return
        self._mutated = False
        self._last_resize = now
        self._height = height
        self._in_flight = True
        self.resizes += 1
        sent = self._bridge.request("resizeWindow", {"width": "100%", "height": height})
        sent.add_done_callback(self._on_answer)

    def _on_answer(self, future: asyncio.Future[Any]) -> None:
        self._in_flight = False
        if future.cancelled():
            return
        if future.exception() is not None:  # ReplyTimeout: the portal denies resizeWindow
            log.warning("autoFit stopped: the portal does not answer resizeWindow")
            self.stop()
            return
        if self._dirty:
            self._dirty = False
            self._on_change("resize")
