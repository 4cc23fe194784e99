"""What a deal holds besides its fields: product rows (``crm.deal.productrows.*``) and the
order of its contact bindings (``crm.deal.contact.items.*``). Pure: schema, rules, seed rows.

A product row is one table entry per value (:data:`PRODUCT_ROW`): the key the portal answers
with, how it is stored and the JSON type it is answered as, per
``api-reference/crm/deals/crm-deal-productrows-get.md`` (numbers as numbers, ``ID`` and
``OWNER_ID`` as text, as its example shows). :func:`priced` derives the prices a row answers
with from the ones a caller sets, as ``crm-deal-productrows-set.md`` describes them.

The deal's contacts stay in the deal (``contact_ids``, ``contact_id``: the primary one);
``crm_deal_contacts`` only remembers each binding's ``SORT``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .crmfields import DEAL, SQL_TYPES
from .dictionaries import RATES


@dataclass(frozen=True)
class RowValue:
    key: str
    kind: str  # a crmfields.SQL_TYPES kind
    answer: str  # how the portal answers it: int, float, text (str() of it), raw
    default: Any = None
    settable: bool = True

    @property
    def column(self) -> str:
        return self.key.lower()


PRODUCT_ROW = (
    RowValue("ID", "int", "text", settable=False),
    RowValue("OWNER_ID", "int", "text", settable=False),
    RowValue("OWNER_TYPE", "str", "raw", "D", settable=False),
    RowValue("PRODUCT_ID", "int", "int", 0),
    RowValue("PRODUCT_NAME", "str", "raw"),
    RowValue("ORIGINAL_PRODUCT_NAME", "str", "raw", settable=False),
    RowValue("PRODUCT_DESCRIPTION", "text", "raw"),
    RowValue("PRICE", "float", "float", 0.0),
    RowValue("PRICE_EXCLUSIVE", "float", "float"),
    RowValue("PRICE_NETTO", "float", "float"),
    RowValue("PRICE_BRUTTO", "float", "float"),
    RowValue("PRICE_ACCOUNT", "str", "raw", settable=False),
    RowValue("QUANTITY", "float", "float", 1.0),
    RowValue("DISCOUNT_TYPE_ID", "int", "int", 2),
    RowValue("DISCOUNT_RATE", "float", "float"),
    RowValue("DISCOUNT_SUM", "float", "float"),
    RowValue("TAX_RATE", "float", "float"),
    RowValue("TAX_INCLUDED", "yn", "raw", "N"),
    RowValue("CUSTOMIZED", "yn", "raw", "Y", settable=False),
    RowValue("MEASURE_CODE", "int", "int", 0),
    RowValue("MEASURE_NAME", "str", "raw", ""),
    RowValue("SORT", "int", "int", 0),
    RowValue("XML_ID", "str", "raw"),
    RowValue("TYPE", "int", "int", 1),
    RowValue("STORE_ID", "int", "int"),
    RowValue("RESERVE_ID", "int", "int"),
    RowValue("DATE_RESERVE_END", "date", "raw"),
    RowValue("RESERVE_QUANTITY", "float", "float"),
)
PRODUCT_ROW_KEYS = {value.key: value for value in PRODUCT_ROW}
ABSOLUTE, PERCENTAGE = 1, 2  # DISCOUNT_TYPE_ID


def dealparts_ddl() -> str:
    columns = ",\n    ".join(
        f"{value.column} {SQL_TYPES[value.kind]}" for value in PRODUCT_ROW if value.key != "ID"
    )
    return (
        "CREATE TABLE IF NOT EXISTS crm_product_rows (\n"
        f"    id INTEGER PRIMARY KEY AUTOINCREMENT,\n    {columns}\n);\n"
        "CREATE INDEX IF NOT EXISTS crm_product_rows_owner ON crm_product_rows"
        " (owner_type, owner_id);\n"
        "CREATE TABLE IF NOT EXISTS crm_deal_contacts (\n"
        "    deal_id    INTEGER NOT NULL,\n"
        "    contact_id INTEGER NOT NULL,\n"
        "    sort       INTEGER NOT NULL,\n"
        "    PRIMARY KEY (deal_id, contact_id)\n"
        ");\n"
    )


TABLES = ("crm_product_rows", "crm_deal_contacts")


class RowError(ValueError):
    """A product row the portal refuses; the text is the portal's (ERROR_CORE)."""


