"""REST from the frame against the REST emulator: two origins, Chromium (PROTOCOL.md §5)."""

START = "from pyb24 import BX24\nimport asyncio\nawait BX24.init()\n"


def test_call_method_and_result_object(portal):
    portal.open()
    result = portal.python(
        START
        + """
seen = []
me = await BX24.callMethod("user.current", None, seen.append)
missing = await BX24.callMethod("no.such.method")
{"id": me.data()["ID"], "error": me.error(), "same": seen == [me], "time": sorted(me.time()),
 "missing": str(missing.error()), "status": missing.error().getStatus()}
"""
    )
    assert result["id"] == "1" and result["error"] is None and result["same"]
    assert {"start", "finish", "duration"} <= set(result["time"])
    assert result["missing"].startswith("ERROR_METHOD_NOT_FOUND") and result["status"] == 404
    assert portal.emulator.rest.preflights == 0  # form-encoded POST: CORS without preflight


def test_paging_through_all_users_with_next(portal):
    portal.open()
    result = portal.python(
        START
        + """
page = await BX24.callMethod("user.get", {"sort": "ID", "order": "ASC"})
ids, pages = [], 0
while True:
    pages += 1
    ids += [int(user["ID"]) for user in page.data()]
    if not page.more():
        break
    page = await page.next()
{"ids": ids, "pages": pages, "total": page.total(), "last_next": page.next()}
"""
    )
    total = result["total"]
    assert total >= 120
    assert result["ids"] == sorted(result["ids"]) and len(set(result["ids"])) == total
    assert result["pages"] == -(-total // 50) and result["last_next"] is False


def test_crm_item_add_then_list_and_encoding_round_trip(portal):
    portal.open()
    result = portal.python(
        START
        + """
import datetime as dt
fields = {"title": "Python: 100% & more", "opportunity": 1500.5, "currencyId": "EUR",
          "comments": "line1\\nline2 é"}
added = await BX24.callMethod("crm.item.add", {"entityTypeId": 2, "fields": fields})
item_id = added.data()["item"]["id"]
listed = await BX24.callMethod("crm.item.list", {
    "entityTypeId": 2, "filter": {"=id": item_id}, "select": ["id", "title", "opportunity"]})
classic = await BX24.callMethod("crm.deal.get", {"id": item_id})
[listed.data()["items"], classic.data()["TITLE"], classic.data()["CURRENCY_ID"]]
"""
    )
    items, title, currency = result
    assert len(items) == 1 and items[0]["title"] == "Python: 100% & more"
    assert float(items[0]["opportunity"]) == 1500.5
    assert title == "Python: 100% & more" and currency == "EUR"


def test_expired_token_two_concurrent_calls_share_one_refresh(portal):
    portal.open()
    portal.python(START + "before = BX24.getAuth().access_token")
    portal.emulator.rest.expire_access_tokens()
    result = portal.python(
        """
first, second = await asyncio.gather(
    BX24.callMethod("user.current"), BX24.callMethod("profile"))
[first.error(), second.error(), BX24.getAuth().access_token != before]
"""
    )
    assert result == [None, None, True]
    assert len(portal.log("refreshAuth")) == 1


def test_batch_with_macro(portal):
    portal.open()
    result = portal.python(
        START
        + """
results = await BX24.callBatch({
    "me": ["user.current", {}],
    "department": ["department.get", {"ID": "$result[me][UF_DEPARTMENT][0]"}],
})
me, department = results["me"].data(), results["department"].data()
[me["UF_DEPARTMENT"][0], department[0]["ID"]]
"""
    )
    assert str(result[0]) == str(result[1])


def test_batch_with_a_failing_command_under_both_halt_settings(portal):
    portal.open()
    code = (
        START
        + """
calls = [["user.current"], ["crm.deal.get", {"id": 999999999}], ["server.time"]]
results = await BX24.callBatch(calls, None, HALT)
[[r.error().getError()["error"] if r.error() else "ok" for r in results], len(results)]
"""
    )
    ran_all = portal.python(code.replace("HALT", "False"))
    assert ran_all[0][0] == "ok" and ran_all[0][1] != "ok" and ran_all[0][2] == "ok"
    halted = portal.python(code.replace("HALT", "True"))
    assert halted == [["ok", ran_all[0][1]], 2]


def test_server_error_and_network_failure_reach_the_callback_as_errors(portal):
    portal.open()
    portal.python(START)
    portal.emulator.rest.fail_next(status=500)
    server = portal.python(
        "got = []\nawait BX24.callMethod('user.current', None, got.append)\n"
        "[got[0].error().getError()['error'], got[0].error().getStatus()]"
    )
    assert server[1] == 500 and server[0]
    portal.emulator.rest.drop_next()
    network = portal.python(
        "got = []\nawait BX24.callMethod('user.current', None, got.append)\n"
        "[got[0].error().getError()['error'], got[0].error().getStatus()]"
    )
    assert network == ["NETWORK_ERROR", 0]
    after = portal.python("(await BX24.callMethod('user.current')).data()['ID']")
    assert after == "1"


def test_call_bind_for_admins_only(portal):
    portal.open(admin=0)
    assert portal.python(START + "BX24.callBind('ONCRMDEALADD', 'https://h.example/x')") is False
    assert not [e for e in portal.emulator.rest.log() if "event.bind" in e["method"]]
    portal.open()
    bound = portal.python(
        START
        + """
bound = await BX24.callBind("ONCRMDEALADD", "https://h.example/x")
events = await BX24.callMethod("event.get")
[bound.error(), [e["event"] for e in events.data()]]
"""
    )
    assert bound[0] is None and "ONCRMDEALADD" in bound[1]


def test_rest_exchanges_show_in_the_inspector(portal):
    portal.open()
    portal.python(START + "await BX24.callMethod('server.time')")
    row = portal.page.wait_for_selector("text=server.time", timeout=10_000)
    assert row.is_visible()
    token = portal.page.evaluate("window.portal.auth.AUTH_ID")
    assert token not in portal.page.inner_text("body")


def test_demo_rest_section(portal):
    portal.open(app="/index.html")
    app = portal.app
    app.wait_for_selector("#deals tr", timeout=60_000)
    assert app.inner_text("#me").startswith("You are ")
    first_page = app.locator("#deals tr").count()
    assert first_page == 50
    app.click("#deals-more")
    app.wait_for_function("document.querySelectorAll('#deals tr').length > 50")
    app.fill("#deal-title", "Demo deal from e2e")
    app.fill("#deal-amount", "4200")
    app.click("#deal-form button")
    app.wait_for_selector("#deals tr:first-child >> text=Demo deal from e2e")
    app.click("#batch-run")
    app.wait_for_selector("#batch-status:has-text('one request, three commands')")
