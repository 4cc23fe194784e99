"""The emulated portal does what the real one does where BX24.js callers trip over it
(PROTOCOL.md §3.5 String(value) user options, §8.27 commands denied outside DEFAULT)."""

HARNESS = "/tests/e2e/apps/harness.html"


async def denied_window_commands():
    import asyncio
    import time

    from pyb24 import BX24, PortalDeniedError

    await BX24.init()
    failures = {}
    for name, call in (
        ("setTitle", lambda: BX24.setTitle("x")),
        ("setScroll", lambda: BX24.scrollParentWindow(5)),
        ("reloadWindow", lambda: BX24.reloadWindow()),
    ):
        began = time.monotonic()
        try:
            await asyncio.wait_for(call(), 3)
        except PortalDeniedError as exc:
            failures[name] = [str(exc), time.monotonic() - began < 1]
    return failures


def test_outside_default_the_portal_denies_title_scroll_reload_and_pyb24_fails_fast(b24):
    app = b24.open(HARNESS, placement="CRM_DEAL_DETAIL_TAB")
    failures = app.run(denied_window_commands)
    assert sorted(failures) == ["reloadWindow", "setScroll", "setTitle"]
    for name, (message, fast) in failures.items():
        assert f"denies {name} in the CRM_DEAL_DETAIL_TAB placement" in message and fast
    for name in failures:
        [entry] = app.messages(name)
        assert entry["status"] == "denied"  # posted, dropped by the portal, never answered
    assert [e for e in app.messages(direction="out") if e["cmd"] in failures] == []


async def set_title_in_default():
    from pyb24 import BX24

    await BX24.init()
    return await BX24.setTitle("Deals")


def test_in_default_the_portal_answers_set_title(b24):
    app = b24.open(HARNESS)
    assert app.run(set_title_in_default) == {"title": "Deals"}


def test_the_portal_stores_a_user_option_as_string_of_the_value(b24):
    # What BX24.js would send for userOption.set("k", {"a": 1}); pyb24 refuses it itself.
    app = b24.open(HARNESS)
    app.frame.wait_for_function("window.runPy !== undefined", timeout=60_000)
    sid = app.frame.name.split("|")[2]
    app.frame.evaluate(
        """([sid, origin]) => {
             parent.postMessage('setUserOption:{"name":"k","value":{"a":1}}::' + sid, origin);
             parent.postMessage('setUserOption:{"name":"n","value":[1,2]}::' + sid, origin);
             parent.postMessage('setUserOption:{"name":"t","value":true}::' + sid, origin);
           }""",
        [sid, b24.emulator.portal_origin],
    )
    app.page.wait_for_function(  # each is stored by its own request: any may come in last
        "async () => { const o = (await (await fetch('/portal/api/state')).json())"
        ".user_options['1'] ?? {}; return 'k' in o && 'n' in o && 't' in o; }"
    )
    assert {k: b24.store.user_options(1)[k] for k in "knt"} == {
        "k": "[object Object]",
        "n": "1,2",
        "t": "true",
    }
