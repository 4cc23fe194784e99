"""Helpers for an app's own tests under CPython (no browser): ``run_async``.

An app's logic that takes its ``BX24`` as an argument (``RelatedDeals(BX24, deal)``) is
tested under plain CPython with a small fake of the calls it makes; ``run_async`` awaits it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T], timeout: float | None = 60.0) -> T:
    """Run ``coroutine`` to its end on a fresh asyncio loop and return its value (or raise
    its exception). The loop runs in a thread of its own, so this works beside the ``b24``
    fixture too: Playwright's sync API keeps a loop running in the test's thread, where
    ``asyncio.run`` refuses to start. ``timeout`` seconds (None: no limit) bound it: a hang
    fails as ``TimeoutError``."""
    outcome: list[Any] = []

    async def bounded() -> T:
        return await asyncio.wait_for(coroutine, timeout)

    def target() -> None:
        try:
            outcome.append((True, asyncio.run(bounded())))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            outcome.append((False, exc))

    thread = threading.Thread(target=target, name="pyb24-run-async", daemon=True)
    thread.start()
    thread.join()
    ok, value = outcome[0]
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]
