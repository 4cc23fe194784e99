"""A deal's product rows and contact bindings: ``crm.deal.productrows.{get,set}`` and
``crm.deal.contact.items.{get,set,delete}``, classic methods (upper-case parameters, errors
with an empty code).

Setting contacts writes the deal's own ``CONTACT_IDS`` (in ``SORT`` order) and ``CONTACT_ID``
(the primary binding), so ``crm.deal.get`` and ``crm.item.get`` agree with the bindings; rows
set on a deal whose amount is not manual make its ``OPPORTUNITY`` (PRICE × QUANTITY).
Docs: ``api-reference/crm/deals/crm-deal-productrows-{get,set}.md``,
``api-reference/crm/deals/contacts/crm-deal-contact-items-{get,set,delete}.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Mapping
from typing import Any

from ..model import dealparts as model
from ..model.crmfields import DEAL
from ..model.dealparts import PRODUCT_ROW, PRODUCT_ROW_KEYS, RowError, RowValue
from ..model.timefmt import PORTAL_TZ, iso
from .core import Caller, RestError, as_list, as_map, one_record, to_float, to_int, upper_keys
from .crm import _classic, _fetch_one


def _deal(caller: Caller, params: Mapping[str, Any], bad_id: str, not_found: str) -> Any:
    deal_id = to_int(params.get("ID"))
    if deal_id is None or deal_id <= 0:
        raise _classic(bad_id)
    deal = _fetch_one(caller, DEAL, deal_id)
    if deal is None:
        raise _classic(not_found)
    return deal


def _touch(caller: Caller) -> dict[str, Any]:
    return {"date_modify": iso(dt.datetime.now(PORTAL_TZ)), "modify_by_id": caller.user.id}


def _update_deal(db: Any, deal_id: int, values: Mapping[str, Any]) -> None:
    assignments = ", ".join(f"{column}=?" for column in values)  # column names from here
    db.execute(
        f"UPDATE crm_items SET {assignments} WHERE entity_type_id=? AND id=?",
        [*values.values(), DEAL, deal_id],
    )


# -- product rows -------------------------------------------------------------------------------

_BAD_DEAL_ID = "The parameter id is invalid or not defined."


def _answer(value: RowValue, raw: Any) -> Any:
    if raw is None or value.answer == "raw":
        return raw
    if value.answer == "int":
        return int(raw)
    if value.answer == "float":
        return float(raw)
    return str(raw)


def product_rows(caller: Caller, deal_id: int) -> list[dict[str, Any]]:
    rows = caller.store.fetch(
        "SELECT * FROM crm_product_rows WHERE owner_type='D' AND owner_id=? ORDER BY sort, id",
        (deal_id,),
    )
    return [{value.key: _answer(value, row[value.column]) for value in PRODUCT_ROW} for row in rows]


@one_record("id")
def crm_deal_productrows_get(caller: Caller, params: dict[str, Any]) -> Any:
    deal = _deal(caller, upper_keys(params), _BAD_DEAL_ID, "Not found")
    return product_rows(caller, deal["id"])


def _row_value(value: RowValue, given: Any, number: int) -> Any:
    """A set value as stored; RestError when it is not of the row value's kind."""
    if given is None or given == "":
        return None
    converted: Any
    if value.kind == "int":
        converted = to_int(given)
    elif value.kind == "float":
        converted = to_float(given)
    elif value.kind == "yn":
        text = str(given).strip().upper()
        converted = text if text in ("Y", "N") else None
    elif isinstance(given, str | int | float) and not isinstance(given, bool):
        converted = str(given)
    else:
        converted = None
    if converted is None:
        raise RestError(
            400, "ERROR_CORE", f"Product row {number}: {value.key} has an invalid value<br>"
        )
    return converted


