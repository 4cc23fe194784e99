"""REST data in Python types: BX24.fields and typed=True (pyb24.fields, pyb24.typed).

The *.fields answers below follow the shapes of the docs pages (bitrix24/b24restdocs):
api-reference/crm/deals/crm-deal-fields.md (classic, UPPER names, statusType),
api-reference/crm/_include/user-fields-for-examples-cut.md (user fields: enumeration items),
api-reference/crm/universal/crm-item-fields.md ({"fields": …}, upperName, "boolean"),
api-reference/user/user-fields.md (titles only), api-reference/tasks/tasks-task-get-fields.md
(UPPER names, enum "values"); the records those of crm-deal-get.md, crm-item-get.md,
user-get.md / user-current.md and tasks-task-list.md (camelCase keys).
"""

import asyncio
import datetime as dt
from decimal import Decimal

import pytest

from portal_emulator.rest.phpquery import parse_str
from pyb24 import Field, Money
from pyb24.errors import B24AccessError, B24Error
from pyb24.facade import BX24Facade
from pyb24.fields import FieldItem
from pyb24.scale import PythonApi
from tests.support.fakes import INIT_DATA, FakeHost


def _desc(type_, title="", **extra):
    return {
        "type": type_,
        "isRequired": False,
        "isReadOnly": False,
        "isImmutable": False,
        "isMultiple": False,
        "isDynamic": False,
        "title": title,
        **extra,
    }


DEAL_FIELDS = {
    "ID": _desc("integer", "ID", isReadOnly=True),
    "TITLE": _desc("string", "Title"),
    "TYPE_ID": _desc("crm_status", "Type", statusType="DEAL_TYPE"),
    "CATEGORY_ID": _desc("crm_category", "Sales Funnel", isImmutable=True),
    "STAGE_ID": _desc("crm_status", "Deal Stage", statusType="DEAL_STAGE"),
    "OPENED": _desc("char", "Available to All"),
    "CURRENCY_ID": _desc("crm_currency", "Currency"),
    "OPPORTUNITY": _desc("double", "Amount"),
    "PROBABILITY": _desc("integer", "Probability"),
    "COMPANY_ID": _desc("crm_company", "Company", settings={"parentEntityTypeId": 4}),
    "CONTACT_IDS": _desc("crm_contact", "Contacts", isMultiple=True),
    "BEGINDATE": _desc("date", "Start Date"),
    "CLOSEDATE": _desc("date", "Close Date"),
    "ASSIGNED_BY_ID": _desc("user", "Responsible"),
    "DATE_CREATE": _desc("datetime", "Created", isReadOnly=True),
    "COMMENTS": _desc("string", "Comment"),
    # user fields: title is the field's name, the label is in *Label (crm-company-fields.md)
    "UF_CRM_BUDGET": _desc(
        "money",
        "UF_CRM_BUDGET",
        isDynamic=True,
        listLabel="Budget",
        formLabel="Budget",
        filterLabel="Budget",
        settings={"DEFAULT_VALUE": ""},
    ),
    "UF_CRM_PRIORITY": _desc(
        "enumeration",
        "Priority",
        isDynamic=True,
        items=[{"ID": "79", "VALUE": "Low"}, {"ID": "80", "VALUE": "High"}],
    ),
    "UF_CRM_FLAG": _desc("boolean", "Flag", isDynamic=True),
}

DEAL = {
    "ID": "42",
    "TITLE": "Supply Agreement",
    "TYPE_ID": "SALE",
    "CATEGORY_ID": "0",
    "STAGE_ID": "C1:NEW",
    "OPENED": "Y",
    "CURRENCY_ID": "USD",
    "OPPORTUNITY": "12000.00",
    "PROBABILITY": "",
    "COMPANY_ID": "7",
    "BEGINDATE": "2024-07-15T00:00:00+03:00",
    "CLOSEDATE": "",
    "ASSIGNED_BY_ID": "1",
    "DATE_CREATE": "2024-07-15T12:09:45+02:00",
    "COMMENTS": "",
    "UF_CRM_BUDGET": "100.50|USD",
    "UF_CRM_PRIORITY": "80",
    "UF_CRM_FLAG": "1",
    "UF_CRM_UNDESCRIBED": "5",
}

