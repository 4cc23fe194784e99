"""``tasks.task.list``: the tasks of the emulated portal, a list answered as ``{"tasks": [...]}``.

Parameters are read like the classic CRM lists (``order``, ``filter``, ``select``, ``start``,
UPPER_CASE field names, unknown ones ignored); each task comes back with camelCase keys and
text values (``{"id": "7", "title": ..., "responsibleId": "12"}``), as the portal sends them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..model import tasks as model
from ..model.crmfields import Field
from .core import Caller, Result, paged, upper_keys
from .crm import CLASSIC, Dialect, list_rows, select_fields

TASKS = Dialect(None, CLASSIC, fields=model.FIELDS, table="tasks")


def task_json(row: Mapping[str, Any], fields: list[Field] | None) -> dict[str, Any]:
    chosen = model.FIELDS if fields is None else fields
    return {
        field.camel: None if row[field.column] is None else str(row[field.column])
        for field in chosen
    }


def tasks_task_list(caller: Caller, params: dict[str, Any]) -> Result:
    params = upper_keys(params)
    select = select_fields(TASKS, params.get("SELECT"))
    rows, total, start = list_rows(
        caller, TASKS, params, {"filter": "FILTER", "order": "ORDER", "start": "START"}
    )
    return paged([task_json(row, select) for row in rows], total, start, wrap="tasks")


METHODS: dict[str, Callable[[Caller, dict[str, Any]], Any]] = {
    "tasks.task.list": tasks_task_list,
}
