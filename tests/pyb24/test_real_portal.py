"""What the real portal does that BX24.js callers trip over (PROTOCOL.md §3.5, §8.27)."""

import asyncio
import json

import pytest

from pyb24 import PortalDeniedError
from pyb24.facade import BX24Facade
from tests.support.fakes import INIT_DATA, FakeHost


async def initialised(**overrides):
    host = FakeHost()
    bx24 = BX24Facade(host)
    host.reply("getInitData", {**INIT_DATA, **overrides})
    await host.advance(0.05)
    return host, bx24


# -- userOption values are text in the portal (§3.5) --------------------------------------
@pytest.mark.parametrize("value", [{"a": 1}, [1, 2], None, object()])
async def test_user_option_refuses_what_the_portal_would_store_as_other_text(value):
    host, bx24 = await initialised()
    with pytest.raises(TypeError, match="userOption.set takes a string"):
        bx24.userOption.set("k", value)
    assert host.requests("setUserOption") == [] and bx24.userOption.get("k") is None


@pytest.mark.parametrize(
    ("value", "text"), [("dark", "dark"), (1, "1"), (2.5, "2.5"), (True, "true"), (False, "false")]
)
async def test_user_option_numbers_and_bools_go_as_the_text_the_portal_keeps(value, text):
    host, bx24 = await initialised()
    bx24.userOption.set("k", value)
    [(_, params, _, _)] = host.requests("setUserOption")
    assert json.loads(params) == {"name": "k", "value": text}
    assert bx24.userOption.get("k") == text  # what a reload reads back


# -- setTitle / setScroll / reloadWindow are denied outside DEFAULT (§8.27) -------------------
DENIED = [
    ("setTitle", lambda bx24, seen: bx24.setTitle("x", seen.append)),
    ("setScroll", lambda bx24, seen: bx24.scrollParentWindow(10, seen.append)),
    ("reloadWindow", lambda bx24, seen: bx24.reloadWindow()),
]


@pytest.mark.parametrize(("command", "call"), DENIED)
async def test_awaited_denied_command_fails_at_once_outside_default(command, call):
    host, bx24 = await initialised(PLACEMENT="CRM_DEAL_DETAIL_TAB")
    seen = []
    with pytest.raises(PortalDeniedError, match=f"denies {command} in the CRM_DEAL_DETAIL_TAB"):
        await asyncio.wait_for(call(bx24, seen), 0.5)  # not the 10 s reply timeout
    assert [r[0] for r in host.requests(command)] == [command]  # still posted, as BX24.js
    assert seen == [] and bx24._bridge.pending_count == 0


@pytest.mark.parametrize(("command", "call"), DENIED)
async def test_unawaited_denied_command_is_fire_and_forget(command, call, caplog):
    host, bx24 = await initialised(PLACEMENT="CRM_DEAL_DETAIL_TAB")
    call(bx24, [])
    await host.advance(11)
    assert "never retrieved" not in caplog.text and "denies it" in caplog.text
    assert len(host.requests(command)) == 1


async def test_a_command_sent_before_init_fails_once_the_placement_is_known():
    host = FakeHost()
    bx24 = BX24Facade(host)
    title = bx24.setTitle("early")
    assert host.requests("setTitle")  # BX24.js posts window commands before init too
    host.reply("getInitData", {**INIT_DATA, "PLACEMENT": "CRM_DEAL_DETAIL_TAB"})
    with pytest.raises(PortalDeniedError):
        await asyncio.wait_for(title, 0.5)


async def test_default_placement_answers_them():
    host, bx24 = await initialised(PLACEMENT="DEFAULT")
    title = bx24.setTitle("x")
    host.reply("setTitle", {"title": "x"})
    assert await asyncio.wait_for(title, 0.5) == {"title": "x"}
    assert await asyncio.wait_for(bx24.reloadWindow(), 0.5) is None
