"""The CRM dictionaries a placement app reads: ``crm.status.*`` (stages of every deal funnel,
lead statuses, sources, types…), ``crm.category.*`` (funnels) and ``crm.currency.*``.

Rows live in the store's dictionary tables (:mod:`..model.dictionaries`); one
:func:`_render` turns a row of any of them into the portal's shape (classic dictionaries:
UPPER_CASE keys, text values; funnels: camelCase keys, numbers). Shapes and errors are the
docs' (``bitrix24/b24restdocs``): ``api-reference/crm/status/*.md``,
``api-reference/crm/universal/category/*.md``, ``api-reference/crm/currency/*.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..model import dictionaries as model
from ..model.crmfields import DEAL, ENTITY_NAMES, FIELDS
from ..model.dictionaries import CATEGORY, CURRENCY, STATUS, Dictionary
from .core import (
    Caller,
    RestError,
    Result,
    as_map,
    in_record,
    one_record,
    paged,
    to_float,
    to_int,
    upper_keys,
)
from .crm import CLASSIC, Dialect, _d7_int, list_rows

STATUSES = Dialect(None, CLASSIC, fields=STATUS.fields, table=STATUS.table)


def _render(dictionary: Dictionary, row: Mapping[str, Any], text: bool) -> dict[str, Any]:
    """A stored row under the portal's keys: every value as text (``text``), or as stored."""
    return {
        column.key: row[column.column]
        if not text or row[column.column] is None
        else str(row[column.column])
        for column in dictionary.columns
    }


def _field_info(dictionary: Dictionary) -> dict[str, Any]:
    return {
        column.key: {
            "type": column.type,
            "isRequired": column.required,
            "isReadOnly": column.readonly,
            "isImmutable": column.immutable,
            "isMultiple": False,
            "isDynamic": False,
            "title": column.title,
        }
        for column in dictionary.columns
    }


# -- crm.status.* -------------------------------------------------------------------------------


def _statuses_json(caller: Caller, rows: list[Any]) -> list[dict[str, Any]]:
    """Rows as crm.status.list answers them; stages get EXTRA (crm-status-list.md)."""
    failures: dict[str, str] = {}
    if any(model.is_stage_entity(row["entity_id"]) for row in rows):
        for entity_id, status_id in caller.store.fetch(
            f"SELECT entity_id, status_id FROM {STATUS.table} WHERE semantics='F' ORDER BY sort, id"
        ):
            failures.setdefault(entity_id, status_id)
    answer = []
    for row in rows:
        item = _render(STATUS, row, text=True)
        if model.is_stage_entity(row["entity_id"]):
            semantics = model.extra_semantics(
                row["semantics"], row["status_id"], failures.get(row["entity_id"])
            )
            item["EXTRA"] = {"SEMANTICS": semantics, "COLOR": row["color"]}
        answer.append(item)
    return answer


def crm_status_list(caller: Caller, params: dict[str, Any]) -> Result:
    params = upper_keys(params)
    if as_map(params.get("FILTER")) is None or as_map(params.get("ORDER")) is None:
        raise RestError(400, "Invalid parameters.", "Incorrect parameters passed.")
    rows, total, start = list_rows(
        caller, STATUSES, params, {"filter": "FILTER", "order": "ORDER", "start": "START"}
    )
    return paged(_statuses_json(caller, rows), total, start)


@one_record("id")
def crm_status_get(caller: Caller, params: dict[str, Any]) -> Any:
    status_id = to_int(upper_keys(params).get("ID"))
    rows = caller.store.fetch(f"SELECT * FROM {STATUS.table} WHERE id=?", (status_id,))
    if not rows:
        raise RestError(400, "Status is not found.", "Directory item not found.")
    return _statuses_json(caller, rows)[0]


def crm_status_fields(caller: Caller, params: dict[str, Any]) -> Any:
    return {**_field_info(STATUS), "EXTRA": model.STATUS_EXTRA}


def _deal_categories(caller: Caller) -> list[tuple[int, str]]:
    rows = caller.store.fetch(
        f"SELECT id, name FROM {CATEGORY.table} WHERE entity_type_id=? ORDER BY id", (DEAL,)
    )
    return [(row["id"], row["name"]) for row in rows]


def crm_status_entity_types(caller: Caller, params: dict[str, Any]) -> Any:
    return model.entity_types(_deal_categories(caller))


