"""REST from the frame against the REST emulator: two origins, Chromium (PROTOCOL.md §5).

The functions below run inside the app frame (the `b24` fixture's ``run``)."""

HARNESS = "/tests/e2e/apps/harness.html"


async def call_method_and_result_object():
    from pyb24 import BX24

    await BX24.init()
    seen = []
    me = await BX24.callMethod("user.current", None, seen.append)
    missing = await BX24.callMethod("no.such.method")
    return {
        "id": me.data()["ID"],
        "error": me.error(),
        "same": seen == [me],
        "time": sorted(me.time()),
        "missing": str(missing.error()),
        "status": missing.error().getStatus(),
    }


def test_call_method_and_result_object(b24):
    app = b24.open(HARNESS)
    result = app.run(call_method_and_result_object)
    assert result["id"] == "1" and result["error"] is None and result["same"]
    assert {"start", "finish", "duration"} <= set(result["time"])
    assert result["missing"].startswith("ERROR_METHOD_NOT_FOUND") and result["status"] == 404
    assert b24.emulator.rest.preflights == 0  # form-encoded POST: CORS without preflight
    assert [call["method"] for call in app.rest_calls()] == ["user.current", "no.such.method"]


async def page_through_all_users():
    from pyb24 import BX24

    await BX24.init()
    page = await BX24.callMethod("user.get", {"sort": "ID", "order": "ASC"})
    ids, pages = [], 0
    while True:
        pages += 1
        ids += [int(user["ID"]) for user in page.data()]
        if not page.more():
            break
        page = await page.next()
    return {"ids": ids, "pages": pages, "total": page.total(), "last_next": page.next()}