ITEM_FIELDS = {
    "fields": {
        "id": _desc("integer", "ID", isReadOnly=True, upperName="ID"),
        "title": _desc("string", "Name", upperName="TITLE"),
        "opened": _desc("boolean", "Publicly available", isRequired=True, upperName="OPENED"),
        "opportunity": _desc("double", "Amount", upperName="OPPORTUNITY"),
        "observers": _desc("user", "Observers", isMultiple=True, upperName="OBSERVERS"),
        "createdTime": _desc("datetime", "Created at", upperName="CREATED_TIME"),
        "begindate": _desc("date", "Start date", upperName="BEGINDATE"),
        "parentId2": _desc("crm_entity", "Deal", upperName="PARENT_ID_2"),
        "ufCrm44_1721812814433": _desc(
            "money", "Budget", isDynamic=True, upperName="UF_CRM_44_1721812814433"
        ),
    }
}

ITEM = {
    "id": 3,
    "title": "Smart item",
    "opened": "Y",
    "opportunity": 300,
    "observers": [1, "5"],
    "createdTime": "2024-07-15T12:09:45+02:00",
    "begindate": "2024-07-15T00:00:00+02:00",
    "parentId2": 42,
    "ufCrm44_1721812814433": "300|RUB",
}

USER_TITLES = {
    "ID": "ID",
    "ACTIVE": "Activity",
    "NAME": "First Name",
    "LAST_LOGIN": "Last Authorization",
    "IS_ONLINE": "IS_ONLINE",
    "LAST_ACTIVITY_DATE": "LAST_ACTIVITY_DATE",
    "PERSONAL_BIRTHDAY": "Date of Birth",
    "UF_EMPLOYMENT_DATE": "Hire Date",
    "UF_DEPARTMENT": "Units",
}

USER = {
    "ID": "3",
    "ACTIVE": True,
    "NAME": "John",
    "LAST_LOGIN": "2024-07-23T08:07:26+00:00",
    "IS_ONLINE": "Y",
    "LAST_ACTIVITY_DATE": "2024-07-23 08:08:50",
    "PERSONAL_BIRTHDAY": "2018-07-14T00:00:00+00:00",
    "UF_EMPLOYMENT_DATE": "",
    "UF_DEPARTMENT": [1],
}

TASK_FIELDS = {
    "fields": {
        "ID": {"title": "ID", "type": "integer", "primary": True},
        "TITLE": {"title": "Title", "type": "string", "required": True},
        "PRIORITY": {"title": "Priority", "type": "enum", "values": {"2": "High", "1": "Medium"}},
        "MARK": {"title": "Rating", "type": "enum", "values": {"N": "Negative", "P": "Positive"}},
        "MULTITASK": {"title": "Multitask", "type": "enum", "values": {"Y": "Yes", "N": "No"}},
        "RESPONSIBLE_ID": {"title": "Participant", "type": "integer", "required": True},
        "DEADLINE": {"title": "Deadline", "type": "datetime"},
    }
}

TASK = {
    "id": "8017",
    "title": "Task Example",
    "priority": "2",
    "mark": "",
    "multitask": "N",
    "responsibleId": "547",
    "deadline": "2025-10-24T19:00:00+02:00",
    "responsible": {"id": "547", "name": "Maria"},
}


class FieldsPortal:
    """A scripted portal: each method answers its ``result`` (a callable gets the params);
    every request is kept, decoded the way the portal's PHP reads it."""

    def __init__(self, answers):
        self.answers = dict(answers)
        self.requests: list[tuple[str, dict]] = []
        self.gate: asyncio.Event | None = None  # when set, *.fields answers wait for it

    def count(self, method):
        return sum(1 for m, _ in self.requests if m == method)

    async def send(self, method, body):
        params = parse_str(body)
        self.requests.append((method, params))
        if method.endswith((".fields", ".getFields")) and self.gate is not None:
            await self.gate.wait()
        if method == "batch":
            result, errors = {}, {}
            for key, row in params["cmd"].items():
                name, _, query = row.partition("?")
                status, answer = await self.send(name, query)
                if "error" in answer:
                    errors[key] = answer
                else:
                    result[key] = answer["result"]
            return 200, {"result": {"result": result, "result_error": errors}}
        answer = self.answers.get(method)
        if answer is None:
            return 400, {"error": "ERROR_METHOD_NOT_FOUND", "error_description": method}
        if isinstance(answer, tuple):
            return answer
        return 200, {"result": answer(params) if callable(answer) else answer}


