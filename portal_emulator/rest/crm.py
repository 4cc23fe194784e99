"""CRM methods over the schema table (:data:`~..model.crmfields.ENTITIES`): the universal
``crm.item.*`` (camelCase, typed values, any entity type) and, for every entity with a
classic family, ``crm.<name>.{add,get,list,update,delete,fields}`` (UPPER_CASE fields,
values as text), over the same SQLite rows. No handler is written per entity: the classic
methods of each entity are registered from the table.

Filters, orders and pages become SQL, so listing stays fast with 10 000+ deals.
Filter keys take an operator prefix (PROTOCOL.md §5.5, the portal's list docs):
``=`` (default; a list means IN), ``!``/``!=``, ``>``, ``>=``, ``<``, ``<=``, ``@`` (IN),
``!@`` (NOT IN), ``%`` (substring), ``=%``/``%=`` (LIKE with the caller's ``%``), ``!%``,
``!=%``/``!%=``; numeric keys hold sub-filters whose ``logic`` may be ``OR``.
Text comparisons ignore case, as on the portal's MySQL.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..model import crmfields as model
from ..model.crmfields import Entity, Field
from ..model.timefmt import PORTAL_TZ, iso, iso_date, parse_moment
from . import filters
from .core import (
    PAGE_SIZE,
    Caller,
    RestError,
    Result,
    as_list,
    as_map,
    in_record,
    is_blank,
    one_record,
    page_start,
    paged,
    to_flag,
    to_float,
    to_int,
    upper_keys,
)

_CURRENCY = re.compile(r"[A-Z]{3}\Z")
_MONEY = re.compile(r"-?\d{1,15}(\.\d{1,2})?\|[A-Z]{3}\Z")  # "1500|USD", as the portal sends it
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")
_SCALARS = (str, int, float, bool)
_MULTIFIELDS = dict(model.MULTIFIELD_TYPES)  # PHONE -> "Phone", ...

ITEM, CLASSIC = "item", "classic"

Method = Callable[[Caller, dict[str, Any]], Any]


# -- errors of the two method families --------------------------------------------------------


def _d7_missing(name: str) -> RestError:
    return RestError(400, 100, f"Could not find value for parameter {{{name}}}")


def _d7_type(name: str, value: Any, wanted: str) -> RestError:
    text = value if isinstance(value, str) else json.dumps(value)
    return RestError(
        400,
        100,
        f"Invalid value {text} to match with parameter {{{name}}}. "
        f"Should be value of type {wanted}.",
    )


def _classic(description: str, code: str = "") -> RestError:
    # Classic CRM methods answer errors with an empty code (their docs: "Code: empty").
    return RestError(400, code, description)


# -- the model seen by one dialect ------------------------------------------------------------


class Dialect:
    """How one method family names fields and reports bad input."""

    def __init__(
        self,
        entity_type_id: int | None,
        kind: str,
        *,
        fields: tuple[Field, ...] | None = None,
        table: str = "crm_items",
        order_error: RestError | None = None,
    ) -> None:
        """A CRM type's dialect; other lists (tasks) pass their ``fields`` and ``table``
        (a name from the data model) with no entity type, and ``order_error``, the answer to
        an order by a field that is not there or cannot be sorted (classic CRM lists skip it;
        ``crm.item.*`` answer INVALID_ARG_VALUE)."""
        self.order_error = order_error
        self.entity_type_id = entity_type_id
        self.entity = model.ENTITIES.get(entity_type_id) if entity_type_id is not None else None
        self.kind = kind
        self.fields = model.FIELDS[entity_type_id] if fields is None else fields
        self.by_camel = {field.camel: field for field in self.fields}
        self.by_upper = {field.upper: field for field in self.fields}
        if kind == ITEM:
            self.by_upper.update({f.item_upper: f for f in self.fields if f.item_upper})
        self.columns = frozenset(field.column for field in self.fields)
        self.table = table
        self.derived = frozenset(
            field.upper for field in (self.entity.classic_only if self.entity else ())
        )

    @property
    def has_multifields(self) -> bool:
        return "fm" in self.columns

    def field(self, name: str) -> Field | None:
        if self.kind == ITEM:
            return self.by_camel.get(name) or self.by_upper.get(name)
        upper = name.upper()
        if upper in _MULTIFIELDS and self.has_multifields:
            return self.by_camel["fm"]
        return self.by_upper.get(upper)

    def name(self, field: Field) -> str:
        return field.camel if self.kind == ITEM else field.upper

    def error(self, description: str) -> RestError:
        if self.kind == ITEM:
            return RestError(400, "INVALID_ARG_VALUE", description)
        return _classic(description)

    def value_error(self, field: Field) -> RestError:
        if self.kind == ITEM:
            return RestError(
                400, "CRM_FIELD_ERROR_VALUE_NOT_VALID", f'Invalid value for field "{field.camel}"'
            )
        return _classic(f"Field '{field.upper}' has an invalid value.")

    def required_error(self, field: Field) -> RestError:
        # crm-item-batch-import.md: CRM_FIELD_ERROR_REQUIRED, 'The "Name" field is required'
        text = f'The "{field.title}" field is required'
        if self.kind == ITEM:
            return RestError(400, "CRM_FIELD_ERROR_REQUIRED", text)
        return _classic(text + ".")


# -- *.fields -----------------------------------------------------------------------------------


def _settings(pairs: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    return {key: _settings(value) if isinstance(value, tuple) else value for key, value in pairs}


def describe(entity: Entity, field: Field, kind: str) -> dict[str, Any]:
    """One field as ``*.fields`` describes it (crm-deal-fields.md, crm-item-fields.md); a
    user field's ``title`` is its name in the classic answer, its label in crm.item's."""
    description: dict[str, Any] = {
        "type": field.classic_type if kind == CLASSIC else field.item_type,
        "isRequired": entity.is_required(field),
        "isReadOnly": field.readonly,
        "isImmutable": field.immutable,
        "isMultiple": field.multiple,
        "isDynamic": field.dynamic,
    }
    if field.items:
        description["items"] = [{"ID": str(key), "VALUE": value} for key, value in field.items]
    if field.status_type:
        description["statusType"] = field.status_type
    description["title"] = field.upper if field.dynamic and kind == CLASSIC else field.title
    if field.dynamic:
        description.update(listLabel=field.title, formLabel=field.title, filterLabel=field.title)
    if field.settings:
        description["settings"] = _settings(field.settings)
    if kind == ITEM:
        description["upperName"] = field.item_upper or field.upper
    return description


def classic_fields(entity: Entity) -> dict[str, Any]:
    """``crm.<entity>.fields``: UPPER names; ``fm`` as PHONE, EMAIL, WEB, IM
    (crm-contact-fields.md)."""
    answer: dict[str, Any] = {}
    for field in (*entity.fields, *entity.classic_only):
        if field.kind != "fm":
            answer[field.upper] = describe(entity, field, CLASSIC)
            continue
        for type_id, title in model.MULTIFIELD_TYPES:
            multi = model.Field(type_id.lower(), type_id, "fm", title=title, multiple=True)
            answer[type_id] = describe(entity, multi, CLASSIC)
    return answer


def item_fields(entity: Entity, original_uf_names: bool) -> dict[str, Any]:
    """``crm.item.fields``: ``{"fields": {camelName: {..., "upperName"}}}``; user fields by
    their UF_ names with ``useOriginalUfNames=Y`` (crm-item-fields.md)."""
    return {
        "fields": {
            field.upper if field.dynamic and original_uf_names else field.camel: describe(
                entity, field, ITEM
            )
            for field in entity.fields
        }
    }


# -- filters ------------------------------------------------------------------------------------


def compile_filter(dialect: Dialect, filter_map: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """SQL for a portal filter (``1`` when empty) and its parameters."""
    try:
        tree = filters.parse(filter_map)
    except filters.FilterError as exc:
        raise dialect.error(str(exc)) from None
    return filters.to_sql(tree, lambda condition: _filter_column(dialect, condition.name))


def _filter_column(dialect: Dialect, name: str) -> filters.Column | None:
    field = dialect.field(name)
    if field is None or field.kind in model.JSON_KINDS:
        if dialect.kind == CLASSIC:
            return None  # classic lists ignore fields they do not know
        raise dialect.error(f"Invalid filter: field '{name}' is not allowed in filter")

    def stored(value: Any) -> Any:
        converted = _to_column(field, value)
        return None if converted is _INVALID else converted

    return filters.Column(
        field.column,
        stored,
        lambda: dialect.error(f"Invalid filter: field '{dialect.name(field)}' has invalid value"),
        nocase=field.kind in ("str", "text", "yn"),
    )


_INVALID = object()


def _to_column(field: Field, value: Any) -> Any:
    """A client value as stored in the column; None for "empty", _INVALID when unreadable."""
    kind = field.kind
    if value is None or value == "":
        return None
    if kind in ("int", "user"):
        number = to_int(value)
        return _INVALID if number is None else number
    if kind == "enum":
        number = to_int(value)
        return number if number in dict(field.items) else _INVALID
    if kind == "money":
        text = str(value).strip().upper() if isinstance(value, str | int | float) else ""
        if "|" not in text and to_float(text) is not None:
            text += "|USD"  # an amount alone is in the portal's base currency
        return text if _MONEY.match(text) else _INVALID
    if kind == "float":
        number = to_float(value)
        return _INVALID if number is None or abs(number) >= 1e15 else number
    if kind == "yn":
        if isinstance(value, bool):
            return "Y" if value else "N"
        text = str(value).strip().upper()
        if text in ("Y", "1", "TRUE"):
            return "Y"
        if text in ("N", "0", "FALSE"):
            return "N"
        return _INVALID
    if kind in ("date", "datetime"):
        if not isinstance(value, str):
            return _INVALID
        moment = parse_moment(value)
        if moment is None:
            return _INVALID
        return iso_date(moment.astimezone(PORTAL_TZ).date()) if kind == "date" else iso(moment)
    if kind in ("str", "text"):
        if isinstance(value, bool) or not isinstance(value, _SCALARS):
            return _INVALID
        return _number_text(value) if isinstance(value, float) else str(value)
    return _INVALID


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


# -- order and select ---------------------------------------------------------------------------


def compile_order(dialect: Dialect, order: Any) -> str:
    mapping = as_map(order)
    if mapping is None:
        if dialect.kind == ITEM:
            raise _d7_type("order", order, "array")
        if dialect.entity is not None:
            raise _classic("Parameter 'order' must be array.")  # crm-deal-list.md
        mapping = {}
    parts = []
    for name, direction in mapping.items():
        field = dialect.field(name)
        if field is None or field.kind in model.JSON_KINDS:
            if dialect.kind == ITEM:
                raise dialect.error(f"Invalid order: field '{name}' is not allowed in order")
            if dialect.order_error is not None:
                raise dialect.order_error
            continue
        text = str(direction).strip().upper() if isinstance(direction, str) else ""
        if text not in ("ASC", "DESC"):
            if dialect.kind == ITEM:
                raise dialect.error(
                    "Invalid order: allowed sort directions are ASC, DESC. "
                    f"But got '{direction}' for field '{name}'"
                )
            text = "ASC"
        parts.append(f"{field.column} {text}")
    if not any(part.startswith("id ") for part in parts):
        parts.append("id ASC")  # a stable page order
    return ", ".join(parts)


def select_fields(dialect: Dialect, select: Any) -> list[Field] | None:
    """The fields to return, id first; None means every field (crm.item's ``*`` or no
    select). Classic lists give the base fields for ``*`` or no select; ``UF_*`` adds the
    user fields and PHONE/EMAIL/... the multi-fields, only when named (crm-contact-list.md)."""
    names = [str(name) for name in as_list(select)]
    if dialect.kind == ITEM and (not names or "*" in names):
        return None
    chosen: list[Field] = [model.ID]
    if not names or "*" in names:
        chosen += [f for f in dialect.fields if not f.dynamic and f.kind != "fm"]
    if "UF_*" in names:
        chosen += [field for field in dialect.fields if field.dynamic]
    for name in names:
        field = dialect.field(name)
        if field is not None and field not in chosen:
            chosen.append(field)
    return chosen


# -- rows in and out ----------------------------------------------------------------------------


def _out_value(field: Field, raw: Any) -> Any:
    if field.kind in model.JSON_KINDS:
        return json.loads(raw) if raw else []
    if field.kind == "float" and raw is not None:
        return float(raw)
    return raw


def item_json(entity_type_id: int, row: Mapping[str, Any], fields: list[Field] | None) -> dict:
    """A row as ``crm.item`` shows it (camelCase, typed values)."""
    chosen = model.FIELDS[entity_type_id] if fields is None else fields
    item = {field.camel: _out_value(field, row[field.column]) for field in chosen}
    if fields is None:
        item["entityTypeId"] = entity_type_id
    return item


def classic_json(entity: Entity, row: Mapping[str, Any], fields: list[Field] | None) -> dict:
    """A row as the classic ``crm.<entity>.*`` methods show it: UPPER keys, text values,
    multi-fields as PHONE/EMAIL lists; CONTACT_IDS and OBSERVERS are not shown
    (crm-deal-fields.md). ``fields`` None: every field (``*.get``)."""
    chosen = entity.fields if fields is None else fields
    answer: dict[str, Any] = {}
    for field in chosen:
        raw = row[field.column]
        if field.kind == "fm":
            answer.update(classic_multifields(raw))
        elif field.kind in model.JSON_KINDS:
            continue
        elif raw is None:
            answer[field.upper] = None
        elif field.kind == "float":
            answer[field.upper] = f"{raw:.2f}"
        else:
            answer[field.upper] = str(raw)
    if fields is None:
        for extra in entity.classic_only:
            answer[extra.upper] = _derived(entity, extra, row)
    return answer


def _derived(entity: Entity, field: Field, row: Mapping[str, Any]) -> str | None:
    """A classic-only value (IS_NEW, IS_RECURRING, QUOTE_ID, ...), which the emulator
    derives: a deal is new in its category's first stage."""
    if field.upper == "IS_NEW":
        first = entity.first_stage(row["category_id"])
        return "Y" if row["stage_id"] == first else "N"
    return "N" if field.kind == "yn" else None


