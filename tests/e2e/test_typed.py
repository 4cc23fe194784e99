"""typed=True against the emulated portal's *.fields, in Chromium/Pyodide (issue 15: 3).

Each frame function compares what ``typed=True`` gives with the portal's own text for the same
record (``callMethod``, untyped), so the test holds whatever the store seeded. Shapes:
api-reference/user/user-fields.md, user-get.md, user-current.md (user.* values)."""

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
