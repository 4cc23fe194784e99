"""A deal's contact bindings and product rows over real HTTP, in the shapes, value types and
errors of their pages in the REST docs (bitrix24/b24restdocs)."""

import pytest

from portal_emulator.model import dealparts
from tests.support.restkit import client

pytestmark = pytest.mark.usefixtures("emu")

ROW_KEYS = [value.key for value in dealparts.PRODUCT_ROW]


@pytest.fixture
def admin(emu):
    return client(emu, 1)


def _deal(admin, deal_id):
    return admin.call("crm.deal.get", {"id": deal_id}).result


# -- crm.deal.contact.items.* -------------------------------------------------------------------


def test_contact_items_get_of_a_seeded_deal(admin):
    # api-reference/crm/deals/contacts/crm-deal-contact-items-get.md: numbers and "Y"/"N"
    assert admin.call("crm.deal.contact.items.get", {"id": 1}).result == [
        {"CONTACT_ID": 1, "SORT": 10, "ROLE_ID": 0, "IS_PRIMARY": "Y"}
    ]
    assert admin.call("crm.deal.contact.items.get", {"id": 2}).result == []


def test_contact_items_set_as_the_docs_example_and_the_deal_follows(admin):
    # crm-deal-contact-items-set.md: 55 primary SORT 100, 54 SORT 200, 56 SORT 400
    items = [
        {"CONTACT_ID": 5, "SORT": 200},
        {"CONTACT_ID": 4, "IS_PRIMARY": "Y", "SORT": 100},
        {"CONTACT_ID": 6, "SORT": 400},
    ]
    reply = admin.call("crm.deal.contact.items.set", {"id": 3, "items": items})
    assert reply.status == 200 and reply.result is True
    assert admin.call("crm.deal.contact.items.get", {"id": 3}).result == [
        {"CONTACT_ID": 4, "SORT": 100, "ROLE_ID": 0, "IS_PRIMARY": "Y"},
        {"CONTACT_ID": 5, "SORT": 200, "ROLE_ID": 0, "IS_PRIMARY": "N"},
        {"CONTACT_ID": 6, "SORT": 400, "ROLE_ID": 0, "IS_PRIMARY": "N"},
    ]
    assert _deal(admin, 3)["CONTACT_ID"] == "4"  # the primary contact, as the portal keeps it
    item = admin.call("crm.item.get", {"entityTypeId": 2, "id": 3}).result["item"]
    assert item["contactId"] == 4 and item["contactIds"] == [4, 5, 6]


def test_contact_items_set_defaults_primary_and_sort(admin):
    # crm-deal-contact-items-set.md: no IS_PRIMARY=Y -> the first; SORT (i + 1) * 10
    admin.call(
        "crm.deal.contact.items.set", {"id": 3, "items": [{"CONTACT_ID": 7}, {"CONTACT_ID": 8}]}
    )
    assert admin.call("crm.deal.contact.items.get", {"id": 3}).result == [
        {"CONTACT_ID": 7, "SORT": 10, "ROLE_ID": 0, "IS_PRIMARY": "Y"},
        {"CONTACT_ID": 8, "SORT": 20, "ROLE_ID": 0, "IS_PRIMARY": "N"},
    ]
    # crm-deal-contact-items-delete.md: no bindings left, the deal has no contact
    assert admin.call("crm.deal.contact.items.delete", {"id": 3}).result is True
    assert admin.call("crm.deal.contact.items.get", {"id": 3}).result == []
    assert _deal(admin, 3)["CONTACT_ID"] is None


def test_contact_items_follow_a_deal_update(admin):
    admin.call("crm.deal.update", {"id": 2, "fields": {"CONTACT_IDS": [9, 10]}})
    bindings = admin.call("crm.deal.contact.items.get", {"id": 2}).result
    assert [(b["CONTACT_ID"], b["IS_PRIMARY"]) for b in bindings] == [(9, "Y"), (10, "N")]