def classic_multifields(raw: str | None) -> dict[str, list[dict[str, str]]]:
    """``fm`` as the classic methods show it: ``PHONE: [{ID, VALUE_TYPE, VALUE, TYPE_ID}]``
    per type that has values (crm-contact-get.md)."""
    grouped: dict[str, list[dict[str, str]]] = {}
    for entry in json.loads(raw) if raw else []:
        grouped.setdefault(entry["typeId"], []).append(
            {
                "ID": str(entry["id"]),
                "VALUE_TYPE": entry["valueType"],
                "VALUE": entry["value"],
                "TYPE_ID": entry["typeId"],
            }
        )
    return grouped


def _fetch_one(caller: Caller, entity_type_id: int, item_id: int):
    rows = caller.store.fetch(
        "SELECT * FROM crm_items WHERE entity_type_id=? AND id=?", (entity_type_id, item_id)
    )
    return rows[0] if rows else None


def list_rows(
    caller: Caller, dialect: Dialect, params: Mapping[str, Any], names: dict[str, str]
) -> tuple[list[Any], int | None, int | None]:
    """Rows, total and start of a list call; ``names`` maps filter/order/start to parameter
    names. CRM pages tell ``caller.listed`` (the churn knob)."""
    raw_filter = params.get(names["filter"], {})
    filter_map = as_map(raw_filter)
    if filter_map is None:
        if dialect.kind == ITEM:
            raise _d7_type("filter", raw_filter, "array")
        if dialect.entity is not None:
            raise _classic("Parameter 'filter' must be array.")  # crm-deal-list.md
        filter_map = {}
    where, where_params = compile_filter(dialect, filter_map)
    order = compile_order(dialect, params.get(names["order"], {}))
    start = page_start({"start": params.get(names["start"], 0)})
    if dialect.entity_type_id is None:
        base = f"FROM {dialect.table} WHERE ({where})"  # table and columns from the model
        args = where_params
    else:
        base = f"FROM {dialect.table} WHERE entity_type_id=? AND ({where})"
        args = [dialect.entity_type_id, *where_params]
    rows = caller.store.fetch(
        f"SELECT * {base} ORDER BY {order} LIMIT {PAGE_SIZE} OFFSET ?", (*args, start or 0)
    )
    total = None
    if start is not None:
        total = caller.store.fetch(f"SELECT COUNT(*) {base}", args)[0][0]
    if dialect.entity_type_id is not None:
        caller.listed(dialect.entity_type_id)
    return rows, total, start