def portal(**extra):
    answers = {
        "crm.deal.fields": DEAL_FIELDS,
        "crm.deal.get": DEAL,
        "crm.deal.list": [DEAL, {**DEAL, "ID": "43"}],
        "crm.deal.add": 43,
        "crm.item.fields": ITEM_FIELDS,
        "crm.item.get": {"item": ITEM},
        "crm.item.list": {"items": [ITEM]},
        "crm.item.add": {"item": ITEM},
        "user.fields": USER_TITLES,
        "user.get": [USER],
        "user.current": USER,
        "tasks.task.getFields": TASK_FIELDS,
        "tasks.task.list": {"tasks": [TASK]},
        **extra,
    }
    return FieldsPortal(answers)


# -- BX24.fields ----------------------------------------------------------------------------
async def test_classic_fields_read_type_flags_title_status_type_and_list_items():
    fields = await PythonApi(portal().send).fields("crm.deal")
    assert fields["ID"] == Field("ID", "integer", title="ID", read_only=True)
    assert fields["STAGE_ID"].status_type == "DEAL_STAGE"
    assert fields["CONTACT_IDS"].multiple and fields["CONTACT_IDS"].type == "crm_contact"
    assert fields["UF_CRM_PRIORITY"].items == (FieldItem(79, "Low"), FieldItem(80, "High"))
    assert (fields["UF_CRM_BUDGET"].type, fields["UF_CRM_BUDGET"].title) == ("money", "Budget")


async def test_item_fields_are_read_under_fields_with_their_upper_names():
    site = portal()
    fields = await PythonApi(site.send).fields("crm.item", {"entityTypeId": 2})
    assert fields["opened"] == Field(
        "opened", "boolean", title="Publicly available", required=True, upper_name="OPENED"
    )
    assert site.requests == [("crm.item.fields", {"entityTypeId": "2"})]
    with pytest.raises(ValueError, match="entityTypeId"):
        await PythonApi(site.send).fields("crm.item")


async def test_user_fields_answer_titles_and_the_types_come_from_pyb24s_table():
    fields = await PythonApi(portal().send).fields("user")
    assert fields["NAME"] == Field("NAME", "string", title="First Name")
    assert (fields["ACTIVE"].type, fields["LAST_LOGIN"].type) == ("boolean", "datetime")
    assert fields["UF_DEPARTMENT"].multiple and fields["PERSONAL_BIRTHDAY"].type == "date"


async def test_task_fields_read_required_and_enum_values_as_items():
    fields = await PythonApi(portal().send).fields("tasks.task")
    assert fields["TITLE"].required and fields["ID"].read_only
    assert fields["PRIORITY"].items == (FieldItem(2, "High"), FieldItem(1, "Medium"))


async def test_an_unknown_entity_is_a_value_error_naming_the_known_ones():
    with pytest.raises(ValueError, match="'crm.deal'.*'tasks.task'"):
        await PythonApi(portal().send).fields("crm.banana")


async def test_fields_are_asked_once_per_page_and_concurrent_callers_share_the_request():
    site = portal()
    site.gate = asyncio.Event()
    api = PythonApi(site.send)
    waiting = [asyncio.ensure_future(api.call("crm.deal.get", {"id": 42}, typed=True))]
    waiting += [asyncio.ensure_future(api.fields("crm.deal")) for _ in range(4)]
    await asyncio.sleep(0)
    assert site.count("crm.deal.fields") == 1 and not any(w.done() for w in waiting)
    site.gate.set()
    deal, *fields = await asyncio.wait_for(asyncio.gather(*waiting), 5)
    assert deal["ID"] == 42 and all(f == fields[0] for f in fields)
    await api.list_all("crm.deal.list", typed=True)
    assert site.count("crm.deal.fields") == 1
    fields[0].clear()  # the caller's copy: the page's cache is not touched
    assert (await api.fields("crm.deal"))["ID"].type == "integer"


