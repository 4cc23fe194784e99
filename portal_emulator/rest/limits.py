"""What can go wrong on purpose: the portal's two limits and injected faults.

The limits follow PROTOCOL.md §5.9: a leaky bucket of requests per portal (503
``QUERY_LIMIT_EXCEEDED``) and operating time per method over ten one-minute baskets (429
``OPERATION_TIME_LIMIT``). Both read time from an injectable clock, so tests drive them
with a fake one instead of sleeping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]  # seconds since the epoch, like time.time

# Bucket per plan: (burst, drain per second). Enterprise plans get 250 / 5, the rest 50 / 2.
PLANS = {"default": (50, 2.0), "enterprise": (250, 5.0)}
DEFAULT_BURST, DEFAULT_DRAIN = PLANS["default"]

OPERATING_LIMIT = 480.0  # seconds of operating time per method in the window (cloud)
BASKET_SECONDS = 60
BASKETS = 10  # the window: ten one-minute baskets
_SLACK = 1e-6  # epoch seconds as floats are exact to ~0.2 µs: "exactly drained" counts as such


class LeakyBucket:
    """Each request adds 1; the level drains at ``drain`` per second; a request that would
    take the level above ``burst`` is refused (and not counted)."""

    def __init__(
        self, burst: int = DEFAULT_BURST, drain: float = DEFAULT_DRAIN, clock: Clock = time.time
    ) -> None:
        self.burst = burst
        self.drain = drain
        self._clock = clock
        self._level = 0.0
        self._last = clock()
        self._lock = threading.Lock()

    def hit(self) -> bool:
        with self._lock:
            now = self._clock()
            self._level = max(0.0, self._level - max(0.0, now - self._last) * self.drain)
            self._last = now
            if self._level + 1 > self.burst + _SLACK:
                return False
            self._level += 1
            return True


class OperatingTime:
    """Seconds each method spent, summed over the last ten one-minute baskets.

    A method whose sum has reached ``limit`` is blocked until its oldest basket leaves the
    window; ``limit`` None never blocks (self-hosted portals by default). The emulator
    serves one app, so the key is the method name.
    """

    def __init__(self, limit: float | None = OPERATING_LIMIT, clock: Clock = time.time) -> None:
        self.limit = limit
        self._clock = clock
        self._baskets: dict[str, dict[int, float]] = {}
        self._lock = threading.Lock()

    def _window(self, method: str, now: float) -> dict[int, float]:
        """The method's baskets still inside the window (older ones are dropped)."""
        current = int(now // BASKET_SECONDS)
        baskets = self._baskets.setdefault(method, {})
        for minute in [m for m in baskets if m <= current - BASKETS]:
            del baskets[minute]
        return baskets

    def usage(self, method: str) -> tuple[float, int]:
        """``(seconds used in the window, when the oldest basket leaves it)`` — the time
        block's ``operating`` and ``operating_reset_at``."""
        with self._lock:
            now = self._clock()
            return self._usage(self._window(method, now), now)

    def blocked(self, method: str) -> int | None:
        """When the method is over its limit: the epoch second it is free again."""
        used, reset_at = self.usage(method)
        if self.limit is not None and used >= self.limit:
            return reset_at
        return None

    def spend(self, method: str, seconds: float) -> tuple[float, int]:
        """Count ``seconds`` for ``method`` now; returns :meth:`usage` after it."""
        with self._lock:
            now = self._clock()
            baskets = self._window(method, now)
            minute = int(now // BASKET_SECONDS)
            baskets[minute] = baskets.get(minute, 0.0) + max(0.0, seconds)
            return self._usage(baskets, now)

    @staticmethod
    def _usage(baskets: dict[int, float], now: float) -> tuple[float, int]:
        oldest = min(baskets) if baskets else int(now // BASKET_SECONDS)
        return sum(baskets.values()), (oldest + BASKETS) * BASKET_SECONDS


@dataclass
class Fault:
    """An injected failure for the next ``remaining`` matching requests.

    ``kind`` "fail" answers ``status`` (with ``code`` and ``description``, or the raw ``body``
    when given);
    "drop" closes the connection without any answer. ``method`` None matches every method.
    """

    kind: str
    remaining: int
    method: str | None = None
    status: int = 500
    code: str | None = None
    body: bytes | None = None
    description: str | None = None


class FaultPlan:
    """Queued faults; a request takes the first one that matches its method."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._faults.append(fault)

    def take(self, method: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.method is None or fault.method == method:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