# -- writing ------------------------------------------------------------------------------------


def _write_values(
    caller: Caller, dialect: Dialect, fields: Mapping[str, Any], old: Mapping | None = None
) -> dict[str, Any]:
    """Column values from a ``fields`` map (unknown names: an error, or ignored when the
    emulator is configured like the portal; read-only names are ignored, as the portal does,
    and so are immutable ones on update). ``old`` is the row an update changes."""
    values: dict[str, Any] = {}
    classic_multi: list[tuple[str, Any]] = []
    for name, value in fields.items():
        field = dialect.field(str(name))
        if field is None:
            if str(name).upper() in dialect.derived:
                continue  # IS_NEW, QUOTE_ID...: the portal computes them
            if caller.strict_fields:
                raise dialect.error(
                    f"Unknown field '{name}' (the portal ignores unknown fields; the emulator "
                    "refuses them: emu.rest.configure(strict_fields=False) to ignore)"
                )
            continue
        if field.readonly or (field.immutable and old is not None):
            continue
        if field.kind == "fm" and dialect.kind == CLASSIC:
            classic_multi.append((str(name).upper(), value))
            continue
        values[field.column] = _write_value(caller, dialect, field, value, old)
    if classic_multi:
        current = json.loads(old["fm"]) if old is not None and old["fm"] else []
        values["fm"] = json.dumps(_classic_multifields_write(dialect, current, classic_multi))
    return values