def test_paging_through_all_users_with_next(b24):
    result = b24.open(HARNESS).run(page_through_all_users)
    total = result["total"]
    assert total >= 120
    assert result["ids"] == sorted(result["ids"]) and len(set(result["ids"])) == total
    assert result["pages"] == -(-total // 50) and result["last_next"] is False


async def add_then_list(fields):
    from pyb24 import BX24

    await BX24.init()
    added = await BX24.callMethod("crm.item.add", {"entityTypeId": 2, "fields": fields})
    item_id = added.data()["item"]["id"]
    listed = await BX24.callMethod(
        "crm.item.list",
        {"entityTypeId": 2, "filter": {"=id": item_id}, "select": ["id", "title", "opportunity"]},
    )
    classic = await BX24.callMethod("crm.deal.get", {"id": item_id})
    return [listed.data()["items"], classic.data()["TITLE"], classic.data()["CURRENCY_ID"]]


def test_crm_item_add_then_list_and_encoding_round_trip(b24):
    fields = {
        "title": "Python: 100% & more",
        "opportunity": 1500.5,
        "currencyId": "EUR",
        "comments": "line1\nline2 é",
    }
    items, title, currency = b24.open(HARNESS).run(add_then_list, fields)
    assert len(items) == 1 and items[0]["title"] == "Python: 100% & more"
    assert float(items[0]["opportunity"]) == 1500.5
    assert title == "Python: 100% & more" and currency == "EUR"


async def access_token():
    from pyb24 import BX24

    await BX24.init()
    return BX24.getAuth().access_token


async def two_calls_at_once():
    import asyncio

    from pyb24 import BX24

    first, second = await asyncio.gather(
        BX24.callMethod("user.current"), BX24.callMethod("profile")
    )
    return [first.error(), second.error(), BX24.getAuth().access_token]


def test_expired_token_two_concurrent_calls_share_one_refresh(b24):
    app = b24.open(HARNESS)
    before = app.run(access_token)
    app.expire_tokens()
    first, second, after = app.run(two_calls_at_once)
    assert first is None and second is None and after != before
    assert len(app.messages("refreshAuth")) == 1


async def batch_with_macro():
    from pyb24 import BX24

    await BX24.init()
    results = await BX24.callBatch(
        {
            "me": ["user.current", {}],
            "department": ["department.get", {"ID": "$result[me][UF_DEPARTMENT][0]"}],
        }
    )
    me, department = results["me"].data(), results["department"].data()
    return [me["UF_DEPARTMENT"][0], department[0]["ID"]]


def test_batch_with_macro(b24):
    mine, fetched = b24.open(HARNESS).run(batch_with_macro)
    assert str(mine) == str(fetched)


async def batch_with_a_failing_command(halt):
    from pyb24 import BX24

    await BX24.init()
    calls = [["user.current"], ["crm.deal.get", {"id": 999999999}], ["server.time"]]
    results = await BX24.callBatch(calls, None, halt)
    return [[r.error().getError()["error"] if r.error() else "ok" for r in results], len(results)]


def test_batch_with_a_failing_command_under_both_halt_settings(b24):
    app = b24.open(HARNESS)
    ran_all = app.run(batch_with_a_failing_command, False)
    assert ran_all[0][0] == "ok" and ran_all[0][1] != "ok" and ran_all[0][2] == "ok"
    assert app.run(batch_with_a_failing_command, True) == [["ok", ran_all[0][1]], 2]


async def current_user_through_the_callback():
    from pyb24 import BX24

    await BX24.init()
    got = []
    await BX24.callMethod("user.current", None, got.append)
    if got[0].error():
        return [got[0].error().getError()["error"], got[0].error().getStatus()]
    return got[0].data()["ID"]


def test_server_error_and_network_failure_reach_the_callback_as_errors(b24):
    app = b24.open(HARNESS)
    app.run(init)
    b24.emulator.rest.fail_next(status=500)
    server = app.run(current_user_through_the_callback)
    assert server[1] == 500 and server[0]
    b24.emulator.rest.drop_next()
    assert app.run(current_user_through_the_callback) == ["NETWORK_ERROR", 0]
    assert app.run(current_user_through_the_callback) == "1"
    # the browser did not resend the dropped request behind the page's back
    calls = [e["status"] for e in b24.emulator.rest.log() if e["method"] == "user.current"]
    assert calls == [500, 0, 200]


async def init():
    from pyb24 import BX24

    await BX24.init()


async def bind_and_list_events():
    from pyb24 import BX24

    await BX24.init()
    bound = BX24.callBind("ONCRMDEALADD", "https://h.example/x")
    if bound is False:
        return False
    bound = await bound
    events = await BX24.callMethod("event.get")
    return [bound.error(), [e["event"] for e in events.data()]]


def test_call_bind_for_admins_only(b24):
    app = b24.open(HARNESS, admin=False)
    assert app.run(bind_and_list_events) is False
    assert app.rest_calls("event.bind") == []
    app = b24.open(HARNESS)
    error, events = app.run(bind_and_list_events)
    assert error is None and "ONCRMDEALADD" in events


async def server_time():
    from pyb24 import BX24

    await BX24.init()
    await BX24.callMethod("server.time")


def test_rest_exchanges_show_in_the_inspector(b24):
    app = b24.open(HARNESS)
    app.run(server_time)
    row = app.page.wait_for_selector("text=server.time", timeout=10_000)
    assert row.is_visible()
    token = app.page.evaluate("window.portal.auth.AUTH_ID")
    assert token not in app.page.inner_text("body")


def test_the_rest_panel_sets_plan_operating_time_and_churn(b24):
    page = b24.open(HARNESS).page
    panel_post = "**/portal/api/rest_config"
    with page.expect_response(panel_post):
        page.select_option("#rest-plan", "enterprise")
    page.wait_for_selector("#rest-tools >> text=rate limit (250, 5/s)")
    for field, value in (("#rest-operating-cost", "300"), ("#rest-churn", "2")):
        page.fill(field, value)
        with page.expect_response(panel_post):
            page.press(field, "Tab")  # a number field says "change" when it loses focus
    config = b24.emulator.rest.config()
    assert (config["plan"], config["burst"], config["drain_per_second"]) == ("enterprise", 250, 5)
    assert config["operating_cost"] == {"*": 300.0} and config["churn"] == [2, 2]


def test_demo_rest_section(b24):
    demo = b24.open().frame
    demo.wait_for_selector("#deals tr", timeout=60_000)
    assert demo.inner_text("#me").startswith("You are ")
    assert demo.locator("#deals tr").count() == 50
    demo.click("#deals-more")
    demo.wait_for_function("document.querySelectorAll('#deals tr').length > 50")
    demo.fill("#deal-title", "Demo deal from e2e")
    demo.fill("#deal-amount", "4200")
    demo.click("#deal-form button")
    demo.wait_for_selector("#deals tr:first-child >> text=Demo deal from e2e")
    demo.click("#batch-run")
    demo.wait_for_selector("#batch-status:has-text('one request, three commands')")
