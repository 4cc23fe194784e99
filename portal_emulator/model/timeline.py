"""A CRM item's timeline: activities (``crm.activity.*``, to-dos from
``crm.activity.todo.add``) and comments (``crm.timeline.comment.*``). Pure: fields, schema and
seed rows.

Each is one tuple of :class:`~.crmfields.Field` (the UPPER_CASE key the portal answers with,
the stored kind): the same shared code filters, orders, selects and stores them as the CRM
lists do. Keys and order follow ``api-reference/crm/timeline/activities/activity-base/
crm-activity-list.md`` and ``api-reference/crm/timeline/comments/crm-timeline-comment-list.md``;
every value is answered as text (``"ID": "20"``) but those in :data:`JSON_VALUES`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from .crmfields import DEAL, ENTITY_NAMES, SQL_TYPES, Field


def _f(upper: str, kind: str = "str") -> Field:
    camel = "".join(part.capitalize() for part in upper.lower().split("_"))
    return Field(camel[0].lower() + camel[1:], upper, kind)


ACTIVITY = (
    _f("ID", "int"),
    _f("OWNER_ID", "int"),
    _f("OWNER_TYPE_ID", "int"),
    _f("TYPE_ID", "int"),
    _f("PROVIDER_ID"),
    _f("PROVIDER_TYPE_ID"),
    _f("PROVIDER_GROUP_ID"),
    _f("ASSOCIATED_ENTITY_ID", "int"),
    _f("SUBJECT"),
    _f("CREATED", "datetime"),
    _f("LAST_UPDATED", "datetime"),
    _f("START_TIME", "datetime"),
    _f("END_TIME", "datetime"),
    _f("DEADLINE", "datetime"),
    _f("COMPLETED", "yn"),
    _f("STATUS", "int"),
    _f("RESPONSIBLE_ID", "user"),
    _f("PRIORITY", "int"),
    _f("NOTIFY_TYPE", "int"),
    _f("NOTIFY_VALUE", "int"),
    _f("DESCRIPTION", "text"),
    _f("DESCRIPTION_TYPE", "int"),
    _f("DIRECTION", "int"),
    _f("LOCATION"),
    _f("SETTINGS", "text"),
    _f("ORIGINATOR_ID"),
    _f("ORIGIN_ID"),
    _f("AUTHOR_ID", "user"),
    _f("EDITOR_ID", "user"),
    _f("PROVIDER_PARAMS", "text"),
    _f("PROVIDER_DATA", "text"),
    _f("RESULT_MARK", "int"),
    _f("RESULT_VALUE", "float"),
    _f("RESULT_SUM", "float"),
    _f("RESULT_CURRENCY_ID"),
    _f("RESULT_STATUS", "int"),
    _f("RESULT_STREAM", "int"),
    _f("RESULT_SOURCE_ID"),
    _f("AUTOCOMPLETE_RULE", "int"),
)
COMMENT = (
    _f("ID", "int"),
    _f("ENTITY_ID", "int"),
    _f("ENTITY_TYPE"),
    _f("CREATED", "datetime"),
    _f("COMMENT", "text"),
    _f("AUTHOR_ID", "user"),
    _f("FILES", "text"),
)
# Values kept as JSON text and answered as JSON ("SETTINGS": [], "FILES": {}).
JSON_VALUES = frozenset({"SETTINGS", "PROVIDER_PARAMS", "FILES"})
# crm.timeline.comment.list orders by these only (crm-timeline-comment-list.md).
COMMENT_ORDER = ("ID", "CREATED", "AUTHOR_ID")
# ENTITY_TYPE of a comment, by CRM type: lead, deal, contact, company.
COMMENT_ENTITY_TYPES = {name.lower(): type_id for type_id, name in ENTITY_NAMES.items()}

TABLES = {"crm_activities": ACTIVITY, "crm_timeline_comments": COMMENT}

# Activity types (api-reference/crm/auxiliary/enum/outdated/crm-enum-activity-type.md),
# statuses (…-activity-status.md): 1 pending, 2 completed; priorities 1 low … 3 high.
MEETING, CALL, TASK, EMAIL, ACTION, PROVIDER = 1, 2, 3, 4, 5, 6
PENDING, DONE = 1, 2
TODO_PROVIDER = ("CRM_TODO", "TODO")  # PROVIDER_ID, PROVIDER_TYPE_ID of a to-do


def timeline_ddl() -> str:
    parts = []
    for table, fields in TABLES.items():
        columns = ",\n    ".join(
            f"{field.column} {SQL_TYPES[field.kind]}" for field in fields if field.upper != "ID"
        )
        parts.append(
            f"CREATE TABLE IF NOT EXISTS {table} (\n"
            f"    id INTEGER PRIMARY KEY AUTOINCREMENT,\n    {columns}\n);\n"
        )
    parts.append(
        "CREATE INDEX IF NOT EXISTS crm_activities_owner ON crm_activities"
        " (owner_type_id, owner_id);\n"
        "CREATE INDEX IF NOT EXISTS crm_timeline_comments_entity ON crm_timeline_comments"
        " (entity_type, entity_id);\n"
    )
    return "".join(parts)


def activity_row(
    *,
    owner: tuple[int, int],
    kind: int,
    provider: tuple[str, str],
    subject: str,
    when: str,
    author: int,
    responsible: int,
    completed: bool = False,
    description: str = "",
    deadline: str | None = None,
    direction: int = 0,
    settings: Any = (),
) -> dict[str, Any]:
    """A ``crm_activities`` row with the values the portal gives what is not said."""
    return {
        "owner_type_id": owner[0],
        "owner_id": owner[1],
        "type_id": kind,
        "provider_id": provider[0],
        "provider_type_id": provider[1],
        "provider_group_id": None,
        "associated_entity_id": 0,
        "subject": subject,
        "created": when,
        "last_updated": when,
        "start_time": deadline or when,
        "end_time": deadline or when,
        "deadline": deadline or when,
        "completed": "Y" if completed else "N",
        "status": DONE if completed else PENDING,
        "responsible_id": responsible,
        "priority": 2,
        "notify_type": 0,
        "notify_value": 0,
        "description": description,
        "description_type": 1,
        "direction": direction,
        "location": "",
        "settings": json.dumps(settings if settings != () else []),
        "originator_id": None,
        "origin_id": None,
        "author_id": author,
        "editor_id": author,
        "provider_params": "[]",
        "provider_data": None,
        "result_mark": 0,
        "result_value": None,
        "result_sum": None,
        "result_currency_id": None,
        "result_status": 0,
        "result_stream": 0,
        "result_source_id": None,
        "autocomplete_rule": 0,
    }


# -- seed ---------------------------------------------------------------------------------------

# (deal, kind, provider, subject, created, deadline or None, completed, author)
SEED_ACTIVITIES = (
    (1, CALL, ("VOXIMPLANT_CALL", "CALL"), "Outgoing call Emma Larsen", "2025-05-12T10:00:00",
     None, True, 3),
    (1, MEETING, ("CRM_MEETING", "MEETING"), "Rollout kick-off", "2025-05-14T09:30:00",
     "2025-05-20T11:00:00", True, 3),
    (1, PROVIDER, TODO_PROVIDER, "Send the rollout plan", "2025-05-20T12:00:00",
     "2027-01-15T15:00:00", False, 3),
    (2, EMAIL, ("CRM_EMAIL", "EMAIL"), "Support contract renewal", "2025-03-03T16:20:00",
     None, True, 2),
    (2, PROVIDER, TODO_PROVIDER, "Invoice for the second year", "2025-03-04T09:00:00",
     "2026-03-01T10:00:00", False, 2),
    (3, PROVIDER, TODO_PROVIDER, "Agree on the page mock-ups", "2025-06-02T14:00:00",
     "2026-12-10T12:00:00", False, 3),
)  # fmt: skip
# (deal, created, comment, author)
SEED_COMMENTS = (
    (1, "2025-05-12T10:15:00", "Emma wants the rollout done before the summer.", 3),
    (1, "2025-05-14T12:00:00", "Kick-off went well; 10 seats to start with.", 3),
    (2, "2025-03-03T16:30:00", "Renewal agreed by phone, waiting for the signed copy.", 2),
)
OFFSET = "+03:00"  # the portal's offset (timefmt.PORTAL_TZ)


def seed_activities() -> Iterator[dict[str, Any]]:
    for deal, kind, provider, subject, created, deadline, completed, author in SEED_ACTIVITIES:
        yield activity_row(
            owner=(DEAL, deal),
            kind=kind,
            provider=provider,
            subject=subject,
            when=created + OFFSET,
            deadline=deadline + OFFSET if deadline else None,
            completed=completed,
            author=author,
            responsible=author,
            direction=2 if kind in (CALL, EMAIL) else 0,
        )


def seed_comments() -> Iterator[dict[str, Any]]:
    for deal, created, text, author in SEED_COMMENTS:
        yield {
            "entity_id": deal,
            "entity_type": "deal",
            "created": created + OFFSET,
            "comment": text,
            "author_id": author,
            "files": "{}",
        }