@pytest.mark.parametrize(
    ("method", "params", "code", "description"),
    [
        ("crm.deal.contact.items.get", {}, "", "The parameter ownerEntityID is invalid"),
        ("crm.deal.contact.items.get", {"id": 0}, "", "The parameter ownerEntityID is invalid"),
        ("crm.deal.contact.items.get", {"id": 999999}, "", "Not found."),
        ("crm.deal.contact.items.set", {"id": 1}, "", "The parameter items must be array."),
        ("crm.deal.contact.items.set", {"id": 1, "items": "x"}, "", "items must be array"),
        ("crm.deal.contact.items.set", {"id": 999999, "items": []}, "", "Not found."),
        ("crm.deal.contact.items.set", {"id": 1, "items": [{"SORT": 1}]}, "ERROR_CORE", "CONTACT"),
        ("crm.deal.contact.items.delete", {"id": 999999}, "", "Not found"),
    ],
)
def test_contact_items_errors(admin, method, params, code, description):
    reply = admin.call(method, params)
    assert reply.status == 400
    assert reply.json()["error"] == code and description in reply.json()["error_description"]


# -- crm.deal.productrows.* ---------------------------------------------------------------------


def test_productrows_get_of_a_seeded_deal(admin):
    # api-reference/crm/deals/crm-deal-productrows-get.md: ID/OWNER_ID text, numbers numbers
    rows = admin.call("crm.deal.productrows.get", {"id": 1}).result
    assert [list(row) for row in rows] == [ROW_KEYS, ROW_KEYS]
    first = rows[0]
    assert isinstance(first["ID"], str) and first["OWNER_ID"] == "1" and first["OWNER_TYPE"] == "D"
    assert first["PRODUCT_NAME"] == "CRM licence, 10 seats" and first["PRODUCT_ID"] == 0
    assert first["PRICE"] == 900 and isinstance(first["PRICE"], float)
    assert first["QUANTITY"] == 10 and first["PRICE_ACCOUNT"] == "900.00"
    assert first["DISCOUNT_TYPE_ID"] == 2 and first["TAX_INCLUDED"] in ("Y", "N")
    assert [row["SORT"] for row in rows] == [10, 20]
    amount = sum(row["PRICE"] * row["QUANTITY"] for row in rows)
    assert float(_deal(admin, 1)["OPPORTUNITY"]) == amount  # seeded rows make the amount
    eur = admin.call("crm.deal.productrows.get", {"id": 2}).result[0]  # a EUR deal
    assert eur["PRICE_ACCOUNT"] == f"{eur['PRICE'] * 1.08:.2f}"  # in the base currency (USD)
    assert admin.call("crm.deal.productrows.get", {"id": 4}).result == []


def test_productrows_set_replaces_the_rows_and_makes_the_amount(admin):
    # crm-deal-productrows-set.md: rows not passed are removed; defaults QUANTITY 1,
    # DISCOUNT_TYPE_ID 2, TAX_INCLUDED N; no name -> "[{id}]"
    rows = [
        {"PRODUCT_NAME": "Consulting day", "PRICE": 1000, "QUANTITY": 3},
        {"PRICE": "250.50"},
    ]
    assert admin.call("crm.deal.productrows.set", {"id": 3, "rows": rows}).result is True
    got = admin.call("crm.deal.productrows.get", {"id": 3}).result
    assert [row["PRODUCT_NAME"] for row in got] == ["Consulting day", f"[{got[1]['ID']}]"]
    assert got[1]["QUANTITY"] == 1 and got[1]["PRICE"] == 250.5
    assert got[0]["DISCOUNT_TYPE_ID"] == 2 and got[0]["TAX_INCLUDED"] == "N"
    # the deal's amount is not manual: OPPORTUNITY follows the rows (tutorials/crm/
    # how-to-edit-crm-objects/how-to-generate-edit-form-for-deal.md)
    assert _deal(admin, 3)["OPPORTUNITY"] == "3250.50"
    kept = [{"ID": got[0]["ID"], "PRICE": 1200, "QUANTITY": 3}]
    admin.call("crm.deal.productrows.set", {"id": 3, "rows": kept})
    again = admin.call("crm.deal.productrows.get", {"id": 3}).result
    assert [row["ID"] for row in again] == [got[0]["ID"]] and again[0]["PRICE"] == 1200
    assert _deal(admin, 3)["OPPORTUNITY"] == "3600.00"


def test_productrows_set_keeps_a_manual_amount(admin):
    admin.call(
        "crm.deal.update", {"id": 3, "fields": {"IS_MANUAL_OPPORTUNITY": "Y", "OPPORTUNITY": 5}}
    )
    admin.call("crm.deal.productrows.set", {"id": 3, "rows": [{"PRICE": 100}]})
    assert _deal(admin, 3)["OPPORTUNITY"] == "5.00"


