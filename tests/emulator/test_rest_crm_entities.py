"""The CRM entities of the emulated portal, built from one schema table: the classic
``crm.{lead,deal,contact,company}.*`` families, ``crm.item.*`` for every type (a smart process
too), their ``*.fields`` metadata, multi-fields, user fields, stages per category and the
errors the docs give. Docs pages cited are in the public ``bitrix24/b24restdocs`` repository.
"""

import pytest

from portal_emulator.model import crmfields, seed
from pyb24 import fields as pyb24_fields
from pyb24.errors import B24NotFoundError, error_class
from tests.support.restkit import client

pytestmark = pytest.mark.usefixtures("emu")  # reset to the seed before each test

CLASSIC = ("lead", "deal", "contact", "company")
ACTIONS = ("add", "get", "list", "update", "delete", "fields")
FIELD_KEYS = ("type", "isRequired", "isReadOnly", "isImmutable", "isMultiple", "isDynamic")


@pytest.fixture
def admin(emu):
    return client(emu, 1)


def _error(resp):
    body = resp.json()
    return resp.status, body["error"], body["error_description"]


# -- the method table comes from the schema table ------------------------------------------------


def test_every_classic_entity_has_its_six_methods(admin):
    # api-reference/crm/{leads,deals,contacts,companies}/crm-<entity>-<action>.md
    assert set(crmfields.CLASSIC) == set(CLASSIC)
    methods = set(admin.call("methods").result)
    assert {f"crm.{e}.{a}" for e in CLASSIC for a in ACTIONS} <= methods
    assert {f"crm.item.{a}" for a in ACTIONS} <= methods
    assert not any(name.startswith("crm.projects.") for name in methods)  # no classic family


# -- *.fields ------------------------------------------------------------------------------------


def test_crm_deal_fields_answers_the_documented_metadata(admin):
    # api-reference/crm/deals/crm-deal-fields.md (Response Handling)
    fields = admin.call("crm.deal.fields").result
    assert fields["ID"] == {
        "type": "integer",
        "isRequired": False,
        "isReadOnly": True,
        "isImmutable": False,
        "isMultiple": False,
        "isDynamic": False,
        "title": "ID",
    }
    assert fields["STAGE_ID"]["type"] == "crm_status"
    assert fields["STAGE_ID"]["statusType"] == "DEAL_STAGE"
    assert fields["STAGE_ID"]["title"] == "Deal Stage"
    assert fields["CATEGORY_ID"]["type"] == "crm_category"
    assert fields["CATEGORY_ID"]["isImmutable"] is True
    assert fields["COMPANY_ID"]["settings"] == {"parentEntityTypeId": 4}
    assert fields["CONTACT_IDS"]["isMultiple"] is True
    assert fields["OPENED"]["type"] == "char" and fields["OPPORTUNITY"]["type"] == "double"
    assert (
        fields["IS_NEW"]["isReadOnly"] is True and fields["MOVED_BY_ID"]["title"] == "MOVED_BY_ID"
    )
    for name, description in fields.items():
        assert all(isinstance(description[key], bool) for key in FIELD_KEYS[1:]), name
        assert isinstance(description["type"], str) and isinstance(description["title"], str)


def test_crm_deal_fields_describes_user_fields_with_their_labels(admin):
    # api-reference/crm/companies/crm-company-fields.md: a UF's title is its name, the label
    # is in listLabel/formLabel/filterLabel; enumeration items as in
    # api-reference/crm/_include/user-fields-for-examples-cut.md
    fields = admin.call("crm.deal.fields").result
    budget = fields["UF_CRM_BUDGET"]
    assert budget["type"] == "money" and budget["isDynamic"] is True
    assert budget["title"] == "UF_CRM_BUDGET" and budget["listLabel"] == "Budget"
    assert budget["formLabel"] == budget["filterLabel"] == "Budget"
    priority = fields["UF_CRM_PRIORITY"]
    assert priority["type"] == "enumeration"
    assert priority["items"] == [
        {"ID": "45", "VALUE": "Low"},
        {"ID": "46", "VALUE": "Normal"},
        {"ID": "47", "VALUE": "High"},
    ]
    assert fields["UF_CRM_SOURCE_NOTE"]["settings"]["SIZE"] == 20