def _read_row(caller: Caller, entry: Any, number: int) -> dict[str, Any]:
    fields = as_map(entry)
    if not fields:
        raise RestError(400, "ERROR_CORE", f"Product row {number} must be an object<br>")
    values: dict[str, Any] = {}
    for key, given in upper_keys(fields).items():
        value = PRODUCT_ROW_KEYS.get(key)
        if value is None:
            if caller.strict_fields:
                raise RestError(
                    400,
                    "ERROR_CORE",
                    f"Product row {number}: unknown field {key} (the portal ignores unknown "
                    "fields; the emulator refuses them: strict_fields=False to ignore)",
                )
            continue
        if value.settable or key == "ID":
            values[key] = _row_value(value, given, number)
    try:
        values.update(model.priced(values))
    except RowError as error:
        raise RestError(400, "ERROR_CORE", str(error)) from None
    amount = values["PRICE"] * (1.0 if values.get("QUANTITY") is None else values["QUANTITY"])
    if not all(math.isfinite(number) for number in (amount, *model.priced(values).values())):
        raise RestError(400, "ERROR_CORE", f"Product row {number}: the amount is too large<br>")
    return values


def _rate(caller: Caller, currency: str | None) -> float:
    rows = caller.store.fetch("SELECT amount FROM crm_currencies WHERE currency=?", (currency,))
    rate = to_float(rows[0][0]) if rows else None
    return 1.0 if rate is None else rate


@one_record("id")
def crm_deal_productrows_set(caller: Caller, params: dict[str, Any]) -> Any:
    params = upper_keys(params)
    deal = _deal(caller, params, _BAD_DEAL_ID, "Not found")
    given = as_map(params.get("ROWS"))
    if given is None:
        raise _classic("The parameter rows must be array.")
    rows = [_read_row(caller, entry, number) for number, entry in enumerate(given.values(), 1)]
    rate = _rate(caller, deal["currency_id"])
    kept = {row["ID"] for row in product_rows(caller, deal["id"])}
    stored = []
    for values in rows:
        row: dict[str, Any] = {
            value.column: values.get(value.key, value.default)
            for value in PRODUCT_ROW
            if value.key != "ID"
        }
        row.update(owner_id=deal["id"], owner_type="D", customized="Y")
        row["price_account"] = model.account_price(row["price"], rate)
        if row["quantity"] is None:
            row["quantity"] = 1.0
        row["original_product_name"] = row["product_name"]
        if str(values.get("ID")) in kept:  # a row given by its ID keeps it (updated)
            row["id"] = values["ID"]
        stored.append(row)
    with caller.store.transaction() as db:
        db.execute(
            "DELETE FROM crm_product_rows WHERE owner_type='D' AND owner_id=?", (deal["id"],)
        )
        for row in stored:
            row_id = db.execute(
                f"INSERT INTO crm_product_rows ({', '.join(row)})"  # columns from the model
                f" VALUES ({', '.join('?' for _ in row)})",
                list(row.values()),
            ).lastrowid
            if row["product_name"] is None:  # "[{id}]" (crm-deal-productrows-set.md)
                db.execute(
                    "UPDATE crm_product_rows SET product_name=?, original_product_name=?"
                    " WHERE id=?",
                    (f"[{row_id}]", f"[{row_id}]", row_id),
                )
        changes = _touch(caller)
        total = model.rows_total(stored)
        if not math.isfinite(total):
            raise RestError(400, "ERROR_CORE", "The rows' amount is too large<br>")
        if stored and deal["is_manual_opportunity"] != "Y":
            changes["opportunity"] = total
        _update_deal(db, deal["id"], changes)
    return True


# -- contact bindings ---------------------------------------------------------------------------

_BAD_OWNER_ID = "The parameter ownerEntityID is invalid or not defined."


