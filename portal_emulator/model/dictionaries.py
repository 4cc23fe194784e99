"""CRM dictionaries of the emulated portal: statuses and stages (``crm.status.*``), funnels
(``crm.category.*``) and currencies (``crm.currency.*``). Pure: data, schema and seed rows.

Each dictionary is one :class:`Dictionary`: its SQLite table and its columns, each column
naming the key the portal answers with and the portal's field metadata. The REST layer
lists, filters and orders any of them with the same code (``rest/dictionaries.py``).

The ids of stages, sources and types come from :mod:`.crmfields` and :mod:`.seed` (what the
seeded deals, contacts and companies use); this module adds the names, colours and funnels.
Shapes and names follow the REST docs (``bitrix24/b24restdocs``):
``api-reference/crm/status/crm-status-list.md``, ``crm-status-entity-types.md``,
``api-reference/crm/universal/category/crm-category-list.md``,
``api-reference/crm/currency/crm-currency-list.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .crmfields import (
    COMPANY,
    COMPANY_TYPES,
    CONTACT,
    CONTACT_TYPES,
    DEAL,
    DEAL_TYPES,
    ENTITIES,
    LEAD,
    SOURCES,
    SQL_TYPES,
    STAGES,
    Field,
)
from .seed import EMPLOYEES, INDUSTRIES


@dataclass(frozen=True)
class Column:
    """One value of a dictionary row: the key the portal answers with (``key``), the stored
    kind (:data:`.crmfields.SQL_TYPES`) and the ``*.fields`` metadata."""

    key: str
    kind: str
    type: str
    title: str
    required: bool = False
    readonly: bool = False
    immutable: bool = False

    @property
    def column(self) -> str:
        if self.key.isupper():
            return self.key.lower()
        return re.sub(r"(?=[A-Z])", "_", self.key).lower()

    @property
    def field(self) -> Field:
        """The column as the shared filter/order code names it (UPPER_CASE or camelCase)."""
        upper = self.key if self.key.isupper() else self.column.upper()
        return Field(self.key, upper, self.kind, self.readonly)


@dataclass(frozen=True)
class Dictionary:
    table: str
    columns: tuple[Column, ...]
    key: str  # the primary key's column names, comma separated

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(column.field for column in self.columns)

    def ddl(self) -> str:
        body = ",\n    ".join(f"{c.column} {SQL_TYPES[c.kind]}" for c in self.columns)
        return (
            f"CREATE TABLE IF NOT EXISTS {self.table} (\n    {body},\n"
            f"    PRIMARY KEY ({self.key})\n);\n"
        )


# crm.status.fields (api-reference/crm/status/crm-status-fields.md); EXTRA is computed.
STATUS = Dictionary(
    "crm_statuses",
    (
        Column("ID", "int", "integer", "ID", readonly=True),
        Column("ENTITY_ID", "str", "string", "Entity ID", required=True, immutable=True),
        Column("STATUS_ID", "str", "string", "Status", required=True, immutable=True),
        Column("NAME", "str", "string", "Name", required=True),
        Column("NAME_INIT", "str", "string", "Default Name", readonly=True),
        Column("SORT", "int", "integer", "Sorting"),
        Column("SYSTEM", "yn", "char", "System", readonly=True),
        Column("CATEGORY_ID", "int", "integer", "CATEGORY_ID", immutable=True),
        Column("COLOR", "str", "string", "COLOR"),
        Column("SEMANTICS", "str", "char", "SEMANTICS", immutable=True),
    ),
    "id",
)
STATUS_EXTRA = {
    "type": "crm_status_extra",
    "isRequired": False,
    "isReadOnly": False,
    "isImmutable": False,
    "isMultiple": False,
    "isDynamic": False,
    "title": "Additional Fields",
}

# The category object (api-reference/crm/universal/category/crm-category-add.md#category).
CATEGORY = Dictionary(
    "crm_categories",
    (
        Column("id", "int", "integer", "ID", readonly=True),
        Column("name", "str", "string", "Name"),
        Column("sort", "int", "integer", "Sort"),
        Column("entityTypeId", "int", "integer", "Entity type", readonly=True),
        Column("isDefault", "yn", "boolean", "Default"),
        Column("originId", "str", "string", "External ID"),
        Column("originatorId", "str", "string", "External source ID"),
    ),
    "entity_type_id, id",
)

# crm_currency (api-reference/crm/currency/crm-currency-list.md); AMOUNT is text "68.7900".
CURRENCY = Dictionary(
    "crm_currencies",
    (
        Column("CURRENCY", "str", "string", "Currency", required=True),
        Column("AMOUNT_CNT", "int", "integer", "Nominal"),
        Column("AMOUNT", "str", "double", "Exchange rate"),
        Column("SORT", "int", "integer", "Sort"),
        Column("BASE", "yn", "char", "Base currency"),
        Column("FULL_NAME", "str", "string", "Name"),
        Column("LID", "str", "string", "Language"),
        Column("FORMAT_STRING", "str", "string", "Format"),
        Column("DEC_POINT", "str", "string", "Decimal point"),
        Column("THOUSANDS_SEP", "str", "string", "Thousands separator"),
        Column("DECIMALS", "int", "integer", "Decimals"),
        Column("DATE_UPDATE", "datetime", "datetime", "Updated", readonly=True),
    ),
    "currency",
)

CURRENCY_LANG_KEYS = ("FORMAT_STRING", "FULL_NAME", "DEC_POINT", "THOUSANDS_SEP", "DECIMALS")

DICTIONARIES = (STATUS, CATEGORY, CURRENCY)


def dictionaries_ddl() -> str:
    return "".join(dictionary.ddl() for dictionary in DICTIONARIES)


# -- what the dictionaries hold ---------------------------------------------------------------

# Deal funnels: (id, name, sort); 0 is the default one (crm.category.list's example).
DEAL_CATEGORIES = ((0, "General", 300), (1, "Enterprise", 200), (2, "Partners", 200))
FUNNEL_TYPES = (DEAL, CONTACT, COMPANY)  # the types with funnels (category/index.md)
# Contacts and companies have funnels too (category/index.md); the seed has the default one.
OTHER_CATEGORIES = ((CONTACT, "Contacts"), (COMPANY, "Companies"))

# Stage names and colours, as crm-status-list.md's example answers DEAL_STAGE.
STAGE_LOOK = {
    "NEW": ("New", "#39A8EF"),
    "PREPARATION": ("Document preparation", "#2FC6F6"),
    "PREPAYMENT_INVOICE": ("Prepayment invoice", "#55D0E0"),
    "EXECUTING": ("In progress", "#47E4C2"),
    "FINAL_INVOICE": ("Final invoice", "#FFA900"),
    "WON": ("Deal successful", "#7BD500"),
    "LOSE": ("Deal failed", "#FF5752"),
    "APOLOGY": ("Failure reason analysis", "#FF5752"),
}
LEAD_STAGES_TYPE = "STATUS"  # the ENTITY_ID of lead statuses
SYSTEM_STAGES = frozenset({"NEW", "WON", "LOSE", "CONVERTED", "JUNK"})
# The funnels' stages, by their code without the "C<n>:" prefix (funnel 0 has none): the
# deals' own (crmfields.ENTITIES), which the deal methods check a STAGE_ID against.
CATEGORY_STAGES = {
    category: tuple(stage.rpartition(":")[2] for stage, _ in stages)
    for category, stages in ENTITIES[DEAL].stages.items()
}
# Lead statuses (tutorials/crm/how-to-get-lists/how-to-get-stages-with-semantics.md).
LEAD_LOOK = {
    "NEW": ("Not processed", "#00FFFF"),
    "IN_PROCESS": ("In progress", "#FFA900"),
    "PROCESSED": ("Processed", "#47E4C2"),
    "CONVERTED": ("Converted", "#37B44A"),
    "JUNK": ("Low-quality lead", "#F54819"),
}

# The plain dictionaries: ENTITY_ID -> (NAME of the type, {STATUS_ID: NAME}).
PLAIN = {
    "SOURCE": (
        "Sources",
        {
            "CALL": "Call",
            "EMAIL": "E-Mail",
            "WEB": "Website",
            "ADVERTISING": "Advertising",
            "PARTNER": "Existing client",
            "RECOMMENDATION": "By recommendation",
            "TRADE_SHOW": "Show/Exhibition",
            "OTHER": "Other",
        },
    ),
    "CONTACT_TYPE": (
        "Contact type",
        {"CLIENT": "Clients", "SUPPLIER": "Suppliers", "PARTNER": "Partners", "OTHER": "Other"},
    ),
    "COMPANY_TYPE": (
        "Company type",
        {
            "CUSTOMER": "Client",
            "SUPPLIER": "Supplier",
            "COMPETITOR": "Competitor",
            "PARTNER": "Partner",
            "OTHER": "Other",
        },
    ),
    "EMPLOYEES": (
        "Number of employees",
        {
            "EMPLOYEES_1": "fewer than 50",
            "EMPLOYEES_2": "50-250",
            "EMPLOYEES_3": "250-500",
            "EMPLOYEES_4": "over 500",
        },
    ),
    "INDUSTRY": (
        "Industry",
        {
            "IT": "Information Technology",
            "MANUFACTURING": "Manufacturing",
            "BANKING": "Banking Services",
            "CONSULTING": "Consulting",
            "DELIVERY": "Delivery",
            "ENTERTAINMENT": "Entertainment",
            "GOVERNMENT": "Government",
            "TELECOM": "Telecommunications",
            "OTHER": "Other",
        },
    ),
    "DEAL_TYPE": (
        "Deal type",
        {
            "SALE": "Sales",
            "COMPLEX": "Complex sale",
            "GOODS": "Merchandise sales",
            "SERVICES": "Service sales",
            "SERVICE": "After-sales service",
        },
    ),
    "HONORIFIC": (
        "Inquiries",
        {"HNR_EN_1": "Mr.", "HNR_EN_2": "Mrs.", "HNR_EN_3": "Ms.", "HNR_EN_4": "Dr."},
    ),
}
# The ids the seeded CRM uses, each of which must have a name above (a test checks).
USED_IDS = {
    "SOURCE": SOURCES,
    "CONTACT_TYPE": CONTACT_TYPES,
    "COMPANY_TYPE": COMPANY_TYPES,
    "EMPLOYEES": EMPLOYEES,
    "INDUSTRY": INDUSTRIES,
    "DEAL_TYPE": DEAL_TYPES,
}

# (code, rate to the base currency, sort, full name, format string), USD the base.
CURRENCY_ROWS = (
    ("USD", "1.0000", 100, "US Dollar", "$#"),
    ("EUR", "1.0800", 200, "Euro", "&euro;#"),
    ("GBP", "1.2700", 300, "Pound Sterling", "&pound;#"),
    ("RUB", "0.0110", 400, "Russian Ruble", "# &#8381;"),
)
RATES = {code: float(rate) for code, rate, *_ in CURRENCY_ROWS}  # to the base currency
CURRENCY_UPDATED = "2024-01-08T09:00:00+03:00"


def deal_stage_entity(category_id: int) -> str:
    """The ENTITY_ID of a deal funnel's stages: ``DEAL_STAGE``, ``DEAL_STAGE_1``…"""
    return "DEAL_STAGE" if category_id == 0 else f"DEAL_STAGE_{category_id}"