def test_pyb24_reads_crm_deal_fields(admin):
    # the typed layer (pyb24/fields.py) parses this answer: types, flags, items, statusType
    parsed = pyb24_fields.parse_fields(
        pyb24_fields.entity_named("crm.deal"), admin.call("crm.deal.fields").result
    )
    assert parsed["UF_CRM_BUDGET"].type == "money"
    assert parsed["ID"].read_only and parsed["CONTACT_IDS"].multiple
    assert parsed["STAGE_ID"].status_type == "DEAL_STAGE"
    assert [item.id for item in parsed["UF_CRM_PRIORITY"].items] == [45, 46, 47]


def test_crm_item_fields_answers_camel_names_with_upper_names(admin):
    # api-reference/crm/universal/crm-item-fields.md (Response Handling)
    answer = admin.call("crm.item.fields", {"entityTypeId": 2}).result
    fields = answer["fields"]
    assert set(answer) == {"fields"}
    assert fields["id"]["upperName"] == "ID" and fields["id"]["type"] == "integer"
    assert fields["createdTime"]["upperName"] == "CREATED_TIME"
    assert fields["createdBy"]["upperName"] == "CREATED_BY"
    assert fields["opened"]["type"] == "boolean"  # "char" in the classic answer
    assert fields["companyId"]["settings"] == {"parentEntityTypeId": 4}
    budget = fields["ufCrmBudget"]
    assert budget["type"] == "money" and budget["upperName"] == "UF_CRM_BUDGET"
    assert budget["title"] == "Budget" and budget["isDynamic"] is True
    parsed = pyb24_fields.parse_fields(pyb24_fields.entity_named("crm.item"), answer)
    assert parsed["ufCrmBudget"].type == "money" and parsed["ufCrmBudget"].upper_name


def test_crm_item_fields_original_uf_names(admin):
    # crm-item-fields.md: useOriginalUfNames=Y names user fields UF_CRM_...
    fields = admin.call("crm.item.fields", {"entityTypeId": 2, "useOriginalUfNames": "Y"}).result[
        "fields"
    ]
    assert "UF_CRM_BUDGET" in fields and "ufCrmBudget" not in fields and "title" in fields


def test_classic_fields_of_every_entity(admin):
    # crm-contact-fields.md / crm-company-fields.md / crm-lead-fields.md
    contact = admin.call("crm.contact.fields").result
    assert contact["PHONE"]["type"] == "crm_multifield" and contact["PHONE"]["isMultiple"]
    assert contact["EMAIL"]["title"] == "E-mail" and "FM" not in contact
    assert contact["NAME"]["isRequired"] and contact["LAST_NAME"]["isRequired"]
    company = admin.call("crm.company.fields").result
    assert company["TITLE"] == {
        "type": "string",
        "isRequired": True,
        "isReadOnly": False,
        "isImmutable": False,
        "isMultiple": False,
        "isDynamic": False,
        "title": "Company Name",
    }
    lead = admin.call("crm.lead.fields").result
    assert lead["STATUS_ID"]["statusType"] == "STATUS" and "STAGE_ID" not in lead
    assert not lead["NAME"]["isRequired"]


def test_smart_process_fields_and_items(admin):
    # crm-item-fields.md: a smart process's stageId has its own statusType
    fields = admin.call("crm.item.fields", {"entityTypeId": 1032}).result["fields"]
    assert fields["stageId"]["statusType"] == "DYNAMIC_1032_STAGE_8"
    assert fields["categoryId"]["type"] == "crm_category"
    page = admin.call("crm.item.list", {"entityTypeId": 1032}).json()
    assert page["total"] == len(seed.PROJECTS) and page["result"]["items"][0]["id"] == 1
    item = admin.call(
        "crm.item.add", {"entityTypeId": 1032, "fields": {"title": "New project"}}
    ).result["item"]
    assert item["categoryId"] == 8 and item["stageId"] == "DT1032_8:NEW"
    assert item["entityTypeId"] == 1032
    moved = admin.call(
        "crm.item.update",
        {"entityTypeId": 1032, "id": item["id"], "fields": {"stageId": "DT1032_8:SUCCESS"}},
    ).result["item"]
    assert moved["stageSemanticId"] == "S" and moved["previousStageId"] == "DT1032_8:NEW"


