"""The BX24 facade with a fake host: lifecycle, auth, options (PROTOCOL.md §3.1–3.6, §4)."""

import asyncio
import json
import logging
from typing import get_type_hints

import pytest

from pyb24 import AuthData, NotInitializedError, NotInPortalError, PlacementInfo, ReplyTimeout
from pyb24.auth import AuthFields
from pyb24.facade import BX24Facade
from tests.support.fakes import INIT_DATA, NOW, SID, FakeHost, settle


def start(**overrides):
    host = FakeHost()
    bx24 = BX24Facade(host)
    return host, bx24, {**INIT_DATA, **overrides}


async def initialised(**overrides):
    host, bx24, data = start(**overrides)
    host.reply("getInitData", data)
    await host.advance(0.05)
    return host, bx24


# -- outside a portal --------------------------------------------------------------------
async def test_outside_a_portal_nothing_is_posted_and_init_fails_fast():
    host = FakeHost(window_name="")
    bx24 = BX24Facade(host)
    assert host.handler is None and host.sent == []
    with pytest.raises(NotInPortalError, match="emulated portal"):
        bx24.init()
    with pytest.raises(NotInPortalError):
        bx24.installFinish()
    assert bx24.getAuth() is False and bx24.getDomain() == "" and bx24.isAdmin() is False
    assert host.sent == []


# -- init --------------------------------------------------------------------------------
async def test_get_init_data_is_sent_at_once_with_empty_params():
    host, bx24, _ = start()
    [(command, params, callback_id, app_sid)] = host.requests()
    assert (command, params, app_sid) == ("getInitData", "", SID)
    assert callback_id
    assert bx24.getDomain() == "acme.bitrix24.com"  # from window.name, before init


async def test_init_handlers_run_in_order_after_the_librarys_own():
    host, bx24, data = start()
    order = []
    bx24.init(lambda: order.append(("first", bx24.userOption.get("theme"))))
    waiter = asyncio.ensure_future(bx24.init())
    bx24.init(lambda: order.append(("third", None)))
    waiter.add_done_callback(lambda _f: order.append(("awaited", None)))
    await settle()
    assert order == [] and bx24.getLang() == ""
    host.reply("getInitData", {**data, "USER_OPTIONS": {"theme": "dark"}})
    assert order == []  # deferred, as BX24.js does with setTimeout(fn, 10)
    await host.advance(0.05)
    assert order == [("first", "dark"), ("awaited", None), ("third", None)]
    assert host.marks == ["pyb24:session", "pyb24:init"]  # bench/startup.py's round trip


async def test_init_after_init_is_deferred_but_runs():
    host, bx24 = await initialised()
    ran = []
    future = bx24.init(lambda: ran.append(1))
    assert ran == []
    await host.advance(0.01)
    assert ran == [1] and future.done()


async def test_init_data_that_is_not_an_object_leaves_bx24_uninitialised(caplog):
    host, bx24, _ = start()
    future = bx24.init()
    host.reply("getInitData", [])
    await host.advance(1)
    assert not future.done() and bx24.getAuth() is False
    assert "not an object" in caplog.text


async def test_protocol_from_init_data_moves_the_target_origin():
    host = FakeHost(window_name=f"portal.local:8080|1|{SID}")
    bx24 = BX24Facade(host)
    callback_id = host.requests()[0][2]
    host.deliver(
        f"{callback_id}:" + json.dumps({**INIT_DATA, "PROTOCOL": "0"}),
        origin="https://portal.local:8080",
    )
    await host.advance(0.05)
    bx24.userOption.set("a", 1)
    assert host.sent[-1][1] == "http://portal.local:8080"