def _write_value(
    caller: Caller, dialect: Dialect, field: Field, value: Any, old: Mapping | None
) -> Any:
    kind = field.kind
    if kind == "ints":
        numbers = [to_int(v) for v in as_list(value)]
        if any(n is None for n in numbers):
            raise dialect.value_error(field)
        return json.dumps(numbers)
    if kind == "fm":
        current = json.loads(old["fm"]) if old is not None and old["fm"] else []
        return json.dumps(_item_multifields_write(dialect, field, current, value))
    converted = _to_column(field, value)
    if converted is _INVALID:
        raise dialect.value_error(field)
    if kind == "user" and converted is not None and caller.store.user(converted) is None:
        raise dialect.value_error(field)
    if field.camel == "currencyId" and converted is not None:
        converted = converted.upper()
        if not _CURRENCY.match(converted):
            raise dialect.value_error(field)
    return converted


def _next_id(entries: list[dict[str, Any]]) -> int:
    return max((int(entry["id"]) for entry in entries), default=0) + 1


def _checked_value(dialect: Dialect, type_id: str, value_type: str, text: Any) -> str:
    field = dialect.by_camel["fm"]
    if not isinstance(text, str | int) or isinstance(text, bool):
        raise dialect.value_error(field)
    text = str(text).strip()
    if type_id == "EMAIL" and not _EMAIL.match(text):
        # crm-contact-add.md: ERROR_CORE, "The field `Work e-mail` contains an invalid address"
        title = f"{value_type.capitalize()} e-mail"
        raise RestError(400, "ERROR_CORE", f"The field `{title}` contains an invalid address")
    return text