# -- values as the portal sends them -------------------------------------------------------------


def test_classic_get_of_every_entity(admin):
    # crm-deal-get.md, crm-contact-get.md: text values, dates with the portal's offset
    deal = admin.call("crm.deal.get", {"id": 1}).result
    assert deal["ID"] == "1" and deal["OPPORTUNITY"] == "12000.00" and deal["CATEGORY_ID"] == "0"
    assert deal["OPENED"] == "Y" and deal["IS_NEW"] == "Y" and deal["COMPANY_ID"] == "1"
    assert deal["BEGINDATE"].endswith("T00:00:00+03:00")
    assert deal["UF_CRM_BUDGET"] == "15000|USD" and deal["UF_CRM_PRIORITY"] == "47"
    assert "CONTACT_IDS" not in deal  # crm-deal-fields.md: not in get/list
    contact = admin.call("crm.contact.get", {"id": 1}).result
    assert contact["NAME"] == "Emma" and contact["COMPANY_ID"] == "1"
    assert contact["PHONE"][0].keys() == {"ID", "VALUE_TYPE", "VALUE", "TYPE_ID"}
    assert contact["EMAIL"][0]["VALUE"] == "emma.larsen@northwindtraders.example"
    company = admin.call("crm.company.get", {"id": 1}).result
    assert company["TITLE"] == "Northwind Traders" and company["EMAIL"][0]["TYPE_ID"] == "EMAIL"
    lead = admin.call("crm.lead.get", {"id": 1}).result
    assert lead["ID"] == "1" and lead["STATUS_ID"] in dict(crmfields.STAGES[1])


def test_crm_item_values_are_typed(admin):
    # crm-item-get.md: ints, "Y"/"N", camelCase, user fields by camel name
    deal = admin.call("crm.item.get", {"entityTypeId": 2, "id": 1}).result["item"]
    assert deal["ufCrmBudget"] == "15000|USD" and deal["ufCrmPriority"] == 47
    assert deal["categoryId"] == 0 and deal["opened"] == "Y"
    contact = admin.call("crm.item.get", {"entityTypeId": 3, "id": 1}).result["item"]
    assert contact["fm"][0].keys() == {"id", "typeId", "valueType", "value"}


def test_classic_list_select_star_and_user_fields(admin):
    # crm-deal-list.md: "*" gives the base fields, "UF_*" the user fields
    plain = admin.call("crm.deal.list", {"filter": {"ID": 1}}).result[0]
    assert "UF_CRM_BUDGET" not in plain and plain["TITLE"]
    star = admin.call("crm.deal.list", {"filter": {"ID": 1}, "select": ["*"]}).result[0]
    assert "UF_CRM_BUDGET" not in star and "STAGE_ID" in star
    both = admin.call("crm.deal.list", {"filter": {"ID": 1}, "select": ["*", "UF_*"]}).result[0]
    assert both["UF_CRM_BUDGET"] == "15000|USD" and "STAGE_ID" in both
    only = admin.call("crm.deal.list", {"filter": {"ID": 1}, "select": ["UF_CRM_PRIORITY"]})
    assert only.result == [{"ID": "1", "UF_CRM_PRIORITY": "47"}]
    by_uf = admin.call(
        "crm.deal.list", {"filter": {"UF_CRM_PRIORITY": 47}, "select": ["UF_*"], "start": -1}
    ).result
    assert by_uf and {deal["UF_CRM_PRIORITY"] for deal in by_uf} == {"47"}


def test_classic_list_multifields_only_when_named(admin):
    # crm-contact-list.md: PHONE/EMAIL come back when the select names them
    page = admin.call("crm.contact.list", {"filter": {"COMPANY_ID": 1}, "select": ["*"]}).result
    assert page and "PHONE" not in page[0] and {c["COMPANY_ID"] for c in page} == {"1"}
    named = admin.call(
        "crm.contact.list", {"filter": {"ID": 1}, "select": ["ID", "NAME", "PHONE", "EMAIL"]}
    ).result[0]
    assert named["NAME"] == "Emma" and named["PHONE"] and named["EMAIL"]


