"""The portal's limits on their own, on a fake clock: the leaky bucket and operating time."""

import pytest

from portal_emulator.rest.limits import PLANS, LeakyBucket, OperatingTime
from tests.support.restkit import FakeClock


@pytest.fixture
def clock():
    return FakeClock()


@pytest.mark.parametrize(
    ("plan", "burst", "drain"), [("default", 50, 2.0), ("enterprise", 250, 5.0)]
)
def test_bucket_per_plan(clock, plan, burst, drain):
    assert PLANS[plan] == (burst, drain)
    bucket = LeakyBucket(*PLANS[plan], clock=clock)
    assert all(bucket.hit() for _ in range(burst))
    assert not bucket.hit() and not bucket.hit()  # refused requests do not count
    clock.advance(1)
    assert [bucket.hit() for _ in range(int(drain) + 1)] == [True] * int(drain) + [False]
    clock.advance(burst / drain)  # drained completely: a whole burst again
    assert sum(bucket.hit() for _ in range(burst + 5)) == burst


def test_bucket_drains_fractionally_and_ignores_a_clock_going_back(clock):
    bucket = LeakyBucket(2, 2.0, clock=clock)
    assert [bucket.hit(), bucket.hit(), bucket.hit()] == [True, True, False]
    clock.advance(0.25)  # half a request drained: still full
    assert not bucket.hit()
    clock.advance(0.25)
    assert bucket.hit()
    clock.advance(-100)
    assert not bucket.hit()


def test_operating_time_sums_ten_one_minute_baskets(clock):
    operating = OperatingTime(480, clock=clock)
    start_minute = int(clock() // 60) * 60
    assert operating.usage("crm.deal.list") == (0, start_minute + 600)
    for _ in range(4):
        operating.spend("crm.deal.list", 100)
        clock.advance(60)
    assert operating.usage("crm.deal.list") == (400, start_minute + 600)
    assert operating.blocked("crm.deal.list") is None
    used, reset_at = operating.spend("crm.deal.list", 80)
    assert (used, reset_at) == (480, start_minute + 600)
    assert operating.blocked("crm.deal.list") == start_minute + 600
    assert operating.blocked("user.get") is None  # per method
    clock.now = start_minute + 600  # the first basket leaves the window
    assert operating.usage("crm.deal.list") == (380, start_minute + 660)
    assert operating.blocked("crm.deal.list") is None
    clock.now = start_minute + 1200
    assert operating.usage("crm.deal.list") == (0, start_minute + 1800)


def test_operating_limit_none_never_blocks(clock):
    operating = OperatingTime(None, clock=clock)
    operating.spend("x", 10_000)
    assert operating.blocked("x") is None and operating.usage("x")[0] == 10_000
    operating.limit = 5_000
    assert operating.blocked("x") is not None