# -- getAuth / refreshAuth ---------------------------------------------------------------
async def test_get_auth_is_false_before_init_and_after_expiry():
    host, bx24, data = start()
    assert bx24.getAuth() is False
    host.reply("getInitData", data)
    auth = bx24.getAuth()
    assert isinstance(auth, AuthData)
    assert auth == {
        "access_token": "secret-access-token",
        "refresh_token": "secret-refresh-token",
        "expires_in": int(NOW + 3600 * 1000),  # absolute epoch milliseconds
        "domain": "acme.bitrix24.com",
        "member_id": "member42",
    }
    assert auth.access_token == "secret-access-token"
    assert "secret" not in repr(auth) and "secret" not in str(auth) and "secret" not in repr(bx24)
    await host.advance(3600)
    assert bx24.getAuth() is False


async def test_get_auth_holds_what_its_typed_dict_tells_type_checkers():
    _, bx24 = await initialised()
    auth = bx24.getAuth()
    hints = get_type_hints(AuthFields)
    assert set(auth) == set(hints)
    assert all(isinstance(auth[key], hint) for key, hint in hints.items())
    info = bx24.placement.info()
    assert set(info) == set(get_type_hints(PlacementInfo))
    assert isinstance(info["placement"], str) and isinstance(info["options"], dict)


async def test_refresh_auth_updates_tokens_for_callback_and_awaitable():
    host, bx24 = await initialised()
    seen = []
    future = bx24.refreshAuth(seen.append)
    assert host.requests("refreshAuth")[0][1] == "{}"
    await host.advance(5)
    replied_at = host.now
    host.reply(
        "refreshAuth", {"AUTH_ID": "new-token", "AUTH_EXPIRES": 1800, "REFRESH_ID": "new-refresh"}
    )
    auth = await future
    assert seen == [auth]
    assert auth["access_token"] == "new-token" and auth["refresh_token"] == "new-refresh"
    assert auth["expires_in"] == int(replied_at + 1800 * 1000)


async def test_refresh_auth_times_out_when_the_portal_stays_silent():
    host, bx24 = await initialised()
    future = bx24.refreshAuth()
    await host.advance(10.1)
    with pytest.raises(ReplyTimeout):
        await future
    assert bx24._bridge.pending_count == 0


async def test_refresh_auth_before_init_is_an_error():
    _, bx24, _ = start()
    with pytest.raises(NotInitializedError):
        bx24.refreshAuth()


@pytest.mark.parametrize("admin", [True, False])
async def test_is_admin_follows_init_data(admin):
    _, bx24 = await initialised(IS_ADMIN=admin)
    assert bx24.isAdmin() is admin


# -- install (§4.2) ----------------------------------------------------------------------
async def test_first_run_install_chain_runs_installers_in_order_then_init():
    host, bx24, data = start()
    order = []

    def first():
        order.append("install 1")
        bx24.installFinish()  # advances the chain, sends nothing

    async def second():
        await asyncio.sleep(0)
        order.append("install 2")
        bx24.installFinish()

    bx24.install(first)
    bx24.install(second)
    bx24.init(lambda: order.append("init"))
    host.reply("getInitData", {**data, "FIRST_RUN": True})
    assert order == ["install 1"]  # called synchronously, not deferred
    await host.advance(0.05)
    assert order == ["install 1", "install 2", "init"]
    commands = [r[0] for r in host.requests()]
    assert commands == ["getInitData", "setInstall"]
    assert host.requests("setInstall")[0] == ("setInstall", '{"install":true}', "", SID)
    bx24.installFinish()  # after the chain: a no-op, even in install mode
    assert [r[0] for r in host.requests()] == ["getInitData", "setInstall"]


async def test_installers_do_not_run_without_first_run():
    host, bx24, data = start()
    ran = []
    bx24.install(lambda: ran.append(1))
    host.reply("getInitData", data)
    await host.advance(0.05)
    assert ran == [] and not host.requests("setInstall")


async def test_first_run_without_installers_sends_no_set_install():
    host, bx24, data = start()
    future = bx24.init()
    host.reply("getInitData", {**data, "FIRST_RUN": True})
    await host.advance(0.05)
    assert future.done() and not host.requests("setInstall")


async def test_a_failing_installer_stalls_the_chain(caplog):
    host, bx24, data = start()

    def broken():
        raise RuntimeError("no disk")

    bx24.install(broken)
    future = bx24.init()
    host.reply("getInitData", {**data, "FIRST_RUN": True})
    await host.advance(1)
    assert "Installation failed!" in caplog.text
    assert not future.done() and not host.requests("setInstall")


