"""typed=True against the emulated portal's *.fields, in Chromium/Pyodide (issue 15: 3).

Each frame function compares what ``typed=True`` gives with the portal's own text for the same
record (``callMethod``, untyped), so the test holds whatever the store seeded. Shapes:
api-reference/user/user-fields.md, user-get.md, user-current.md (user.* values);
api-reference/crm/deals/crm-deal-fields.md, crm-deal-get.md, crm-deal-update.md (classic:
UPPER names, "Y"/"N" chars, money user field UF_CRM_BUDGET as "15000|USD");
api-reference/crm/universal/crm-item-fields.md, crm-item-get.md, crm-item-update.md
(camelCase names, ints, "boolean" as "Y"/"N")."""

from __future__ import annotations

HARNESS = "/tests/e2e/apps/harness.html"


# -- functions that run in the app frame --------------------------------------------------------
async def typed_users():
    import datetime as dt

    from pyb24 import BX24

    await BX24.init()
    raw = (await BX24.callMethod("user.current")).data()
    me = await BX24.call("user.current", typed=True)
    users = await BX24.list_all("user.get", typed=True)
    again = await BX24.call("user.get", {"ID": raw["ID"]}, typed=True)
    fields = await BX24.fields("user")
    return {
        "raw_id": raw["ID"],
        "id": [type(me["ID"]).__name__, me["ID"]],
        "active": me["ACTIVE"] is True,
        "online": me["IS_ONLINE"] is (raw["IS_ONLINE"] == "Y"),
        "login": me["LAST_LOGIN"] == dt.datetime.fromisoformat(raw["LAST_LOGIN"]),
        "aware": me["LAST_LOGIN"].utcoffset() is not None,
        "birthday": [type(me["PERSONAL_BIRTHDAY"]).__name__, str(me["PERSONAL_BIRTHDAY"])],
        "raw_birthday": raw["PERSONAL_BIRTHDAY"],
        "hired": me["UF_EMPLOYMENT_DATE"],
        "departments": me["UF_DEPARTMENT"],
        "ids_are_ints": all(type(u["ID"]) is int for u in users),
        "inactive": sum(1 for u in users if u["ACTIVE"] is False),
        "count": len(users),
        "same": again == [me],
        "name_field": [fields["NAME"].type, fields["NAME"].title],
        "active_field": fields["ACTIVE"].type,
    }


async def typed_deal():
    import datetime as dt
    from decimal import Decimal

    from pyb24 import BX24, Money

    await BX24.init()
    raw = (await BX24.callMethod("crm.deal.get", {"id": 1})).data()
    deal = await BX24.call("crm.deal.get", {"id": 1}, typed=True)
    rows = await BX24.list_all(
        "crm.deal.list", {"select": ["ID", "OPPORTUNITY", "UF_CRM_BUDGET"]}, typed=True
    )
    fields = await BX24.fields("crm.deal")
    budget = Money(Decimal("20000.50"), "EUR")
    changes = {"OPENED": False, "UF_CRM_BUDGET": budget, "CLOSEDATE": dt.date(2027, 1, 31)}
    updated = await BX24.call("crm.deal.update", {"id": 1, "fields": changes}, typed=True)
    after = await BX24.call("crm.deal.get", {"id": 1}, typed=True)
    return {
        "id": [type(deal["ID"]).__name__, deal["ID"], raw["ID"]],
        "amount": deal["OPPORTUNITY"] == float(raw["OPPORTUNITY"]),
        "amount_type": type(deal["OPPORTUNITY"]).__name__,
        "opened": [deal["OPENED"], raw["OPENED"]],
        "created": deal["DATE_CREATE"] == dt.datetime.fromisoformat(raw["DATE_CREATE"]),
        "aware": deal["DATE_CREATE"].utcoffset() is not None,
        "begin": [type(deal["BEGINDATE"]).__name__, str(deal["BEGINDATE"]), raw["BEGINDATE"]],
        "assigned": deal["ASSIGNED_BY_ID"] == int(raw["ASSIGNED_BY_ID"]),
        "stage": deal["STAGE_ID"] == raw["STAGE_ID"],
        "budget": [repr(deal["UF_CRM_BUDGET"]), raw["UF_CRM_BUDGET"]],
        "budget_is_money": deal["UF_CRM_BUDGET"] == Money.parse(raw["UF_CRM_BUDGET"]),
        "rows": len(rows),
        "row_ids_are_ints": all(type(r["ID"]) is int for r in rows),
        "row_budgets": sorted({type(r["UF_CRM_BUDGET"]).__name__ for r in rows}),
        "budget_field": [fields["UF_CRM_BUDGET"].type, fields["UF_CRM_BUDGET"].title],
        "updated": updated,
        "after": [after["OPENED"], after["UF_CRM_BUDGET"] == budget, str(after["CLOSEDATE"])],
    }


