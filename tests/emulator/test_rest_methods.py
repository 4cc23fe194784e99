"""REST methods of the emulated portal over real HTTP: people, CRM, events, options."""

import pytest

from tests.support.restkit import client, cursor_ids, send

USERS = 130  # seeded: 6 fixed people + 124 generated, 5 of them dismissed
DEALS, LEADS, CONTACTS, COMPANIES = 150, 60, 80, 30


pytestmark = pytest.mark.usefixtures("emu")  # reset to the seed before each test


@pytest.fixture
def admin(emu):
    return client(emu, 1)


@pytest.fixture
def maria(emu):
    return client(emu, 2)  # Head of Sales, not an administrator


# -- people and structure ---------------------------------------------------------------------


def test_user_current(admin):
    me = admin.call("user.current").result
    assert me["ID"] == "1" and me["NAME"] == "Alex" and me["LAST_NAME"] == "Morgan"
    assert me["ACTIVE"] is True and me["UF_DEPARTMENT"] == [1]
    assert me["EMAIL"] == "alex.morgan@acme.example" and me["USER_TYPE"] == "employee"


def test_user_get_pages_through_everyone(admin):
    ids, start, pages = [], 0, 0
    while True:
        page = admin.call("user.get", {"sort": "ID", "order": "ASC", "start": start}).json()
        pages += 1
        assert page["total"] == USERS
        ids += [int(user["ID"]) for user in page["result"]]
        if "next" not in page:
            break
        assert page["next"] == start + 50
        start = page["next"]
    assert pages == 3 and ids == list(range(1, USERS + 1))


def test_user_get_start_minus_one_skips_counting(admin):
    page = admin.call("user.get", {"start": -1, "FILTER": {">ID": 100}}).json()
    assert "total" not in page and "next" not in page
    assert [user["ID"] for user in page["result"]] == [str(i) for i in range(101, 131)]


@pytest.mark.parametrize(
    ("params", "ids"),
    [
        ({"ID": 5}, [5]),
        ({"ID": [3, 1, 4]}, [1, 3, 4]),
        ({"FILTER": {">ID": 127}}, [128, 129, 130]),
        ({"filter": {"<ID": 3}}, [1, 2]),
        ({"FILTER": {">=ID": 5, "<=ID": 6}}, [5, 6]),
        ({"NAME": "Al%"}, None),  # a % in the value is a wildcard
        ({"LAST_NAME": "morgan"}, [1]),  # text compares without case, like MySQL
        ({"FILTER": {"UF_DEPARTMENT": 4}}, None),
        ({"NAME_SEARCH": "alex morgan"}, [1]),
        ({"FILTER": {"%WORK_POSITION": "head of"}}, None),
        ({"UNKNOWN_FIELD": "x", "ID": 2}, [2]),  # unknown filter fields are ignored
    ],
)
def test_user_get_filters(admin, params, ids):
    users = admin.call("user.get", params).result
    if ids is not None:
        assert [int(u["ID"]) for u in users] == ids
    key = next(iter(params))
    if key == "NAME":
        assert users and all(u["NAME"].startswith("Al") for u in users)
    if key == "FILTER" and "UF_DEPARTMENT" in params["FILTER"]:
        assert users and all(u["UF_DEPARTMENT"] == [4] for u in users)
        assert 5 in [int(u["ID"]) for u in users]
    if key == "FILTER" and "%WORK_POSITION" in params["FILTER"]:
        assert {u["ID"] for u in users} >= {"2", "119"}


def test_user_get_active_and_sort(admin):
    active = admin.call("user.get", {"FILTER": {"ACTIVE": True}}).json()
    assert active["total"] == USERS - 5
    dismissed = admin.call("user.get", {"ACTIVE": "N"}).result
    assert len(dismissed) == 5 and not any(u["ACTIVE"] for u in dismissed)
    newest = admin.call("user.get", {"SORT": "ID", "ORDER": "DESC"}).result
    assert newest[0]["ID"] == str(USERS)
    by_name = admin.call("user.get", {"sort": "LAST_NAME", "order": "asc", "start": -1}).result
    names = [u["LAST_NAME"].lower() for u in by_name]
    assert names == sorted(names)