def priced(values: Mapping[str, Any]) -> dict[str, Any]:
    """The prices a row is answered with, from those set (``values``: key -> number/None,
    DISCOUNT_TYPE_ID/RATE/SUM, TAX_RATE, TAX_INCLUDED, PRICE, PRICE_EXCLUSIVE):
    PRICE is the final unit price (discount and tax applied), PRICE_EXCLUSIVE the price with
    the discount before tax, PRICE_NETTO before both, PRICE_BRUTTO with tax, no discount."""
    tax = (values.get("TAX_RATE") or 0.0) / 100
    included = values.get("TAX_INCLUDED") == "Y"
    price = values.get("PRICE")
    exclusive = values.get("PRICE_EXCLUSIVE")
    if exclusive is None:
        base = 0.0 if price is None else price
        exclusive = base / (1 + tax) if included else base
    kind = values.get("DISCOUNT_TYPE_ID") or PERCENTAGE
    rate, amount = values.get("DISCOUNT_RATE"), values.get("DISCOUNT_SUM")
    if kind == PERCENTAGE:
        if rate is None:
            if values.get("DISCOUNT_TYPE_ID") is not None:
                raise RowError(
                    "Discount Rate (DISCOUNT_RATE) is required if Percentage Discount Type "
                    "(DISCOUNT_TYPE_ID) is defined<br>"
                )
            rate = 0.0
        if rate >= 100:
            if amount is None:
                raise RowError(
                    "Discount Sum (DISCOUNT_SUM) is required if Percentage Discount Type "
                    "(DISCOUNT_TYPE_ID) is defined and Discount Rate (DISCOUNT_RATE) is 100%<br>"
                )
            netto = exclusive + amount
        else:
            netto = exclusive / (1 - rate / 100)
        amount = netto - exclusive
    elif kind == ABSOLUTE:
        if amount is None:
            raise RowError(
                "Discount Sum (DISCOUNT_SUM) is required if Monetary Discount Type "
                "(DISCOUNT_TYPE_ID) is defined<br>"
            )
        netto = exclusive + amount
        rate = amount / netto * 100 if netto else 0.0
    else:
        raise RowError("Discount Type (DISCOUNT_TYPE_ID) is invalid<br>")
    return {
        "PRICE": _money(exclusive * (1 + tax)) if price is None or tax else price,
        "PRICE_EXCLUSIVE": _money(exclusive),
        "PRICE_NETTO": _money(netto),
        "PRICE_BRUTTO": _money(netto * (1 + tax)),
        "DISCOUNT_TYPE_ID": kind,
        "DISCOUNT_RATE": _money(rate),
        "DISCOUNT_SUM": _money(amount),
    }


def _money(number: float) -> float:
    return round(number, 2)


def rows_total(rows: Iterable[Mapping[str, Any]]) -> float:
    """The deal amount its rows make (PRICE × QUANTITY): what OPPORTUNITY becomes when the
    amount is not manual (tutorials/crm/how-to-edit-crm-objects/
    how-to-generate-edit-form-for-deal.md)."""
    return _money(sum(row["price"] * row["quantity"] for row in rows))


def account_price(price: float, rate: float) -> str:
    """PRICE_ACCOUNT: the unit price in the report (base) currency, as text "899.10"."""
    return f"{price * rate:.2f}"


def binding_sorts(count: int) -> list[int]:
    """The SORT of bindings given none: ``(i + 1) * 10`` (crm-deal-contact-items-set.md)."""
    return [(index + 1) * 10 for index in range(count)]


# -- seed ---------------------------------------------------------------------------------------

# The fixed deals' rows, adding up to their amounts (seed.FIXED_DEALS): (name, price, qty).
FIXED_ROWS = {
    1: (("CRM licence, 10 seats", 900.0, 10.0), ("Implementation", 3000.0, 1.0)),
    2: (("Annual support contract, month", 4000.0, 12.0),),
    3: (("Website design", 5000.0, 1.0), ("Content migration, page", 500.0, 5.0)),
}
SEED_EVERY = 5  # every fifth generated deal has one product row worth its whole amount


def seed_product_rows(deals: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    """Product rows of seeded deals (``crm_items`` rows), columns of ``crm_product_rows``."""
    for deal in deals:
        if deal["entity_type_id"] != DEAL:
            continue
        deal_id = deal["id"]
        if deal_id in FIXED_ROWS:
            lines = FIXED_ROWS[deal_id]
        elif deal_id % SEED_EVERY == 0:
            title = str(deal["title"]).split(" — ")[-1]
            lines = ((title, float(deal["opportunity"]), 1.0),)
        else:
            continue
        for number, (name, price, quantity) in enumerate(lines, start=1):
            yield {
                **{value.column: value.default for value in PRODUCT_ROW if value.key != "ID"},
                **{
                    key.lower(): number
                    for key, number in priced({"PRICE": price, "DISCOUNT_RATE": 0.0}).items()
                },
                "owner_id": deal_id,
                "product_name": name,
                "original_product_name": name,
                "quantity": quantity,
                "price_account": account_price(price, RATES[deal["currency_id"]]),
                "measure_code": 796,
                "measure_name": "pcs",
                "sort": number * 10,
            }
