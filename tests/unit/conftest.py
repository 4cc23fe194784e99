"""Unit-test fixtures: one REST-emulating portal shared by the test_rest_* modules."""

import pytest
from restkit import start


@pytest.fixture(scope="session")
def rest_emu(tmp_path_factory):
    emulator = start(tmp_path_factory)
    yield emulator
    emulator.stop()