def test_department_get(admin):
    everything = admin.call("department.get").json()
    assert everything["total"] == 9
    root = everything["result"][0]
    assert root == {"ID": "1", "NAME": "Acme Corp", "SORT": 500, "UF_HEAD": "1"}
    children = admin.call("department.get", {"PARENT": 1}).result
    assert [d["ID"] for d in children] == ["2", "3", "4", "5", "6", "7"]
    europe = admin.call("department.get", {"ID": 8}).result
    assert europe[0]["NAME"] == "Sales Europe" and europe[0]["PARENT"] == "2"
    by_name = admin.call("department.get", {"sort": "NAME", "order": "DESC"}).result
    assert by_name[0]["NAME"] == "Sales Europe"
    # SORT with a number filters by the sort index (departments/department-get.md)
    assert admin.call("department.get", {"SORT": 500}).json()["total"] == 9
    assert admin.call("department.get", {"SORT": 100}).result == []


def test_scope_lists_the_apps_scopes_and_full_every_one(admin):
    # api-reference/common/system/scope.md: ["department", "entity", "log", "user"], no basic
    mine = admin.call("scope").result
    assert "crm" in mine and "entity" in mine and "basic" not in mine
    every = admin.call("scope", {"full": "true"}).result
    assert set(mine) < set(every) and "telephony" in every


def test_methods_of_one_scope(admin):
    # api-reference/common/system/methods.md: scope narrows, an empty scope is the common ones
    every = admin.call("methods").result
    storage = admin.call("methods", {"scope": "entity"}).result
    assert storage and set(storage) < set(every)
    assert all(name.startswith("entity.") for name in storage)
    common = admin.call("methods", {"scope": ""}).result
    assert "server.time" in common and "entity.add" not in common


def test_profile_follows_the_frames_admin_flag(emu):
    assert client(emu, 1).call("profile").result["ADMIN"] is True
    demoted = client(emu, 1, admin=False).call("profile").result
    assert demoted["ADMIN"] is False and demoted["ID"] == "1" and demoted["NAME"] == "Alex"
    assert client(emu, 1, admin=False).call("user.admin").result is False


def test_small_methods(admin):
    assert admin.call("server.time").result.endswith("+03:00")
    assert "crm" in admin.call("scope").result
    names = admin.call("methods").result
    assert {"batch", "crm.item.list", "user.get", "app.option.set"} <= set(names)


# -- crm.item ---------------------------------------------------------------------------------


def test_crm_item_get_seeded_deal(admin):
    deal = admin.call("crm.item.get", {"entityTypeId": 2, "id": 1}).result["item"]
    assert deal["id"] == 1 and deal["title"] == "Northwind Traders — CRM rollout"
    assert deal["stageId"] == "NEW" and deal["opportunity"] == 12000.0
    assert deal["currencyId"] == "USD" and deal["assignedById"] == 3
    assert deal["companyId"] == 1 and deal["contactIds"] == [1] and deal["entityTypeId"] == 2
    assert deal["createdTime"].endswith("+03:00")


def test_crm_item_crud(admin):
    fields = {
        "title": "Python: 100% & more",
        "opportunity": 1500.5,
        "currencyId": "EUR",
        "comments": "line1\nline2 é",
        "assignedById": 3,
    }
    item = admin.call("crm.item.add", {"entityTypeId": 2, "fields": fields}).result["item"]
    assert item["id"] == DEALS + 1
    assert item["title"] == fields["title"] and item["comments"] == fields["comments"]
    assert item["opportunity"] == 1500.5 and item["currencyId"] == "EUR"
    assert item["createdBy"] == 1 and item["stageId"] == "NEW" and item["stageSemanticId"] == "P"

    moved = admin.call(
        "crm.item.update", {"entityTypeId": 2, "id": item["id"], "fields": {"stageId": "WON"}}
    ).result["item"]
    assert moved["stageId"] == "WON" and moved["stageSemanticId"] == "S" and moved["closed"] == "Y"
    assert moved["title"] == fields["title"]

    got = admin.call("crm.item.get", {"entityTypeId": 2, "id": item["id"]}).result["item"]
    assert got == moved

    assert admin.call("crm.item.delete", {"entityTypeId": 2, "id": item["id"]}).result == []
    gone = admin.call("crm.item.get", {"entityTypeId": 2, "id": item["id"]})
    assert gone.status == 400
    assert gone.json() == {"error": "NOT_FOUND", "error_description": "Element not found"}
    again = admin.call("crm.item.add", {"entityTypeId": 2, "fields": {"title": "next"}})
    assert again.result["item"]["id"] == DEALS + 2  # ids are never reused


