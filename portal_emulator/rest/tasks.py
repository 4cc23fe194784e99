"""``tasks.task.list``/``get``/``add``/``update``: the tasks of the emulated portal; a list is
answered as ``{"tasks": [...]}``, one task as ``{"task": {...}}``.

Parameters are read like the classic CRM lists (``order``, ``filter``, ``select``, ``start``,
UPPER_CASE field names, unknown ones ignored — but an ``order`` by one is the page's "Invalid
sorting key"); each task comes back with camelCase keys and text values (``{"id": "7",
"title": ..., "responsibleId": "12"}``), as the portal sends them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from ..model import tasks as model
from ..model.crmfields import Field
from ..model.timefmt import PORTAL_TZ, iso
from .core import Caller, RestError, Result, as_map, one_record, paged, to_int, upper_keys
from .crm import CLASSIC, Dialect, _write_values, list_rows, select_fields

# tasks-task-list.md: an order by a field that is not there or cannot be sorted.
TASKS = Dialect(
    None,
    CLASSIC,
    fields=model.FIELDS,
    table="tasks",
    order_error=RestError(400, "0", "Invalid sorting key (internal error)"),
)


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


# Errors as api-reference/tasks/tasks-task-{get,add,update}.md list them.
def _no_task_id() -> RestError:
    return RestError(
        400,
        "100",
        "CTaskItem All parameters in the constructor must have real class type (internal error)",
    )


def _core(description: str) -> RestError:
    return RestError(400, "ERROR_CORE", description)


def _task_id(params: Mapping[str, Any]) -> int:
    raw = params.get("TASKID")
    if raw is None or raw == "":
        raise _no_task_id()
    task_id = to_int(raw)
    if task_id is None or task_id <= 0:
        raise RestError(400, "0", "wrong task id")
    return task_id


def _task_row(caller: Caller, task_id: int) -> Any:
    rows = caller.store.fetch("SELECT * FROM tasks WHERE id=?", (task_id,))
    if not rows:  # the portal does not tell a missing task from one the user may not see
        raise RestError(400, "0", "Action on the task is not allowed (internal error)")
    return rows[0]


def _task_fields(caller: Caller, params: Mapping[str, Any]) -> dict[str, Any]:
    fields = as_map(params.get("FIELDS"))
    if not fields:
        raise RestError(400, "100", "Could not find value for parameter {fields} (internal error)")
    fields = upper_keys(fields)
    if "RESPONSIBLE_ID" in fields:
        responsible = to_int(fields["RESPONSIBLE_ID"])
        if responsible is None or caller.store.user(responsible) is None:
            raise _core('User specified in the "Responsible" field not found')
    try:
        values = _write_values(caller, TASKS, fields)
    except RestError as error:  # a value of the wrong type: the task's own wording
        raise _core(error.description) from None
    if values.get("status") is not None and values["status"] not in model.STATUSES:
        raise _core("Incorrect status")
    return values


@one_record("taskId")
def tasks_task_get(caller: Caller, params: dict[str, Any]) -> Any:
    params = upper_keys(params)
    select = select_fields(TASKS, params.get("SELECT"))
    return {"task": task_json(_task_row(caller, _task_id(params)), select)}


def tasks_task_add(caller: Caller, params: dict[str, Any]) -> Any:
    values = _task_fields(caller, upper_keys(params))
    if not values.get("title"):
        raise _core("Task title not specified")
    if values.get("responsible_id") is None:
        raise _core("Responsible person not specified")
    stamp = iso(dt.datetime.now(PORTAL_TZ))
    row = {
        "description": "",
        "status": 2,
        "priority": 1,
        "group_id": 0,
        **values,
        "created_by": caller.user.id,
        "created_date": stamp,
        "changed_date": stamp,
    }
    columns = ", ".join(row)
    with caller.store.transaction() as db:
        task_id = db.execute(
            f"INSERT INTO tasks ({columns}) VALUES ({', '.join('?' for _ in row)})",
            list(row.values()),
        ).lastrowid
    return {"task": task_json(_task_row(caller, int(task_id or 0)), None)}


@one_record("taskId")
def tasks_task_update(caller: Caller, params: dict[str, Any]) -> Any:
    params = upper_keys(params)
    task_id = _task_id(params)
    _task_row(caller, task_id)
    values = _task_fields(caller, params)
    if "title" in values and not values["title"]:
        raise _core("Task title not specified")
    values["changed_date"] = iso(dt.datetime.now(PORTAL_TZ))
    if values.get("status") == 5:
        values["closed_date"] = values["changed_date"]
    assignments = ", ".join(f"{column}=?" for column in values)
    with caller.store.transaction() as db:
        db.execute(f"UPDATE tasks SET {assignments} WHERE id=?", [*values.values(), task_id])
    return {"task": task_json(_task_row(caller, task_id), None)}


METHODS: dict[str, Callable[[Caller, dict[str, Any]], Any]] = {
    "tasks.task.list": tasks_task_list,
    "tasks.task.get": tasks_task_get,
    "tasks.task.add": tasks_task_add,
    "tasks.task.update": tasks_task_update,
}