def _classic_multifields_write(
    dialect: Dialect, current: list[dict[str, Any]], given: list[tuple[str, Any]]
) -> list[dict[str, Any]]:
    """PHONE/EMAIL/WEB/IM lists of ``{VALUE, VALUE_TYPE}`` merged into ``fm``: an entry
    with ``ID`` changes that value, or deletes it with ``DELETE=Y`` or no ``VALUE``; one
    without adds a value; the rest stay (crm-contact-update.md, "Working with Multiple
    Fields")."""
    entries = [dict(entry) for entry in current]
    for type_id, value in given:
        for raw in as_list(value):
            entry = as_map(raw)
            if not entry:
                raise dialect.value_error(dialect.by_camel["fm"])
            entry = upper_keys(entry)
            text, value_type = entry.get("VALUE"), str(entry.get("VALUE_TYPE") or "").upper()
            entry_id = to_int(entry.get("ID"))
            old = next((e for e in entries if e["id"] == entry_id and e["typeId"] == type_id), None)
            if old is not None:
                if to_flag(entry.get("DELETE")) or is_blank(text):
                    entries.remove(old)
                    continue
                old["valueType"] = value_type or old["valueType"]
                old["value"] = _checked_value(dialect, type_id, old["valueType"], text)
            elif not is_blank(text) and not to_flag(entry.get("DELETE")):
                value_type = value_type or "WORK"
                entries.append(
                    {
                        "id": _next_id(entries),
                        "typeId": type_id,
                        "valueType": value_type,
                        "value": _checked_value(dialect, type_id, value_type, text),
                    }
                )
    return entries


