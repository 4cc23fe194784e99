"""The BX24 lifecycle in a real browser: two origins, the emulated portal, Chromium."""

import json
from urllib.parse import quote

import pytest

START = "from pyb24 import BX24\n"


def test_init_by_callback_and_by_await(portal):
    portal.open(lang="de")
    result = portal.python(
        START
        + """
calls = []
BX24.init(lambda: calls.append("callback"))
await BX24.init()
calls.append("await")
{"calls": calls, "lang": BX24.getLang(), "admin": BX24.isAdmin(), "domain": BX24.getDomain()}
"""
    )
    assert result == {
        "calls": ["callback", "await"],
        "lang": "de",
        "admin": True,
        "domain": portal.emulator.portal_origin.removeprefix("http://"),
    }
    [request] = portal.log("getInitData")
    assert request["raw"].startswith("getInitData::") and request["status"] == "handled"
    frame_name = portal.app.name
    assert frame_name == f"{result['domain']}|0|{portal.page.evaluate('window.portal.appSid')}"


def test_get_auth_shape_and_units(portal):
    portal.open(expires=1800)
    auth = portal.python(START + "await BX24.init()\ndict(BX24.getAuth())")
    issued = portal.page.evaluate("window.portal.auth")
    now_ms = portal.app.evaluate("Date.now()")
    assert set(auth) == {"access_token", "refresh_token", "expires_in", "domain", "member_id"}
    assert auth["access_token"] == issued["AUTH_ID"]
    assert auth["refresh_token"] == issued["REFRESH_ID"]
    assert 0 < auth["expires_in"] - now_ms <= 1800 * 1000  # absolute epoch milliseconds
    assert auth["expires_in"] - now_ms > 1800 * 1000 - 60_000
    assert auth["domain"] == portal.emulator.portal_origin.removeprefix("http://")
    assert auth["member_id"]


def test_refresh_auth_gets_new_tokens_from_the_portal(portal):
    portal.open()
    result = portal.python(
        START
        + """
await BX24.init()
before = BX24.getAuth()
seen = []
after = await BX24.refreshAuth(seen.append)
{"before": before.access_token, "after": after.access_token, "refresh": after.refresh_token,
 "callback_got_same": seen == [after]}
"""
    )
    issued = portal.page.evaluate("window.portal.auth")
    assert result["before"] != result["after"]
    assert result["after"] == issued["AUTH_ID"] and result["refresh"] == issued["REFRESH_ID"]
    assert result["callback_got_same"]
    assert len(portal.log("refreshAuth")) == 1


def test_first_run_install_chain_runs_before_init_and_is_remembered(portal):
    portal.open(first_run=1)
    code = (
        START
        + """
import asyncio
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
await BX24.init(lambda: order.append("init"))
order
"""
    )
    assert portal.python(code) == ["installer 1", "installer 2", "init"]
    [set_install] = portal.log("setInstall")
    assert set_install["raw"].startswith('setInstall:{"install":true}::')  # no callback
    assert portal.log("setInstallFinish") == []
    # Reopened without the knob: the portal remembers this user has run the app.
    portal.open()
    assert portal.python(
        code.replace("await BX24.init(", "BX24.init(") + "\nawait BX24.init()\norder"
    ) == ["init"]


def test_install_finish_in_install_mode_finishes_installation(portal):
    portal.open(install=1)
    portal.python(START + "await BX24.init()\nBX24.installFinish()")
    portal.page.wait_for_url("**install_finished=Y**")
    assert portal.state()["installed"] == "Y"
    assert len(portal.log("setInstallFinish")) == 0  # the log of the new page starts empty
    assert portal.python(START + "await BX24.init()\nBX24._init_data['INSTALL']") is False


def test_install_finish_outside_install_mode_sends_nothing(portal):
    portal.open(install=0)
    portal.python(
        START
        + """
await BX24.init()
BX24.installFinish()
await BX24.refreshAuth()   # a later round trip: messages arrive in order
"""
    )
    assert [e["cmd"] for e in portal.log()] == ["getInitData", "refreshAuth"]


def test_app_option_set_by_non_admin_is_a_no_op(portal):
    portal.open(admin=0)
    result = portal.python(
        START
        + """
await BX24.init()
ignored = await BX24.appOption.set("mode", "x")
await BX24.refreshAuth()
{"ignored": ignored, "admin": BX24.isAdmin(), "mode": BX24.appOption.get("mode")}
"""
    )
    assert result == {"ignored": False, "admin": False, "mode": None}
    assert portal.log("setAppOption") == []
    assert "mode" not in portal.state()["app_options"]


