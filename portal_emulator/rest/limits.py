"""What can go wrong on purpose: the portal's rate limit and injected faults."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_BURST = 50  # PROTOCOL.md §5.9, plans below Enterprise
DEFAULT_DRAIN = 2.0  # requests per second


class LeakyBucket:
    """Each request adds 1; the level drains at ``drain`` per second; a request that would
    take the level above ``burst`` is refused (and not counted)."""

    def __init__(
        self,
        burst: int = DEFAULT_BURST,
        drain: float = DEFAULT_DRAIN,
        clock: Callable[[], float] = time.monotonic,
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
            self._level = max(0.0, self._level - (now - self._last) * self.drain)
            self._last = now
            if self._level + 1 > self.burst:
                return False
            self._level += 1
            return True


@dataclass
class Fault:
    """An injected failure for the next ``remaining`` matching requests.

    ``kind`` "fail" answers ``status`` (with ``code``, or the raw ``body`` when given);
    "drop" closes the connection without any answer. ``method`` None matches every method.
    """

    kind: str
    remaining: int
    method: str | None = None
    status: int = 500
    code: str | None = None
    body: bytes | None = None


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
