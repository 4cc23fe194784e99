"""CRM methods: ``crm.item.*`` (camelCase, any of the four types) and the classic
``crm.deal.*`` (UPPER_CASE fields, values as strings) over the same SQLite rows.

Filters, orders and pages become SQL, so listing stays fast with 10 000+ deals.
Filter keys take an operator prefix (PROTOCOL.md §5.5, the portal's list docs):
``=`` (default; a list means IN), ``!``/``!=``, ``>``, ``>=``, ``<``, ``<=``, ``@`` (IN),
``!@`` (NOT IN), ``%`` (substring), ``=%``/``%=`` (LIKE with the caller's ``%``), ``!%``,
``!=%``/``!%=``; numeric keys hold sub-filters whose ``logic`` may be ``OR``.
Text comparisons ignore case, as on the portal's MySQL.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..model import crmfields as model
from ..model.crmfields import DEAL, Field
from ..model.timefmt import PORTAL_TZ, iso, iso_date, parse_moment
from . import filters
from .core import (
    PAGE_SIZE,
    Caller,
    RestError,
    Result,
    as_list,
    as_map,
    page_start,
    paged,
    to_float,
    to_int,
    upper_keys,
)

_CURRENCY = re.compile(r"[A-Z]{3}\Z")
_SCALARS = (str, int, float, bool)

ITEM, CLASSIC = "item", "classic"


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


def _classic(description: str) -> RestError:
    # Classic CRM methods answer errors with an empty code (their docs: "Code: empty").
    return RestError(400, "", description)


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
    ) -> None:
        """A CRM type's dialect; other lists (tasks) pass their ``fields`` and ``table``
        (a name from the data model) with no entity type."""
        self.entity_type_id = entity_type_id
        self.kind = kind
        self.fields = model.FIELDS[entity_type_id] if fields is None else fields
        self.by_camel = {field.camel: field for field in self.fields}
        self.by_upper = {field.upper: field for field in self.fields}
        self.table = table

    def field(self, name: str) -> Field | None:
        if self.kind == ITEM:
            return self.by_camel.get(name) or self.by_upper.get(name)
        return self.by_upper.get(name.upper())

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
    if kind == "float":
        number = to_float(value)
        return _INVALID if number is None else number
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
        mapping = {}
    parts = []
    for name, direction in mapping.items():
        field = dialect.field(name)
        if field is None or field.kind in model.JSON_KINDS:
            if dialect.kind == ITEM:
                raise dialect.error(f"Invalid order: field '{name}' is not allowed in order")
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
    """The fields to return, id first; None means every field (``*`` or no select)."""
    names = [str(name) for name in as_list(select)]
    if not names or "*" in names:
        return None
    chosen: list[Field] = [model.ID]
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


_CLASSIC_EXTRA = (
    "IS_NEW",
    "IS_RECURRING",
    "IS_RETURN_CUSTOMER",
    "IS_REPEATED_APPROACH",
    "QUOTE_ID",
    "LOCATION_ID",
)


def classic_json(
    entity_type_id: int, row: Mapping[str, Any], fields: list[Field] | None, extras: bool = True
) -> dict:
    """A row as the classic ``crm.deal.*`` methods show it: UPPER keys, text values."""
    chosen = model.FIELDS[entity_type_id] if fields is None else fields
    deal = {}
    for field in chosen:
        if field.kind in model.JSON_KINDS:
            continue
        raw = row[field.column]
        if raw is None:
            deal[field.upper] = None
        elif field.kind == "float":
            deal[field.upper] = f"{raw:.2f}"
        else:
            deal[field.upper] = str(raw)
    if fields is None and extras:
        first_stage = model.STAGES.get(entity_type_id, (("",),))[0][0]
        deal.update(
            IS_NEW="Y" if row["stage_id"] == first_stage else "N",
            IS_RECURRING="N",
            IS_RETURN_CUSTOMER="N",
            IS_REPEATED_APPROACH="N",
            QUOTE_ID=None,
            LOCATION_ID=None,
        )
    return deal


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


def _write_values(caller: Caller, dialect: Dialect, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Column values from a ``fields`` map (unknown names: an error, or ignored when the
    emulator is configured like the portal; read-only names are ignored, as the portal does)."""
    values: dict[str, Any] = {}
    for name, value in fields.items():
        field = dialect.field(str(name))
        if field is None:
            if caller.strict_fields:
                raise dialect.error(
                    f"Unknown field '{name}' (the portal ignores unknown fields; the emulator "
                    "refuses them: emu.rest.configure(strict_fields=False) to ignore)"
                )
            continue
        if field.readonly:
            continue
        values[field.column] = _write_value(caller, dialect, field, value)
    stage = values.get("stage_id")
    if stage is not None and dialect.entity_type_id in model.STAGES:
        if model.stage_semantic(dialect.entity_type_id, stage) is None:
            raise dialect.value_error(dialect.by_camel["stageId"])
    return values


