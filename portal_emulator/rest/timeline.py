"""A CRM item's timeline: ``crm.activity.list``, ``crm.activity.todo.add``,
``crm.timeline.comment.add`` / ``crm.timeline.comment.list``.

Both lists are the CRM lists' shared code (:func:`.crm.list_rows`: the filter language, order,
pages of 50) over their own table; rows come back with UPPER_CASE keys and text values, as
the docs' examples show them. The adding methods are D7 controllers (camelCase parameters,
numeric code 100 for a missing one). Docs: ``api-reference/crm/timeline/activities/
activity-base/crm-activity-list.md``, ``…/activities/todo/crm-activity-todo-add.md``,
``api-reference/crm/timeline/comments/crm-timeline-comment-{add,list}.md``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Any

from ..model import timeline as model
from ..model.crmfields import ENTITY_NAMES, Field
from ..model.timefmt import PORTAL_TZ, iso, parse_moment
from .core import Caller, RestError, Result, as_list, as_map, in_record, paged, to_int, upper_keys
from .crm import CLASSIC, Dialect, _d7_int, _d7_missing, _fetch_one, list_rows, select_fields

ACTIVITIES = Dialect(None, CLASSIC, fields=model.ACTIVITY, table="crm_activities")
COMMENTS = Dialect(None, CLASSIC, fields=model.COMMENT, table="crm_timeline_comments")
_LIST = {"filter": "FILTER", "order": "ORDER", "start": "START"}


def row_json(fields: tuple[Field, ...] | list[Field], row: Mapping[str, Any]) -> dict[str, Any]:
    answer = {}
    for field in fields:
        raw = row[field.column]
        if field.upper in model.JSON_VALUES:
            answer[field.upper] = json.loads(raw) if raw else []
        else:
            answer[field.upper] = None if raw is None else str(raw)
    return answer


def _exists(caller: Caller, entity_type_id: int, item_id: int) -> bool:
    return _fetch_one(caller, entity_type_id, item_id) is not None


def _now() -> str:
    return iso(dt.datetime.now(PORTAL_TZ))


# -- activities ---------------------------------------------------------------------------------


def _bindings(filter_map: dict[str, Any]) -> dict[str, Any]:
    """``filter[BINDINGS]``, a list of ``{OWNER_TYPE_ID, OWNER_ID}`` (either or both), as the
    sub-filter it means: linked to any of them (an activity here has its owner only)."""
    key = next((key for key in filter_map if key.upper() == "BINDINGS"), None)
    if key is None:
        return filter_map
    filter_map = dict(filter_map)
    wanted: dict[str, Any] = {"LOGIC": "OR"}
    for number, binding in enumerate(as_list(filter_map.pop(key))):
        pair = upper_keys(as_map(binding) or {})
        pair = {key: pair[key] for key in ("OWNER_TYPE_ID", "OWNER_ID") if key in pair}
        if not pair:
            raise RestError(400, "", "BINDINGS takes objects with OWNER_TYPE_ID and/or OWNER_ID")
        wanted[str(number)] = pair
    free = max((int(key) for key in filter_map if key.isdigit()), default=-1) + 1
    return {**filter_map, str(free): wanted} if len(wanted) > 1 else filter_map


def crm_activity_list(caller: Caller, params: dict[str, Any]) -> Result:
    """Sorted by START_TIME unless ``order`` says otherwise; ``filter[BINDINGS]`` finds the
    activities linked to any of the items it names (crm-activity-list.md)."""
    params = upper_keys(params)
    if not as_map(params.get("ORDER")):
        params["ORDER"] = {"START_TIME": "ASC"}
    filter_map = as_map(params.get("FILTER"))
    if filter_map:
        params["FILTER"] = _bindings(filter_map)
    select = select_fields(ACTIVITIES, params.get("SELECT"))
    rows, total, start = list_rows(caller, ACTIVITIES, params, _LIST)
    return paged([row_json(select or model.ACTIVITY, row) for row in rows], total, start)


def _moment(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    moment = parse_moment(value) if isinstance(value, str) else None
    if moment is None:
        raise RestError(400, "WRONG_DATETIME_FORMAT", f"Incorrect date format in {name}")
    return iso(moment)


@in_record("ownerTypeId", "ownerId")
def crm_activity_todo_add(caller: Caller, params: dict[str, Any]) -> Any:
    """A to-do on a CRM item: ``{"id": <the activity's id>}`` (crm-activity-todo-add.md)."""
    owner_type_id = _d7_int(params, "ownerTypeId")
    owner_id = _d7_int(params, "ownerId")
    if "deadline" not in params or params["deadline"] in (None, ""):
        raise _d7_missing("deadline")
    deadline = _moment(params, "deadline")
    if owner_type_id not in ENTITY_NAMES or not _exists(caller, owner_type_id, owner_id):
        raise RestError(400, "NOT_FOUND", "Not found.")
    responsible = caller.user.id
    if params.get("responsibleId") not in (None, ""):
        responsible = _d7_int(params, "responsibleId")
        if caller.store.user(responsible) is None:
            raise RestError(400, "INVALID_ARG_VALUE", "The responsible user is not found")
    offsets = [to_int(offset) for offset in as_list(params.get("pingOffsets"))]
    if any(offset is None or offset < 0 for offset in offsets):
        raise RestError(400, "INVALID_ARG_VALUE", "pingOffsets must be minutes (integers)")
    color = params.get("colorId")
    row = model.activity_row(
        owner=(owner_type_id, owner_id),
        kind=model.PROVIDER,
        provider=model.TODO_PROVIDER,
        subject=str(params.get("title") or ""),
        description=str(params.get("description") or ""),
        when=_now(),
        deadline=deadline,
        author=caller.user.id,
        responsible=responsible,
        settings={"PING_OFFSETS": offsets, **({"COLOR": str(color)} if color else {})},
    )
    with caller.store.transaction() as db:
        activity_id = db.execute(
            f"INSERT INTO crm_activities ({', '.join(row)})"  # columns from the model
            f" VALUES ({', '.join('?' for _ in row)})",
            list(row.values()),
        ).lastrowid
    return {"id": activity_id}


# -- comments -----------------------------------------------------------------------------------


def _comment_owner(fields: Mapping[str, Any]) -> tuple[str, int]:
    """ENTITY_TYPE (lower case) and ENTITY_ID of a comment's item; 100 when one is absent."""
    for name in ("ENTITY_ID", "ENTITY_TYPE"):
        if fields.get(name) in (None, ""):
            raise RestError(400, 100, f"Required fields are not provided: {name}")
    entity_type = str(fields["ENTITY_TYPE"]).strip().lower()
    entity_id = to_int(fields["ENTITY_ID"])
    if entity_type not in model.COMMENT_ENTITY_TYPES or entity_id is None:
        raise RestError(400, "OWNER_NOT_FOUND", "Owner of the item not found")
    return entity_type, entity_id


def crm_timeline_comment_add(caller: Caller, params: dict[str, Any]) -> Any:
    """Only a lower-case ``fields`` is read (crm-timeline-comment-add.md's note)."""
    if "fields" not in params:
        raise _d7_missing("fields")
    fields = upper_keys(as_map(params["fields"]) or {})
    entity_type, entity_id = _comment_owner(fields)
    if not _exists(caller, model.COMMENT_ENTITY_TYPES[entity_type], entity_id):
        raise RestError(400, "OWNER_NOT_FOUND", "Owner of the item not found")
    text = fields.get("COMMENT")
    if not isinstance(text, str) or not text.strip():
        raise RestError(400, "INVALID_ARG_VALUE", "Empty comment")
    with caller.store.transaction() as db:
        comment_id = db.execute(
            "INSERT INTO crm_timeline_comments (entity_id, entity_type, created, comment,"
            " author_id, files) VALUES (?,?,?,?,?,?)",
            (entity_id, entity_type, _now(), text, caller.user.id, "{}"),
        ).lastrowid
    return comment_id


def crm_timeline_comment_list(caller: Caller, params: dict[str, Any]) -> Result:
    """``filter`` must name ENTITY_ID and ENTITY_TYPE; ``order`` takes ID, CREATED and
    AUTHOR_ID only (crm-timeline-comment-list.md)."""
    params = upper_keys(params)
    filter_map = upper_keys(as_map(params.get("FILTER")) or {})
    if filter_map.get("ENTITY_ID") in (None, "") or filter_map.get("ENTITY_TYPE") in (None, ""):
        raise RestError(400, "", "The filter must name ENTITY_ID and ENTITY_TYPE")
    filter_map["ENTITY_TYPE"] = str(filter_map["ENTITY_TYPE"]).strip().lower()
    order = upper_keys(as_map(params.get("ORDER")) or {})
    params["ORDER"] = {key: order[key] for key in model.COMMENT_ORDER if key in order}
    params["FILTER"] = filter_map
    select = select_fields(COMMENTS, params.get("SELECT"))
    rows, total, start = list_rows(caller, COMMENTS, params, _LIST)
    return paged([row_json(select or model.COMMENT, row) for row in rows], total, start)


METHODS: dict[str, Callable[[Caller, dict[str, Any]], Any]] = {
    "crm.activity.list": crm_activity_list,
    "crm.activity.todo.add": crm_activity_todo_add,
    "crm.timeline.comment.add": crm_timeline_comment_add,
    "crm.timeline.comment.list": crm_timeline_comment_list,
}