async def typed_item():
    import datetime as dt
    from decimal import Decimal

    from pyb24 import BX24, Money

    await BX24.init()
    key = {"entityTypeId": 2, "id": 1}
    raw = (await BX24.callMethod("crm.item.get", key)).data()["item"]
    item = (await BX24.call("crm.item.get", key, typed=True))["item"]
    items = await BX24.list_all("crm.item.list", {"entityTypeId": 2}, typed=True)
    budget = Money(Decimal("7500"), "USD")
    changes = {"opened": False, "ufCrmBudget": budget, "closedate": dt.date(2027, 3, 1)}
    await BX24.call("crm.item.update", {**key, "fields": changes}, typed=True)
    after = (await BX24.call("crm.item.get", key, typed=True))["item"]
    return {
        "id": [type(item["id"]).__name__, item["id"], raw["id"]],
        "amount": item["opportunity"] == float(raw["opportunity"]),
        "amount_type": type(item["opportunity"]).__name__,
        "opened": [item["opened"], raw["opened"]],
        "created": item["createdTime"] == dt.datetime.fromisoformat(raw["createdTime"]),
        "aware": item["createdTime"].utcoffset() is not None,
        "assigned": item["assignedById"] == int(raw["assignedById"]),
        "budget_is_money": item["ufCrmBudget"] == Money.parse(raw["ufCrmBudget"]),
        "budget_type": type(item["ufCrmBudget"]).__name__,
        "count": len(items),
        "ids_are_ints": all(type(i["id"]) is int for i in items),
        "after": [after["opened"], after["ufCrmBudget"] == budget, str(after["closedate"])],
    }


# -- tests ----------------------------------------------------------------------------------------
def test_typed_user_reads_by_user_fields_and_pyb24s_user_table(b24):
    app = b24.open(page=HARNESS)
    result = app.run(typed_users)
    assert result["id"] == ["int", int(result["raw_id"])]
    assert result["active"] and result["online"] and result["login"] and result["aware"]
    if result["raw_birthday"]:  # midnight with the portal's offset: the day is the text's own
        assert result["birthday"] == ["date", result["raw_birthday"][:10]]
    assert result["hired"] is None and result["departments"]
    assert all(type(d) is int for d in result["departments"])
    assert result["ids_are_ints"] and result["inactive"] > 0 and result["count"] > 50
    assert result["same"]
    assert result["name_field"] == ["string", "First Name"] and result["active_field"] == "boolean"
    assert len(app.rest_calls("user.fields")) == 1  # one request for the page


def test_typed_crm_deal_reads_and_writes_by_crm_deal_fields(b24):
    app = b24.open(page=HARNESS)
    result = app.run(typed_deal)
    assert result["id"] == ["int", 1, "1"]
    assert result["amount"] and result["amount_type"] == "float"
    assert result["opened"] in ([True, "Y"], [False, "N"])
    assert result["created"] and result["aware"] and result["assigned"] and result["stage"]
    kind, day, raw_day = result["begin"]
    assert kind == "date" and raw_day.startswith(day)  # the day of the portal's own text
    assert result["budget"][0].startswith("Money(") and result["budget_is_money"]
    assert result["rows"] > 50 and result["row_ids_are_ints"]
    assert result["row_budgets"] == ["Money", "NoneType"]  # an empty money value is None
    assert result["budget_field"] == ["money", "Budget"]
    assert result["updated"] is True
    assert result["after"] == [False, True, "2027-01-31"]
    [update] = app.rest_calls("crm.deal.update")
    sent = update["params"]["fields"]
    assert sent == {"OPENED": "N", "UF_CRM_BUDGET": "20000.50|EUR", "CLOSEDATE": "2027-01-31"}
    assert len(app.rest_calls("crm.deal.fields")) == 1  # one request for the page


def test_typed_crm_item_reads_and_writes_by_crm_item_fields(b24):
    app = b24.open(page=HARNESS)
    result = app.run(typed_item)
    assert result["id"] == ["int", 1, 1]
    assert result["amount"] and result["amount_type"] == "float"
    assert result["opened"] in ([True, "Y"], [False, "N"])
    assert result["created"] and result["aware"] and result["assigned"]
    assert result["budget_is_money"] and result["budget_type"] == "Money"
    assert result["count"] > 50 and result["ids_are_ints"]
    assert result["after"] == [False, True, "2027-03-01"]
    [update] = app.rest_calls("crm.item.update")
    sent = update["params"]["fields"]
    assert sent["opened"] == "N" and sent["ufCrmBudget"] == "7500|USD"
    assert sent["closedate"] == "2027-03-01"
    [fields] = app.rest_calls("crm.item.fields")  # one request for the page
    assert fields["params"]["entityTypeId"] == "2"