def test_crm_item_add_defaults_and_json_body(admin):
    item = admin.call("crm.item.add", {"entityTypeId": 1, "fields": {}}, json_body=True)
    lead = item.result["item"]
    assert lead["title"] == f"Lead #{LEADS + 1}" and lead["stageId"] == "NEW"
    assert lead["assignedById"] == 1 and lead["opened"] == "Y"
    contact = admin.call(
        "crm.item.add", {"entityTypeId": 3, "fields": {"name": "Ann", "lastName": "Lee"}}
    ).result["item"]
    assert contact["name"] == "Ann" and "title" not in contact


@pytest.mark.parametrize(
    ("entity_type_id", "total"), [(1, LEADS), (2, DEALS), (3, CONTACTS), (4, COMPANIES)]
)
def test_crm_item_list_totals_per_type(admin, entity_type_id, total):
    page = admin.call("crm.item.list", {"entityTypeId": entity_type_id}).json()
    assert page["total"] == total and len(page["result"]["items"]) == min(total, 50)
    assert page.get("next") == (50 if total > 50 else None)


@pytest.mark.parametrize(
    ("filter_", "check"),
    [
        ({"=stageId": "WON"}, lambda i: i["stageId"] == "WON"),
        ({"stageId": "won"}, lambda i: i["stageId"] == "WON"),
        ({"!stageId": "WON"}, lambda i: i["stageId"] != "WON"),
        ({"@stageId": ["WON", "LOSE"]}, lambda i: i["stageId"] in ("WON", "LOSE")),
        ({"!@stageId": ["NEW"]}, lambda i: i["stageId"] != "NEW"),
        ({">id": 140}, lambda i: i["id"] > 140),
        (
            {">=opportunity": 100000, "<opportunity": 150000},
            lambda i: 100000 <= i["opportunity"] < 150000,
        ),
        ({"%title": "contoso"}, lambda i: "contoso" in i["title"].lower()),
        ({"=%title": "Contoso%"}, lambda i: i["title"].startswith("Contoso")),
        ({"!%title": "o"}, lambda i: "o" not in i["title"].lower()),
        (
            {"assignedById": 3, "currencyId": "USD"},
            lambda i: i["assignedById"] == 3 and i["currencyId"] == "USD",
        ),
        (
            {"0": {"logic": "OR", "0": {"=stageId": "WON"}, "1": {"=stageId": "LOSE"}}},
            lambda i: i["stageId"] in ("WON", "LOSE"),
        ),
        ({">=createdTime": "2025-01-01"}, lambda i: i["createdTime"] >= "2025-01-01"),
    ],
)
def test_crm_item_list_filters(admin, filter_, check):
    params = {"entityTypeId": 2, "filter": filter_, "select": ["*"], "start": -1}
    items = admin.call("crm.item.list", params, json_body=True).result["items"]
    assert items, "the seed has matching deals"
    assert all(check(item) for item in items)
    everything = admin.call(
        "crm.item.list", {"entityTypeId": 2, "start": -1, "filter": {">id": 0}, "select": ["*"]}
    )
    assert everything.status == 200


def test_crm_item_list_select_order_and_cursor_paging(admin):
    params = {"entityTypeId": 2, "select": ["title", "stageId"], "order": {"id": "DESC"}}
    items = admin.call("crm.item.list", params).result["items"]
    assert items[0] == {"id": DEALS, "title": items[0]["title"], "stageId": items[0]["stageId"]}
    assert [i["id"] for i in items] == list(range(DEALS, DEALS - 50, -1))
    seen, _pages = cursor_ids(admin)  # the ID-cursor export of b24jssdk
    assert seen == list(range(1, DEALS + 1))


