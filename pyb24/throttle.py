"""Client-side throttling the portal accepts (PROTOCOL.md §5.9–5.10). Pure: time is passed in.

The portal counts requests in a leaky bucket per portal and source address: every request
adds one, the counter drains ``rate`` per second, and a request that finds it above ``burst``
gets 503 ``QUERY_LIMIT_EXCEEDED`` (50 / 2 per second; 250 / 5 on enterprise plans). pyb24
keeps the same bucket on its side and makes each request wait for a free slot, so a page that
fires 200 calls at once sends them as fast as the portal allows and no faster. A ``batch`` is
one request. Slots are handed out first come, first served: every waiter reserves its slot
when it asks, so concurrent callers never race for the same one.

The bucket cannot see other tabs or apps of the same portal, so a 503 can still come; then
:class:`Backoff` says how long to wait before retrying (exponential, with jitter, bounded),
and the bucket is marked full so every other caller of the page slows down too.

A method that used up its operating time (429 ``OPERATION_TIME_LIMIT``, 480 s in 10 minutes)
is blocked until the portal's ``operating_reset_at``: :class:`OperatingLimits` remembers that,
so later calls fail at once instead of hammering the portal.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import OPERATION_LIMIT_CODE, RATE_LIMIT_CODES

log = logging.getLogger("pyb24.throttle")

PLANS: dict[str, tuple[float, float]] = {
    "default": (50, 2.0),
    "enterprise": (250, 5.0),
}


class LeakyBucket:
    """The portal's request counter, mirrored. ``reserve(now)`` → seconds to wait, then send."""

    def __init__(self, burst: float = 50, rate: float = 2.0):
        if burst < 1 or rate <= 0:
            raise ValueError("a bucket needs burst >= 1 and rate > 0 requests per second")
        self.burst = float(burst)
        self.rate = float(rate)
        self._level = 0.0  # requests counted (sent or reserved) and not yet drained
        self._updated: float | None = None

    def _drain(self, now: float) -> None:
        if self._updated is not None:
            self._level = max(0.0, self._level - (now - self._updated) * self.rate)
        self._updated = now if self._updated is None else max(now, self._updated)

    def reserve(self, now: float) -> float:
        """Count one request and return how long (seconds) it must wait before it is sent.

        The request may go when the counter, once it has drained for that long, leaves room
        for it; later callers queue behind the reservations already made."""
        self._drain(now)
        wait = max(0.0, (self._level + 1.0 - self.burst) / self.rate)
        self._level += 1.0
        return wait

    def fill(self, now: float) -> None:
        """The portal said it is full (a 503): assume a full bucket from now on."""
        self._drain(now)
        self._level = max(self._level, self.burst)

    def level(self, now: float) -> float:
        self._drain(now)
        return self._level


@dataclass
class Backoff:
    """When to retry after 503 ``QUERY_LIMIT_EXCEEDED``: ``base × 2^attempt`` seconds, capped,
    with "equal jitter" (between half and all of it) so that many waiting callers do not come
    back at the same instant; ``None`` once ``retries`` are used up."""

    retries: int = 5
    base: float = 0.5
    cap: float = 8.0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def delay(self, attempt: int) -> float | None:
        """Seconds to wait before retry number ``attempt + 1`` (``attempt`` counts from 0)."""
        if attempt >= self.retries:
            return None
        full = min(self.cap, self.base * (2**attempt))
        return float(full / 2 + self.rng.uniform(0, full / 2))