async def test_install_finish_in_install_mode_tells_the_portal():
    host, bx24 = await initialised(INSTALL=True)
    bx24.installFinish()
    assert host.requests("setInstallFinish") == [("setInstallFinish", "{}", "", SID)]


async def test_install_finish_outside_install_mode_is_a_no_op():
    host, bx24 = await initialised(INSTALL=False)
    bx24.installFinish()
    assert not host.requests("setInstallFinish")


async def test_script_url_installers_are_refused():
    _, bx24, _ = start()
    with pytest.raises(TypeError, match="Python callable"):
        bx24.install("https://example.com/install.js")


# -- options (§3.5, §3.6, §4.5) ----------------------------------------------------------
async def test_user_options_are_stubs_until_init_then_cached_and_sent_without_callback():
    host, bx24, data = start()
    bx24.userOption.set("theme", "dark")
    assert bx24.userOption.get("theme") is None and not host.requests("setUserOption")
    host.reply("getInitData", data)  # USER_OPTIONS is PHP's [] here
    await host.advance(0.05)
    assert bx24.userOption.get("theme") is None
    assert bx24.userOption.set("theme", "dark") is None
    assert bx24.userOption.get("theme") == "dark"
    assert host.requests("setUserOption") == [
        ("setUserOption", '{"name":"theme","value":"dark"}', "", SID)
    ]


async def test_app_option_set_by_admin_waits_for_the_portal():
    host, bx24 = await initialised(IS_ADMIN=True)
    assert bx24.appOption.get("mode") == "a"
    seen = []
    future = bx24.appOption.set("mode", "b", seen.append)
    assert bx24.appOption.get("mode") == "b"
    command, params, callback_id, _ = host.requests("setAppOption")[0]
    assert json.loads(params) == {"name": "mode", "value": "b"} and callback_id
    host.reply("setAppOption", {"mode": "b"})
    assert await future == {"mode": "b"} and seen == [{"mode": "b"}]


async def test_app_option_set_without_an_answer_times_out_without_leaking():
    host, bx24 = await initialised(IS_ADMIN=True)
    future = bx24.appOption.set("mode", "b")
    await host.advance(11)
    with pytest.raises(ReplyTimeout):
        await future
    assert bx24._bridge.pending_count == 0


async def test_app_option_set_by_non_admin_is_a_no_op():
    host, bx24 = await initialised(IS_ADMIN=False)
    seen = []
    assert await bx24.appOption.set("mode", "b", seen.append) is False
    assert not host.requests("setAppOption") and seen == []
    assert bx24.appOption.get("mode") == "a"


async def test_option_values_stay_out_of_reprs_and_logs(caplog):
    with caplog.at_level(logging.DEBUG, logger="pyb24"):
        host, bx24 = await initialised(USER_OPTIONS={"pin": "1234-secret"})
        bx24.userOption.set("pin", "5678-secret")
    assert "secret" not in repr(bx24.userOption) and "secret" not in caplog.text


# -- placement and ready -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [({"ID": "42"}, {"ID": "42"}), ('{"ID":"42"}', {"ID": "42"}), ([], {}), ("", {}), (None, {})],
)
async def test_placement_info_normalises_options(raw, expected):
    _, bx24 = await initialised(PLACEMENT_OPTIONS=raw)
    assert bx24.placement.info() == {"placement": "CRM_DEAL_DETAIL_TAB", "options": expected}


async def test_ready_waits_for_the_dom():
    host, bx24, _ = start()
    ran = []
    future = bx24.ready(lambda: ran.append(1))
    assert not bx24.isReady()
    host.fire_dom_ready()
    assert bx24.isReady() and ran == []
    await host.advance(0.01)
    assert ran == [1] and future.done()
    bx24.ready(lambda: ran.append(2))
    await host.advance(0.01)
    assert ran == [1, 2]