def test_productrows_prices_from_discount_and_tax(admin):
    # crm-deal-productrows-get.md's example: PRICE 899.1 = NETTO 999 less 10 % (DISCOUNT_SUM 99.9)
    row = {"PRICE": 899.1, "DISCOUNT_TYPE_ID": 2, "DISCOUNT_RATE": 10, "TAX_INCLUDED": "Y"}
    admin.call("crm.deal.productrows.set", {"id": 3, "rows": [row]})
    got = admin.call("crm.deal.productrows.get", {"id": 3}).result[0]
    assert (got["PRICE"], got["PRICE_EXCLUSIVE"], got["PRICE_NETTO"], got["PRICE_BRUTTO"]) == (
        899.1,
        899.1,
        999.0,
        999.0,
    )
    assert got["DISCOUNT_SUM"] == 99.9 and got["DISCOUNT_RATE"] == 10
    absolute = {"PRICE": 90, "DISCOUNT_TYPE_ID": 1, "DISCOUNT_SUM": 10, "TAX_RATE": 20}
    admin.call("crm.deal.productrows.set", {"id": 3, "rows": [absolute]})
    got = admin.call("crm.deal.productrows.get", {"id": 3}).result[0]
    assert got["PRICE_EXCLUSIVE"] == 90 and got["PRICE_NETTO"] == 100
    assert got["PRICE"] == 108 and got["PRICE_BRUTTO"] == 120 and got["DISCOUNT_RATE"] == 10


@pytest.mark.parametrize(
    ("method", "params", "code", "description"),
    [
        ("crm.deal.productrows.get", {}, "", "The parameter id is invalid or not defined."),
        ("crm.deal.productrows.get", {"id": "x"}, "", "The parameter id is invalid"),
        ("crm.deal.productrows.get", {"id": 999999}, "", "Not found"),
        ("crm.deal.productrows.set", {"id": 999999, "rows": []}, "", "Not found"),
        ("crm.deal.productrows.set", {"id": 1, "rows": "x"}, "", "rows must be array"),
        (
            "crm.deal.productrows.set",
            {"id": 1, "rows": [{"PRICE": 1, "DISCOUNT_TYPE_ID": 2}]},
            "ERROR_CORE",
            "Discount Rate (DISCOUNT_RATE) is required",
        ),
        (
            "crm.deal.productrows.set",
            {"id": 1, "rows": [{"PRICE": 1, "DISCOUNT_TYPE_ID": 2, "DISCOUNT_RATE": 100}]},
            "ERROR_CORE",
            "Discount Sum (DISCOUNT_SUM) is required if Percentage",
        ),
        (
            "crm.deal.productrows.set",
            {"id": 1, "rows": [{"PRICE": 1, "DISCOUNT_TYPE_ID": 1}]},
            "ERROR_CORE",
            "Discount Sum (DISCOUNT_SUM) is required if Monetary",
        ),
        ("crm.deal.productrows.set", {"id": 1, "rows": [{"PRICE": "abc"}]}, "ERROR_CORE", "PRICE"),
        (
            "crm.deal.productrows.set",
            {"id": 1, "rows": [{"PRICE": "1e999"}]},
            "ERROR_CORE",
            "PRICE",
        ),
        ("crm.deal.productrows.set", {"id": 1, "rows": [{"NOPE": 1}]}, "ERROR_CORE", "NOPE"),
        (
            "crm.deal.productrows.set",
            {"id": 1, "rows": [{"PRICE": 1e308, "QUANTITY": 1e308}]},
            "ERROR_CORE",
            "too large",
        ),
        (
            "crm.deal.productrows.set",
            {"id": 1, "rows": [{"PRICE": 1e308}, {"PRICE": 1e308}]},
            "ERROR_CORE",
            "too large",
        ),
    ],
)
def test_productrows_errors(admin, method, params, code, description):
    reply = admin.call(method, params)
    assert reply.status == 400, reply
    assert reply.json()["error"] == code and description in reply.json()["error_description"]
    assert len(admin.call("crm.deal.productrows.get", {"id": 1}).result) == 2  # nothing lost


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("crm.deal.contact.items.get", {"id": 999999}),  # deals/contacts/...-items-get.md
        ("crm.deal.productrows.get", {"id": 999999}),  # deals/crm-deal-productrows-get.md
    ],
)
def test_not_found_answers_raise_b24_not_found(admin, method, params):
    from pyb24.errors import B24NotFoundError, error_from_answer

    reply = admin.call(method, params)
    error = error_from_answer(method, reply.status, reply.json())
    assert isinstance(error, B24NotFoundError), reply.json()
