"""Shared pytest set-up: `async def` tests run on a fresh asyncio loop (no plugin needed)."""

import inspect

import pytest
from hypothesis import HealthCheck, settings

from pyb24_toolkit.testing import run_async

# Loaded 2-core CI machines: input generation may be slow; a test fails on wrong answers,
# never on timing.
settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100
)
settings.load_profile("ci")


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        run_async(pyfuncitem.obj(**args), timeout=None)  # beside Playwright too
        return True
    return None
