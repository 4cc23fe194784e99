"""The BX24 lifecycle in a real browser: two origins, the emulated portal, Chromium.

The functions below run inside the app frame (the `b24` fixture's ``run``/``start``)."""

import json
from urllib.parse import quote

import pytest

from pyb24_toolkit.plugin import FrameRunner

HARNESS = "/tests/e2e/apps/harness.html"


async def init_by_callback_and_by_await():
    from pyb24 import BX24

    calls = []
    BX24.init(lambda: calls.append("callback"))
    await BX24.init()
    calls.append("await")
    return {
        "calls": calls,
        "lang": BX24.getLang(),
        "admin": BX24.isAdmin(),
        "domain": BX24.getDomain(),
    }


def test_init_by_callback_and_by_await(b24):
    app = b24.open(HARNESS, lang="de")
    result = app.run(init_by_callback_and_by_await)
    assert result == {
        "calls": ["callback", "await"],
        "lang": "de",
        "admin": True,
        "domain": b24.emulator.portal_origin.removeprefix("http://"),
    }
    [request] = app.messages("getInitData")
    assert request["raw"].startswith("getInitData::") and request["status"] == "handled"
    frame_name = app.frame.name
    assert frame_name == f"{result['domain']}|0|{app.page.evaluate('window.portal.appSid')}"


async def auth():
    from pyb24 import BX24

    await BX24.init()
    return dict(BX24.getAuth())


def test_get_auth_shape_and_units(b24):
    app = b24.open(HARNESS, expires=1800)
    auth_data = app.run(auth)
    issued = app.page.evaluate("window.portal.auth")
    now_ms = app.frame.evaluate("Date.now()")
    assert set(auth_data) == {"access_token", "refresh_token", "expires_in", "domain", "member_id"}
    assert auth_data["access_token"] == issued["AUTH_ID"]
    assert auth_data["refresh_token"] == issued["REFRESH_ID"]
    assert 0 < auth_data["expires_in"] - now_ms <= 1800 * 1000  # absolute epoch milliseconds
    assert auth_data["expires_in"] - now_ms > 1800 * 1000 - 60_000
    assert auth_data["domain"] == b24.emulator.portal_origin.removeprefix("http://")
    assert auth_data["member_id"]


async def refresh_auth():
    from pyb24 import BX24

    await BX24.init()
    before = BX24.getAuth()
    seen = []
    after = await BX24.refreshAuth(seen.append)
    return {
        "before": before.access_token,
        "after": after.access_token,
        "refresh": after.refresh_token,
        "callback_got_same": seen == [after],
    }


def test_refresh_auth_gets_new_tokens_from_the_portal(b24):
    app = b24.open(HARNESS)
    result = app.run(refresh_auth)
    issued = app.page.evaluate("window.portal.auth")
    assert result["before"] != result["after"]
    assert result["after"] == issued["AUTH_ID"] and result["refresh"] == issued["REFRESH_ID"]
    assert result["callback_got_same"]
    assert len(app.messages("refreshAuth")) == 1


async def install_then_init(await_init_callback):
    import asyncio

    from pyb24 import BX24

    order = []

    def first():
        order.append("installer 1")
        BX24.installFinish()

    async def second():
        await asyncio.sleep(0.05)
        order.append("installer 2")
        BX24.installFinish()

    BX24.install(first)
    BX24.install(second)
    initialised = BX24.init(lambda: order.append("init"))
    if await_init_callback:
        await initialised
    else:
        await BX24.init()
    return order


def test_first_run_install_chain_runs_before_init_and_is_remembered(b24):
    app = b24.open(HARNESS, first_run=True)
    assert app.run(install_then_init, True) == ["installer 1", "installer 2", "init"]
    [set_install] = app.messages("setInstall")
    assert set_install["raw"].startswith('setInstall:{"install":true}::')  # no callback
    assert app.messages("setInstallFinish") == []
    # Reopened without the knob: the portal remembers this user has run the app.
    app = b24.open(HARNESS, first_run=None)
    assert app.run(install_then_init, False) == ["init"]