def test_crm_item_list_sorts_by_a_field(admin):
    items = admin.call(
        "crm.item.list",
        {
            "entityTypeId": 2,
            "order": {"opportunity": "DESC"},
            "select": ["opportunity"],
            "start": -1,
        },
    ).result["items"]
    amounts = [i["opportunity"] for i in items]
    assert amounts == sorted(amounts, reverse=True)


@pytest.mark.parametrize(
    ("method", "params", "status", "error"),
    [
        ("crm.item.list", {}, 400, 100),
        ("crm.item.list", {"entityTypeId": "deal"}, 400, 100),
        ("crm.item.list", {"entityTypeId": 99}, 400, "NOT_FOUND"),
        ("crm.item.list", {"entityTypeId": 2, "filter": {"bogus": 1}}, 400, "INVALID_ARG_VALUE"),
        ("crm.item.list", {"entityTypeId": 2, "filter": {">id": "x"}}, 400, "INVALID_ARG_VALUE"),
        ("crm.item.list", {"entityTypeId": 2, "order": {"id": "UP"}}, 400, "INVALID_ARG_VALUE"),
        ("crm.item.list", {"entityTypeId": 2, "order": {"nope": "ASC"}}, 400, "INVALID_ARG_VALUE"),
        ("crm.item.get", {"entityTypeId": 2}, 400, 100),
        ("crm.item.get", {"entityTypeId": 2, "id": 999999}, 400, "NOT_FOUND"),
        ("crm.item.add", {"entityTypeId": 2}, 400, 100),
        ("crm.item.add", {"entityTypeId": 2, "fields": "title"}, 400, 100),
        ("crm.item.add", {"entityTypeId": 2, "fields": {"nope": 1}}, 400, "INVALID_ARG_VALUE"),
        (
            "crm.item.add",
            {"entityTypeId": 2, "fields": {"opportunity": "lots"}},
            400,
            "CRM_FIELD_ERROR_VALUE_NOT_VALID",
        ),
        (
            "crm.item.add",
            {"entityTypeId": 2, "fields": {"assignedById": 9999}},
            400,
            "CRM_FIELD_ERROR_VALUE_NOT_VALID",
        ),
        (
            "crm.item.add",
            {"entityTypeId": 2, "fields": {"stageId": "NOPE"}},
            400,
            "CRM_FIELD_ERROR_VALUE_NOT_VALID",
        ),
        (
            "crm.item.add",
            {"entityTypeId": 2, "fields": {"closedate": "someday"}},
            400,
            "CRM_FIELD_ERROR_VALUE_NOT_VALID",
        ),
        (
            "crm.item.update",
            {"entityTypeId": 2, "id": 999999, "fields": {"title": "x"}},
            400,
            "NOT_FOUND",
        ),
        ("crm.item.delete", {"entityTypeId": 2, "id": 999999}, 400, "NOT_FOUND"),
    ],
)
def test_crm_item_errors(admin, method, params, status, error):
    resp = admin.call(method, params, json_body=True)
    assert resp.status == status and resp.error == error, resp
    assert resp.json()["error_description"]


def test_unknown_fields_can_be_ignored_like_the_portal(emu, admin):
    emu.rest.configure(strict_fields=False)
    item = admin.call("crm.item.add", {"entityTypeId": 2, "fields": {"title": "t", "nope": 1}})
    assert item.status == 200 and "nope" not in item.result["item"]


def test_read_only_fields_are_ignored(admin):
    item = admin.call("crm.item.add", {"entityTypeId": 2, "fields": {"id": 5, "createdBy": 7}})
    assert item.result["item"]["id"] == DEALS + 1 and item.result["item"]["createdBy"] == 1


# -- crm.deal (classic) -----------------------------------------------------------------------


def test_crm_deal_get_is_upper_case_text(admin):
    deal = admin.call("crm.deal.get", {"id": 2}).result
    assert deal["ID"] == "2" and deal["TITLE"] == "Contoso — Annual support contract"
    assert deal["STAGE_ID"] == "WON" and deal["OPPORTUNITY"] == "48000.00"
    assert deal["CURRENCY_ID"] == "EUR" and deal["ASSIGNED_BY_ID"] == "2"
    assert deal["CLOSED"] == "Y" and deal["DATE_CREATE"].endswith("+03:00")
    assert admin.call("crm.deal.get", {"ID": 2}).result == deal


