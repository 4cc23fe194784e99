"""within(): a deadline on the host's clock (the fake one here) for the task that awaits."""

import asyncio

import pytest

from pyb24.host import pause, within
from tests.support.fakes import FakeHost


async def test_an_answer_in_time_is_the_result_and_leaves_no_timer():
    host = FakeHost()
    answer = asyncio.get_running_loop().create_future()
    waiting = asyncio.ensure_future(within(host, 5, answer))
    await host.advance(4.9)
    answer.set_result("ok")
    assert await waiting == "ok"
    assert host.pending_timers == 0


async def test_time_running_out_is_a_timeout_error_and_the_work_is_cancelled():
    host = FakeHost()
    answer = asyncio.get_running_loop().create_future()
    waiting = asyncio.ensure_future(within(host, 5, answer))
    await host.advance(5)
    with pytest.raises(TimeoutError, match="no answer in 5 s"):
        await waiting
    assert answer.cancelled()


async def test_the_task_goes_on_after_a_timeout():
    """The deadline cancels the awaiting task and takes that back: the code that caught the
    TimeoutError awaits on, and a later deadline in the same task works the same way."""
    host = FakeHost()

    async def caller():
        try:
            await within(host, 1, asyncio.get_running_loop().create_future())
        except TimeoutError:
            pass
        await pause(host, 1)
        later = asyncio.get_running_loop().create_future()
        host.call_later(0.5, later.set_result, "second")
        return await within(host, 1, later), asyncio.current_task().cancelling()

    task = asyncio.ensure_future(caller())
    await host.advance(3)
    assert await task == ("second", 0)


async def test_the_callers_cancel_is_a_cancel_not_a_timeout():
    host = FakeHost()
    answer = asyncio.get_running_loop().create_future()
    waiting = asyncio.ensure_future(within(host, 5, answer))
    await host.advance(4.9)
    waiting.cancel()
    await host.advance(0.2)
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert answer.cancelled() and host.pending_timers == 0
