"""CRM dictionaries over real HTTP: crm.status.*, crm.category.*, crm.currency.*, crm.type.*
in the shapes, value types and errors of their pages in the REST docs (bitrix24/b24restdocs)."""

import pytest

from portal_emulator.model import crmfields, dictionaries
from tests.support.restkit import client

pytestmark = pytest.mark.usefixtures("emu")

STATUS_KEYS = [
    "ID",
    "ENTITY_ID",
    "STATUS_ID",
    "NAME",
    "NAME_INIT",
    "SORT",
    "SYSTEM",
    "CATEGORY_ID",
    "COLOR",
    "SEMANTICS",
]


@pytest.fixture
def admin(emu):
    return client(emu, 1)


def test_crm_status_list_deal_stages_as_the_docs_example(admin):
    # api-reference/crm/status/crm-status-list.md: order SORT ASC, filter ENTITY_ID=DEAL_STAGE
    reply = admin.call(
        "crm.status.list", {"order": {"SORT": "ASC"}, "filter": {"ENTITY_ID": "DEAL_STAGE"}}
    )
    assert reply.status == 200 and reply.json()["total"] == 8
    stages = reply.result
    assert [stage["STATUS_ID"] for stage in stages] == [
        "NEW",
        "PREPARATION",
        "PREPAYMENT_INVOICE",
        "EXECUTING",
        "FINAL_INVOICE",
        "WON",
        "LOSE",
        "APOLOGY",
    ]
    new = stages[0]
    assert list(new) == [*STATUS_KEYS, "EXTRA"]
    assert new["NAME"] == "New" and new["NAME_INIT"] == "New" and new["SYSTEM"] == "Y"
    assert isinstance(new["ID"], str) and new["SORT"] == "10" and new["CATEGORY_ID"] is None
    assert new["SEMANTICS"] is None and new["EXTRA"] == {"SEMANTICS": "process", "COLOR": "#39A8EF"}
    assert stages[1]["NAME_INIT"] == "" and stages[1]["SYSTEM"] == "N"
    assert [(s["SEMANTICS"], s["EXTRA"]["SEMANTICS"]) for s in stages[5:]] == [
        ("S", "success"),
        ("F", "failure"),
        ("F", "apology"),
    ]


def test_crm_status_list_other_funnels_and_dictionaries(admin):
    # tutorials/crm/how-to-get-lists/how-to-get-elements-by-stage-filter.md: DEAL_STAGE_<id>,
    # "C<id>:" stage codes, CATEGORY_ID as text
    funnel = admin.call("crm.status.list", {"filter": {"ENTITY_ID": "DEAL_STAGE_1"}}).result
    assert funnel[0]["STATUS_ID"] == "C1:NEW" and funnel[0]["CATEGORY_ID"] == "1"
    assert all(stage["STATUS_ID"].startswith("C1:") for stage in funnel)
    sources = admin.call(
        "crm.status.list", {"filter": {"ENTITY_ID": "SOURCE"}, "order": {"SORT": "DESC"}}
    ).result
    assert list(sources[0]) == STATUS_KEYS  # no EXTRA outside stages
    assert [int(s["SORT"]) for s in sources] == sorted(
        (int(s["SORT"]) for s in sources), reverse=True
    )
    assert {source["STATUS_ID"] for source in sources} >= set(crmfields.SOURCES)
    leads = admin.call("crm.status.list", {"filter": {"ENTITY_ID": "STATUS"}}).result
    assert leads[0]["NAME"] == "Not processed" and leads[0]["EXTRA"]["SEMANTICS"] == "process"


def test_every_id_the_seeded_crm_uses_has_a_name():
    for entity_id, ids in dictionaries.USED_IDS.items():
        assert set(ids) <= set(dictionaries.PLAIN[entity_id][1]), entity_id
    assert {stage for stage, _ in crmfields.STAGES[crmfields.DEAL]} <= set(dictionaries.STAGE_LOOK)
    assert dictionaries.deal_stages(0) == crmfields.STAGES[crmfields.DEAL]


def test_crm_status_list_errors(admin):
    # crm-status-list.md: 400 "Invalid parameters."
    reply = admin.call("crm.status.list", {"filter": "DEAL_STAGE"})
    assert reply.status == 400 and reply.json()["error"] == "Invalid parameters."