def test_classic_filters_and_order_per_entity(admin):
    # crm-company-list.md / crm-contact-list.md: filter with prefixes, order
    companies = admin.call(
        "crm.company.list", {"filter": {"%TITLE": "north"}, "select": ["ID", "TITLE"]}
    ).result
    assert companies == [{"ID": "1", "TITLE": "Northwind Traders"}]
    contacts = admin.call(
        "crm.contact.list", {"order": {"LAST_NAME": "ASC"}, "select": ["LAST_NAME"], "start": -1}
    ).result
    names = [c["LAST_NAME"] for c in contacts]
    assert names == sorted(names, key=str.lower)
    leads = admin.call("crm.lead.list", {"filter": {"STATUS_ID": "JUNK"}, "start": -1}).result
    assert leads and {lead["STATUS_ID"] for lead in leads} == {"JUNK"}


# -- writing -------------------------------------------------------------------------------------


def test_classic_crud_of_contacts_and_companies(admin):
    # crm-company-add.md: the result is the new id; crm-company-update.md: true
    company_id = admin.call("crm.company.add", {"fields": {"TITLE": "Acme Rockets"}}).result
    assert isinstance(company_id, int)
    contact_id = admin.call(
        "crm.contact.add",
        {"fields": {"NAME": "Ann", "LAST_NAME": "Lee", "COMPANY_ID": company_id}},
    ).result
    assert admin.call("crm.contact.update", {"id": contact_id, "fields": {"POST": "CTO"}}).result
    contact = admin.call("crm.contact.get", {"id": contact_id}).result
    assert contact["POST"] == "CTO" and contact["COMPANY_ID"] == str(company_id)
    assert admin.call("crm.contact.delete", {"id": contact_id}).result is True
    assert admin.call("crm.company.delete", {"id": company_id}).result is True
    assert admin.call("crm.company.get", {"id": company_id}).status == 400


def test_multifield_add_change_and_delete(admin):
    # crm-contact-update.md, "Working with Multiple Fields": ID changes, DELETE=Y or an empty
    # VALUE deletes, no ID adds; the rest stay
    contact_id = admin.call(
        "crm.contact.add",
        {
            "fields": {
                "NAME": "Phones",
                "PHONE": [
                    {"VALUE": "111", "VALUE_TYPE": "WORK"},
                    {"VALUE": "222", "VALUE_TYPE": "WORK"},
                    {"VALUE": "333", "VALUE_TYPE": "WORK"},
                    {"VALUE": "444", "VALUE_TYPE": "HOME"},
                ],
                "EMAIL": [{"VALUE": "p@example.com", "VALUE_TYPE": "WORK"}],
            }
        },
    ).result
    phones = admin.call("crm.contact.get", {"id": contact_id}).result["PHONE"]
    ids = [phone["ID"] for phone in phones]
    assert [phone["VALUE"] for phone in phones] == ["111", "222", "333", "444"]
    admin.call(
        "crm.contact.update",
        {
            "id": contact_id,
            "fields": {
                "PHONE": [
                    {"ID": ids[0], "DELETE": "Y"},
                    {"ID": ids[1], "VALUE": ""},
                    {"ID": ids[2], "VALUE": "999", "VALUE_TYPE": "MOBILE"},
                    {"VALUE": "555", "VALUE_TYPE": "WORK"},
                ]
            },
        },
    )
    after = admin.call("crm.contact.get", {"id": contact_id}).result
    assert [(p["VALUE"], p["VALUE_TYPE"]) for p in after["PHONE"]] == [
        ("999", "MOBILE"),
        ("444", "HOME"),
        ("555", "WORK"),
    ]
    assert after["EMAIL"][0]["VALUE"] == "p@example.com"  # not named: unchanged