def test_options_persist_across_reload(portal):
    portal.open()
    answer = portal.python(
        START
        + """
await BX24.init()
BX24.userOption.set("greeting", "Привет: world")
await BX24.appOption.set("mode", {"columns": ["ID", "TITLE"]})
"""
    )
    assert answer == {"mode": {"columns": ["ID", "TITLE"]}}
    portal.page.wait_for_function(
        "async () => (await (await fetch('/portal/api/state')).json()).user_options['1']?.greeting"
    )
    portal.page.reload()
    result = portal.python(
        START + 'await BX24.init()\n[BX24.userOption.get("greeting"), BX24.appOption.get("mode")]'
    )
    assert result == ["Привет: world", {"columns": ["ID", "TITLE"]}]


def test_demo_app_saves_options_a_person_can_see_after_reload(portal):
    portal.open(app="/index.html")
    app = portal.app
    app.wait_for_selector("#app:not([hidden])", timeout=60_000)
    assert app.inner_text("#placement") == "DEFAULT"
    app.fill("#user-option", "hello from the demo")
    app.click("#user-option-form button")
    app.wait_for_selector("#user-option-status:text('saved')")
    app.fill("#app-option", "compact")
    app.click("#app-option-save")
    app.wait_for_selector("#app-option-status:text-matches('saved; ')")
    portal.page.wait_for_function(
        "async () => (await (await fetch('/portal/api/state')).json()).user_options['1']?.greeting"
    )
    portal.page.reload()
    app = portal.app
    app.wait_for_selector("#app:not([hidden])", timeout=60_000)
    assert app.input_value("#user-option") == "hello from the demo"
    assert app.input_value("#app-option") == "compact"


def test_outside_a_portal_init_fails_fast_and_nothing_is_posted(portal, emulator):
    page = portal.page
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
    page.goto(emulator.app_origin + "/tests/e2e/apps/harness.html")
    page.wait_for_function("window.runPy !== undefined", timeout=60_000)
    listeners_before = page.evaluate("window.__messageListeners")
    code = START + (
        "import time\n"
        "t = time.perf_counter()\n"
        "try:\n"
        "    BX24.init()\n"
        "except Exception as e:\n"
        "    error = (type(e).__name__, str(e), time.perf_counter() - t)\n"
        "error"
    )
    result = json.loads(page.evaluate("c => window.runPy(c)", code))
    name, message, elapsed = result["value"]
    assert name == "NotInPortalError"
    assert "Bitrix24" in message and "emulated portal" in message
    assert elapsed < 0.1
    assert page.evaluate("window.__posted") == 0
    assert page.evaluate("window.__messageListeners") == listeners_before


def test_reply_from_a_third_origin_is_ignored(portal, emulator):
    portal.open(hold="getInitData")
    portal.python(START + "pending = BX24.init()")
    [request] = portal.log("getInitData")
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
    third_origin = emulator.portal_origin.replace("127.0.0.1", "localhost")
    assert third_origin not in (emulator.portal_origin, emulator.app_origin)
    portal.page.evaluate(
        """url => { const f = document.createElement('iframe'); f.src = url;
                    document.body.appendChild(f); }""",
        f"{third_origin}/portal/foreign.html#{quote(forged)}",
    )
    portal.page.wait_for_function("window.portal.foreignDone === true")
    portal.page.evaluate("window.portal.release('getInitData')")
    result = portal.python("await pending\n[BX24.getLang(), BX24.getAuth().access_token]")
    assert result == ["en", portal.page.evaluate("window.portal.auth.AUTH_ID")]


@pytest.mark.parametrize(("frame", "storage"), [("cross", "memory"), ("same", "indexeddb")])
def test_demo_boots_whether_or_not_the_frame_may_use_storage(portal, frame, storage):
    portal.open(app="/index.html", frame=frame)
    app = portal.app
    app.wait_for_selector("#app:not([hidden])", timeout=60_000)
    expected_origin = (
        portal.emulator.app_origin if frame == "cross" else portal.emulator.portal_origin
    )
    assert app.url.startswith(expected_origin + "/")
    assert app.evaluate("window.pyb24Boot.storage") == storage
    refusal = app.evaluate("window.pyb24Boot.refusal")  # what the browser said to indexedDB.open
    if storage == "memory":
        assert "denied" in refusal.lower()
    else:
        assert refusal is None
    assert app.inner_text("#domain") == portal.emulator.portal_origin.removeprefix("http://")
    assert app.inner_text("#admin") == "yes"