def _item_multifields_write(
    dialect: Dialect, field: Field, current: list[dict[str, Any]], value: Any
) -> list[dict[str, Any]]:
    """crm.item's ``fm``: a key ``n0``/``n1``… (or a list entry) adds a value; a key that is
    the ``id`` of a value changes it, or deletes it when ``value`` is empty
    (crm-item-update.md)."""
    pairs = value.items() if isinstance(value, Mapping) else enumerate(as_list(value))
    entries = [dict(entry) for entry in current]
    for key, raw in pairs:
        entry = as_map(raw)
        if not entry:
            raise dialect.value_error(field)
        lowered = {name.lower(): item for name, item in entry.items()}
        entry_id = to_int(lowered.get("id", key if isinstance(key, str) else None))
        old = next((e for e in entries if e["id"] == entry_id), None)
        text = lowered.get("value")
        type_id = str(lowered.get("typeid") or (old or {}).get("typeId") or "PHONE").upper()
        value_type = str(lowered.get("valuetype") or (old or {}).get("valueType") or "WORK").upper()
        if type_id not in _MULTIFIELDS:
            raise dialect.value_error(field)
        if old is not None:
            if is_blank(text):
                entries.remove(old)
                continue
            old.update(typeId=type_id, valueType=value_type)
            old["value"] = _checked_value(dialect, type_id, value_type, text)
        elif not is_blank(text):
            entries.append(
                {
                    "id": _next_id(entries),
                    "typeId": type_id,
                    "valueType": value_type,
                    "value": _checked_value(dialect, type_id, value_type, text),
                }
            )
        elif old is None and entry_id is None:
            raise dialect.value_error(field)
    return entries


def _defaults(dialect: Dialect, caller: Caller, stamp: str) -> dict[str, Any]:
    """A new item's values before the caller's: who and when, the default category's first
    stage, then the entity's own defaults; only the columns the entity has."""
    entity = dialect.entity
    assert entity is not None
    today = dt.datetime.now(PORTAL_TZ).date()
    category = entity.default_category
    candidates: dict[str, Any] = {
        "date_create": stamp,
        "date_modify": stamp,
        "created_by_id": caller.user.id,
        "modify_by_id": caller.user.id,
        "assigned_by_id": caller.user.id,
        "opened": "Y",
        "source_id": "CALL",
        "last_activity_time": stamp,
        "last_activity_by": caller.user.id,
        "observers": "[]",
        "category_id": category,
        "stage_id": entity.first_stage(category),
        "currency_id": "USD",
        "opportunity": 0.0,
        "is_manual_opportunity": "N",
        "contact_ids": "[]",
        "begindate": iso_date(today),
        "closedate": iso_date(today + dt.timedelta(days=7)),
        **entity.defaults,
    }
    return {column: value for column, value in candidates.items() if column in dialect.columns}


def _derive(
    dialect: Dialect,
    values: dict[str, Any],
    given: Mapping[str, Any],
    old: Mapping | None,
    caller: Caller,
    stamp: str,
) -> None:
    """Fields the portal computes: the category a stage belongs to, stage semantics, who
    moved it when, contact links. ``given`` is what the caller wrote."""
    entity = dialect.entity
    assert entity is not None
    if entity.stages:
        _derive_stage(dialect, values, given, old, caller, stamp)
    if "contact_ids" in given and "contact_id" not in given:
        ids = json.loads(given["contact_ids"])
        values["contact_id"] = ids[0] if ids else None
    elif given.get("contact_id") is not None and "contact_ids" not in given:
        values["contact_ids"] = json.dumps([given["contact_id"]])


def _derive_stage(
    dialect: Dialect,
    values: dict[str, Any],
    given: Mapping[str, Any],
    old: Mapping | None,
    caller: Caller,
    stamp: str,
) -> None:
    entity = dialect.entity
    assert entity is not None
    has_category = "category_id" in dialect.columns
    if not has_category:
        category = entity.default_category
    elif given.get("category_id") is not None:
        category = given["category_id"]
    elif old is None and given.get("stage_id") is not None:
        category = entity.category_of(given["stage_id"])
        category = entity.default_category if category is None else category
    else:
        category = old["category_id"] if old is not None else entity.default_category
    stages = entity.stages.get(category if category is not None else -1)
    if stages is None:
        raise dialect.value_error(dialect.by_camel["categoryId"])
    if given.get("stage_id") is not None:
        stage = given["stage_id"]
    elif old is not None and (not has_category or old["category_id"] == category):
        stage = old["stage_id"]
    else:
        stage = stages[0][0]
    if all(stage != known for known, _ in stages):
        raise dialect.value_error(dialect.by_camel["stageId"])
    semantic = entity.stage_semantic(stage)
    values.update(stage_id=stage, stage_semantic_id=semantic)
    if has_category:
        values["category_id"] = category
    if old is None or old["stage_id"] != stage:
        values["moved_by_id"] = caller.user.id
        values["moved_time"] = stamp
        if old is not None and "previous_stage_id" in dialect.columns:
            values["previous_stage_id"] = old["stage_id"]
    if "closed" in dialect.columns:
        values["closed"] = "N" if semantic == "P" else "Y"


