"""Unit-test fixtures: one REST-emulating portal shared by the test_rest_* modules."""

import pytest

from tests.support.restkit import client, start


@pytest.fixture(scope="session")
def rest_emu(tmp_path_factory):
    emulator = start(tmp_path_factory)
    yield emulator
    emulator.stop()


@pytest.fixture
def emu(rest_emu):
    """The shared emulator, reset to its seed before the test."""
    rest_emu.reset()
    return rest_emu


@pytest.fixture
def rest(emu):
    """A REST client authorised as user 1, the portal's administrator."""
    return client(emu, 1)


@pytest.fixture
def admin(emu):
    """User 1, the portal's administrator (as ``rest``)."""
    return client(emu, 1)


@pytest.fixture
def maria(emu):
    """User 2, Head of Sales, not an administrator."""
    return client(emu, 2)