async def test_a_failed_fields_request_fails_its_waiters_and_is_asked_again_later():
    site = portal(**{"crm.deal.fields": (403, {"error": "ACCESS_DENIED"})})
    site.gate = asyncio.Event()
    api = PythonApi(site.send)
    waiting = [asyncio.ensure_future(api.fields("crm.deal")) for _ in range(3)]
    await asyncio.sleep(0)
    site.gate.set()
    outcomes = await asyncio.wait_for(asyncio.gather(*waiting, return_exceptions=True), 5)
    assert all(isinstance(o, B24AccessError) for o in outcomes)
    assert site.count("crm.deal.fields") == 1
    site.answers["crm.deal.fields"] = DEAL_FIELDS
    assert "ID" in await api.fields("crm.deal")
    assert site.count("crm.deal.fields") == 2


# -- reads ----------------------------------------------------------------------------------
async def test_a_typed_deal_reads_every_value_by_its_fields_type():
    deal = await PythonApi(portal().send).call("crm.deal.get", {"id": 42}, typed=True)
    assert deal == {
        "ID": 42,
        "TITLE": "Supply Agreement",
        "TYPE_ID": "SALE",  # crm_status ids are text
        "CATEGORY_ID": 0,
        "STAGE_ID": "C1:NEW",
        "OPENED": True,
        "CURRENCY_ID": "USD",
        "OPPORTUNITY": 12000.0,
        "PROBABILITY": None,  # empty, of a non-string type
        "COMPANY_ID": 7,
        "BEGINDATE": dt.date(2024, 7, 15),  # the text's own day, not shifted to UTC
        "CLOSEDATE": None,
        "ASSIGNED_BY_ID": 1,
        "DATE_CREATE": dt.datetime(
            2024, 7, 15, 12, 9, 45, tzinfo=dt.timezone(dt.timedelta(hours=2))
        ),
        "COMMENTS": "",
        "UF_CRM_BUDGET": Money(Decimal("100.50"), "USD"),
        "UF_CRM_PRIORITY": 80,
        "UF_CRM_FLAG": True,
        "UF_CRM_UNDESCRIBED": "5",  # a field the portal did not describe stays
    }
    assert deal["DATE_CREATE"].utcoffset() == dt.timedelta(hours=2)


async def test_untyped_calls_are_as_the_portal_answered_and_fields_are_not_asked():
    site = portal()
    assert await PythonApi(site.send).call("crm.deal.get", {"id": 42}) == DEAL
    assert site.count("crm.deal.fields") == 0


async def test_item_records_in_their_wrappers_with_multiple_fields_as_lists():
    api = PythonApi(portal().send)
    got = await api.call("crm.item.get", {"entityTypeId": 2, "id": 3}, typed=True)
    item = got["item"]
    assert (item["opened"], item["opportunity"], item["observers"]) == (True, 300.0, [1, 5])
    assert item["begindate"] == dt.date(2024, 7, 15) and item["parentId2"] == 42
    assert item["ufCrm44_1721812814433"] == Money(Decimal(300), "RUB")
    assert str(item["ufCrm44_1721812814433"]) == "300|RUB"
    rows = await api.list_all("crm.item.list", {"entityTypeId": 2}, typed=True)
    assert rows == [item]


async def test_original_uf_names_are_found_by_upper_name():
    site = portal(**{"crm.item.get": {"item": {"UF_CRM_44_1721812814433": "5|EUR"}}})
    got = await PythonApi(site.send).call(
        "crm.item.get", {"entityTypeId": 2, "id": 3, "useOriginalUfNames": "Y"}, typed=True
    )
    assert got["item"]["UF_CRM_44_1721812814433"] == Money(Decimal(5), "EUR")


async def test_user_values_by_the_user_table():
    api = PythonApi(portal().send)
    [user] = await api.call("user.get", {}, typed=True)
    assert user["ID"] == 3 and user["ACTIVE"] is True and user["IS_ONLINE"] is True
    assert user["LAST_LOGIN"] == dt.datetime(2024, 7, 23, 8, 7, 26, tzinfo=dt.UTC)
    assert user["LAST_ACTIVITY_DATE"] == "2024-07-23 08:08:50"  # no offset: the moment is unknown
    assert user["PERSONAL_BIRTHDAY"] == dt.date(2018, 7, 14)
    assert user["UF_EMPLOYMENT_DATE"] is None and user["UF_DEPARTMENT"] == [1]
    assert await api.call("user.current", typed=True) == user