class OperatingLimits:
    """Methods the portal has blocked for their operating time, and until when (epoch s)."""

    def __init__(self) -> None:
        self._blocked: dict[str, float | None] = {}
        self._reset_seen: dict[str, float] = {}

    def seen(self, method: str, time_block: object) -> None:
        """Remember ``operating_reset_at`` from an answer's ``time`` block."""
        if isinstance(time_block, dict):
            reset = time_block.get("operating_reset_at")
            if isinstance(reset, int | float) and not isinstance(reset, bool):
                self._reset_seen[method] = float(reset)

    def block(self, method: str, now_s: float, default_s: float = 600.0) -> float:
        """The portal answered 429: block ``method``; returns when it resets (epoch s)."""
        reset = self._reset_seen.get(method)
        if reset is None or reset <= now_s:
            reset = now_s + default_s  # the portal's window is ten minutes
        self._blocked[method] = reset
        return reset

    def blocked_until(self, method: str, now_s: float) -> float | None:
        """When ``method`` is usable again, or ``None`` when it is not blocked now."""
        reset = self._blocked.get(method)
        if reset is None:
            return None
        if reset <= now_s:
            del self._blocked[method]
            return None
        return reset


def plan_limits(plan: str) -> tuple[float, float]:
    try:
        return PLANS[plan]
    except KeyError:
        raise ValueError(f"unknown plan {plan!r}: use one of {', '.join(PLANS)}") from None


Answer = tuple[int, dict[str, Any]]


class Throttle:
    """Every HTTP request of a page passes :meth:`send`: it waits for a slot in the bucket,
    retries 503 ``QUERY_LIMIT_EXCEEDED`` after a backoff, and answers for a method the
    portal has blocked (429) without sending it. Time comes from the host (``now_s``,
    ``sleep``), so a fake clock drives it in tests."""

    def __init__(
        self,
        now_s: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        rng: random.Random | None = None,
    ):
        self._now = now_s
        self._sleep = sleep
        self.bucket = LeakyBucket(*PLANS["default"])
        self.backoff = Backoff(rng=rng or random.Random())
        self.limits = OperatingLimits()
        self.enabled = True

    def configure(
        self,
        plan: str | None = None,
        burst: float | None = None,
        rate: float | None = None,
        retries: int | None = None,
        enabled: bool | None = None,
    ) -> None:
        """``plan="enterprise"`` (250 / 5 per second) or ``"default"`` (50 / 2), or explicit
        ``burst``/``rate``; ``retries`` after a 503; ``enabled=False`` sends at once."""
        default_burst, default_rate = plan_limits(plan) if plan else (None, None)
        if plan or burst is not None or rate is not None:
            self.bucket = LeakyBucket(
                burst if burst is not None else default_burst or self.bucket.burst,
                rate if rate is not None else default_rate or self.bucket.rate,
            )
        if retries is not None:
            if retries < 0:
                raise ValueError("retries must be >= 0")
            self.backoff.retries = retries
        if enabled is not None:
            self.enabled = enabled

    async def send(self, method: str, request: Callable[[], Awaitable[Answer]]) -> Answer:
        """Run ``request`` (one HTTP request) when the bucket allows; see the class doc."""
        blocked = self.limits.blocked_until(method, self._now())
        if blocked is not None:
            return 429, {
                "error": OPERATION_LIMIT_CODE,
                "error_description": (
                    f"the portal blocked {method} for this app (operating time used up); "
                    "pyb24 did not send the request"
                ),
                "time": {"operating_reset_at": blocked},
            }
        attempt = 0
        while True:
            if self.enabled:
                wait = self.bucket.reserve(self._now())
                if wait > 0:
                    await self._sleep(wait)
            status, answer = await request()
            code = answer.get("error")
            if status == 503 and code in RATE_LIMIT_CODES:
                self.bucket.fill(self._now())
                delay = self.backoff.delay(attempt)
                if delay is None:
                    return status, answer
                log.info("%s: %s, retrying in %.1f s", method, code, delay)
                await self._sleep(delay)
                attempt += 1
                continue
            time_block = answer.get("time")
            self.limits.seen(method, time_block)
            if code == OPERATION_LIMIT_CODE:
                reset = self.limits.block(method, self._now())
                extra = time_block if isinstance(time_block, dict) else {}
                return status, {**answer, "time": {**extra, "operating_reset_at": reset}}
            return status, answer