def crm_status_entity_items(caller: Caller, params: dict[str, Any]) -> Any:
    entity_id = upper_keys(params).get("ENTITYID")
    known = {entry["ID"] for entry in model.entity_types(_deal_categories(caller))}
    if not isinstance(entity_id, str) or entity_id.upper() not in known:
        raise RestError(
            400,
            "The parameter entityId is not defined or invalid.",
            "The directory ID is not specified or is incorrect.",
        )
    rows = caller.store.fetch(
        f"SELECT name, sort, status_id FROM {STATUS.table} WHERE entity_id=? ORDER BY sort, id",
        (entity_id.upper(),),
    )
    return [{"NAME": row[0], "SORT": row[1], "STATUS_ID": row[2]} for row in rows]


# -- crm.category.* -----------------------------------------------------------------------------


def _category_type(params: Mapping[str, Any]) -> int:
    entity_type_id = _d7_int(params, "entityTypeId")
    if entity_type_id not in FIELDS:
        raise RestError(400, "NOT_FOUND", "Smart process not found")
    if entity_type_id not in model.FUNNEL_TYPES:
        name = ENTITY_NAMES[entity_type_id].upper()
        raise RestError(400, "ENTITY_TYPE_NOT_SUPPORTED", f"Entity type {name} is not supported")
    return entity_type_id


def _category_json(row: Mapping[str, Any]) -> dict[str, Any]:
    category = _render(CATEGORY, row, text=False)
    if category["isDefault"] == "Y":  # the default funnel has no origin (crm-category-list.md)
        del category["originId"], category["originatorId"]
    return category


@in_record("entityTypeId")
def crm_category_list(caller: Caller, params: dict[str, Any]) -> Result:
    entity_type_id = _category_type(params)
    rows = caller.store.fetch(
        f"SELECT * FROM {CATEGORY.table} WHERE entity_type_id=? ORDER BY sort, id",
        (entity_type_id,),
    )
    return Result({"categories": [_category_json(row) for row in rows]}, total=len(rows))


@one_record("entityTypeId", "id")
def crm_category_get(caller: Caller, params: dict[str, Any]) -> Any:
    entity_type_id = _category_type(params)
    rows = caller.store.fetch(
        f"SELECT * FROM {CATEGORY.table} WHERE entity_type_id=? AND id=?",
        (entity_type_id, _d7_int(params, "id")),
    )
    if not rows:
        raise RestError(400, "NOT_FOUND", "Element not found")
    return {"category": _category_json(rows[0])}


# -- crm.currency.* -----------------------------------------------------------------------------


def crm_currency_list(caller: Caller, params: dict[str, Any]) -> Result:
    """Every currency, ordered by ``order`` (SORT by default); ``total`` is always 0, as
    crm-currency-list.md says."""
    rows = caller.store.fetch(f"SELECT * FROM {CURRENCY.table} ORDER BY sort, currency")
    currencies = [_render(CURRENCY, row, text=True) for row in rows]
    order = as_map(upper_keys(params).get("ORDER")) or {}
    keys = {column.key for column in CURRENCY.columns}
    for name, direction in reversed(list(order.items())):  # a stable sort per key, last first
        key = name.upper()
        if key in keys:
            descending = str(direction).strip().lower() == "desc"
            currencies.sort(key=lambda item, key=key: _sort_key(item[key]), reverse=descending)
    return Result(currencies, total=0)


def _sort_key(value: str | None) -> tuple[int, float, str]:
    """Nulls first, then numbers by value, then text."""
    number = to_float(value)
    return (0 if value is None else 1, number if number is not None else 0.0, value or "")


@one_record("id")
def crm_currency_get(caller: Caller, params: dict[str, Any]) -> Any:
    code = upper_keys(params).get("ID")
    rows = caller.store.fetch(
        f"SELECT * FROM {CURRENCY.table} WHERE currency=?",
        (code.upper() if isinstance(code, str) else "",),
    )
    if not rows:
        raise RestError(400, "", "Not found")
    currency = _render(CURRENCY, rows[0], text=True)
    language = {key: currency[key] for key in model.CURRENCY_LANG_KEYS}
    language.update(THOUSANDS_VARIANT="C", HIDE_ZERO="Y")
    return {**currency, "LANG": {currency["LID"]: language}}


METHODS: dict[str, Callable[[Caller, dict[str, Any]], Any]] = {
    "crm.status.list": crm_status_list,
    "crm.status.get": crm_status_get,
    "crm.status.fields": crm_status_fields,
    "crm.status.entity.types": crm_status_entity_types,
    "crm.status.entity.items": crm_status_entity_items,
    "crm.category.list": crm_category_list,
    "crm.category.get": crm_category_get,
    "crm.currency.list": crm_currency_list,
    "crm.currency.get": crm_currency_get,
}
