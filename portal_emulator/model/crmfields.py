"""The CRM data model of the emulated portal: entity types, their fields, stages. Pure.

:data:`ENTITIES` is the one schema table: each :class:`Entity` (lead, deal, contact,
company, a smart process) names its fields, its classic method family (``crm.deal.*``;
none for smart processes), its stages per category, what it requires and how its classic
methods word "not found". The REST layer builds ``crm.<classic>.*``, ``crm.item.*`` and
every ``*.fields`` answer from it, so a new entity or field is an entry here.

One SQLite table (``crm_items``) holds every entity; each row has the columns of every type
and uses those of its own. A :class:`Field` names a value three ways: ``camel`` for
``crm.item.*`` (``assignedById``), ``upper`` for the classic methods (``ASSIGNED_BY_ID``)
and ``column`` in the table. The store builds its table from :func:`crm_items_ddl`, so the
model and the schema cannot drift apart.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

LEAD, DEAL, CONTACT, COMPANY = 1, 2, 3, 4
SMART_PROCESS = 1032  # the seeded smart process ("Projects"); its internal type id is 5

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
    "money": "TEXT",
    "enum": "INTEGER",
}
JSON_KINDS = frozenset({"ints", "fm"})  # stored as JSON text; not filterable or sortable


# The portal's type name of each kind in the classic ``*.fields`` (crm-deal-fields.md);
# crm.item.fields (crm-item-fields.md) says "boolean" for yn and "text" for text.
KIND_TYPES = {
    "int": "integer",
    "user": "user",
    "float": "double",
    "str": "string",
    "text": "string",
    "yn": "char",
    "date": "date",
    "datetime": "datetime",
    "ints": "integer",
    "fm": "crm_multifield",
    "money": "money",
    "enum": "enumeration",
}
ITEM_TYPES = {"yn": "boolean", "text": "text"}
# The classic methods split ``fm`` into one multi-field per type (crm-contact-fields.md).
MULTIFIELD_TYPES = (
    ("PHONE", "Phone"),
    ("EMAIL", "E-mail"),
    ("WEB", "Website"),
    ("IM", "Messenger"),
)


@dataclass(frozen=True)
class Field:
    """One field of an entity: its names, storage kind and the portal's metadata for
    ``*.fields`` (type, title, flags; user fields also carry ``items`` and ``settings``)."""

    camel: str
    upper: str
    kind: str
    readonly: bool = False
    type: str = ""  # the portal's type name; "" means KIND_TYPES[kind]
    title: str = ""
    status_type: str | None = None
    immutable: bool = False
    multiple: bool = False
    dynamic: bool = False  # a user field (UF_CRM_*)
    items: tuple[tuple[int, str], ...] = ()  # enumeration choices (ID, VALUE)
    settings: tuple[tuple[str, Any], ...] = ()
    item_upper: str = ""  # crm.item's upperName where it differs from the classic name
    column_name: str = ""  # the table column where it differs from the classic name

    @property
    def column(self) -> str:
        return self.column_name or self.upper.lower()

    @property
    def classic_type(self) -> str:
        return self.type or KIND_TYPES[self.kind]

    @property
    def item_type(self) -> str:
        return self.type or ITEM_TYPES.get(self.kind) or KIND_TYPES[self.kind]


def _f(camel: str, kind: str, upper: str | None = None, **meta: Any) -> Field:
    if upper is None:
        upper = "".join("_" + c if c.isupper() else c.upper() for c in camel)
    meta.setdefault("title", TITLES.get(upper, upper))
    return Field(camel, upper, kind, **meta)


def _uf(camel: str, upper: str, kind: str, label: str, **meta: Any) -> Field:
    return Field(camel, upper, kind, title=label, dynamic=True, **meta)


# Titles of the classic fields as crm-deal-fields.md / crm-contact-fields.md give them.
TITLES = {
    "ID": "ID",
    "TITLE": "Title",
    "TYPE_ID": "Type",
    "CATEGORY_ID": "Sales Funnel",
    "STAGE_ID": "Deal Stage",
    "STATUS_ID": "Stage",
    "STAGE_SEMANTIC_ID": "Stage Group",
    "STATUS_DESCRIPTION": "Stage Description",
    "PROBABILITY": "Probability",
    "CURRENCY_ID": "Currency",
    "OPPORTUNITY": "Amount",
    "TAX_VALUE": "Tax Rate",
    "COMPANY_ID": "Company",
    "CONTACT_ID": "Contact",
    "CONTACT_IDS": "Contacts",
    "BEGINDATE": "Start Date",
    "CLOSEDATE": "Close Date",
    "OPENED": "Available to All",
    "CLOSED": "Closed",
    "COMMENTS": "Comment",
    "ASSIGNED_BY_ID": "Responsible",
    "CREATED_BY_ID": "Created By",
    "MODIFY_BY_ID": "Modified By",
    "DATE_CREATE": "Creation Date",
    "DATE_MODIFY": "Modification Date",
    "SOURCE_ID": "Source",
    "SOURCE_DESCRIPTION": "Additional Info about Source",
    "LEAD_ID": "Lead",
    "ADDITIONAL_INFO": "Additional Information",
    "ORIGINATOR_ID": "External Source",
    "ORIGIN_ID": "Identifier in External Source",
    "UTM_SOURCE": "Advertising System",
    "UTM_MEDIUM": "Traffic Type",
    "UTM_CAMPAIGN": "Campaign Identifier",
    "UTM_CONTENT": "Campaign Content",
    "UTM_TERM": "Campaign Search Condition",
    "HONORIFIC": "Salutation",
    "NAME": "First Name",
    "SECOND_NAME": "Middle Name",
    "LAST_NAME": "Last Name",
    "POST": "Position",
    "BIRTHDATE": "Birthdate",
    "COMPANY_TITLE": "Company Name",
    "COMPANY_TYPE": "Company Type",
    "INDUSTRY": "Industry",
    "EMPLOYEES": "Number of Employees",
    "REVENUE": "Annual Revenue",
    "IS_MY_COMPANY": "My Company",
    "OBSERVERS": "Observers",
}


ID = _f("id", "int", readonly=True)
_SYSTEM = (
    _f("createdTime", "datetime", "DATE_CREATE", readonly=True, item_upper="CREATED_TIME"),
    _f("updatedTime", "datetime", "DATE_MODIFY", readonly=True, item_upper="UPDATED_TIME"),
    _f("createdBy", "user", "CREATED_BY_ID", readonly=True, item_upper="CREATED_BY"),
    _f("updatedBy", "user", "MODIFY_BY_ID", readonly=True, item_upper="UPDATED_BY"),
    _f("assignedById", "user"),
    _f("opened", "yn"),
)
_TRAILER = (
    _f("comments", "text"),
    _f("sourceId", "str", type="crm_status", status_type="SOURCE"),
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
    _f("observers", "ints", type="user", multiple=True),
)
_PERSON = (
    _f("honorific", "str", type="crm_status", status_type="HONORIFIC"),
    _f("name", "str"),
    _f("secondName", "str"),
    _f("lastName", "str"),
    _f("post", "str"),
    _f("birthdate", "date"),
)
_MONEY = (
    _f("currencyId", "str", type="crm_currency"),
    _f("opportunity", "float"),
    _f("isManualOpportunity", "yn"),
)
_MOVED = (
    _f("movedBy", "user", "MOVED_BY_ID", readonly=True, item_upper="MOVED_BY"),
    _f("movedTime", "datetime", readonly=True),
)


def _stage(status_type: str) -> tuple[Field, ...]:
    return (
        _f("stageId", "str", "STAGE_ID", type="crm_status", status_type=status_type),
        _f("stageSemanticId", "str", readonly=True),
        *_MOVED,
    )


_COMPANY_LINK = (("parentEntityTypeId", COMPANY),)
_COMPANY = _f("companyId", "int", type="crm_company", settings=_COMPANY_LINK)
_CONTACTS = (
    _f("contactId", "int", type="crm_contact"),
    _f("contactIds", "ints", type="crm_contact", multiple=True),
)
_FM = _f("fm", "fm", multiple=True)
_LEAD_STAGE = (
    _f(
        "stageId",
        "str",
        "STATUS_ID",
        type="crm_status",
        status_type="STATUS",
        column_name="stage_id",
    ),
    _f(
        "stageSemanticId",
        "str",
        "STATUS_SEMANTIC_ID",
        readonly=True,
        column_name="stage_semantic_id",
    ),
    *_MOVED,
)

# User fields (UF_CRM_*): another engineer's typed-conversion tests rely on the deals'
# UF_CRM_BUDGET (money). Settings as api-reference/crm/_include/user-fields-for-examples-cut.md.
PRIORITIES = ((45, "Low"), (46, "Normal"), (47, "High"))
_UF_BUDGET = _uf(
    "ufCrmBudget", "UF_CRM_BUDGET", "money", "Budget", settings=(("DEFAULT_VALUE", ""),)
)
_UF_PRIORITY = _uf(
    "ufCrmPriority",
    "UF_CRM_PRIORITY",
    "enum",
    "Priority",
    items=PRIORITIES,
    settings=(
        ("DISPLAY", "LIST"),
        ("LIST_HEIGHT", 1),
        ("CAPTION_NO_VALUE", ""),
        ("SHOW_NO_VALUE", "Y"),
    ),
)
_STRING_SETTINGS = (
    ("SIZE", 20),
    ("ROWS", 1),
    ("REGEXP", ""),
    ("MIN_LENGTH", 0),
    ("MAX_LENGTH", 0),
    ("DEFAULT_VALUE", ""),
)
_UF_SOURCE_NOTE = _uf(
    "ufCrmSourceNote", "UF_CRM_SOURCE_NOTE", "str", "Source note", settings=_STRING_SETTINGS
)
_UF_LINKEDIN = _uf(
    "ufCrmLinkedin", "UF_CRM_LINKEDIN", "str", "LinkedIn profile", settings=_STRING_SETTINGS
)

# Fields only the classic methods show (crm-deal-fields.md); their values are derived.
_DEAL_CLASSIC_ONLY = (
    _f("isNew", "yn", readonly=True, title="New Deal"),
    _f("isRecurring", "yn", title="Recurring Deal"),
    _f("isReturnCustomer", "yn", title="Repeat Deal"),
    _f("isRepeatedApproach", "yn", title="Repeated Approach"),
    _f("quoteId", "int", type="crm_quote", readonly=True, title="Estimate"),
    _f("locationId", "str", type="location", title="Location"),
)

# Stages of each category: (STAGE_ID, semantic) in funnel order, the first is the default.
# Semantic: P in progress, S success, F failure (crm.status.list's SEMANTICS).
Stages = tuple[tuple[str, str], ...]
_DEAL_STAGES = (
    ("NEW", "P"),
    ("PREPARATION", "P"),
    ("PREPAYMENT_INVOICE", "P"),
    ("EXECUTING", "P"),
    ("FINAL_INVOICE", "P"),
    ("WON", "S"),
    ("LOSE", "F"),
    ("APOLOGY", "F"),
)


def _funnel(category: int, codes: tuple[str, ...]) -> Stages:
    """A deal funnel's stages: STAGE_IDs prefixed "C<n>:" outside funnel 0, as the portal
    names them (crm.status.list's DEAL_STAGE_<n>)."""
    semantics = dict(_DEAL_STAGES)
    return tuple((f"C{category}:{code}" if category else code, semantics[code]) for code in codes)


# Funnel 1 ("Enterprise") has every stage, funnel 2 ("Partners") four; their names and
# colours are in .dictionaries (crm.category.list, crm.status.list).
_DEAL_FUNNELS = {
    0: _DEAL_STAGES,
    1: _funnel(1, tuple(code for code, _ in _DEAL_STAGES)),
    2: _funnel(2, ("NEW", "EXECUTING", "WON", "LOSE")),
}
_LEAD_STAGES = (
    ("NEW", "P"),
    ("IN_PROCESS", "P"),
    ("PROCESSED", "P"),
    ("CONVERTED", "S"),
    ("JUNK", "F"),
)
_PROJECT_STAGES = (  # smart process 1032, its category 8: "DT<type>_<category>:<stage>"
    ("DT1032_8:NEW", "P"),
    ("DT1032_8:PREPARATION", "P"),
    ("DT1032_8:CLIENT", "P"),
    ("DT1032_8:SUCCESS", "S"),
    ("DT1032_8:FAIL", "F"),
)


@dataclass(frozen=True)
class Entity:
    """One CRM entity type: the row of the schema table the REST methods are built from.

    ``required`` lists groups of camel names: each group needs one of them filled (a contact
    needs a first, middle or last name). ``not_found`` is the classic methods' answer to a
    missing id per action (get, update, delete): ``(error code, description)``, from each
    method's docs page (crm-contact-delete.md answers ``ERROR_CORE``, ``Element not found``).
    """

    entity_type_id: int
    name: str  # "Deal": a new item's default title is "Deal #7"
    fields: tuple[Field, ...]
    classic: str | None = None  # "deal": crm.deal.*; None: only crm.item.*
    classic_only: tuple[Field, ...] = ()
    stages: Mapping[int, Stages] = dataclasses.field(default_factory=dict)  # category id -> stages
    required: tuple[tuple[str, ...], ...] = ()
    not_found: Mapping[str, tuple[str, str]] = dataclasses.field(default_factory=dict)
    defaults: Mapping[str, Any] = dataclasses.field(
        default_factory=dict
    )  # column -> value of a new item
    type_id: int = 0  # a smart process's own id (its UF_CRM_<id>_* names, crm.type.list)
    # A smart process's type (crm.type.*): the options its fields do not already say (see
    # TYPE_OPTIONS), when it was made, and the entity types whose cards list its items.
    type_options: frozenset[str] = frozenset()
    type_created: str = ""
    type_children: tuple[int, ...] = ()

    @property
    def default_category(self) -> int | None:
        return next(iter(self.stages), None)

    def stage_semantic(self, stage_id: str | None) -> str | None:
        for stages in self.stages.values():
            for stage, semantic in stages:
                if stage == stage_id:
                    return semantic
        return None

    def category_of(self, stage_id: str | None) -> int | None:
        for category, stages in self.stages.items():
            if any(stage == stage_id for stage, _ in stages):
                return category
        return None

    def first_stage(self, category: int | None) -> str | None:
        stages = self.stages.get(category if category is not None else -1)
        return stages[0][0] if stages else None

    def is_required(self, field: Field) -> bool:
        return any(field.camel in group for group in self.required)


def _not_found(get: str = "Not found", update: str = "Not found", delete: Any = "Not found"):
    delete_answer = delete if isinstance(delete, tuple) else ("", delete)
    return MappingProxyType({"get": ("", get), "update": ("", update), "delete": delete_answer})


_ENTITIES = (
    Entity(
        LEAD,
        "Lead",
        (
            ID,
            *_SYSTEM,
            _f("title", "str", title="Lead Title"),
            *_PERSON,
            _f("companyTitle", "str"),
            *_LEAD_STAGE,
            _f("statusDescription", "text"),
            *_MONEY,
            _COMPANY,
            *_CONTACTS,
            _FM,
            *_TRAILER,
        ),
        classic="lead",
        stages=MappingProxyType({0: _LEAD_STAGES}),
        not_found=_not_found(),  # crm-lead-{get,update,delete}.md
        defaults=MappingProxyType({"fm": "[]"}),
    ),
    Entity(
        DEAL,
        "Deal",
        (
            ID,
            *_SYSTEM,
            _f("title", "str"),
            _f("typeId", "str", type="crm_status", status_type="DEAL_TYPE"),
            _f("categoryId", "int", type="crm_category", immutable=True),
            *_stage("DEAL_STAGE"),
            _f("closed", "yn", readonly=True),
            _f("probability", "int"),
            *_MONEY,
            _f("taxValue", "float"),
            _COMPANY,
            *_CONTACTS,
            _f(
                "leadId",
                "int",
                type="crm_lead",
                readonly=True,
                settings=(("parentEntityTypeId", LEAD),),
            ),
            _f("begindate", "date"),
            _f("closedate", "date"),
            _f("additionalInfo", "text"),
            *_TRAILER,
            _UF_BUDGET,
            _UF_PRIORITY,
            _UF_SOURCE_NOTE,
        ),
        classic="deal",
        classic_only=_DEAL_CLASSIC_ONLY,
        stages=MappingProxyType(_DEAL_FUNNELS),
        not_found=_not_found(),  # crm-deal-{get,update,delete}.md
        defaults=MappingProxyType({"type_id": "SALE", "tax_value": 0.0}),
    ),
    Entity(
        CONTACT,
        "Contact",
        (
            ID,
            *_SYSTEM,
            *_PERSON,
            _f(
                "typeId", "str", type="crm_status", status_type="CONTACT_TYPE", title="Contact Type"
            ),
            _COMPANY,
            _FM,
            *_TRAILER,
            _UF_LINKEDIN,
        ),
        classic="contact",
        required=(("name", "secondName", "lastName"),),
        # crm-contact-get.md, crm-contact-update.md, crm-contact-delete.md
        not_found=_not_found(
            update="Contact is not found", delete=("ERROR_CORE", "Element not found")
        ),
        defaults=MappingProxyType({"type_id": "CLIENT", "fm": "[]"}),
    ),
    Entity(
        COMPANY,
        "Company",
        (
            ID,
            *_SYSTEM,
            _f("title", "str", title="Company Name"),
            _f("companyType", "str", type="crm_status", status_type="COMPANY_TYPE"),
            _f("industry", "str", type="crm_status", status_type="INDUSTRY"),
            _f("employees", "str", type="crm_status", status_type="EMPLOYEES"),
            _f("revenue", "float"),
            _f("currencyId", "str", type="crm_currency"),
            _f("isMyCompany", "yn"),
            _FM,
            *_TRAILER,
        ),
        classic="company",
        required=(("title",),),
        # crm-company-get.md, crm-company-update.md, crm-company-delete.md
        not_found=_not_found(update="Company is not found", delete="Company is not found"),
        defaults=MappingProxyType(
            {"company_type": "CUSTOMER", "currency_id": "USD", "is_my_company": "N", "fm": "[]"}
        ),
    ),
    Entity(
        SMART_PROCESS,
        "Projects",
        (
            ID,
            _f("title", "str", title="Name"),
            _f("xmlId", "str", title="External code"),
            *_SYSTEM,
            _f("begindate", "date"),
            _f("closedate", "date"),
            _COMPANY,
            *_CONTACTS,
            _f("observers", "ints", type="user", multiple=True),
            _f("categoryId", "int", type="crm_category", title="Pipeline"),
            *_stage("DYNAMIC_1032_STAGE_8"),
            _f(
                "previousStageId",
                "str",
                type="crm_status",
                status_type="DYNAMIC_1032_STAGE_8",
                readonly=True,
            ),
            _f("sourceId", "str", type="crm_status", status_type="SOURCE"),
            _f("sourceDescription", "text"),
            *_MONEY,
            _f("taxValue", "float"),
            _f("lastActivityBy", "user", readonly=True),
            _f("lastActivityTime", "datetime", readonly=True),
            _uf(
                "ufCrm5Deadline",
                "UF_CRM_5_DEADLINE",
                "date",
                "Deadline",
                settings=(("DEFAULT_VALUE", (("TYPE", "NONE"), ("VALUE", ""))),),
            ),
        ),
        stages=MappingProxyType({8: _PROJECT_STAGES}),
        defaults=MappingProxyType({"tax_value": 0.0}),
        type_id=5,
        type_options=frozenset(
            {"isCategoriesEnabled", "isUseInUserfieldEnabled", "isRecyclebinEnabled"}
            | {"isAutomationEnabled", "isBizProcEnabled", "isSetOpenPermissions"}
        ),
        type_created="2024-01-08T09:00:00+03:00",  # the seed's epoch: its first project follows
    ),
)
ENTITIES: dict[int, Entity] = {entity.entity_type_id: entity for entity in _ENTITIES}
CLASSIC: dict[str, Entity] = {e.classic: e for e in _ENTITIES if e.classic is not None}
FIELDS: dict[int, tuple[Field, ...]] = {e.entity_type_id: e.fields for e in _ENTITIES}
STAGES: dict[int, Stages] = {  # the default category's stages of each type
    e.entity_type_id: e.stages[e.default_category]
    for e in _ENTITIES
    if e.default_category is not None
}
ENTITY_NAMES = {e.entity_type_id: e.name for e in _ENTITIES}
SMART_PROCESSES: dict[int, Entity] = {e.type_id: e for e in _ENTITIES if e.type_id}  # by type id

# A smart process type's Y/N options, in the order crm-type-get.md lists them; the value of
# one a field stands for is whether the type has that field, the others are type_options.
TYPE_OPTIONS = (
    "isCategoriesEnabled",
    "isStagesEnabled",
    "isBeginCloseDatesEnabled",
    "isClientEnabled",
    "isUseInUserfieldEnabled",
    "isLinkWithProductsEnabled",
    "isMycompanyEnabled",
    "isDocumentsEnabled",
    "isSourceEnabled",
    "isObserversEnabled",
    "isRecyclebinEnabled",
    "isAutomationEnabled",
    "isBizProcEnabled",
    "isSetOpenPermissions",
    "isPaymentsEnabled",
    "isCountersEnabled",
)
OPTION_FIELDS = {  # option -> the fields that make it (all of them)
    "isBeginCloseDatesEnabled": ("begindate", "closedate"),
    "isClientEnabled": ("companyId", "contactIds"),
    "isMycompanyEnabled": ("mycompanyId",),
    "isSourceEnabled": ("sourceId", "sourceDescription"),
    "isObserversEnabled": ("observers",),
}


def type_option(entity: Entity, option: str) -> bool:
    """Whether a smart process type has ``option`` on: stages when it has any, a field's
    option when it has the fields, any other when its ``type_options`` name it."""
    if option == "isStagesEnabled":
        return bool(entity.stages)
    if option in OPTION_FIELDS:
        names = {field.camel for field in entity.fields}
        return all(name in names for name in OPTION_FIELDS[option])
    return option in entity.type_options


SOURCES = ("CALL", "EMAIL", "WEB", "ADVERTISING", "PARTNER", "RECOMMENDATION", "TRADE_SHOW")
CURRENCIES = ("USD", "EUR", "GBP")
DEAL_TYPES = ("SALE", "COMPLEX", "GOODS", "SERVICES", "SERVICE")
CONTACT_TYPES = ("CLIENT", "SUPPLIER", "PARTNER", "OTHER")
COMPANY_TYPES = ("CUSTOMER", "SUPPLIER", "COMPETITOR", "PARTNER", "OTHER")


def stage_semantic(entity_type_id: int, stage_id: str | None) -> str | None:
    entity = ENTITIES.get(entity_type_id)
    return entity.stage_semantic(stage_id) if entity else None


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