def test_crm_status_get_and_fields(admin):
    # api-reference/crm/status/crm-status-get.md, crm-status-fields.md
    first = admin.call("crm.status.list", {"filter": {"ENTITY_ID": "DEAL_STAGE"}}).result[0]
    assert admin.call("crm.status.get", {"id": first["ID"]}).result == first
    missing = admin.call("crm.status.get", {"id": 99999})
    assert missing.status == 400 and missing.json() == {
        "error": "Status is not found.",
        "error_description": "Directory item not found.",
    }
    fields = admin.call("crm.status.fields").result
    assert list(fields) == [*STATUS_KEYS, "EXTRA"]
    assert fields["ID"]["type"] == "integer" and fields["ID"]["isReadOnly"] is True
    assert fields["SYSTEM"]["type"] == "char" and fields["EXTRA"]["type"] == "crm_status_extra"
    assert fields["ENTITY_ID"]["isRequired"] is True and fields["ENTITY_ID"]["isImmutable"]


def test_crm_status_entity_items(admin):
    # api-reference/crm/status/crm-status-entity-items.md: NAME, SORT (a number), STATUS_ID
    items = admin.call("crm.status.entity.items", {"entityId": "DEAL_STAGE"}).result
    assert items[0] == {"NAME": "New", "SORT": 10, "STATUS_ID": "NEW"}
    assert [item["SORT"] for item in items] == sorted(item["SORT"] for item in items)
    assert len(admin.call("crm.status.entity.items", {"entityId": "DEAL_STAGE_2"}).result) == 4
    for params in ({}, {"entityId": "NO_SUCH"}):
        reply = admin.call("crm.status.entity.items", params)
        assert reply.status == 400
        assert reply.json()["error"] == "The parameter entityId is not defined or invalid."


def test_crm_status_entity_types(admin):
    # api-reference/crm/status/crm-status-entity-types.md
    types = {entry["ID"]: entry for entry in admin.call("crm.status.entity.types").result}
    assert types["SOURCE"] == {"ID": "SOURCE", "NAME": "Sources"}
    assert types["STATUS"]["ENTITY_TYPE_ID"] == 1
    assert types["DEAL_STAGE"]["SEMANTIC_INFO"] == {
        "START_FIELD": "NEW",
        "FINAL_SUCCESS_FIELD": "WON",
        "FINAL_UNSUCCESS_FIELD": "LOSE",
        "FINAL_SORT": 0,
    }
    assert types["DEAL_STAGE"]["CATEGORY_ID"] == 0 and types["DEAL_STAGE"]["ENTITY_TYPE_ID"] == 2
    one = types["DEAL_STAGE_1"]
    assert one["PARENT_ID"] == "DEAL_STAGE" and one["PREFIX"] == "C1"
    assert one["CATEGORY_ID"] == "1" and one["FIELD_ATTRIBUTE_SCOPE"] == "category_1"
    assert one["SEMANTIC_INFO"]["START_FIELD"] == "C1:NEW"


def test_crm_category_list_and_get(admin):
    # api-reference/crm/universal/category/crm-category-list.md, crm-category-get.md
    reply = admin.call("crm.category.list", {"entityTypeId": 2})
    categories = reply.result["categories"]
    assert reply.json()["total"] == len(categories) == 3
    assert categories[0] == {
        "id": 1,
        "name": "Enterprise",
        "sort": 200,
        "entityTypeId": 2,
        "isDefault": "N",
        "originId": "",
        "originatorId": "",
    }
    general = categories[-1]
    assert general == {"id": 0, "name": "General", "sort": 300, "entityTypeId": 2, "isDefault": "Y"}
    got = admin.call("crm.category.get", {"entityTypeId": 2, "id": 1}).result
    assert got == {"category": categories[0]}
    contacts = admin.call("crm.category.list", {"entityTypeId": 3}).result["categories"]
    assert [category["isDefault"] for category in contacts] == ["Y"]


@pytest.mark.parametrize(
    ("method", "params", "code", "description"),
    [
        ("crm.category.list", {}, 100, "Could not find value for parameter {entityTypeId}"),
        ("crm.category.list", {"entityTypeId": 777}, "NOT_FOUND", "Smart process not found"),
        ("crm.category.list", {"entityTypeId": 1}, "ENTITY_TYPE_NOT_SUPPORTED", "LEAD"),
        ("crm.category.get", {"entityTypeId": 2, "id": 99}, "NOT_FOUND", "Element not found"),
        ("crm.category.get", {"entityTypeId": 2}, 100, "parameter {id}"),
    ],
)
def test_crm_category_errors(admin, method, params, code, description):
    reply = admin.call(method, params)
    assert reply.status == 400
    assert reply.json()["error"] == code and description in reply.json()["error_description"]


