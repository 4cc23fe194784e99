"""The CRM data model of the emulated portal: entity types, their fields, stages. Pure.

One SQLite table (``crm_items``) holds leads, deals, contacts and companies; each row has
the columns of every type and uses those of its own. A :class:`Field` names a value three
ways: ``camel`` for ``crm.item.*`` (``assignedById``), ``upper`` for the classic methods
(``ASSIGNED_BY_ID``) and ``column`` in the table. The store builds its table from
:func:`crm_items_ddl`, so the model and the schema cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

LEAD, DEAL, CONTACT, COMPANY = 1, 2, 3, 4
ENTITY_NAMES = {LEAD: "Lead", DEAL: "Deal", CONTACT: "Contact", COMPANY: "Company"}

# Kinds: int, user (a user id), float, str, text, yn ("Y"/"N"), date, datetime,
# ints (JSON list of ids) and fm (JSON list of {id, typeId, valueType, value}).
SQL_TYPES = {
    "int": "INTEGER",
    "user": "INTEGER",
    "float": "REAL",
    "str": "TEXT",
    "text": "TEXT",
    "yn": "TEXT",
    "date": "TEXT",
    "datetime": "TEXT",
    "ints": "TEXT",
    "fm": "TEXT",
}
JSON_KINDS = frozenset({"ints", "fm"})  # stored as JSON text; not filterable or sortable


@dataclass(frozen=True)
class Field:
    camel: str
    upper: str
    kind: str
    readonly: bool = False

    @property
    def column(self) -> str:
        return self.upper.lower()


def _f(camel: str, kind: str, upper: str | None = None, *, readonly: bool = False) -> Field:
    if upper is None:
        upper = "".join("_" + c if c.isupper() else c.upper() for c in camel)
    return Field(camel, upper, kind, readonly)


ID = _f("id", "int", readonly=True)
_SYSTEM = (
    _f("createdTime", "datetime", "DATE_CREATE", readonly=True),
    _f("updatedTime", "datetime", "DATE_MODIFY", readonly=True),
    _f("createdBy", "user", "CREATED_BY_ID", readonly=True),
    _f("updatedBy", "user", "MODIFY_BY_ID", readonly=True),
    _f("assignedById", "user"),
    _f("opened", "yn"),
)
_TRAILER = (
    _f("comments", "text"),
    _f("sourceId", "str"),
    _f("sourceDescription", "text"),
    _f("originatorId", "str"),
    _f("originId", "str"),
    _f("lastActivityTime", "datetime", readonly=True),
    _f("lastActivityBy", "user", readonly=True),
    _f("utmSource", "str"),
    _f("utmMedium", "str"),
    _f("utmCampaign", "str"),
    _f("utmContent", "str"),
    _f("utmTerm", "str"),
    _f("observers", "ints"),
)
_PERSON = (
    _f("honorific", "str"),
    _f("name", "str"),
    _f("secondName", "str"),
    _f("lastName", "str"),
    _f("post", "str"),
    _f("birthdate", "date"),
)
_MONEY = (
    _f("currencyId", "str"),
    _f("opportunity", "float"),
    _f("isManualOpportunity", "yn"),
)
_STAGE = (
    _f("stageId", "str", "STAGE_ID"),
    _f("stageSemanticId", "str", readonly=True),
    _f("movedBy", "user", "MOVED_BY_ID", readonly=True),
    _f("movedTime", "datetime", readonly=True),
)

FIELDS: dict[int, tuple[Field, ...]] = {
    LEAD: (
        ID,
        *_SYSTEM,
        _f("title", "str"),
        *_PERSON,
        _f("companyTitle", "str"),
        *_STAGE,
        _f("statusDescription", "text"),
        *_MONEY,
        _f("companyId", "int"),
        _f("contactId", "int"),
        _f("contactIds", "ints"),
        _f("fm", "fm"),
        *_TRAILER,
    ),
    DEAL: (
        ID,
        *_SYSTEM,
        _f("title", "str"),
        _f("typeId", "str"),
        _f("categoryId", "int"),
        *_STAGE,
        _f("closed", "yn", readonly=True),
        _f("probability", "int"),
        *_MONEY,
        _f("taxValue", "float"),
        _f("companyId", "int"),
        _f("contactId", "int"),
        _f("contactIds", "ints"),
        _f("leadId", "int"),
        _f("begindate", "date"),
        _f("closedate", "date"),
        _f("additionalInfo", "text"),
        *_TRAILER,
    ),
    CONTACT: (
        ID,
        *_SYSTEM,
        *_PERSON,
        _f("typeId", "str"),
        _f("companyId", "int"),
        _f("fm", "fm"),
        *_TRAILER,
    ),
    COMPANY: (
        ID,
        *_SYSTEM,
        _f("title", "str"),
        _f("companyType", "str"),
        _f("industry", "str"),
        _f("employees", "str"),
        _f("revenue", "float"),
        _f("currencyId", "str"),
        _f("isMyCompany", "yn"),
        _f("fm", "fm"),
        *_TRAILER,
    ),
}


# Stages: (id, semantic) in funnel order; the first one is the default.
STAGES = {
    LEAD: (
        ("NEW", "P"),
        ("IN_PROCESS", "P"),
        ("PROCESSED", "P"),
        ("CONVERTED", "S"),
        ("JUNK", "F"),
    ),
    DEAL: (
        ("NEW", "P"),
        ("PREPARATION", "P"),
        ("PREPAYMENT_INVOICE", "P"),
        ("EXECUTING", "P"),
        ("FINAL_INVOICE", "P"),
        ("WON", "S"),
        ("LOSE", "F"),
        ("APOLOGY", "F"),
    ),
}
SOURCES = ("CALL", "EMAIL", "WEB", "ADVERTISING", "PARTNER", "RECOMMENDATION", "TRADE_SHOW")
CURRENCIES = ("USD", "EUR", "GBP")
DEAL_TYPES = ("SALE", "COMPLEX", "GOODS", "SERVICES", "SERVICE")
CONTACT_TYPES = ("CLIENT", "SUPPLIER", "PARTNER", "OTHER")
COMPANY_TYPES = ("CUSTOMER", "SUPPLIER", "COMPETITOR", "PARTNER", "OTHER")


def stage_semantic(entity_type_id: int, stage_id: str | None) -> str | None:
    for stage, semantic in STAGES.get(entity_type_id, ()):
        if stage == stage_id:
            return semantic
    return None


def all_columns() -> dict[str, str]:
    """Every column of ``crm_items`` with its SQL type, in a stable order."""
    columns: dict[str, str] = {}
    for fields in FIELDS.values():
        for field in fields:
            columns.setdefault(field.column, SQL_TYPES[field.kind])
    return columns


def crm_items_ddl() -> str:
    body = ",\n    ".join(
        f"{name} {sql_type}" for name, sql_type in all_columns().items() if name != "id"
    )
    return (
        "CREATE TABLE IF NOT EXISTS crm_items (\n"
        "    entity_type_id INTEGER NOT NULL,\n"
        "    id INTEGER NOT NULL,\n"
        f"    {body},\n"
        "    PRIMARY KEY (entity_type_id, id)\n"
        ");\n"
        "CREATE INDEX IF NOT EXISTS crm_items_stage ON crm_items (entity_type_id, stage_id);\n"
        "CREATE INDEX IF NOT EXISTS crm_items_assigned ON crm_items"
        " (entity_type_id, assigned_by_id);\n"
    )
