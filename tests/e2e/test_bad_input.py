"""Bad input in the browser (issue 17, items 1-4): in Pyodide a deep recursion overflows the
browser's stack — a fatal error for the page's Python, not a RecursionError — so JSON and
params nested too deep must be refused before they are parsed or encoded. Each test runs its
page functions under a wait_for and the suite's timeout: a hang fails.

The functions below run inside the app frame (the `b24` fixture's ``run``)."""

import pytest

HARNESS = "/tests/e2e/apps/harness.html"


async def deep_reply_then_the_portals_answer():
    import asyncio

    from pyb24 import BX24

    await BX24.init()
    bridge = BX24._bridge
    future = BX24.placement.getInterface()
    callback_id = bridge.callback_id_of(future)
    deep = "[" * 10_000 + "]" * 10_000  # arrives as a reply with the right callback id
    bridge.on_message(bridge.frame.target_origin, f"{callback_id}:{deep}")
    waiting = not future.done()
    answer = await asyncio.wait_for(future, 10)  # the portal's own answer still settles it
    me = await asyncio.wait_for(BX24.call("user.current"), 10)  # Python keeps running
    return {"waiting": waiting, "answer": sorted(answer), "me": me["ID"]}


@pytest.mark.timeout(90)
def test_a_reply_nested_10000_deep_is_ignored_and_python_keeps_running(b24):
    result = b24.open(HARNESS).run(deep_reply_then_the_portals_answer)
    assert result == {"waiting": True, "answer": ["command", "event"], "me": "1"}


async def two_calls():
    import asyncio

    from pyb24 import BX24

    await BX24.init()
    first = await asyncio.wait_for(BX24.callMethod("user.current"), 20)
    second = await asyncio.wait_for(BX24.callMethod("user.current"), 20)
    error = first.error()
    return [error.getError(), error.getStatus(), second.data()["ID"]]


@pytest.mark.timeout(90)
def test_a_rest_answer_nested_100000_deep_is_an_error_and_the_next_call_works(b24):
    app = b24.open(HARNESS)
    deep = '{"result":' + "[" * 100_000 + "]" * 100_000 + "}"
    b24.emulator.rest.fail_next(status=200, method="user.current", body=deep)
    error, status, me = app.run(two_calls)
    assert error["error"] == "ERROR_UNEXPECTED_ANSWER" and "nested too deep" in str(error)
    assert status == 200 and me == "1"


async def send_params_too_deep():
    import page_state

    from pyb24 import BX24

    await BX24.init()
    deep: object = "x"
    for _ in range(5000):
        deep = {"a": deep}
    # Kept for the page's life: in Pyodide, freeing a dict nested 5000 deep is itself fatal
    # (a deep C recursion in the deallocator), whatever pyb24 does with it.
    page_state.deep = deep
    loop: dict = {}
    loop["self"] = loop
    refused = []
    for params in (deep, loop):
        for send in (
            lambda p: BX24.callMethod("crm.deal.add", {"fields": p}),
            lambda p: BX24.placement.call("setValue", p),
        ):
            try:
                send(params)
            except ValueError as error:
                refused.append(str(error))
        try:
            await BX24.call("crm.deal.add", {"fields": params})
        except ValueError as error:
            refused.append(str(error))
    me = await BX24.call("user.current")
    return {"refused": refused, "me": me["ID"]}


@pytest.mark.timeout(90)
def test_params_nested_5000_deep_or_inside_themselves_are_refused_before_sending(b24):
    app = b24.open(HARNESS)
    result = app.run(send_params_too_deep)
    assert len(result["refused"]) == 6 and result["me"] == "1"
    assert all("nested more than" in text for text in result["refused"][:3])
    assert all("contain themselves" in text for text in result["refused"][3:])
    assert [call["method"] for call in app.rest_calls()] == ["user.current"]


async def give_up_on_a_refresh():
    import asyncio

    from pyb24 import BX24

    await BX24.init()
    old = BX24.getAuth()["access_token"]
    try:
        await asyncio.wait_for(BX24.refreshAuth(), 0.001)
    except TimeoutError:
        pass
    for _ in range(100):  # the portal's answer comes a moment later
        if BX24.getAuth()["access_token"] != old:
            break
        await asyncio.sleep(0.05)
    result = await asyncio.wait_for(BX24.callMethod("user.current"), 20)
    return [BX24.getAuth()["access_token"] != old, result.error() is None]


@pytest.mark.timeout(90)
def test_a_refresh_the_caller_gave_up_on_still_takes_the_new_tokens(b24):
    assert b24.open(HARNESS).run(give_up_on_a_refresh) == [True, True]