def _write_value(caller: Caller, dialect: Dialect, field: Field, value: Any) -> Any:
    kind = field.kind
    if kind in model.JSON_KINDS:
        if kind == "ints":
            numbers = [to_int(v) for v in as_list(value)]
            if any(n is None for n in numbers):
                raise dialect.value_error(field)
            return json.dumps(numbers)
        return json.dumps(_multifields(dialect, field, value))
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


def _multifields(dialect: Dialect, field: Field, value: Any) -> list[dict[str, Any]]:
    entries = []
    for number, entry in enumerate(as_list(value), start=1):
        entry_map = as_map(entry)
        if not entry_map:
            raise dialect.value_error(field)
        lowered = {key.lower(): item for key, item in entry_map.items()}
        text = lowered.get("value")
        if not isinstance(text, str) or not text:
            raise dialect.value_error(field)
        entries.append(
            {
                "id": number,
                "typeId": str(lowered.get("typeid") or lowered.get("type_id") or "PHONE").upper(),
                "valueType": str(
                    lowered.get("valuetype") or lowered.get("value_type") or "WORK"
                ).upper(),
                "value": text,
            }
        )
    return entries


def _defaults(entity_type_id: int, caller: Caller, stamp: str) -> dict[str, Any]:
    today = dt.datetime.now(PORTAL_TZ).date()
    values: dict[str, Any] = {
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
    }
    if entity_type_id in model.STAGES:
        values.update(
            stage_id=model.STAGES[entity_type_id][0][0],
            currency_id="USD",
            opportunity=0.0,
            is_manual_opportunity="N",
            contact_ids="[]",
        )
    if entity_type_id == model.LEAD:
        values["fm"] = "[]"
    elif entity_type_id == DEAL:
        values.update(
            type_id="SALE",
            category_id=0,
            tax_value=0.0,
            begindate=iso_date(today),
            closedate=iso_date(today + dt.timedelta(days=7)),
        )
    elif entity_type_id == model.CONTACT:
        values.update(type_id="CLIENT", fm="[]")
    elif entity_type_id == model.COMPANY:
        values.update(company_type="CUSTOMER", currency_id="USD", is_my_company="N", fm="[]")
    return values


def _derive(
    entity_type_id: int, values: dict[str, Any], old: Mapping | None, caller: Caller, stamp: str
) -> None:
    """Fields the portal computes: stage semantics, who moved it when, contact links."""
    stage = values.get("stage_id", old["stage_id"] if old else None)
    if entity_type_id in model.STAGES and stage is not None:
        semantic = model.stage_semantic(entity_type_id, stage)
        values["stage_semantic_id"] = semantic
        if old is None or old["stage_id"] != stage:
            values["moved_by_id"] = caller.user.id
            values["moved_time"] = stamp
        if entity_type_id == DEAL:
            values["closed"] = "N" if semantic == "P" else "Y"
    if "contact_ids" in values and "contact_id" not in values:
        ids = json.loads(values["contact_ids"])
        values["contact_id"] = ids[0] if ids else None
    elif values.get("contact_id") is not None and "contact_ids" not in values:
        values["contact_ids"] = json.dumps([values["contact_id"]])


def create_item(caller: Caller, dialect: Dialect, fields: Mapping[str, Any]) -> int:
    etype = dialect.entity_type_id
    stamp = iso(dt.datetime.now(PORTAL_TZ))
    values = _defaults(etype, caller, stamp)
    values.update(_write_values(caller, dialect, fields))
    _derive(etype, values, None, caller, stamp)
    return caller.store.insert_item(etype, values)