def _check_required(dialect: Dialect, values: Mapping[str, Any], old: Mapping | None) -> None:
    """Each required group needs one filled field (a company its title, a contact a name)."""
    entity = dialect.entity
    assert entity is not None
    for group in entity.required:
        fields = [dialect.by_camel[name] for name in group]
        if old is not None and not any(field.column in values for field in fields):
            continue
        merged = {f.column: values.get(f.column, old[f.column] if old else None) for f in fields}
        if all(is_blank(value) for value in merged.values()):
            raise dialect.required_error(fields[0])


def create_item(caller: Caller, dialect: Dialect, fields: Mapping[str, Any]) -> int:
    entity = dialect.entity
    assert entity is not None
    stamp = iso(dt.datetime.now(PORTAL_TZ))
    given = _write_values(caller, dialect, fields)
    _check_required(dialect, given, None)
    values = {**_defaults(dialect, caller, stamp), **given}
    _derive(dialect, values, given, None, caller, stamp)
    return caller.store.insert_item(entity.entity_type_id, values)


def update_item(caller: Caller, dialect: Dialect, item_id: int, fields: Mapping[str, Any]) -> bool:
    """False when the item does not exist."""
    etype = dialect.entity_type_id
    assert etype is not None
    old = _fetch_one(caller, etype, item_id)
    if old is None:
        return False
    stamp = iso(dt.datetime.now(PORTAL_TZ))
    given = _write_values(caller, dialect, fields, old)
    _check_required(dialect, given, old)
    values = dict(given)
    _derive(dialect, values, given, old, caller, stamp)
    values.update(date_modify=stamp, modify_by_id=caller.user.id)
    assignments = ", ".join(f"{column}=?" for column in values)
    with caller.store.transaction() as db:
        db.execute(
            f"UPDATE crm_items SET {assignments} WHERE entity_type_id=? AND id=?",
            [*values.values(), etype, item_id],
        )
    return True


def delete_item(caller: Caller, entity_type_id: int, item_id: int) -> bool:
    with caller.store.transaction() as db:
        cursor = db.execute(
            "DELETE FROM crm_items WHERE entity_type_id=? AND id=?", (entity_type_id, item_id)
        )
        return cursor.rowcount > 0


# -- crm.item.* ---------------------------------------------------------------------------------


def _d7_int(params: Mapping[str, Any], name: str) -> int:
    if name not in params or params[name] is None:
        raise _d7_missing(name)
    number = to_int(params[name])
    if number is None:
        raise _d7_type(name, params[name], "int")
    return number


def _item_dialect(params: Mapping[str, Any]) -> Dialect:
    entity_type_id = _d7_int(params, "entityTypeId")
    if entity_type_id not in model.ENTITIES:
        raise RestError(400, "NOT_FOUND", "Smart process not found")
    return Dialect(entity_type_id, ITEM)


def _d7_fields(params: Mapping[str, Any]) -> dict[str, Any]:
    if "fields" not in params:
        raise _d7_missing("fields")
    fields = as_map(params["fields"])
    if fields is None:
        raise _d7_type("fields", params["fields"], "array")
    return fields


def _item_or_404(caller: Caller, dialect: Dialect, item_id: int):
    assert dialect.entity_type_id is not None
    row = _fetch_one(caller, dialect.entity_type_id, item_id)
    if row is None:
        raise RestError(400, "NOT_FOUND", "Element not found")
    return row


def _item_answer(caller: Caller, dialect: Dialect, item_id: int) -> dict[str, Any]:
    assert dialect.entity_type_id is not None
    return {"item": item_json(dialect.entity_type_id, _item_or_404(caller, dialect, item_id), None)}


@in_record("entityTypeId")
def crm_item_add(caller: Caller, params: dict[str, Any]) -> Any:
    dialect = _item_dialect(params)
    return _item_answer(caller, dialect, create_item(caller, dialect, _d7_fields(params)))


@one_record("entityTypeId", "id")
def crm_item_get(caller: Caller, params: dict[str, Any]) -> Any:
    dialect = _item_dialect(params)
    return _item_answer(caller, dialect, _d7_int(params, "id"))


@one_record("entityTypeId", "id")
def crm_item_update(caller: Caller, params: dict[str, Any]) -> Any:
    dialect = _item_dialect(params)
    item_id = _d7_int(params, "id")
    fields = _d7_fields(params)
    if not update_item(caller, dialect, item_id, fields):
        raise RestError(400, "NOT_FOUND", "Element not found")
    return _item_answer(caller, dialect, item_id)