def test_crm_currency_list_and_get(admin):
    # api-reference/crm/currency/crm-currency-list.md: text values, total always 0
    reply = admin.call("crm.currency.list")
    currencies = reply.result
    assert reply.json()["total"] == 0
    assert [c["CURRENCY"] for c in currencies] == ["USD", "EUR", "GBP", "RUB"]
    usd = currencies[0]
    assert usd["BASE"] == "Y" and usd["AMOUNT"] == "1.0000" and usd["AMOUNT_CNT"] == "1"
    assert usd["SORT"] == "100" and usd["DECIMALS"] == "2" and usd["THOUSANDS_SEP"] is None
    assert usd["DATE_UPDATE"].endswith("+03:00")
    assert {c["CURRENCY"] for c in currencies} >= set(crmfields.CURRENCIES)
    ordered = admin.call("crm.currency.list", {"order": {"AMOUNT": "desc"}}).result
    assert [c["CURRENCY"] for c in ordered] == ["GBP", "EUR", "USD", "RUB"]
    # api-reference/crm/currency/crm-currency-get.md: the currency plus LANG per language
    got = admin.call("crm.currency.get", {"id": "eur"}).result
    assert {key: got[key] for key in currencies[1]} == currencies[1]
    assert got["LANG"]["en"]["FULL_NAME"] == "Euro" and got["LANG"]["en"]["DECIMALS"] == "2"
    missing = admin.call("crm.currency.get", {"id": "XYZ"})
    assert missing.status == 400 and missing.json() == {
        "error": "",
        "error_description": "Not found",
    }


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("crm.status.get", {"id": 99999}),  # crm/status/crm-status-get.md
        ("crm.category.get", {"entityTypeId": 2, "id": 99}),  # universal/category/...-get.md
        ("crm.category.list", {"entityTypeId": 777}),  # universal/category/...-list.md
        ("crm.currency.get", {"id": "XYZ"}),  # crm/currency/crm-currency-get.md
        ("crm.type.get", {"id": 999}),  # universal/user-defined-object-types/crm-type-get.md
    ],
)
def test_not_found_answers_raise_b24_not_found(admin, method, params):
    from pyb24.errors import B24NotFoundError, error_from_answer

    reply = admin.call(method, params)
    error = error_from_answer(method, reply.status, reply.json())
    assert isinstance(error, B24NotFoundError), reply.json()


# -- crm.type.* (api-reference/crm/universal/user-defined-object-types/) ------------------------


def test_crm_type_list_names_the_smart_processes_crm_item_answers(admin):
    # crm-type-list.md: {"types": [...]} with total; each type's entityTypeId is what
    # crm.item.* takes, and its options follow the fields crm.item.fields lists
    reply = admin.call("crm.type.list")
    types = reply.result["types"]
    assert reply.json()["total"] == len(types) == 1
    (projects,) = types
    assert (projects["id"], projects["entityTypeId"], projects["title"]) == (5, 1032, "Projects")
    fields = admin.call("crm.item.fields", {"entityTypeId": 1032}).result["fields"]
    assert "observers" in fields and projects["isObserversEnabled"] == "Y"
    assert "mycompanyId" not in fields and projects["isMycompanyEnabled"] == "N"
    items = admin.call("crm.item.list", {"entityTypeId": projects["entityTypeId"]}).result
    assert items["items"], "the type's items are listed"
    got = admin.call("crm.type.get", {"id": projects["id"]}).result["type"]
    assert {key: got[key] for key in projects} == projects
    # crm-type-get.md: relations to the entities its cards link (a client: contact, company)
    assert [p["entityTypeId"] for p in got["relations"]["parent"]] == [3, 4]


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"filter": {"isAutomationEnabled": "Y", "isCategoriesEnabled": "Y"}}, 1),
        ({"filter": {"isLinkWithProductsEnabled": "Y"}}, 0),
        ({"filter": [{"logic": "OR", "0": {"%title": "5"}, "1": {"%title": "proj"}}]}, 1),
        ({"filter": {">id": 5}}, 0),
        ({"order": {"id": "DESC"}, "start": 50}, 0),
    ],
)
def test_crm_type_list_filters_orders_and_pages(admin, params, count):
    # crm-type-list.md: filter with prefixes and logic OR, order, start
    assert len(admin.call("crm.type.list", params).result["types"]) == count


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"filter": {"colour": "red"}}, "Invalid filter: field 'colour' is not allowed in filter"),
        ({"order": {"colour": "ASC"}}, "Invalid order: field 'colour' is not allowed in order"),
        (
            {"order": {"id": "UP"}},
            "Invalid order: allowed sort directions are ASC, DESC. But got 'UP' for field 'id'",
        ),
    ],
)
def test_crm_type_list_errors(admin, params, description):
    # crm-type-list.md, "Possible Error Codes": 400 INVALID_ARG_VALUE
    reply = admin.call("crm.type.list", params)
    assert reply.failure == (400, "INVALID_ARG_VALUE", description)


def test_crm_type_get_of_a_missing_type(admin):
    # crm-type-get.md: 400 {"error": 0, "error_description": "SPA not found"}
    assert admin.call("crm.type.get", {"id": 999}).failure == (400, 0, "SPA not found")