def deal_stage_id(category_id: int, code: str) -> str:
    """A funnel's STAGE_ID: ``NEW`` in funnel 0, ``C1:NEW`` in funnel 1."""
    return code if category_id == 0 else f"C{category_id}:{code}"


def _semantic(code: str) -> str | None:
    """SEMANTICS of a stage code: S for success, F for failure, None while in progress."""
    return {"WON": "S", "CONVERTED": "S", "LOSE": "F", "APOLOGY": "F", "JUNK": "F"}.get(code)


def deal_stages(category_id: int) -> tuple[tuple[str, str], ...]:
    """``(STAGE_ID, semantic)`` of one deal funnel in order, semantic P/S/F as
    ``stageSemanticId`` has it; empty for an unknown funnel."""
    return tuple(
        (deal_stage_id(category_id, code), _semantic(code) or "P")
        for code in CATEGORY_STAGES.get(category_id, ())
    )


def status_rows() -> list[dict[str, Any]]:
    """Every seeded status row (columns of :data:`STATUS`), ids from 1 in a fixed order."""
    rows: list[dict[str, Any]] = []

    def add(entity_id: str, status_id: str, name: str, sort: int, **more: Any) -> None:
        system = "Y" if more.pop("system", False) else "N"
        rows.append(
            {
                "id": len(rows) + 1,
                "entity_id": entity_id,
                "status_id": status_id,
                "name": name,
                "name_init": name if system == "Y" else "",
                "sort": sort,
                "system": system,
                "category_id": more.get("category_id"),
                "color": more.get("color"),
                "semantics": more.get("semantics"),
            }
        )

    for number, (code, _) in enumerate(STAGES[LEAD], start=1):
        name, color = LEAD_LOOK[code]
        add(
            LEAD_STAGES_TYPE,
            code,
            name,
            number * 10,
            system=code in SYSTEM_STAGES,
            color=color,
            semantics=_semantic(code),
        )
    for category_id, _, _ in DEAL_CATEGORIES:
        for number, code in enumerate(CATEGORY_STAGES[category_id], start=1):
            name, color = STAGE_LOOK[code]
            add(
                deal_stage_entity(category_id),
                deal_stage_id(category_id, code),
                name,
                number * 10,
                system=code in SYSTEM_STAGES,
                color=color,
                semantics=_semantic(code),
                category_id=category_id or None,
            )
    for entity_id, (_, names) in PLAIN.items():
        for number, (status_id, name) in enumerate(names.items(), start=1):
            add(entity_id, status_id, name, number * 10)
    return rows


