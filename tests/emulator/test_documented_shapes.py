"""Every emulated method answers a documented call in the documented shape.

One table, :data:`DOCUMENTED`: per row a call as the method's page in the official REST docs
source (the public ``bitrix24/b24restdocs`` repository, path in ``doc``) gives it, and the
shape of its answer there: the keys of ``result`` and the type of each value, and for list
methods ``total``/``next``. A parametrized test sends each call to the emulator as BX24.js
sends it (a form body) and checks the answer; another checks that every method of the method
table has a row. When the emulator and the page disagree, the emulator is wrong.

Shapes are plain data:

- a type: the value is of it (``bool`` is not an ``int``); a tuple: any of its shapes;
- ``Text(pattern)``: a string matching the regular expression (numeric ids, dates);
- a set: the value is one of its members (``{"Y", "N"}``);
- a dict: the value is a dict holding at least these keys, each value of its shape
  (``ABSENT``: the key is not there);
- ``[shape]``: a non-empty list, every element of that shape; ``[]``: any list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from portal_emulator.rest.methods import METHODS
from tests.support.restkit import client

pytestmark = pytest.mark.usefixtures("emu")  # reset to the seed before each row


@dataclass(frozen=True)
class Text:
    """A string matching ``pattern`` (whole)."""

    pattern: str


ID = Text(r"[1-9]\d*")  # the portal's numeric strings: "ID": "15"
NUMBER = Text(r"-?\d+(\.\d+)?")  # "OPPORTUNITY": "19999.99"
DATETIME = Text(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")  # "2024-08-05T09:02:13+00:00"
YN = {"Y", "N"}
NULL = type(None)
ABSENT = object()  # a dict key the page says is not sent (in this call)


@dataclass(frozen=True)
class Call:
    """One documented call: ``method`` with ``params`` answers ``result`` of this shape."""

    method: str
    params: dict[str, Any]
    result: Any
    doc: str  # the page in bitrix24/b24restdocs
    listing: bool = False  # the answer carries "total", and "next" while pages remain
    before: tuple[tuple[str, dict[str, Any]], ...] = ()  # calls that must succeed first
    user: int = 1  # who calls (1: the portal's administrator)

    @property
    def id(self) -> str:
        return self.method


USER = {
    "ID": ID,
    "ACTIVE": bool,
    "NAME": str,
    "LAST_NAME": str,
    "EMAIL": str,
    "LAST_LOGIN": str,
    "DATE_REGISTER": str,
    "IS_ONLINE": YN,
    "PERSONAL_GENDER": str,
    "PERSONAL_BIRTHDAY": str,
    "UF_EMPLOYMENT_DATE": str,
    "UF_DEPARTMENT": [int],
}
DEAL = {
    "ID": ID,
    "TITLE": str,
    "TYPE_ID": (str, NULL),
    "CATEGORY_ID": Text(r"\d+"),
    "STAGE_ID": str,
    "OPPORTUNITY": NUMBER,
    "CURRENCY_ID": str,
    "ASSIGNED_BY_ID": ID,
    "DATE_CREATE": DATETIME,
    "OPENED": YN,
    "CLOSED": YN,
}
MULTI = {"ID": ID, "VALUE_TYPE": str, "VALUE": str, "TYPE_ID": {"PHONE", "EMAIL", "WEB", "IM"}}
CONTACT = {
    "ID": ID,
    "NAME": (str, NULL),
    "LAST_NAME": (str, NULL),
    "TYPE_ID": (str, NULL),
    "COMPANY_ID": (str, NULL),
    "ASSIGNED_BY_ID": ID,
    "DATE_CREATE": DATETIME,
    "OPENED": YN,
    "PHONE": [MULTI],
}
COMPANY = {
    "ID": ID,
    "TITLE": str,
    "COMPANY_TYPE": (str, NULL),
    "ASSIGNED_BY_ID": ID,
    "DATE_CREATE": DATETIME,
    "OPENED": YN,
    "EMAIL": [MULTI],
}
LEAD = {
    "ID": ID,
    "TITLE": (str, NULL),
    "STATUS_ID": str,
    "OPPORTUNITY": NUMBER,
    "CURRENCY_ID": str,
    "ASSIGNED_BY_ID": ID,
    "DATE_CREATE": DATETIME,
    "OPENED": YN,
}
# crm_rest_field_description (api-reference/crm/data-types.md), as *.fields answer it
FIELD = {
    "type": str,
    "isRequired": bool,
    "isReadOnly": bool,
    "isImmutable": bool,
    "isMultiple": bool,
    "isDynamic": bool,
    "title": str,
}
CLASSIC_FIELDS = {"ID": FIELD, "ASSIGNED_BY_ID": FIELD, "DATE_CREATE": FIELD}
ITEM = {  # crm.item.* answers camelCase keys with numbers, not numeric strings
    "id": int,
    "title": (str, NULL),
    "createdTime": DATETIME,
    "updatedTime": DATETIME,
    "createdBy": int,
    "assignedById": (int, NULL),
    "opened": YN,
    "stageId": (str, NULL),
    "opportunity": (int, float),
    "currencyId": str,
}
TASK = {  # tasks.task.* answers camelCase keys with text values
    "id": ID,
    "title": str,
    "description": str,
    "createdBy": ID,
    "responsibleId": ID,
    "status": Text(r"\d"),
    "priority": Text(r"\d"),
}
DEPARTMENT = {"ID": ID, "NAME": str, "SORT": int}
STATUS_ROW = {  # crm.status.* answer numbers as text, EXTRA only for stages
    "ID": ID,
    "ENTITY_ID": str,
    "STATUS_ID": str,
    "NAME": str,
    "NAME_INIT": str,
    "SORT": Text(r"\d+"),
    "SYSTEM": YN,
    "CATEGORY_ID": (str, NULL),  # "1" in funnel 1, null in funnel 0
    "COLOR": (str, NULL),
    "SEMANTICS": {"S", "F", None},
    "EXTRA": {"SEMANTICS": {"process", "success", "failure", "apology"}, "COLOR": str},
}
FIELD_INFO = {
    "type": str,
    "isRequired": bool,
    "isReadOnly": bool,
    "isImmutable": bool,
    "isMultiple": bool,
    "isDynamic": bool,
    "title": str,
}
CATEGORY = {"id": int, "name": str, "sort": int, "entityTypeId": int, "isDefault": YN}
SMART_TYPE = {  # crm-type-list.md / crm-type-get.md ("id": 37, "entityTypeId": 1256, ...)
    "id": int,
    "title": str,
    "code": str,
    "createdBy": int,
    "entityTypeId": int,
    "customSectionId": (int, NULL),
    **{
        f"is{option}Enabled": YN
        for option in (
            "Categories Stages BeginCloseDates Client UseInUserfield LinkWithProducts Mycompany"
            " Documents Source Observers Recyclebin Automation BizProc Payments Counters"
        ).split()
    },
    "isSetOpenPermissions": YN,
    "createdTime": DATETIME,
    "updatedTime": DATETIME,
    "updatedBy": int,
}
RELATION = {"entityTypeId": int, "isChildrenListEnabled": YN, "isPredefined": YN}
CURRENCY = {
    "CURRENCY": Text(r"[A-Z]{3}"),
    "AMOUNT_CNT": Text(r"\d+"),
    "AMOUNT": Text(r"\d+\.\d{4}"),
    "SORT": Text(r"\d+"),
    "BASE": YN,
    "FULL_NAME": str,
    "LID": str,
    "FORMAT_STRING": str,
    "DEC_POINT": str,
    "THOUSANDS_SEP": (str, NULL),
    "DECIMALS": Text(r"\d+"),
    "DATE_UPDATE": DATETIME,
}
PRODUCT_ROW = {  # ID/OWNER_ID numeric text, prices numbers (crm-deal-productrows-get.md)
    "ID": ID,
    "OWNER_ID": ID,
    "OWNER_TYPE": "D",
    "PRODUCT_ID": int,
    "PRODUCT_NAME": str,
    "ORIGINAL_PRODUCT_NAME": str,
    "PRODUCT_DESCRIPTION": (str, NULL),
    "PRICE": (int, float),
    "PRICE_EXCLUSIVE": (int, float),
    "PRICE_NETTO": (int, float),
    "PRICE_BRUTTO": (int, float),
    "PRICE_ACCOUNT": NUMBER,
    "QUANTITY": (int, float),
    "DISCOUNT_TYPE_ID": {1, 2},
    "DISCOUNT_RATE": (int, float),
    "DISCOUNT_SUM": (int, float),
    "TAX_RATE": (int, float, NULL),
    "TAX_INCLUDED": YN,
    "CUSTOMIZED": YN,
    "MEASURE_CODE": int,
    "MEASURE_NAME": str,
    "SORT": int,
}

HANDLER = "https://www.my-domain.com/handler/"
TAB = "https://app.example/deal-health/"
BOUND_TAB = (("placement.bind", {"PLACEMENT": "CRM_DEAL_DETAIL_TAB", "HANDLER": TAB}),)
# App storage: the docs' "dish" storage with a number property, then one item or section.
DISH = (
    ("entity.add", {"ENTITY": "dish", "NAME": "Dishes"}),
    ("entity.item.property.add", {"ENTITY": "dish", "PROPERTY": "price", "TYPE": "N"}),
)
DISH_ITEM = (*DISH, ("entity.item.add", {"ENTITY": "dish", "NAME": "Borscht"}))
DISH_SECTION = (*DISH, ("entity.section.add", {"ENTITY": "dish", "NAME": "Soups"}))
STORAGE = {"ID": ID, "IBLOCK_TYPE_ID": "rest_entity", "ENTITY": "dish", "NAME": str}
STORED = {  # what items and sections share (entity-item-get.md, entity-section-get.md)
    "ID": ID,
    "TIMESTAMP_X": DATETIME,
    "MODIFIED_BY": ID,
    "DATE_CREATE": DATETIME,
    "CREATED_BY": ID,
    "ACTIVE": YN,
    "SORT": Text(r"-?\d+"),
    "NAME": str,
    "CODE": (str, NULL),
    "ENTITY": "dish",
    "SECTION": (ID, NULL),
}
STORED_ITEM = {
    **STORED,
    "DATE_ACTIVE_FROM": (DATETIME, {""}),
    "DATE_ACTIVE_TO": (DATETIME, {""}),
    "PREVIEW_PICTURE": (str, NULL),
    "PREVIEW_TEXT": (str, NULL),
    "DETAIL_PICTURE": (str, NULL),
    "DETAIL_TEXT": (str, NULL),
    "PROPERTY_VALUES": {"price": (str, NULL)},
}
STORED_SECTION = {
    **STORED,
    "LEFT_MARGIN": Text(r"\d+"),
    "RIGHT_MARGIN": Text(r"\d+"),
    "DEPTH_LEVEL": Text(r"\d+"),
    "PICTURE": (str, NULL),
    "DETAIL_PICTURE": (str, NULL),
    "DESCRIPTION": (str, NULL),
}

DOCUMENTED: list[Call] = [
    # -- system ---------------------------------------------------------------------------
    Call("server.time", {}, DATETIME, "api-reference/common/system/server-time.md"),
    Call("scope", {}, [str], "api-reference/common/system/scope.md"),
    Call("scope", {"full": "true"}, [str], "api-reference/common/system/scope.md"),
    Call("methods", {}, [str], "api-reference/common/system/methods.md"),
    Call(
        "methods",
        {"scope": "entity"},
        [Text(r"entity\.[a-z.]+")],
        "api-reference/common/system/methods.md",
    ),
    Call(
        "app.info",
        {},
        {
            "ID": int,
            "CODE": str,
            "VERSION": int,
            "STATUS": {"F", "D", "T", "P", "L"},
            "INSTALLED": bool,
            "PAYMENT_EXPIRED": YN,
            "DAYS": (int, NULL),
            "LANGUAGE_ID": str,
            "LICENSE": str,
            "LICENSE_TYPE": str,
            "LICENSE_FAMILY": str,
        },
        "api-reference/common/system/app-info.md",
    ),
    Call(
        "profile",
        {},
        {
            "ID": ID,
            "ADMIN": bool,
            "NAME": str,
            "LAST_NAME": str,
            "PERSONAL_GENDER": {"M", "F", ""},
            "TIME_ZONE": str,
            "PERSONAL_PHOTO": ABSENT,  # "returned only if a photo has been uploaded"
        },
        "api-reference/common/users/profile.md",
    ),
    Call("user.admin", {}, bool, "api-reference/common/users/user-admin.md"),
    Call(
        "batch",
        {
            "halt": 0,
            "cmd": {
                "get_user": "user.current",
                "get_department": "department.get",
                "get_app": "app.info",
            },
        },
        {
            "result": {"get_user": USER, "get_department": [DEPARTMENT], "get_app": dict},
            "result_error": (dict, list),  # PHP's empty array is []
            "result_total": {"get_department": int},
            "result_next": (dict, list),
            "result_time": {"get_user": dict, "get_department": dict, "get_app": dict},
        },
        "settings/how-to-call-rest-api/batch.md",
    ),
    # -- options --------------------------------------------------------------------------
    Call(
        "app.option.set",
        {"options": {"data": "value", "data2": "value2"}},
        True,
        "api-reference/common/settings/app-option-set.md",
    ),
    Call(
        "app.option.get",
        {},
        {"data": str, "data2": str},
        "api-reference/common/settings/app-option-get.md",
        before=(("app.option.set", {"options": {"data": "value", "data2": "value2"}}),),
    ),
    Call(
        "user.option.set",
        {"options": {"data": "value", "data2": "value2"}},
        True,
        "api-reference/common/settings/user-option-set.md",
    ),
    Call(
        "user.option.get",
        {"option": "data"},
        {"value"},
        "api-reference/common/settings/user-option-get.md",
        before=(("user.option.set", {"options": {"data": "value"}}),),
    ),
    # -- events ---------------------------------------------------------------------------
    Call(
        "event.bind",
        {"event": "OnCrmLeadAdd", "handler": HANDLER},
        True,
        "api-reference/events/event-bind.md",
    ),
    Call(
        "event.get",
        {},
        [{"event": str, "handler": str, "auth_type": Text(r"\d+"), "offline": {0, 1}}],
        "api-reference/events/event-get.md",
        before=(("event.bind", {"event": "OnCrmLeadAdd", "handler": HANDLER}),),
    ),
    Call(
        "event.unbind",
        {"event": "OnCrmLeadAdd", "handler": HANDLER},
        {"count": int},
        "api-reference/events/event-unbind.md",
        before=(("event.bind", {"event": "OnCrmLeadAdd", "handler": HANDLER}),),
    ),
    # -- people and structure ---------------------------------------------------------------
    Call("user.current", {}, USER, "api-reference/user/user-current.md"),
    Call(
        "user.get",
        {"UF_DEPARTMENT": 1, "SORT": "ID", "ORDER": "asc"},
        [USER],
        "api-reference/user/user-get.md",
        listing=True,
    ),
    Call(
        "user.search",
        {"FILTER": {"FIND": "Alex"}},
        [USER],
        "api-reference/user/user-search.md",
        listing=True,
    ),
    Call(
        "user.fields",
        {},
        {"ID": str, "NAME": str, "LAST_NAME": str, "EMAIL": str, "UF_DEPARTMENT": str},
        "api-reference/user/user-fields.md",
    ),
    Call(
        "department.get",
        {"sort": "NAME", "order": "DESC"},
        [DEPARTMENT],
        "api-reference/departments/department-get.md",
        listing=True,
    ),
    # -- CRM, legacy ------------------------------------------------------------------------
    Call(
        "crm.deal.add",
        {
            "fields": {
                "TITLE": "New Deal #1",
                "TYPE_ID": "COMPLEX",
                "CATEGORY_ID": 0,
                "STAGE_ID": "PREPARATION",
                "CURRENCY_ID": "EUR",
                "OPPORTUNITY": 1000000,
                "OPENED": "Y",
                "CLOSED": "N",
            },
            "params": {"REGISTER_SONET_EVENT": "N"},
        },
        int,
        "api-reference/crm/deals/crm-deal-add.md",
    ),
    Call("crm.deal.get", {"id": 1}, DEAL, "api-reference/crm/deals/crm-deal-get.md"),
    Call(
        "crm.deal.list",
        {
            "select": ["ID", "TITLE", "TYPE_ID", "CATEGORY_ID", "STAGE_ID", "OPPORTUNITY"]
            + ["CURRENCY_ID", "ASSIGNED_BY_ID", "DATE_CREATE", "OPENED", "CLOSED"],
            "filter": {">OPPORTUNITY": 0},
            "order": {"ID": "ASC"},
        },
        [DEAL],
        "api-reference/crm/deals/crm-deal-list.md",
        listing=True,
    ),
    Call(
        "crm.deal.update",
        {"id": 1, "fields": {"TITLE": "Updated"}, "params": {"REGISTER_SONET_EVENT": "N"}},
        True,
        "api-reference/crm/deals/crm-deal-update.md",
    ),
    Call("crm.deal.delete", {"id": 1}, True, "api-reference/crm/deals/crm-deal-delete.md"),
    Call(
        "crm.deal.fields",
        {},
        {
            **CLASSIC_FIELDS,
            "STAGE_ID": {**FIELD, "statusType": str},
            "UF_CRM_BUDGET": {**FIELD, "listLabel": str, "formLabel": str, "filterLabel": str},
        },
        "api-reference/crm/deals/crm-deal-fields.md",
    ),
    Call(
        "crm.contact.add",
        {
            "fields": {
                "HONORIFIC": "HNR_EN_1",
                "NAME": "John",
                "SECOND_NAME": "Doe",
                "LAST_NAME": "Smith",
                "TYPE_ID": "PARTNER",
                "SOURCE_ID": "WEB",
                "POST": "Administrator",
                "OPENED": "Y",
                "ASSIGNED_BY_ID": 6,
                "COMPANY_ID": 12,
                "PHONE": [
                    {"VALUE": "+1333333555", "VALUE_TYPE": "WORK"},
                    {"VALUE": "+15599888666", "VALUE_TYPE": "HOME"},
                ],
                "EMAIL": [{"VALUE": "john.smith@example.work", "VALUE_TYPE": "WORK"}],
            }
        },
        int,
        "api-reference/crm/contacts/crm-contact-add.md",
    ),
    Call("crm.contact.get", {"id": 1}, CONTACT, "api-reference/crm/contacts/crm-contact-get.md"),
    Call(
        "crm.contact.list",
        {
            "filter": {"!=NAME": "", "@ASSIGNED_BY_ID": list(range(1, 131))},
            "order": {"LAST_NAME": "ASC", "NAME": "ASC"},
            "select": ["ID", "NAME", "LAST_NAME", "TYPE_ID", "COMPANY_ID", "ASSIGNED_BY_ID"]
            + ["DATE_CREATE", "OPENED", "PHONE"],
        },
        [CONTACT],
        "api-reference/crm/contacts/crm-contact-list.md",
        listing=True,
    ),
    Call(
        "crm.contact.update",
        {"id": 1, "fields": {"POST": "Network Administrator", "OPENED": "N"}},
        True,
        "api-reference/crm/contacts/crm-contact-update.md",
    ),
    Call("crm.contact.delete", {"id": 2}, True, "api-reference/crm/contacts/crm-contact-delete.md"),
    Call(
        "crm.contact.fields",
        {},
        {**CLASSIC_FIELDS, "PHONE": {**FIELD, "type": {"crm_multifield"}}},
        "api-reference/crm/contacts/crm-contact-fields.md",
    ),
    Call(
        "crm.company.add",
        {
            "fields": {
                "TITLE": "John Doe LLC",
                "COMPANY_TYPE": "CUSTOMER",
                "INDUSTRY": "MANUFACTURING",
                "EMPLOYEES": "EMPLOYEES_2",
                "CURRENCY_ID": "USD",
                "REVENUE": 3000000,
                "OPENED": "Y",
                "ASSIGNED_BY_ID": 1,
                "PHONE": [{"VALUE": "555888", "VALUE_TYPE": "WORK"}],
            },
            "params": {"REGISTER_SONET_EVENT": "Y"},
        },
        int,
        "api-reference/crm/companies/crm-company-add.md",
    ),
    Call("crm.company.get", {"id": 1}, COMPANY, "api-reference/crm/companies/crm-company-get.md"),
    Call(
        "crm.company.list",
        {
            "order": {"DATE_CREATE": "ASC"},
            "filter": {"COMPANY_TYPE": "CUSTOMER", ">=DATE_CREATE": "2024-01-01"},
            "select": ["TITLE", "ASSIGNED_BY_ID", "PHONE"],
        },
        [{"ID": ID, "TITLE": str, "ASSIGNED_BY_ID": ID, "PHONE": [MULTI]}],
        "api-reference/crm/companies/crm-company-list.md",
        listing=True,
    ),
    Call(
        "crm.company.update",
        {"id": 1, "fields": {"TITLE": "Northwind Traders Ltd"}},
        True,
        "api-reference/crm/companies/crm-company-update.md",
    ),
    Call(
        "crm.company.delete", {"id": 2}, True, "api-reference/crm/companies/crm-company-delete.md"
    ),
    Call(
        "crm.company.fields",
        {},
        {**CLASSIC_FIELDS, "TITLE": {**FIELD, "isRequired": {True}}},
        "api-reference/crm/companies/crm-company-fields.md",
    ),
    Call(
        "crm.lead.add",
        {
            "fields": {
                "TITLE": "IP Titov",
                "NAME": "Gleb",
                "SECOND_NAME": "Egorovich",
                "LAST_NAME": "Titov",
                "STATUS_ID": "NEW",
                "OPENED": "Y",
                "ASSIGNED_BY_ID": 1,
                "CURRENCY_ID": "USD",
                "OPPORTUNITY": 12500,
                "PHONE": [{"VALUE": "555888", "VALUE_TYPE": "WORK"}],
                "WEB": [{"VALUE": "www.mysite.com", "VALUE_TYPE": "WORK"}],
            },
            "params": {"REGISTER_SONET_EVENT": "Y"},
        },
        int,
        "api-reference/crm/leads/crm-lead-add.md",
    ),
    Call("crm.lead.get", {"id": 1}, LEAD, "api-reference/crm/leads/crm-lead-get.md"),
    Call(
        "crm.lead.list",
        {"select": ["*", "UF_*"], "start": 0, "filter": {">OPPORTUNITY": 0}},
        [LEAD],
        "api-reference/crm/leads/crm-lead-list.md",
        listing=True,
    ),
    Call(
        "crm.lead.update",
        {"id": 1, "fields": {"STATUS_ID": "IN_PROCESS"}},
        True,
        "api-reference/crm/leads/crm-lead-update.md",
    ),
    Call("crm.lead.delete", {"id": 1}, True, "api-reference/crm/leads/crm-lead-delete.md"),
    Call(
        "crm.lead.fields",
        {},
        {**CLASSIC_FIELDS, "STATUS_ID": {**FIELD, "statusType": {"STATUS"}}},
        "api-reference/crm/leads/crm-lead-fields.md",
    ),
    # -- CRM, universal ---------------------------------------------------------------------
    Call(
        "crm.item.fields",
        {"entityTypeId": 2, "useOriginalUfNames": "N"},
        {
            "fields": {
                "id": {**FIELD, "upperName": {"ID"}},
                "stageId": {**FIELD, "statusType": str, "upperName": str},
                "ufCrmBudget": {**FIELD, "type": {"money"}, "upperName": {"UF_CRM_BUDGET"}},
            }
        },
        "api-reference/crm/universal/crm-item-fields.md",
    ),
    Call(
        "crm.item.add",
        {
            "entityTypeId": 2,
            "fields": {"title": "New deal", "currencyId": "EUR", "opportunity": 999.99},
        },
        {"item": ITEM},
        "api-reference/crm/universal/crm-item-add.md",
    ),
    Call(
        "crm.item.get",
        {"entityTypeId": 2, "id": 1, "useOriginalUfNames": "N"},
        {"item": ITEM},
        "api-reference/crm/universal/crm-item-get.md",
    ),
    Call(
        "crm.item.list",
        {
            "entityTypeId": 2,
            "select": ["id", "title", "stageId", "assignedById", "opportunity"],
            "filter": {">=opportunity": 0},
            "order": {"id": "ASC"},
        },
        {
            "items": [
                {
                    "id": int,
                    "title": (str, NULL),
                    "stageId": (str, NULL),
                    "assignedById": (int, NULL),
                    "opportunity": (int, float),
                }
            ]
        },
        "api-reference/crm/universal/crm-item-list.md",
        listing=True,
    ),
    Call(
        "crm.item.update",
        {"entityTypeId": 2, "id": 1, "fields": {"title": "Updated"}},
        {"item": ITEM},
        "api-reference/crm/universal/crm-item-update.md",
    ),
    Call(
        "crm.item.delete",
        {"entityTypeId": 2, "id": 1},
        [],
        "api-reference/crm/universal/crm-item-delete.md",
    ),
    # -- CRM dictionaries --------------------------------------------------------------------
    Call(
        "crm.status.list",
        {"order": {"SORT": "ASC"}, "filter": {"ENTITY_ID": "DEAL_STAGE"}},
        [STATUS_ROW],
        "api-reference/crm/status/crm-status-list.md",
        listing=True,
    ),
    Call("crm.status.get", {"id": 1}, STATUS_ROW, "api-reference/crm/status/crm-status-get.md"),
    Call(
        "crm.status.fields",
        {},
        {key: FIELD_INFO for key in ("ID", "ENTITY_ID", "STATUS_ID", "NAME", "SORT", "EXTRA")},
        "api-reference/crm/status/crm-status-fields.md",
    ),
    Call(
        "crm.status.entity.types",
        {},
        [{"ID": str, "NAME": str}],
        "api-reference/crm/status/crm-status-entity-types.md",
    ),
    Call(
        "crm.status.entity.items",
        {"entityId": "DEAL_STAGE"},
        [{"NAME": str, "SORT": int, "STATUS_ID": str}],
        "api-reference/crm/status/crm-status-entity-items.md",
    ),
    Call(
        "crm.category.list",
        {"entityTypeId": 2},
        {"categories": [CATEGORY]},
        "api-reference/crm/universal/category/crm-category-list.md",
        listing=True,
    ),
    Call(
        "crm.category.get",
        {"entityTypeId": 2, "id": 1},
        {"category": {**CATEGORY, "originId": str, "originatorId": str}},
        "api-reference/crm/universal/category/crm-category-get.md",
    ),
    Call(
        "crm.type.list",
        {
            "filter": {"isAutomationEnabled": "Y", "isCategoriesEnabled": "Y"},
            "order": {"id": "DESC"},
        },
        {"types": [SMART_TYPE]},
        "api-reference/crm/universal/user-defined-object-types/crm-type-list.md",
        listing=True,
    ),
    Call(
        "crm.type.get",
        {"id": 5},
        {
            "type": {
                **SMART_TYPE,
                "relations": {"parent": [RELATION], "child": []},
                "linkedUserFields": dict,
                "customSections": [],
            }
        },
        "api-reference/crm/universal/user-defined-object-types/crm-type-get.md",
    ),
    Call(
        "crm.currency.list",
        {"order": {"sort": "asc"}},
        [CURRENCY],
        "api-reference/crm/currency/crm-currency-list.md",
        listing=True,
    ),
    Call(
        "crm.currency.get",
        {"id": "USD"},
        {**CURRENCY, "LANG": dict},
        "api-reference/crm/currency/crm-currency-get.md",
    ),
    # -- a deal's contacts and product rows -----------------------------------------------------
    Call(
        "crm.deal.contact.items.get",
        {"id": 1},
        [{"CONTACT_ID": int, "SORT": int, "ROLE_ID": int, "IS_PRIMARY": YN}],
        "api-reference/crm/deals/contacts/crm-deal-contact-items-get.md",
    ),
    Call(
        "crm.deal.contact.items.set",
        {
            "id": 1,
            "items": [
                {"CONTACT_ID": 5, "IS_PRIMARY": "Y", "SORT": 100},
                {"CONTACT_ID": 4, "SORT": 200},
                {"CONTACT_ID": 6, "SORT": 400},
            ],
        },
        True,
        "api-reference/crm/deals/contacts/crm-deal-contact-items-set.md",
    ),
    Call(
        "crm.deal.contact.items.delete",
        {"id": 1},
        True,
        "api-reference/crm/deals/contacts/crm-deal-contact-items-delete.md",
    ),
    Call(
        "crm.deal.productrows.get",
        {"id": 1},
        [PRODUCT_ROW],
        "api-reference/crm/deals/crm-deal-productrows-get.md",
    ),
    Call(
        "crm.deal.productrows.set",
        {
            "id": 1,
            "rows": [
                {"PRODUCT_ID": 0, "PRODUCT_NAME": "Product #1", "PRICE": 100, "QUANTITY": 1},
                {"PRODUCT_NAME": "Product #2", "PRICE": 899.1, "DISCOUNT_TYPE_ID": 2}
                | {"DISCOUNT_RATE": 10, "TAX_INCLUDED": "Y", "MEASURE_CODE": 796, "SORT": 20},
            ],
        },
        True,
        "api-reference/crm/deals/crm-deal-productrows-set.md",
    ),
    # -- a CRM item's timeline -----------------------------------------------------------------
    Call(
        "crm.activity.list",
        {
            "filter": {"OWNER_TYPE_ID": 2, "OWNER_ID": 1},
            "select": ["ID", "OWNER_ID", "OWNER_TYPE_ID", "TYPE_ID", "PROVIDER_ID", "SUBJECT"]
            + ["START_TIME", "DEADLINE", "COMPLETED", "RESPONSIBLE_ID", "SETTINGS"],
            "order": {"START_TIME": "ASC"},
        },
        [
            {
                "ID": ID,
                "OWNER_ID": ID,
                "OWNER_TYPE_ID": ID,
                "TYPE_ID": Text(r"\d+"),
                "PROVIDER_ID": str,
                "SUBJECT": str,
                "START_TIME": DATETIME,
                "DEADLINE": DATETIME,
                "COMPLETED": YN,
                "RESPONSIBLE_ID": ID,
                "SETTINGS": (list, dict),
            }
        ],
        "api-reference/crm/timeline/activities/activity-base/crm-activity-list.md",
        listing=True,
    ),
    Call(
        "crm.activity.todo.add",
        {
            "ownerTypeId": 2,
            "ownerId": 1,
            "deadline": "2025-02-03T15:00:00",
            "title": "Title of the activity",
            "description": "Description of the activity",
            "responsibleId": 1,
            "pingOffsets": [0, 15],
            "colorId": "1",
        },
        {"id": int},
        "api-reference/crm/timeline/activities/todo/crm-activity-todo-add.md",
    ),
    Call(
        "crm.timeline.comment.add",
        {"fields": {"ENTITY_ID": 1, "ENTITY_TYPE": "deal", "COMMENT": "New comment was added"}},
        int,
        "api-reference/crm/timeline/comments/crm-timeline-comment-add.md",
    ),
    Call(
        "crm.timeline.comment.list",
        {"filter": {"ENTITY_ID": 1, "ENTITY_TYPE": "deal"}, "order": {"CREATED": "DESC"}},
        [
            {
                "ID": ID,
                "ENTITY_ID": ID,
                "ENTITY_TYPE": "deal",
                "CREATED": DATETIME,
                "COMMENT": str,
                "AUTHOR_ID": ID,
                "FILES": dict,
            }
        ],
        "api-reference/crm/timeline/comments/crm-timeline-comment-list.md",
        listing=True,
    ),
    # -- app storage --------------------------------------------------------------------------
    Call(
        "entity.add",
        {"ENTITY": "dish", "NAME": "Dishes", "ACCESS": {"U1": "W", "AU": "R"}},
        True,
        "api-reference/entity/entities/entity-add.md",
    ),
    Call(
        "entity.get",
        {"ENTITY": "dish"},
        STORAGE,
        "api-reference/entity/entities/entity-get.md",
        before=DISH,
    ),
    Call(
        "entity.update",
        {"ENTITY": "dish", "NAME": "Dishes v2", "ENTITY_NEW": "dish_v2"},
        True,
        "api-reference/entity/entities/entity-update.md",
        before=DISH,
    ),
    Call(
        "entity.delete",
        {"ENTITY": "dish"},
        True,
        "api-reference/entity/entities/entity-delete.md",
        before=DISH,
    ),
    Call(
        "entity.rights",
        {"ENTITY": "dish", "ACCESS": {"U1": "W", "AU": "R"}},
        {"AU": "R", "U1": {"R", "W", "X"}},
        "api-reference/entity/entities/entity-rights.md",
        before=DISH,
    ),
    Call(
        "entity.item.property.add",
        {
            "ENTITY": "dish",
            "PROPERTY": "new_prop",
            "NAME": "New property",
            "TYPE": "S",
            "SORT": 100,
        },
        True,
        "api-reference/entity/items/properties/entity-item-property-add.md",
        before=DISH,
    ),
    Call(
        "entity.item.property.get",
        {"ENTITY": "dish"},
        [{"PROPERTY": str, "NAME": str, "TYPE": {"S", "N", "F"}, "SORT": Text(r"-?\d+")}],
        "api-reference/entity/items/properties/entity-item-property-get.md",
        before=DISH,
    ),
    Call(
        "entity.item.property.update",
        {
            "ENTITY": "dish",
            "PROPERTY": "price",
            "PROPERTY_NEW": "cost",
            "NAME": "Cost",
            "SORT": 200,
        },
        True,
        "api-reference/entity/items/properties/entity-item-property-update.md",
        before=DISH,
    ),
    Call(
        "entity.item.property.delete",
        {"ENTITY": "dish", "PROPERTY": "price"},
        True,
        "api-reference/entity/items/properties/entity-item-property-delete.md",
        before=DISH,
    ),
    Call(
        "entity.item.add",
        {"ENTITY": "dish", "NAME": "Borscht", "PROPERTY_VALUES": {"price": 5}},
        int,
        "api-reference/entity/items/entity-item-add.md",
        before=DISH,
    ),
    Call(
        "entity.item.get",
        {"ENTITY": "dish", "SORT": {"DATE_ACTIVE_FROM": "ASC", "ID": "ASC"}, "FILTER": {">ID": 0}},
        [STORED_ITEM],
        "api-reference/entity/items/entity-item-get.md",
        listing=True,
        before=DISH_ITEM,
    ),
    Call(
        "entity.item.update",
        {"ENTITY": "dish", "ID": 1, "NAME": "Borscht, hot", "PROPERTY_VALUES": {"price": 6}},
        True,
        "api-reference/entity/items/entity-item-update.md",
        before=DISH_ITEM,
    ),
    Call(
        "entity.item.delete",
        {"ENTITY": "dish", "ID": 1},
        True,
        "api-reference/entity/items/entity-item-delete.md",
        before=DISH_ITEM,
    ),
    Call(
        "entity.section.add",
        {"ENTITY": "dish", "NAME": "Soups", "ACTIVE": "Y", "SORT": 100, "CODE": "soups"},
        int,
        "api-reference/entity/sections/entity-section-add.md",
        before=DISH,
    ),
    Call(
        "entity.section.get",
        {"ENTITY": "dish", "SORT": {"NAME": "ASC"}, "FILTER": {"ACTIVE": "Y"}},
        [STORED_SECTION],
        "api-reference/entity/sections/entity-section-get.md",
        listing=True,
        before=DISH_SECTION,
    ),
    Call(
        "entity.section.update",
        {"ENTITY": "dish", "ID": 1, "NAME": "Hot soups"},
        True,
        "api-reference/entity/sections/entity-section-update.md",
        before=DISH_SECTION,
    ),
    Call(
        "entity.section.delete",
        {"ENTITY": "dish", "ID": 1},
        True,
        "api-reference/entity/sections/entity-section-delete.md",
        before=DISH_SECTION,
    ),
    # -- placements, notifications, task comments --------------------------------------------
    Call(
        "placement.bind",
        {"PLACEMENT": "CRM_DEAL_DETAIL_TAB", "HANDLER": TAB, "TITLE": "Deal health"},
        True,
        "api-reference/widgets/placement-bind.md",
    ),
    Call(
        "placement.get",
        {},
        [
            {
                "placement": str,
                "userId": int,
                "handler": str,
                "options": (dict, list),
                "title": str,
                "description": str,
                "langAll": (dict, list),
            }
        ],
        "api-reference/widgets/placement-get.md",
        before=BOUND_TAB,
    ),
    Call(
        "placement.unbind",
        {"PLACEMENT": "CRM_DEAL_DETAIL_TAB", "HANDLER": TAB},
        {"count": int},
        "api-reference/widgets/placement-unbind.md",
        before=BOUND_TAB,
    ),
    Call("placement.list", {"SCOPE": "crm"}, [str], "api-reference/widgets/placement-list.md"),
    Call(
        "im.notify.system.add",
        {"USER_ID": 2, "MESSAGE": "Deal [B]won[/B]", "TAG": "deal-1"},
        int,
        "api-reference/chats/notifications/im-notify-system-add.md",
    ),
    Call(  # the page's example call, with an ATTACH of the form attachments.md gives
        "im.notify.system.add",
        {
            "USER_ID": 2,
            "MESSAGE": "System notification",
            "MESSAGE_OUT": "System notification for email",
            "TAG": "SYSTEM_EVENT_42",
            "SUB_TAG": "SYSTEM_EVENT|42",
            "ATTACH": {
                "ID": 1,
                "COLOR_TOKEN": "primary",
                "BLOCKS": [
                    {"MESSAGE": "[B]New Request[/B]"},
                    {"LINK": {"NAME": "Open", "LINK": "https://example.com"}},
                ],
            },
        },
        int,
        "api-reference/chats/notifications/im-notify-system-add.md",
    ),
    Call(
        "im.notify.personal.add",
        {"USER_ID": 2, "MESSAGE": "Please look at the deal"},
        int,
        "api-reference/chats/notifications/im-notify-personal-add.md",
    ),
    Call(
        "task.commentitem.add",
        {
            "TASKID": 1,
            "FIELDS": {
                "POST_MESSAGE": "Text of the new task comment",
                "AUTHOR_ID": 2,
                "POST_DATE": "2025-07-15T14:30:00+02:00",
            },
        },
        int,
        "api-reference/tasks/comment-item/task-comment-item-add.md",
    ),
    Call(
        "task.commentitem.getlist",
        {"TASKID": 1, "ORDER": {"POST_DATE": "asc"}, "FILTER": {"AUTHOR_ID": 2}},
        [
            {
                "POST_MESSAGE_HTML": (str, NULL),
                "ID": ID,
                "AUTHOR_ID": ID,
                "AUTHOR_NAME": str,
                "AUTHOR_EMAIL": str,
                "POST_DATE": DATETIME,
                "POST_MESSAGE": str,
                "ATTACHED_OBJECTS": dict,
            }
        ],
        "api-reference/tasks/comment-item/task-comment-item-get-list.md",
        before=(
            (
                "task.commentitem.add",
                {"TASKID": 1, "FIELDS": {"POST_MESSAGE": "Hi", "AUTHOR_ID": 2}},
            ),
        ),
    ),
    # -- tasks ------------------------------------------------------------------------------
    Call(
        "tasks.task.add",
        {"fields": {"TITLE": "Task Title", "CREATED_BY": 1, "RESPONSIBLE_ID": 2}},
        {"task": TASK},
        "api-reference/tasks/tasks-task-add.md",
    ),
    Call(
        "tasks.task.get",
        {"taskId": 1, "select": ["ID", "TITLE", "DESCRIPTION", "CREATED_BY", "RESPONSIBLE_ID"]},
        {"task": {"id": ID, "title": str, "createdBy": ID, "responsibleId": ID}},
        "api-reference/tasks/tasks-task-get.md",
    ),
    Call(
        "tasks.task.list",
        {"order": {"ID": "asc"}, "filter": {"!STATUS": 6}, "select": ["ID", "TITLE", "STATUS"]},
        {"tasks": [{"id": ID, "title": str, "status": Text(r"\d")}]},
        "api-reference/tasks/tasks-task-list.md",
        listing=True,
    ),
    Call(
        "tasks.task.update",
        {"taskId": 1, "fields": {"TITLE": "Updated task"}},
        {"task": TASK},
        "api-reference/tasks/tasks-task-update.md",
    ),
]


def mismatches(value: Any, shape: Any, where: str = "result") -> list[str]:
    """Where ``value`` breaks ``shape`` (empty when it fits), one line per break."""
    if isinstance(shape, Text):
        if isinstance(value, str) and re.fullmatch(shape.pattern, value):
            return []
        return [f"{where}: {value!r} is not text matching {shape.pattern!r}"]
    if isinstance(shape, set | frozenset):
        hashable = not isinstance(value, dict | list)
        ok = hashable and any(value == m and type(value) is type(m) for m in shape)
        return [] if ok else [f"{where}: {value!r} is not one of {sorted(map(str, shape))}"]
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__} {value!r:.80} is not an object"]
        found = []
        for key, inner in shape.items():
            if inner is ABSENT:
                if key in value:
                    found.append(f"{where}: key {key!r} is documented as absent here")
            elif key not in value:
                found.append(f"{where}: no key {key!r}")
            else:
                found += mismatches(value[key], inner, f"{where}.{key}")
        return found
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__} {value!r:.80} is not an array"]
        if not shape:
            return []
        if not value:
            return [f"{where}: empty array, documented with elements"]
        return [
            line
            for i, item in enumerate(value)
            for line in mismatches(item, shape[0], f"{where}[{i}]")
        ]
    if isinstance(shape, tuple):  # any of these shapes
        if any(not mismatches(value, member, where) for member in shape):
            return []
        return [f"{where}: {value!r:.80} is none of {shape!r}"]
    if isinstance(shape, type):
        if isinstance(value, bool) and shape is not bool:
            return [f"{where}: {value!r} is a boolean, not {shape.__name__}"]
        if isinstance(value, shape):
            return []
        return [f"{where}: {type(value).__name__} {value!r:.80} is not {shape.__name__}"]
    # a literal (True, 0, "value"): that very value
    if value == shape and type(value) is type(shape):
        return []
    return [f"{where}: {value!r} is not {shape!r}"]


@pytest.mark.parametrize("call", DOCUMENTED, ids=lambda call: call.id)
def test_documented_call_answers_in_the_documented_shape(emu, call):
    caller = client(emu, call.user)
    for method, params in call.before:
        ready = caller.call(method, params)
        assert ready.status == 200, f"{method} before {call.method}: {ready}"
    reply = caller.call(call.method, call.params)
    assert reply.status == 200, f"{call.method} ({call.doc}): {reply}"
    answer = reply.json()
    assert "error" not in answer, answer
    broken = mismatches(answer["result"], call.result)
    assert not broken, f"{call.method} differs from {call.doc}:\n" + "\n".join(broken)
    if call.listing:
        assert isinstance(answer.get("total"), int), f"{call.doc}: a list answers total"
        more = answer["total"] > 50
        assert ("next" in answer) == more, f"{call.doc}: next only while pages remain"
        if more:
            assert answer["next"] == 50
    else:
        assert "total" not in answer and "next" not in answer, call.doc


def test_every_emulated_method_has_a_documented_call():
    documented = {call.method for call in DOCUMENTED}
    missing = sorted(set(METHODS) - documented)
    assert not missing, f"methods without a row in DOCUMENTED: {missing}"
    unknown = sorted(documented - set(METHODS))
    assert not unknown, f"rows for methods the emulator does not have: {unknown}"


def test_every_row_cites_a_docs_page():
    for call in DOCUMENTED:
        assert call.doc.endswith(".md") and call.doc.split("/")[0] in ("api-reference", "settings")


@pytest.mark.parametrize(
    ("value", "shape", "broken"),
    [
        ("15", ID, False),
        (15, ID, True),  # a number where the portal sends a numeric string
        (True, int, True),  # a boolean is not an integer
        ({"a": 1}, {"a": int, "b": str}, True),  # a documented key missing
        ([{"a": "x"}], [{"a": int}], True),
        ([], [int], True),
        ("Y", YN, False),
        (1, {True}, True),
        (None, (str, NULL), False),
        ("", (DATETIME, {""}), False),
        ("soon", (DATETIME, {""}), True),
        ({"a": 1}, {"a": ABSENT}, True),
    ],
)
def test_shapes_catch_what_they_should(value, shape, broken):
    assert bool(mismatches(value, shape)) == broken
