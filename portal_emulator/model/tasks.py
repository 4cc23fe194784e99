"""Tasks of the emulated portal (``tasks.task.*``): their fields and the table. Pure.

A :class:`~.crmfields.Field` names a task value as ``tasks.task.list`` answers it
(``camel``: ``responsibleId``), as its filter/order/select take it (``upper``:
``RESPONSIBLE_ID``) and as the ``tasks`` table stores it (``column``).
"""

from __future__ import annotations

from .crmfields import ID, SQL_TYPES, Field

# Status codes of the portal's tasks: 2 pending, 3 in progress, 4 awaiting control,
# 5 completed, 6 deferred.
STATUSES = (2, 3, 4, 5, 6)

FIELDS: tuple[Field, ...] = (
    ID,
    Field("title", "TITLE", "str"),
    Field("description", "DESCRIPTION", "text"),
    Field("status", "STATUS", "int"),
    Field("priority", "PRIORITY", "int"),
    Field("responsibleId", "RESPONSIBLE_ID", "user"),
    Field("createdBy", "CREATED_BY", "user", readonly=True),
    Field("createdDate", "CREATED_DATE", "datetime", readonly=True),
    Field("changedDate", "CHANGED_DATE", "datetime", readonly=True),
    Field("deadline", "DEADLINE", "datetime"),
    Field("closedDate", "CLOSED_DATE", "datetime", readonly=True),
    Field("groupId", "GROUP_ID", "int"),
)


def tasks_ddl() -> str:
    columns = ",\n    ".join(
        f"{field.column} {SQL_TYPES[field.kind]}" for field in FIELDS if field is not ID
    )
    return f"CREATE TABLE IF NOT EXISTS tasks (\n    id INTEGER PRIMARY KEY,\n    {columns}\n);\n"