def test_crm_deal_list(admin):
    page = admin.call(
        "crm.deal.list",
        {
            "select": ["ID", "TITLE", "OPPORTUNITY"],
            "filter": {">OPPORTUNITY": 100000},
            "order": {"OPPORTUNITY": "DESC"},
        },
    ).json()
    assert page["total"] > 0
    first = page["result"][0]
    assert set(first) == {"ID", "TITLE", "OPPORTUNITY"}
    amounts = [float(deal["OPPORTUNITY"]) for deal in page["result"]]
    assert amounts == sorted(amounts, reverse=True) and min(amounts) > 100000
    everything = admin.call("crm.deal.list").json()
    assert everything["total"] == DEALS and everything["next"] == 50
    assert everything["result"][0]["ID"] == "1" and "STAGE_SEMANTIC_ID" in everything["result"][0]
    won = admin.call("crm.deal.list", {"filter": {"=STAGE_ID": "WON"}, "start": -1}).result
    assert won and {deal["STAGE_ID"] for deal in won} == {"WON"}


def test_crm_deal_add_and_get(admin):
    resp = admin.call(
        "crm.deal.add",
        {"fields": {"TITLE": "Classic", "OPPORTUNITY": 99.5, "STAGE_ID": "PREPARATION"}},
    )
    new_id = resp.result
    assert isinstance(new_id, int) and new_id == DEALS + 1
    deal = admin.call("crm.deal.get", {"id": new_id}).result
    assert deal["TITLE"] == "Classic" and deal["OPPORTUNITY"] == "99.50"
    item = admin.call("crm.item.get", {"entityTypeId": 2, "id": new_id}).result["item"]
    assert item["title"] == "Classic" and item["stageId"] == "PREPARATION"


@pytest.mark.parametrize(
    ("method", "params", "description"),
    [
        ("crm.deal.get", {"id": 999999}, "Not found"),
        ("crm.deal.get", {}, "ID is not defined or invalid."),
        ("crm.deal.add", {}, "Parameter 'fields' must be array."),
    ],
)
def test_crm_deal_errors_have_an_empty_code(admin, method, params, description):
    resp = admin.call(method, params)
    assert resp.status == 400
    assert resp.json() == {"error": "", "error_description": description}


# -- events -----------------------------------------------------------------------------------


def test_event_bind_get_unbind(admin):
    hook = "https://handler.example/crm"
    assert admin.call("event.bind", {"event": "ONCRMDEALADD", "handler": hook}).result is True
    assert (
        admin.call("event.bind", {"EVENT": "onCrmLeadAdd", "HANDLER": hook, "auth_type": 3}).result
        is True
    )
    again = admin.call("event.bind", {"event": "ONCRMDEALADD", "handler": hook})
    assert again.status == 400 and again.error == "ERROR_CORE"
    assert admin.call("event.get").result == [
        {"event": "ONCRMDEALADD", "handler": hook, "auth_type": "0", "offline": 0},
        {"event": "ONCRMLEADADD", "handler": hook, "auth_type": "3", "offline": 0},
    ]
    unbound = admin.call("event.unbind", {"event": "ONCRMDEALADD", "handler": hook})
    assert unbound.result == {"count": 1}
    assert [e["event"] for e in admin.call("event.get").result] == ["ONCRMLEADADD"]


@pytest.mark.parametrize(
    ("params", "status", "error"),
    [
        ({"event": "ONNOTHING", "handler": "https://h.example/"}, 400, "ERROR_EVENT_NOT_FOUND"),
        ({"event": "ONCRMDEALADD"}, 400, "ERROR_ARGUMENT"),
        ({"event": "ONCRMDEALADD", "handler": "javascript:alert(1)"}, 400, "WRONG_HANDLER_URL"),
    ],
)
def test_event_bind_errors(admin, params, status, error):
    resp = admin.call("event.bind", params)
    assert (resp.status, resp.error) == (status, error)