def test_crm_item_fm_keys_add_change_delete(admin):
    # crm-item-update.md: n0.. adds, a record's id changes it, an empty value deletes it
    contact = admin.call("crm.item.get", {"entityTypeId": 3, "id": 1}).result["item"]
    phone, email = contact["fm"]
    updated = admin.call(
        "crm.item.update",
        {
            "entityTypeId": 3,
            "id": 1,
            "fields": {
                "fm": {
                    str(phone["id"]): {"typeId": "PHONE", "valueType": "MOBILE", "value": "+1"},
                    str(email["id"]): {"typeId": "EMAIL", "value": ""},
                    "n0": {"typeId": "WEB", "valueType": "WORK", "value": "acme.example"},
                }
            },
        },
        json_body=True,
    ).result["item"]
    assert [(e["typeId"], e["valueType"], e["value"]) for e in updated["fm"]] == [
        ("PHONE", "MOBILE", "+1"),
        ("WEB", "WORK", "acme.example"),
    ]


def test_an_invalid_email_is_the_portals_error(admin):
    # crm-contact-add.md: ERROR_CORE, "The field `Work e-mail` contains an invalid address"
    resp = admin.call(
        "crm.contact.add",
        {"fields": {"NAME": "X", "EMAIL": [{"VALUE": "not-an-address", "VALUE_TYPE": "WORK"}]}},
    )
    assert _error(resp) == (
        400,
        "ERROR_CORE",
        "The field `Work e-mail` contains an invalid address",
    )


def test_user_field_values_are_checked_and_stored(admin):
    # a money UF is "amount|CURRENCY"; an enumeration takes one of its items' IDs
    deal_id = admin.call(
        "crm.deal.add",
        {"fields": {"TITLE": "UF", "UF_CRM_BUDGET": "1500.50|EUR", "UF_CRM_PRIORITY": "46"}},
    ).result
    item = admin.call("crm.item.get", {"entityTypeId": 2, "id": deal_id}).result["item"]
    assert item["ufCrmBudget"] == "1500.50|EUR" and item["ufCrmPriority"] == 46
    bad_money = admin.call("crm.deal.update", {"id": deal_id, "fields": {"UF_CRM_BUDGET": "lots"}})
    assert _error(bad_money) == (400, "", "Field 'UF_CRM_BUDGET' has an invalid value.")
    bad_enum = admin.call(
        "crm.item.update", {"entityTypeId": 2, "id": deal_id, "fields": {"ufCrmPriority": 99}}
    )
    assert _error(bad_enum) == (
        400,
        "CRM_FIELD_ERROR_VALUE_NOT_VALID",
        'Invalid value for field "ufCrmPriority"',
    )


def test_a_stage_picks_its_category_and_the_category_is_immutable(admin):
    # crm-deal-fields.md: CATEGORY_ID isImmutable; stages of category 1 are "C1:..."
    deal_id = admin.call("crm.deal.add", {"fields": {"TITLE": "R", "STAGE_ID": "C1:NEW"}}).result
    deal = admin.call("crm.deal.get", {"id": deal_id}).result
    assert deal["CATEGORY_ID"] == "1" and deal["STAGE_ID"] == "C1:NEW" and deal["IS_NEW"] == "Y"
    admin.call("crm.deal.update", {"id": deal_id, "fields": {"CATEGORY_ID": 0}})
    assert admin.call("crm.deal.get", {"id": deal_id}).result["CATEGORY_ID"] == "1"
    won = admin.call("crm.deal.update", {"id": deal_id, "fields": {"STAGE_ID": "C1:WON"}})
    assert won.result is True
    assert admin.call("crm.deal.get", {"id": deal_id}).result["CLOSED"] == "Y"
    wrong = admin.call("crm.deal.update", {"id": deal_id, "fields": {"STAGE_ID": "WON"}})
    assert _error(wrong) == (400, "", "Field 'STAGE_ID' has an invalid value.")
    in_category = admin.call(
        "crm.item.add", {"entityTypeId": 2, "fields": {"categoryId": 1}}
    ).result["item"]
    assert in_category["stageId"] == "C1:NEW"


# -- errors --------------------------------------------------------------------------------------

NOT_FOUND = {
    # (entity, action): (code, description), from each method's "Error Handling"
    ("deal", "get"): ("", "Not found"),  # crm-deal-get.md
    ("deal", "update"): ("", "Not found"),  # crm-deal-update.md
    ("deal", "delete"): ("", "Not found"),  # crm-deal-delete.md
    ("lead", "get"): ("", "Not found"),  # crm-lead-get.md
    ("lead", "delete"): ("", "Not found"),  # crm-lead-delete.md
    ("contact", "get"): ("", "Not found"),  # crm-contact-get.md
    ("contact", "update"): ("", "Contact is not found"),  # crm-contact-update.md
    ("contact", "delete"): ("ERROR_CORE", "Element not found"),  # crm-contact-delete.md
    ("company", "get"): ("", "Not found"),  # crm-company-get.md
    ("company", "update"): ("", "Company is not found"),  # crm-company-update.md
    ("company", "delete"): ("", "Company is not found"),  # crm-company-delete.md
}