async def test_tasks_are_read_by_their_upper_names_from_camel_case_keys():
    [task] = await PythonApi(portal().send).list_all("tasks.task.list", typed=True)
    assert (task["id"], task["priority"], task["responsibleId"]) == (8017, 2, 547)
    assert task["mark"] is None and task["multitask"] is False
    assert task["deadline"].isoformat() == "2025-10-24T19:00:00+02:00"
    assert task["responsible"] == {"id": "547", "name": "Maria"}  # no such field: as it came


@pytest.mark.parametrize(
    ("type_", "value"),
    [("integer", "abc"), ("double", "1e999"), ("date", "soon"), ("money", "100"), ("char", "X")],
)
async def test_a_value_its_type_cannot_read_stays_as_it_came(type_, value):
    site = portal(**{"crm.deal.fields": {"X": _desc(type_)}, "crm.deal.get": {"X": value}})
    assert await PythonApi(site.send).call("crm.deal.get", {"id": 1}, typed=True) == {"X": value}


async def test_results_that_are_no_records_and_the_fields_method_itself_stay():
    site = portal(**{"crm.deal.update": True, "crm.deal.delete": True})
    api = PythonApi(site.send)
    assert await api.call("crm.deal.fields", typed=True) == DEAL_FIELDS
    assert await api.call("crm.deal.delete", {"id": 1}, typed=True) is True
    assert [m for m, _ in site.requests] == ["crm.deal.fields", "crm.deal.delete"]
    assert await api.call("crm.deal.update", {"id": 1, "fields": {}}, typed=True) is True


# -- writes ---------------------------------------------------------------------------------
async def test_typed_writes_send_the_portals_text_forms_and_leave_the_callers_dict():
    site = portal()
    fields = {
        "TITLE": "New",
        "OPENED": False,
        "UF_CRM_FLAG": True,
        "BEGINDATE": dt.date(2025, 12, 28),
        "CLOSEDATE": dt.datetime(2025, 12, 31, 18, 0, tzinfo=dt.UTC),
        "DATE_CREATE": dt.datetime(2025, 1, 2, 3, 4, 5, 678, tzinfo=dt.UTC),
        "OPPORTUNITY": Decimal("12000.50"),
        "UF_CRM_BUDGET": Money(Decimal("99.90"), "EUR"),
        "CONTACT_IDS": [3, 4],
        "COMMENTS": None,
    }
    before = dict(fields)
    assert await PythonApi(site.send).call("crm.deal.add", {"fields": fields}, typed=True) == 43
    assert fields == before
    sent = site.requests[-1][1]["fields"]
    assert sent == {
        "TITLE": "New",
        "OPENED": "N",
        "UF_CRM_FLAG": "Y",
        "BEGINDATE": "2025-12-28",
        "CLOSEDATE": "2025-12-31",  # a datetime in a date field: its day
        "DATE_CREATE": "2025-01-02T03:04:05+00:00",
        "OPPORTUNITY": "12000.50",
        "UF_CRM_BUDGET": "99.90|EUR",
        "CONTACT_IDS": {"0": "3", "1": "4"},
        "COMMENTS": "",  # None clears the field
    }


async def test_what_a_typed_read_gives_writes_back_unchanged_on_the_portal():
    site = portal()
    api = PythonApi(site.send)
    deal = await api.call("crm.deal.get", {"id": 42}, typed=True)
    await api.call("crm.deal.add", {"fields": deal}, typed=True)
    sent = site.requests[-1][1]["fields"]
    assert sent["OPENED"] == "Y" and sent["UF_CRM_BUDGET"] == "100.50|USD"
    assert sent["OPPORTUNITY"] == "12000" and sent["BEGINDATE"] == "2024-07-15"
    assert sent["DATE_CREATE"] == "2024-07-15T12:09:45+02:00"


