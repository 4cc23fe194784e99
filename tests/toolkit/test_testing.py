"""pyb24_toolkit.testing.run_async: an app's async code awaited from a plain test."""

import asyncio

import pytest

from pyb24_toolkit.testing import run_async


async def double(value):
    await asyncio.sleep(0)
    return value * 2


async def refuse():
    raise LookupError("no deal 7")


def test_returns_the_value_and_raises_the_error():
    assert run_async(double(21)) == 42
    with pytest.raises(LookupError, match="no deal 7"):
        run_async(refuse())


def test_a_hang_fails_in_bounded_time():
    with pytest.raises(TimeoutError):
        run_async(asyncio.sleep(30), timeout=0.2)


async def test_works_where_a_loop_already_runs_in_this_thread():
    # As beside Playwright's sync API: asyncio.run would refuse here.
    assert asyncio.get_running_loop().is_running()
    assert run_async(double(2)) == 4