@pytest.mark.parametrize(("entity", "action"), list(NOT_FOUND))
def test_not_found_is_the_documented_error_and_b24_not_found(admin, entity, action):
    params = {"id": 999999, "fields": {"COMMENTS": "x"}}
    status, code, description = _error(admin.call(f"crm.{entity}.{action}", params))
    assert (status, code, description) == (400, *NOT_FOUND[(entity, action)])
    assert error_class(status, code, description) is B24NotFoundError  # pyb24's mapping


@pytest.mark.parametrize("entity", CLASSIC)
@pytest.mark.parametrize("bad_id", [None, "abc", -1, "1" + "0" * 30])
def test_a_missing_or_huge_id_is_the_portals_400(admin, entity, bad_id):
    # crm-deal-get.md: "ID is not defined or invalid" (never a 500 for a huge number)
    resp = admin.call(f"crm.{entity}.get", {"id": bad_id} if bad_id is not None else {})
    assert _error(resp) == (400, "", "ID is not defined or invalid.")


def test_huge_numbers_in_fields_are_a_400(admin):
    resp = admin.call("crm.deal.add", {"fields": {"TITLE": "x", "OPPORTUNITY": "1e400"}})
    assert _error(resp) == (400, "", "Field 'OPPORTUNITY' has an invalid value.")
    resp = admin.call("crm.item.add", {"entityTypeId": 2, "fields": {"companyId": "9" * 40}})
    assert resp.status == 400 and resp.error == "CRM_FIELD_ERROR_VALUE_NOT_VALID"


def test_required_fields(admin):
    # crm-company-fields.md: TITLE isRequired; crm-contact-fields.md: the names are; wording
    # as crm-item-batch-import.md gives CRM_FIELD_ERROR_REQUIRED
    resp = admin.call("crm.company.add", {"fields": {"COMMENTS": "no title"}})
    assert _error(resp) == (400, "", 'The "Company Name" field is required.')
    resp = admin.call("crm.item.add", {"entityTypeId": 3, "fields": {"post": "CEO"}})
    assert _error(resp) == (400, "CRM_FIELD_ERROR_REQUIRED", 'The "First Name" field is required')
    assert admin.call("crm.contact.add", {"fields": {"LAST_NAME": "Only"}}).status == 200
    cleared = admin.call("crm.company.update", {"id": 1, "fields": {"TITLE": ""}})
    assert cleared.status == 400
    assert admin.call("crm.lead.add", {"fields": {}}).status == 400  # fields must be given
    assert isinstance(admin.call("crm.lead.add", {"fields": {"NAME": "A"}}).result, int)


def test_list_parameters_that_are_not_arrays(admin):
    # crm-deal-list.md: "Parameter 'filter' must be array."
    resp = admin.call("crm.contact.list", {"filter": "NAME"})
    assert _error(resp) == (400, "", "Parameter 'filter' must be array.")
    resp = admin.call("crm.company.list", {"order": "TITLE"})
    assert _error(resp) == (400, "", "Parameter 'order' must be array.")


def test_unknown_fields_refused_or_ignored_like_the_portal(emu, admin):
    resp = admin.call("crm.contact.add", {"fields": {"NAME": "A", "UF_CRM_NOPE": "x"}})
    assert resp.status == 400 and "UF_CRM_NOPE" in resp.json()["error_description"]
    # derived classic fields are known, and ignored on write
    assert admin.call("crm.deal.update", {"id": 1, "fields": {"IS_NEW": "N"}}).result is True
    emu.rest.configure(strict_fields=False)
    contact_id = admin.call("crm.contact.add", {"fields": {"NAME": "A", "NOPE": "x"}}).result
    assert admin.call("crm.contact.get", {"id": contact_id}).result["NAME"] == "A"