@one_record("entityTypeId", "id")
def crm_item_delete(caller: Caller, params: dict[str, Any]) -> Any:
    dialect = _item_dialect(params)
    assert dialect.entity_type_id is not None
    if not delete_item(caller, dialect.entity_type_id, _d7_int(params, "id")):
        raise RestError(400, "NOT_FOUND", "Element not found")
    return []


@in_record("entityTypeId")
def crm_item_list(caller: Caller, params: dict[str, Any]) -> Result:
    dialect = _item_dialect(params)
    assert dialect.entity_type_id is not None
    select = select_fields(dialect, params.get("select"))
    rows, total, start = list_rows(
        caller, dialect, params, {"filter": "filter", "order": "order", "start": "start"}
    )
    items = [item_json(dialect.entity_type_id, row, select) for row in rows]
    return paged(items, total, start, wrap="items")


@in_record("entityTypeId")
def crm_item_fields(caller: Caller, params: dict[str, Any]) -> Any:
    dialect = _item_dialect(params)
    assert dialect.entity is not None
    return item_fields(dialect.entity, to_flag(params.get("useOriginalUfNames", "N")))


# -- crm.<entity>.* (classic), one family per entity of the table -------------------------------


def _classic_id(params: Mapping[str, Any]) -> int:
    number = to_int(params.get("ID"))
    if number is None or number <= 0:
        raise _classic("ID is not defined or invalid.")
    return number


def _classic_fields(params: Mapping[str, Any]) -> dict[str, Any]:
    fields = as_map(params.get("FIELDS"))
    if not fields:
        raise _classic("Parameter 'fields' must be array.")
    return {key.upper(): value for key, value in fields.items()}


def _not_found(entity: Entity, action: str) -> RestError:
    code, description = entity.not_found[action]
    return _classic(description, code)


def classic_list(entity: Entity, caller: Caller, params: dict[str, Any]) -> Result:
    params = upper_keys(params)
    dialect = Dialect(entity.entity_type_id, CLASSIC)
    select = select_fields(dialect, params.get("SELECT"))
    rows, total, start = list_rows(
        caller, dialect, params, {"filter": "FILTER", "order": "ORDER", "start": "START"}
    )
    return paged([classic_json(entity, row, select) for row in rows], total, start)


@one_record("id")
def classic_get(entity: Entity, caller: Caller, params: dict[str, Any]) -> Any:
    row = _fetch_one(caller, entity.entity_type_id, _classic_id(upper_keys(params)))
    if row is None:
        raise _not_found(entity, "get")
    return classic_json(entity, row, None)


def classic_add(entity: Entity, caller: Caller, params: dict[str, Any]) -> Any:
    dialect = Dialect(entity.entity_type_id, CLASSIC)
    return create_item(caller, dialect, _classic_fields(upper_keys(params)))


@one_record("id")
def classic_update(entity: Entity, caller: Caller, params: dict[str, Any]) -> Any:
    params = upper_keys(params)
    item_id = _classic_id(params)
    dialect = Dialect(entity.entity_type_id, CLASSIC)
    if not update_item(caller, dialect, item_id, _classic_fields(params)):
        raise _not_found(entity, "update")
    return True


@one_record("id")
def classic_delete(entity: Entity, caller: Caller, params: dict[str, Any]) -> Any:
    if not delete_item(caller, entity.entity_type_id, _classic_id(upper_keys(params))):
        raise _not_found(entity, "delete")
    return True


def classic_fields_method(entity: Entity, caller: Caller, params: dict[str, Any]) -> Any:
    return classic_fields(entity)


_CLASSIC_ACTIONS: dict[str, Callable[[Entity, Caller, dict[str, Any]], Any]] = {
    "add": classic_add,
    "get": classic_get,
    "list": classic_list,
    "update": classic_update,
    "delete": classic_delete,
    "fields": classic_fields_method,
}


def _classic_methods() -> dict[str, Method]:
    return {
        f"crm.{name}.{action}": functools.partial(handler, entity)
        for name, entity in model.CLASSIC.items()
        for action, handler in _CLASSIC_ACTIONS.items()
    }


METHODS: dict[str, Method] = {
    "crm.item.add": crm_item_add,
    "crm.item.get": crm_item_get,
    "crm.item.update": crm_item_update,
    "crm.item.delete": crm_item_delete,
    "crm.item.list": crm_item_list,
    "crm.item.fields": crm_item_fields,
    **_classic_methods(),
}
