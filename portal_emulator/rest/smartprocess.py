"""``crm.type.*``: the smart process types, read from the schema table.

A smart process is an :class:`~..model.crmfields.Entity` of the table with a ``type_id``;
its type answer (api-reference/crm/data-types.md#type) is built from that very entry: its
Y/N options from its fields where a field says it (``isObserversEnabled``: it has
``observers``), its parents from its fields' ``parentEntityTypeId``. So ``crm.item.*`` of a
smart process and ``crm.type.*`` cannot disagree. Shapes and errors: crm-type-list.md and
crm-type-get.md (``api-reference/crm/universal/user-defined-object-types/``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..model.crmfields import CLASSIC, SMART_PROCESSES, TYPE_OPTIONS, Entity, type_option
from . import filters
from .core import PAGE_SIZE, Caller, RestError, Result, as_map, one_record, page_start, paged
from .crm import _d7_int, _d7_type, _settings

# The keys of a type in crm.type.list (crm-type-list.md), which its filter and order may name.
TYPE_KEYS = (
    "id",
    "title",
    "code",
    "createdBy",
    "entityTypeId",
    "customSectionId",
    *TYPE_OPTIONS,
    "createdTime",
    "updatedTime",
    "updatedBy",
)


def _flag(on: bool) -> str:
    return "Y" if on else "N"


def _relations(entity: Entity) -> dict[str, list[dict[str, Any]]]:
    """Its parents: the entities its fields link to (a ``crm_company`` field: companies)."""
    linked = {f"crm_{other.classic}": other.entity_type_id for other in CLASSIC.values()}
    parents = sorted(
        {linked[field.type] for field in entity.fields if field.type in linked}
        | {
            parent
            for field in entity.fields
            if (parent := _settings(field.settings).get("parentEntityTypeId"))
        }
    )
    link = {"isChildrenListEnabled": "Y", "isPredefined": "Y"}
    return {
        "parent": [{"entityTypeId": parent, **link} for parent in parents],
        "child": [{"entityTypeId": child, **link} for child in entity.type_children],
    }


def type_json(entity: Entity, *, full: bool) -> dict[str, Any]:
    """A smart process type as crm.type.list answers it; ``full``: with crm.type.get's
    ``relations``, ``linkedUserFields`` and ``customSections``."""
    values = {
        "id": entity.type_id,
        "title": entity.name,
        "code": "",
        "createdBy": 1,
        "entityTypeId": entity.entity_type_id,
        "customSectionId": None,
        **{option: _flag(type_option(entity, option)) for option in TYPE_OPTIONS},
        "createdTime": entity.type_created,
        "updatedTime": entity.type_created,
        "updatedBy": 1,
    }
    answer = {key: values[key] for key in TYPE_KEYS}
    if full:
        answer.update(relations=_relations(entity), linkedUserFields={}, customSections=[])
    return answer


def _invalid(text: str) -> RestError:
    return RestError(400, "INVALID_ARG_VALUE", text)


def _filtered(types: list[dict[str, Any]], raw: Any) -> list[dict[str, Any]]:
    filter_map = as_map(raw)
    if filter_map is None:
        raise _d7_type("filter", raw, "array")
    try:
        tree = filters.parse(filter_map)
    except filters.FilterError as exc:
        raise _invalid(str(exc)) from None
    for condition in filters.conditions(tree):
        if condition.name not in TYPE_KEYS:
            raise _invalid(f"Invalid filter: field '{condition.name}' is not allowed in filter")
    return [
        item
        for item in types
        if filters.matches(
            tree, lambda condition, t=item: filters.holds(condition, t[condition.name])
        )
    ]


def _ordered(types: list[dict[str, Any]], raw: Any) -> list[dict[str, Any]]:
    order = as_map(raw)
    if order is None:
        raise _d7_type("order", raw, "array")
    for name, direction in order.items():
        if name not in TYPE_KEYS:
            raise _invalid(f"Invalid order: field '{name}' is not allowed in order")
        if not isinstance(direction, str) or direction.strip().upper() not in ("ASC", "DESC"):
            raise _invalid(
                "Invalid order: allowed sort directions are ASC, DESC. "
                f"But got '{direction}' for field '{name}'"
            )
    for name, direction in reversed(list(order.items())):  # stable: the first key wins
        types = sorted(
            types,
            key=lambda item, name=name: filters.order_key(item[name]),
            reverse=direction.strip().upper() == "DESC",
        )
    return types


def crm_type_list(caller: Caller, params: dict[str, Any]) -> Result:
    types = [type_json(entity, full=False) for entity in SMART_PROCESSES.values()]
    chosen = _ordered(_filtered(types, params.get("filter", {})), params.get("order", {}))
    start = page_start(params)
    offset = start or 0
    return paged(chosen[offset : offset + PAGE_SIZE], len(chosen), start, wrap="types")


@one_record("id")
def crm_type_get(caller: Caller, params: dict[str, Any]) -> Any:
    entity = SMART_PROCESSES.get(_d7_int(params, "id"))
    if entity is None:
        raise RestError(400, 0, "SPA not found")  # crm-type-get.md: code 0
    return {"type": type_json(entity, full=True)}


METHODS: dict[str, Callable[[Caller, dict[str, Any]], Any]] = {
    "crm.type.list": crm_type_list,
    "crm.type.get": crm_type_get,
}
