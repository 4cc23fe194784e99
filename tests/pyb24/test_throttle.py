"""The client-side leaky bucket, the 503 backoff schedule and operating-time blocks."""

import asyncio
import random

import pytest

from pyb24.throttle import Backoff, LeakyBucket, OperatingLimits, Throttle, plan_limits
from tests.support.fakes import FakeHost


def test_a_burst_goes_at_once_then_two_per_second():
    bucket = LeakyBucket(50, 2.0)
    waits = [bucket.reserve(now=0.0) for _ in range(54)]
    assert waits[:50] == [0.0] * 50
    assert waits[50:] == [0.5, 1.0, 1.5, 2.0]


def test_reservations_never_overfill_the_portal_bucket():
    """Replay the send times against the portal's own rule (counter + 1 must stay <= burst)."""
    for burst, rate in (plan_limits("default"), plan_limits("enterprise")):
        bucket = LeakyBucket(burst, rate)
        rng = random.Random(7)
        sends, now = [], 0.0
        for _ in range(600):
            now += rng.choice([0.0, 0.0, 0.01, 0.3, 1.0])
            sends.append(now + bucket.reserve(now))
        level, last = 0.0, 0.0
        for at in sorted(sends):
            level = max(0.0, level - (at - last) * rate) + 1
            last = at
            assert level <= burst + 1e-9


def test_the_bucket_drains_while_idle():
    bucket = LeakyBucket(50, 2.0)
    for _ in range(50):
        bucket.reserve(0.0)
    assert bucket.reserve(10.0) == 0.0  # 20 drained in 10 s
    assert bucket.level(10.0) == pytest.approx(31)


def test_a_503_fills_the_bucket_for_everyone():
    bucket = LeakyBucket(50, 2.0)
    bucket.reserve(0.0)
    bucket.fill(0.0)
    assert bucket.reserve(0.0) == pytest.approx(0.5)


def test_bucket_refuses_nonsense_limits():
    with pytest.raises(ValueError):
        LeakyBucket(0, 2)
    with pytest.raises(ValueError):
        LeakyBucket(50, 0)
    with pytest.raises(ValueError, match="unknown plan"):
        plan_limits("gold")


def test_backoff_grows_with_jitter_and_is_bounded():
    backoff = Backoff(retries=5, base=0.5, cap=4.0, rng=random.Random(1))
    delays = [backoff.delay(attempt) for attempt in range(6)]
    assert delays[-1] is None
    for attempt, delay in enumerate(delays[:-1]):
        full = min(4.0, 0.5 * 2**attempt)
        assert full / 2 <= delay <= full
    # jitter: two callers do not come back at the same instant
    other = Backoff(rng=random.Random(2))
    assert other.delay(2) != Backoff(rng=random.Random(3)).delay(2)


def test_operating_limit_blocks_a_method_until_the_portal_reset():
    limits = OperatingLimits()
    limits.seen("crm.deal.list", {"operating_reset_at": 1_000.0, "operating": 470.0})
    assert limits.blocked_until("crm.deal.list", 900.0) is None
    assert limits.block("crm.deal.list", now_s=900.0) == 1_000.0
    assert limits.blocked_until("crm.deal.list", 950.0) == 1_000.0
    assert limits.blocked_until("crm.deal.get", 950.0) is None  # per method
    assert limits.blocked_until("crm.deal.list", 1_000.0) is None  # reset: usable again
    # no reset time seen: the portal's ten-minute window
    assert limits.block("user.get", now_s=50.0) == 650.0


# -- Throttle: the async gate every request passes, on a fake clock ---------------------------


def gate(host, **kwargs):
    async def sleep(seconds):
        done = host.create_future()
        host.call_later(seconds, lambda: done.done() or done.set_result(None))
        await done

    return Throttle(now_s=lambda: host.now / 1000, sleep=sleep, rng=random.Random(3), **kwargs)


class PortalBucket:
    """The portal's side: +1 per request, drains `rate`/s, 503 above `burst`."""

    def __init__(self, host, burst=50, rate=2.0):
        self.host, self.burst, self.rate = host, burst, rate
        self.level, self.last, self.sent, self.refused = 0.0, host.now, 0, 0

    async def request(self):
        now = self.host.now
        self.level = max(0.0, self.level - (now - self.last) / 1000 * self.rate) + 1
        self.last = now
        self.sent += 1
        if self.level > self.burst + 1e-9:
            self.level -= 1
            self.refused += 1
            return 503, {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many"}
        return 200, {"result": self.sent}


async def test_two_hundred_concurrent_requests_meet_no_limit_in_minimal_time():
    host = FakeHost()
    throttle, portal = gate(host), PortalBucket(host)
    start = host.now
    tasks = [asyncio.ensure_future(throttle.send("user.get", portal.request)) for _ in range(200)]
    await host.advance(200)
    assert all(t.done() and t.result()[0] == 200 for t in tasks)
    assert portal.refused == 0 and portal.sent == 200
    finished = max(t.result()[1]["result"] for t in tasks)
    assert finished == 200
    # the last request went at the theoretical minimum: (200 - 50) / 2 per second = 75 s
    assert portal.last - start == pytest.approx(75_000)


async def test_a_503_is_retried_after_a_backoff_then_given_up():
    host = FakeHost()
    throttle = gate(host)
    throttle.configure(retries=2)
    answers = [(503, {"error": "QUERY_LIMIT_EXCEEDED"})] * 2 + [(200, {"result": 1})]
    calls = []

    async def request():
        calls.append(host.now)
        return answers.pop(0)

    task = asyncio.ensure_future(throttle.send("m", request))
    await host.advance(30)
    assert task.result() == (200, {"result": 1}) and len(calls) == 3
    gaps = [(b - a) / 1000 for a, b in zip(calls, calls[1:], strict=False)]
    assert 0.25 <= gaps[0] <= 0.5 + 0.5 and gaps[1] > 0  # backoff (plus a bucket slot)
    always_busy = asyncio.ensure_future(
        throttle.send("m", lambda: _answer(503, {"error": "QUERY_LIMIT_EXCEEDED"}))
    )
    await host.advance(60)
    assert always_busy.result()[0] == 503  # bounded: the caller gets the 503 at last


async def _answer(status, answer):
    return status, answer


async def test_operating_limit_blocks_the_method_without_sending_again():
    host = FakeHost()
    throttle = gate(host)
    sent = []

    async def limited():
        sent.append(1)
        return 429, {"error": "OPERATION_TIME_LIMIT", "error_description": "blocked"}

    status, answer = await throttle.send("crm.deal.list", limited)
    assert status == 429 and answer["time"]["operating_reset_at"] == host.now / 1000 + 600
    again = await throttle.send("crm.deal.list", limited)
    assert again[0] == 429 and "did not send" in again[1]["error_description"] and sent == [1]
    other = await throttle.send("crm.deal.get", lambda: _answer(200, {"result": 1}))
    assert other[0] == 200


async def test_configure_plans_and_switching_off():
    host = FakeHost()
    throttle = gate(host)
    throttle.configure(plan="enterprise")
    assert (throttle.bucket.burst, throttle.bucket.rate) == (250, 5)
    throttle.configure(burst=10, rate=1)
    assert (throttle.bucket.burst, throttle.bucket.rate) == (10, 1)
    throttle.configure(enabled=False)
    for _ in range(20):
        await throttle.send("m", lambda: _answer(200, {}))  # no waiting at all
    with pytest.raises(ValueError):
        throttle.configure(plan="gold")