def test_event_rules_for_non_administrators(maria, admin):
    hook = "https://handler.example/x"
    assert maria.call("event.bind", {"event": "ONCRMDEALADD", "handler": hook}).result is True
    assert admin.call("event.get").result[0]["auth_type"] == "2"  # on her own behalf
    # api-reference/events/event-bind.md and event-unbind.md: their 403s, word for word
    for action, method in (("binding", "event.bind"), ("unbinding", "event.unbind")):
        for params, why in (
            ({"event_type": "offline"}, f"Offline events {action}"),
            ({"auth_type": 1}, f"Event {action} with AUTH_TYPE"),
        ):
            denied = maria.call(method, {"event": "ONCRMDEALUPDATE", "handler": hook, **params})
            assert (denied.status, denied.error) == (403, "ACCESS_DENIED")
            assert denied.json()["error_description"] == (
                f"Access denied! {why} requires administrator access rights"
            )
    # she unbinds her own online handler, never another user's
    admin.call("event.bind", {"event": "ONCRMDEALADD", "handler": hook, "auth_type": 1})
    unbind = maria.call("event.unbind", {"event": "ONCRMDEALADD", "handler": hook})
    assert unbind.result == {"count": 1}
    assert [h["auth_type"] for h in admin.call("event.get").result] == ["1"]


# -- options ----------------------------------------------------------------------------------


def test_app_options_are_the_portal_pages_options(emu, admin):
    assert admin.call("app.option.get").result == []
    assert admin.call("app.option.set", {"options": {"theme": "dark", "limits": [1, 2]}}).result
    assert admin.call("app.option.get").result == {"theme": "dark", "limits": ["1", "2"]}
    assert admin.call("app.option.get", {"option": "theme"}).result == "dark"
    assert admin.call("app.option.get", {"option": "missing"}).result is None
    assert emu.store.app_options() == {"theme": "dark", "limits": ["1", "2"]}
    # ...and what the portal page saves (setAppOption) is what REST reads
    emu.store.set_app_options([("from_page", {"a": 1})])
    assert admin.call("app.option.get", {"option": "from_page"}, json_body=True).result == {"a": 1}
    page = send(emu.portal_url(), method="GET")
    assert b'"theme": "dark"' in page.body  # APP_OPTIONS of the next getInitData


def test_json_option_values_keep_their_types(admin):
    admin.call("app.option.set", {"options": {"n": 5, "flag": True, "none": None}}, json_body=True)
    assert admin.call("app.option.get").result == {"n": 5, "flag": True, "none": None}


def test_app_option_set_needs_an_administrator(emu, maria):
    denied = maria.call("app.option.set", {"options": {"x": "1"}})
    assert (denied.status, denied.error) == (403, "ACCESS_DENIED")
    assert client(emu, 1, admin=False).call("app.option.set", {"options": {"x": 1}}).status == 403
    assert maria.call("app.option.get").result == []  # reading is for everyone


def test_option_set_without_options_takes_the_parameters(admin):
    assert admin.call("app.option.set", {"colour": "red"}).result is True
    assert admin.call("app.option.get").result == {"colour": "red"}
    empty = admin.call("app.option.set", {"options": {}}, json_body=True)
    assert (empty.status, empty.error) == (400, "ERROR_ARGUMENT")
    assert empty.json()["argument"] == "options"


def test_options_named_next_and_total_go_to_the_envelope_root(admin):
    admin.call("app.option.set", {"options": {"next": "n", "total": "t", "x": "1"}})
    answer = admin.call("app.option.get").json()
    assert answer["result"] == {"x": "1"} and answer["next"] == "n" and answer["total"] == "t"


def test_user_options_are_per_user(emu, admin, maria):
    assert maria.call("user.option.set", {"options": {"tab": "deals"}}).result is True
    assert maria.call("user.option.get").result == {"tab": "deals"}
    assert maria.call("user.option.get", {"option": "tab"}).result == "deals"
    assert admin.call("user.option.get").result == []
    assert emu.store.user_options(2) == {"tab": "deals"}


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("crm.deal.get", {"id": 999999}),  # api-reference/crm/deals/crm-deal-get.md
        ("crm.contact.get", {"id": 999999}),  # api-reference/crm/contacts/crm-contact-get.md
        ("crm.item.get", {"entityTypeId": 2, "id": 999999}),  # crm/universal/crm-item-get.md
        ("no.such.method", {}),
    ],
)
def test_not_found_answers_raise_b24_not_found(admin, method, params):
    """The README's ``except B24NotFoundError`` around a missing deal: every not-found answer
    the emulated portal gives is classed as one by pyb24's own mapping."""
    from pyb24.errors import B24NotFoundError, error_from_answer

    reply = admin.call(method, params)
    assert reply.status in (400, 404)
    error = error_from_answer(method, reply.status, reply.json())
    assert isinstance(error, B24NotFoundError), reply.json()