async def test_user_writes_are_the_top_level_params():
    site = portal(**{"user.update": True})
    await PythonApi(site.send).call("user.update", {"ID": 3, "ACTIVE": False}, typed=True)
    assert site.requests[-1] == ("user.update", {"ID": "3", "ACTIVE": "N"})  # user-update.md
    await PythonApi(site.send).call(
        "user.update",
        {"ID": 3, "IS_ONLINE": True, "UF_EMPLOYMENT_DATE": dt.date(2020, 1, 2)},
        typed=True,
    )
    assert site.requests[-1][1] == {"ID": "3", "IS_ONLINE": "Y", "UF_EMPLOYMENT_DATE": "2020-01-02"}


# -- which entity ---------------------------------------------------------------------------
async def test_an_entity_that_cannot_be_told_is_a_value_error_saying_how_to_name_it():
    api = PythonApi(portal().send)
    with pytest.raises(ValueError, match="entity="):
        await api.call("crm.deal.userfield.list", typed=True)
    with pytest.raises(ValueError, match="entity="):
        api.list("department.get", typed=True)
    with pytest.raises(ValueError, match="entityTypeId"):
        await api.call("crm.item.get", {"id": 3}, typed=True)
    with pytest.raises(ValueError, match="batch command 'x'"):
        await api.batch({"x": ["server.time", {}]}, typed=True)


async def test_entity_names_the_fields_for_a_method_of_another_name():
    site = portal(**{"crm.deal.recent": [DEAL]})
    [deal] = await PythonApi(site.send).call("crm.deal.recent", entity="crm.deal")
    assert deal["ID"] == 42


async def test_the_pages_default_types_what_it_can_and_leaves_the_rest():
    site = portal(**{"server.time": "2024-07-15T12:09:45+02:00"})
    api = PythonApi(site.send)
    api.types.enabled = True
    assert (await api.call("crm.deal.get", {"id": 42}))["OPENED"] is True
    assert await api.call("server.time") == "2024-07-15T12:09:45+02:00"
    assert (await api.call("crm.deal.get", {"id": 42}, typed=False))["OPENED"] == "Y"


# -- batch ----------------------------------------------------------------------------------
async def test_a_typed_batch_types_each_command_by_its_own_entity():
    site = portal()
    got = await PythonApi(site.send).batch(
        {
            "deal": ["crm.deal.get", {"id": 42}],
            "item": ["crm.item.get", {"entityTypeId": 2, "id": 3}],
            "me": ["user.current", {}],
            "add": ["crm.deal.add", {"fields": {"OPENED": True}}],
            "bad": ["crm.deal.nope", {}],
        },
        typed=True,
    )
    assert got["deal"]["UF_CRM_BUDGET"] == Money(Decimal("100.50"), "USD")
    assert got["item"]["item"]["observers"] == [1, 5] and got["me"]["ID"] == 3
    assert got["add"] == 43 and isinstance(got["bad"], B24Error)
    [cmd] = [p["cmd"] for m, p in site.requests if m == "batch"]
    assert parse_str(cmd["add"].partition("?")[2]) == {"fields": {"OPENED": "Y"}}
    assert [m for m, _ in site.requests if m.endswith("fields")] == [
        "crm.deal.fields",
        "crm.item.fields",
        "user.fields",
    ]


# -- the facade -----------------------------------------------------------------------------
async def test_the_facade_configures_typed_for_the_page_and_callmethod_stays_bx24js():
    host = FakeHost()
    bx24 = BX24Facade(host)
    host.reply("getInitData", INIT_DATA)
    await host.advance(0.05)
    bx24.configure(typed=True)
    host.responses += [(200, {"result": DEAL_FIELDS}), (200, {"result": DEAL})]
    assert (await bx24.call("crm.deal.get", {"id": 42}))["UF_CRM_BUDGET"].currency == "USD"
    host.responses.append((200, {"result": DEAL}))
    result = await bx24.callMethod("crm.deal.get", {"id": 42})
    assert result.data() == DEAL
    assert list(await bx24.fields("crm.deal")) == list(DEAL_FIELDS)
    assert [url.rsplit("/", 1)[1] for url, _ in host.http] == [
        "crm.deal.fields.json",
        "crm.deal.get.json",
        "crm.deal.get.json",
    ]