def install_finish():
    from pyb24 import BX24

    BX24.installFinish()


async def init():
    from pyb24 import BX24

    await BX24.init()


def test_install_finish_in_install_mode_finishes_installation(b24):
    app = b24.open(HARNESS, install=True)
    app.run(init)
    app.run(install_finish)
    app.page.wait_for_url("**install_finished=Y**")
    assert b24.store.app_installed() == "Y"
    assert len(app.messages("setInstallFinish")) == 0  # the log of the new page starts empty
    app.run(init)
    [init_data] = app.messages("getInitData", direction="out")
    assert '"INSTALL":false' in init_data["raw"]


async def install_finish_then_round_trip():
    from pyb24 import BX24

    await BX24.init()
    BX24.installFinish()
    await BX24.refreshAuth()  # a later round trip: messages arrive in order


def test_install_finish_outside_install_mode_sends_nothing(b24):
    app = b24.open(HARNESS, install=False)
    app.run(install_finish_then_round_trip)
    assert [e["cmd"] for e in app.messages()] == ["getInitData", "refreshAuth"]


async def set_app_option_as_non_admin():
    from pyb24 import BX24

    await BX24.init()
    ignored = await BX24.appOption.set("mode", "x")
    await BX24.refreshAuth()
    return {"ignored": ignored, "admin": BX24.isAdmin(), "mode": BX24.appOption.get("mode")}


def test_app_option_set_by_non_admin_is_a_no_op(b24):
    app = b24.open(HARNESS, admin=False)
    assert app.run(set_app_option_as_non_admin) == {"ignored": False, "admin": False, "mode": None}
    assert app.messages("setAppOption") == []
    assert "mode" not in b24.store.app_options()


async def set_options():
    from pyb24 import BX24

    await BX24.init()
    BX24.userOption.set("greeting", "Привет: world")
    return await BX24.appOption.set("mode", {"columns": ["ID", "TITLE"]})


async def get_options():
    from pyb24 import BX24

    await BX24.init()
    return [BX24.userOption.get("greeting"), BX24.appOption.get("mode")]


def test_options_persist_across_reload(b24):
    app = b24.open(HARNESS)
    assert app.run(set_options) == {"mode": {"columns": ["ID", "TITLE"]}}
    app.page.wait_for_function(
        "async () => (await (await fetch('/portal/api/state')).json()).user_options['1']?.greeting"
    )
    app.page.reload()
    assert app.run(get_options) == ["Привет: world", {"columns": ["ID", "TITLE"]}]


def test_demo_app_saves_options_a_person_can_see_after_reload(b24):
    app = b24.open()
    frame = app.frame
    frame.wait_for_selector("#app:not([hidden])", timeout=60_000)
    assert frame.inner_text("#placement") == "DEFAULT"
    frame.fill("#user-option", "hello from the demo")
    frame.click("#user-option-form button")
    frame.wait_for_selector("#user-option-status:text('saved')")
    frame.fill("#app-option", "compact")
    frame.click("#app-option-save")
    frame.wait_for_selector("#app-option-status:text-matches('saved; ')")
    app.page.wait_for_function(
        "async () => (await (await fetch('/portal/api/state')).json()).user_options['1']?.greeting"
    )
    app.page.reload()
    frame = app.frame
    frame.wait_for_selector("#app:not([hidden])", timeout=60_000)
    assert frame.input_value("#user-option") == "hello from the demo"
    assert frame.input_value("#app-option") == "compact"


def init_outside_a_portal():
    import time

    from pyb24 import BX24

    started = time.perf_counter()
    try:
        BX24.init()
    except Exception as error:  # noqa: BLE001 - the test looks at which one
        return [type(error).__name__, str(error), time.perf_counter() - started]
    return None


def nothing():
    return None