def test_user_fields_titles_every_key_user_get_answers(admin):
    # api-reference/user/user-fields.md: {"NAME": "First Name", ...}
    titles = admin.call("user.fields").result
    assert titles["NAME"] == "First Name" and titles["UF_DEPARTMENT"] == "Units"
    assert set(admin.call("user.current").result) == set(titles)


def test_user_search_find_matches_name_or_position(admin):
    # api-reference/user/user-search.md: FILTER.FIND searches every listed field
    found = admin.call("user.search", {"FILTER": {"FIND": "Morgan"}}).result
    assert [user["ID"] for user in found] == ["1"]
    sales = admin.call("user.search", {"FILTER": {"WORK_POSITION": "Head of Sales"}}).result
    assert [user["ID"] for user in sales] == ["2"]


def test_app_info(admin, emu):
    # api-reference/common/system/app-info.md
    info = admin.call("app.info").result
    assert info["INSTALLED"] is True and info["STATUS"] == "L" and info["DAYS"] is None
    assert isinstance(info["ID"], int) and isinstance(info["VERSION"], int)


def test_tasks_task_add_get_update(admin):
    # api-reference/tasks/tasks-task-add.md, -get.md, -update.md: {"task": {...}}, text values
    added = admin.call(
        "tasks.task.add", {"fields": {"TITLE": "Call Acme", "RESPONSIBLE_ID": 2}}
    ).result["task"]
    assert added["title"] == "Call Acme" and added["responsibleId"] == "2"
    assert added["createdBy"] == "1" and added["status"] == "2"
    task_id = added["id"]
    got = admin.call("tasks.task.get", {"taskId": task_id}).result["task"]
    assert got == added
    done = admin.call("tasks.task.update", {"taskId": task_id, "fields": {"STATUS": 5}})
    assert done.result["task"]["status"] == "5" and done.result["task"]["closedDate"]
    listed = admin.call("tasks.task.list", {"filter": {"ID": task_id}}).result["tasks"]
    assert [task["status"] for task in listed] == ["5"]


@pytest.mark.parametrize(
    ("method", "params", "code", "description"),
    [
        ("tasks.task.get", {}, "100", "CTaskItem All parameters"),
        ("tasks.task.get", {"taskId": "x"}, "0", "wrong task id"),
        ("tasks.task.get", {"taskId": 99999}, "0", "Action on the task is not allowed"),
        ("tasks.task.get", {"taskId": "9" * 40}, "0", "wrong task id"),
        ("tasks.task.add", {}, "100", "Could not find value for parameter {fields}"),
        ("tasks.task.add", {"fields": {"RESPONSIBLE_ID": 1}}, "ERROR_CORE", "Task title"),
        ("tasks.task.add", {"fields": {"TITLE": "x"}}, "ERROR_CORE", "Responsible person"),
        (
            "tasks.task.add",
            {"fields": {"TITLE": "x", "RESPONSIBLE_ID": 99999}},
            "ERROR_CORE",
            'User specified in the "Responsible" field not found',
        ),
        ("tasks.task.update", {"taskId": 1, "fields": {"STATUS": 9}}, "ERROR_CORE", "Incorrect"),
        ("tasks.task.update", {"taskId": 99999, "fields": {"TITLE": "y"}}, "0", "not allowed"),
        # tasks-task-list.md: an order naming a field that cannot be sorted or does not exist
        ("tasks.task.list", {"order": {"NO_SUCH_FIELD": "asc"}}, "0", "Invalid sorting key"),
        ("tasks.task.list", {"order": ["ID"]}, "0", "Invalid sorting key (internal error)"),
    ],
)
def test_tasks_task_errors_as_the_docs_list_them(admin, method, params, code, description):
    reply = admin.call(method, params)
    assert reply.status == 400
    assert reply.json()["error"] == code and description in reply.json()["error_description"]
