"""Shared pytest set-up: `async def` tests run on a fresh asyncio loop (no plugin needed)."""

import asyncio
import inspect
import threading

import pytest
from hypothesis import HealthCheck, settings

# Loaded 2-core CI machines: input generation may be slow; a test fails on wrong answers,
# never on timing.
settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100
)
settings.load_profile("ci")


def run_in_fresh_loop(coroutine) -> None:
    """``asyncio.run`` in a thread of its own: Playwright's sync API keeps a loop running in
    the main thread once the e2e fixtures are up, and asyncio.run refuses to nest."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        run_in_fresh_loop(pyfuncitem.obj(**args))
        return True
    return None
