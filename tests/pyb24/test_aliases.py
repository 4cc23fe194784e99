"""PEP 8 names: one table, each name the very same object as its BX24.js twin."""

import pytest

from pyb24.aliases import ALIASES
from pyb24.facade import BX24Facade
from tests.support.fakes import INIT_DATA, FakeHost


async def bx24():
    host = FakeHost()
    bx24 = BX24Facade(host)
    host.reply("getInitData", INIT_DATA)
    await host.advance(0.05)
    return bx24


@pytest.mark.parametrize(
    ("table", "owner"),
    [("BX24", lambda b: b), ("placement", lambda b: b.placement), ("im", lambda b: b.im)],
)
async def test_every_alias_is_its_camel_case_twin(table, owner):
    target = owner(await bx24())
    for snake, camel in ALIASES[table].items():
        assert getattr(target, snake) == getattr(target, camel), snake


async def test_aliases_follow_attributes_rebound_at_init():
    host = FakeHost()
    b = BX24Facade(host)
    stub = b.user_option
    host.reply("getInitData", INIT_DATA)
    await host.advance(0.05)
    assert b.user_option is b.userOption and b.user_option is not stub
    assert b.get_lang() == "en" and b.is_admin() is True


def test_the_names_the_issue_lists_exist():
    wanted = {
        "call_method", "call_batch", "call_bind", "call_unbind", "get_auth", "refresh_auth",
        "is_admin", "get_lang", "get_domain", "install_finish", "user_option", "app_option",
        "resize_window", "fit_window", "set_title", "select_user", "select_users",
        "select_access", "select_crm", "open_application", "close_application", "open_path",
    }  # fmt: skip
    assert wanted <= set(ALIASES["BX24"])
    assert {"get_interface", "bind_event"} <= set(ALIASES["placement"])