def category_rows() -> Iterator[dict[str, Any]]:
    for category_id, name, sort in DEAL_CATEGORIES:
        yield {
            "entity_type_id": DEAL,
            "id": category_id,
            "name": name,
            "sort": sort,
            "is_default": "Y" if category_id == 0 else "N",
            "origin_id": "",
            "originator_id": "",
        }
    for entity_type_id, name in OTHER_CATEGORIES:
        yield {
            "entity_type_id": entity_type_id,
            "id": 0,
            "name": name,
            "sort": 100,
            "is_default": "Y",
            "origin_id": "",
            "originator_id": "",
        }


def currency_rows() -> Iterator[dict[str, Any]]:
    for code, rate, sort, name, format_string in CURRENCY_ROWS:
        yield {
            "currency": code,
            "amount_cnt": 1,
            "amount": rate,
            "sort": sort,
            "base": "Y" if rate == "1.0000" else "N",
            "full_name": name,
            "lid": "en",
            "format_string": format_string,
            "dec_point": ".",
            "thousands_sep": None,
            "decimals": 2,
            "date_update": CURRENCY_UPDATED,
        }


# -- crm.status.entity.types ------------------------------------------------------------------


def semantic_info(stages: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """SEMANTIC_INFO of a stage dictionary: its first stage, first success and first failure."""
    return {
        "START_FIELD": stages[0][0],
        "FINAL_SUCCESS_FIELD": next(stage for stage, semantic in stages if semantic == "S"),
        "FINAL_UNSUCCESS_FIELD": next(stage for stage, semantic in stages if semantic == "F"),
        "FINAL_SORT": 0,
    }


def entity_types(deal_categories: list[tuple[int, str]]) -> list[dict[str, Any]]:
    """crm.status.entity.types for these deal funnels (``(id, name)``), as the docs' example
    shows each kind: lead stages, plain dictionaries, funnel 0 and the other funnels."""
    lead_stages = tuple((code, _semantic(code) or "P") for code, _ in STAGES[LEAD])
    types: list[dict[str, Any]] = [
        {
            "ID": LEAD_STAGES_TYPE,
            "NAME": "Lead stages",
            "SEMANTIC_INFO": semantic_info(lead_stages),
            "ENTITY_TYPE_ID": LEAD,
        }
    ]
    types += [{"ID": entity_id, "NAME": name} for entity_id, (name, _) in PLAIN.items()]
    for category_id, name in deal_categories:
        entry: dict[str, Any] = {
            "ID": deal_stage_entity(category_id),
            "NAME": f"{name} deal stages",
        }
        if category_id:
            entry["PARENT_ID"] = "DEAL_STAGE"
        entry["SEMANTIC_INFO"] = semantic_info(deal_stages(category_id))
        if category_id:
            entry["PREFIX"] = f"C{category_id}"
        entry["FIELD_ATTRIBUTE_SCOPE"] = f"category_{category_id}" if category_id else ""
        entry["ENTITY_TYPE_ID"] = DEAL
        entry["CATEGORY_ID"] = str(category_id) if category_id else 0  # as the docs show it
        types.append(entry)
    return types


def is_stage_entity(entity_id: str) -> bool:
    """Whether a dictionary holds stages (its rows carry EXTRA: SEMANTICS and COLOR)."""
    return (
        entity_id == LEAD_STAGES_TYPE or re.fullmatch(r"DEAL_STAGE(_\d+)?", entity_id) is not None
    )


def extra_semantics(semantics: str | None, status_id: str, final_failure: str | None) -> str:
    """EXTRA.SEMANTICS of a stage: process, success, failure (the funnel's first failure
    stage) or apology (any other failure stage), as crm-status-list.md's example shows."""
    if semantics == "S":
        return "success"
    if semantics == "F":
        return "failure" if status_id == final_failure else "apology"
    return "process"