def test_outside_a_portal_init_fails_fast_and_nothing_is_posted(b24):
    page = b24.page
    page.add_init_script(
        """
        window.__posted = 0; window.__messageListeners = 0;
        const post = window.postMessage.bind(window);
        window.postMessage = (...a) => { window.__posted++; return post(...a); };
        const add = window.addEventListener.bind(window);
        window.addEventListener = (type, ...rest) => {
          if (type === "message") window.__messageListeners++;
          return add(type, ...rest);
        };
        """
    )
    page.goto(b24.emulator.app_origin + HARNESS)
    app = FrameRunner(page.main_frame)
    app.run(nothing)  # booted
    listeners_before = page.evaluate("window.__messageListeners")
    name, message, elapsed = app.run(init_outside_a_portal)
    assert name == "NotInPortalError"
    assert "Bitrix24" in message and "emulated portal" in message
    assert elapsed < 0.1
    assert page.evaluate("window.__posted") == 0
    assert page.evaluate("window.__messageListeners") == listeners_before


async def init_and_report():
    from pyb24 import BX24

    await BX24.init()
    return [BX24.getLang(), BX24.getAuth().access_token]


def test_reply_from_a_third_origin_is_ignored(b24):
    app = b24.open(HARNESS, hold="getInitData")
    pending = app.start(init_and_report)
    app.page.wait_for_function("window.portal.log.some(e => e.cmd === 'getInitData')")
    [request] = app.messages("getInitData")
    assert request["status"] == "held"
    forged = (
        request["cb"]
        + ":"
        + json.dumps(
            {
                "LANG": "xx",
                "AUTH_ID": "forged",
                "AUTH_EXPIRES": 3600,
                "IS_ADMIN": True,
                "PLACEMENT": "DEFAULT",
                "PROTOCOL": 0,
            }
        )
    )
    third_origin = b24.emulator.portal_origin.replace("127.0.0.1", "localhost")
    assert third_origin not in (b24.emulator.portal_origin, b24.emulator.app_origin)
    app.page.evaluate(
        """url => { const f = document.createElement('iframe'); f.src = url;
                    document.body.appendChild(f); }""",
        f"{third_origin}/portal/foreign.html#{quote(forged)}",
    )
    app.page.wait_for_function("window.portal.foreignDone === true")
    app.page.evaluate("window.portal.release('getInitData')")
    assert pending.result() == ["en", app.page.evaluate("window.portal.auth.AUTH_ID")]


@pytest.mark.parametrize(("frame", "storage"), [("cross", "memory"), ("same", "indexeddb")])
def test_demo_boots_whether_or_not_the_frame_may_use_storage(b24, frame, storage):
    app = b24.open(frame=frame)
    demo = app.frame
    demo.wait_for_selector("#app:not([hidden])", timeout=60_000)
    origin = b24.emulator.app_origin if frame == "cross" else b24.emulator.portal_origin
    assert demo.url.startswith(origin + "/")
    assert demo.evaluate("window.pyb24Boot.storage") == storage
    refusal = demo.evaluate("window.pyb24Boot.refusal")  # what the browser said to indexedDB.open
    if storage == "memory":
        assert "denied" in refusal.lower()
    else:
        assert refusal is None
    assert demo.inner_text("#domain") == b24.emulator.portal_origin.removeprefix("http://")
    assert demo.inner_text("#admin") == "yes"


async def expiry_after_init_and_refresh():
    from pyb24 import BX24

    await BX24.init()
    first = BX24.getAuth()["expires_in"]
    second = (await BX24.refreshAuth())["expires_in"]
    return [first, second]


def test_auth_expires_comes_as_a_string_as_from_the_real_portal(b24):
    # The real portal sends AUTH_EXPIRES as text ("3600") in both answers (PROTOCOL.md §3.1
    # note, b24jssdk's refresh-auth spec); pyb24 reads it as seconds either way.
    app = b24.open(HARNESS, expires=1800)
    first, second = app.run(expiry_after_init_and_refresh)
    now_ms = app.frame.evaluate("Date.now()")
    for expires in (first, second):
        assert 1800 * 1000 - 60_000 < expires - now_ms <= 1800 * 1000
    replies = [
        e["raw"]
        for e in app.messages(direction="out")
        if e["cmd"] in ("getInitData", "refreshAuth")
    ]
    assert len(replies) == 2
    assert all('"AUTH_EXPIRES":"1800"' in raw for raw in replies), replies