def contact_items(caller: Caller, deal: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The deal's contacts as bindings: its CONTACT_IDS, their SORT (as last set, else
    ``(i + 1) * 10``), CONTACT_ID the primary one."""
    ids = json.loads(deal["contact_ids"] or "[]")
    sorts = dict(
        caller.store.fetch(
            "SELECT contact_id, sort FROM crm_deal_contacts WHERE deal_id=?", (deal["id"],)
        )
    )
    primary = deal["contact_id"] if deal["contact_id"] in ids else (ids[0] if ids else None)
    defaults = model.binding_sorts(len(ids))
    bindings = [
        {
            "CONTACT_ID": contact_id,
            "SORT": sorts.get(contact_id, defaults[index]),
            "ROLE_ID": 0,
            "IS_PRIMARY": "Y" if contact_id == primary else "N",
        }
        for index, contact_id in enumerate(ids)
    ]
    return sorted(bindings, key=lambda binding: binding["SORT"])


@one_record("id")
def crm_deal_contact_items_get(caller: Caller, params: dict[str, Any]) -> Any:
    return contact_items(caller, _deal(caller, upper_keys(params), _BAD_OWNER_ID, "Not found."))


def _set_contacts(caller: Caller, deal_id: int, bindings: list[tuple[int, int, bool]]) -> None:
    """Bindings ``(contact id, sort, primary asked)`` become the deal's contacts."""
    ordered = sorted(bindings, key=lambda binding: binding[1])
    ids = [contact_id for contact_id, _, _ in ordered]
    asked = [contact_id for contact_id, _, primary in bindings if primary]
    primary = asked[0] if asked else (bindings[0][0] if bindings else None)
    with caller.store.transaction() as db:
        db.execute("DELETE FROM crm_deal_contacts WHERE deal_id=?", (deal_id,))
        db.executemany(
            "INSERT INTO crm_deal_contacts (deal_id, contact_id, sort) VALUES (?,?,?)",
            [(deal_id, contact_id, sort) for contact_id, sort, _ in bindings],
        )
        _update_deal(
            db, deal_id, {"contact_ids": json.dumps(ids), "contact_id": primary, **_touch(caller)}
        )


@one_record("id")
def crm_deal_contact_items_set(caller: Caller, params: dict[str, Any]) -> Any:
    params = upper_keys(params)
    deal = _deal(caller, params, _BAD_OWNER_ID, "Not found.")
    items = as_map(params["ITEMS"]) if "ITEMS" in params else None
    if items is None:
        raise _classic("The parameter items must be array.")
    defaults = model.binding_sorts(len(items))
    bindings: list[tuple[int, int, bool]] = []
    for index, entry in enumerate(as_list(items)):
        binding = upper_keys(as_map(entry) or {})
        contact_id = to_int(binding.get("CONTACT_ID"))
        if contact_id is None or contact_id <= 0:
            raise RestError(
                400, "ERROR_CORE", f"Binding {index + 1}: CONTACT_ID must be a contact id"
            )
        sort = to_int(binding.get("SORT"))
        primary = str(binding.get("IS_PRIMARY", "")).strip().upper() == "Y"
        if all(contact_id != seen for seen, _, _ in bindings):
            bindings.append((contact_id, defaults[index] if sort is None else sort, primary))
    _set_contacts(caller, deal["id"], bindings)
    return True


@one_record("id")
def crm_deal_contact_items_delete(caller: Caller, params: dict[str, Any]) -> Any:
    deal = _deal(caller, upper_keys(params), _BAD_OWNER_ID, "Not found")  # no full stop here
    _set_contacts(caller, deal["id"], [])
    return True


METHODS: dict[str, Callable[[Caller, dict[str, Any]], Any]] = {
    "crm.deal.productrows.get": crm_deal_productrows_get,
    "crm.deal.productrows.set": crm_deal_productrows_set,
    "crm.deal.contact.items.get": crm_deal_contact_items_get,
    "crm.deal.contact.items.set": crm_deal_contact_items_set,
    "crm.deal.contact.items.delete": crm_deal_contact_items_delete,
}