def update_item(caller: Caller, dialect: Dialect, item_id: int, fields: Mapping[str, Any]) -> bool:
    """False when the item does not exist."""
    etype = dialect.entity_type_id
    old = _fetch_one(caller, etype, item_id)
    if old is None:
        return False
    stamp = iso(dt.datetime.now(PORTAL_TZ))
    values = _write_values(caller, dialect, fields)
    _derive(etype, values, old, caller, stamp)
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
    if entity_type_id not in model.FIELDS:
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
    row = _fetch_one(caller, dialect.entity_type_id, item_id)
    if row is None:
        raise RestError(400, "NOT_FOUND", "Element not found")
    return row


def crm_item_add(caller: Caller, params: dict[str, Any]) -> Any:
    dialect = _item_dialect(params)
    item_id = create_item(caller, dialect, _d7_fields(params))
    return {
        "item": item_json(
            dialect.entity_type_id, _fetch_one(caller, dialect.entity_type_id, item_id), None
        )
    }


def crm_item_get(caller: Caller, params: dict[str, Any]) -> Any:
    dialect = _item_dialect(params)
    row = _item_or_404(caller, dialect, _d7_int(params, "id"))
    return {"item": item_json(dialect.entity_type_id, row, None)}


def crm_item_update(caller: Caller, params: dict[str, Any]) -> Any:
    dialect = _item_dialect(params)
    item_id = _d7_int(params, "id")
    fields = _d7_fields(params)
    if not update_item(caller, dialect, item_id, fields):
        raise RestError(400, "NOT_FOUND", "Element not found")
    return {
        "item": item_json(
            dialect.entity_type_id, _fetch_one(caller, dialect.entity_type_id, item_id), None
        )
    }


def crm_item_delete(caller: Caller, params: dict[str, Any]) -> Any:
    dialect = _item_dialect(params)
    if not delete_item(caller, dialect.entity_type_id, _d7_int(params, "id")):
        raise RestError(400, "NOT_FOUND", "Element not found")
    return []


def crm_item_list(caller: Caller, params: dict[str, Any]) -> Result:
    dialect = _item_dialect(params)
    select = select_fields(dialect, params.get("select"))
    rows, total, start = list_rows(
        caller, dialect, params, {"filter": "filter", "order": "order", "start": "start"}
    )
    items = [item_json(dialect.entity_type_id, row, select) for row in rows]
    return paged(items, total, start, wrap="items")


# -- crm.deal.* (classic) -----------------------------------------------------------------------


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


def crm_deal_list(caller: Caller, params: dict[str, Any]) -> Result:
    params = upper_keys(params)
    dialect = Dialect(DEAL, CLASSIC)
    select = select_fields(dialect, params.get("SELECT"))
    rows, total, start = list_rows(
        caller, dialect, params, {"filter": "FILTER", "order": "ORDER", "start": "START"}
    )
    return paged([classic_json(DEAL, row, select) for row in rows], total, start)


def crm_deal_get(caller: Caller, params: dict[str, Any]) -> Any:
    row = _fetch_one(caller, DEAL, _classic_id(upper_keys(params)))
    if row is None:
        raise _classic("Not found")
    return classic_json(DEAL, row, None)


def crm_deal_add(caller: Caller, params: dict[str, Any]) -> Any:
    return create_item(caller, Dialect(DEAL, CLASSIC), _classic_fields(upper_keys(params)))


def crm_deal_update(caller: Caller, params: dict[str, Any]) -> Any:
    params = upper_keys(params)
    item_id = _classic_id(params)
    if not update_item(caller, Dialect(DEAL, CLASSIC), item_id, _classic_fields(params)):
        raise _classic("Not found")
    return True


def crm_deal_delete(caller: Caller, params: dict[str, Any]) -> Any:
    if not delete_item(caller, DEAL, _classic_id(upper_keys(params))):
        raise _classic("Not found")
    return True


METHODS: dict[str, Callable[[Caller, dict[str, Any]], Any]] = {
    "crm.item.add": crm_item_add,
    "crm.item.get": crm_item_get,
    "crm.item.update": crm_item_update,
    "crm.item.delete": crm_item_delete,
    "crm.item.list": crm_item_list,
    "crm.deal.list": crm_deal_list,
    "crm.deal.get": crm_deal_get,
    "crm.deal.add": crm_deal_add,
    "crm.deal.update": crm_deal_update,
    "crm.deal.delete": crm_deal_delete,
}
