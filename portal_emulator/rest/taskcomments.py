"""Task comments: ``task.commentitem.add`` and ``task.commentitem.getlist``
(api-reference/tasks/comment-item/), over the emulated portal's tasks.

These are the old task methods: parameters by name (``TASKID``, ``FIELDS``, ``ORDER``,
``FILTER``) or by position, errors as ``ERROR_CORE`` with the tasks module's sentences.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from ..model.timefmt import PORTAL_TZ, iso, parse_moment
from . import filters
from .core import Caller, RestError, as_list, as_map, is_blank, to_int, upper_keys

FIELDS = frozenset({"POST_MESSAGE", "AUTHOR_ID", "POST_DATE", "UF_FORUM_MESSAGE_DOC"})
ORDER_FIELDS = frozenset({"ID", "AUTHOR_ID", "AUTHOR_NAME", "AUTHOR_EMAIL", "POST_DATE"})
FILTER_FIELDS = frozenset({"ID", "AUTHOR_ID", "AUTHOR_NAME", "POST_DATE"})
FILTER_PREFIXES = ("", "!", "<=", "<", ">=", ">")


def _core(text: str) -> RestError:
    return RestError(400, "ERROR_CORE", f"{text}.<br>")


def _wrong(position: int, name: str, method: str, key: str) -> RestError:
    return _core(
        f"TASKS_ERROR_EXCEPTION_#256; Param #{position} ({name}) for method"
        f' ctaskcommentitem::{method}() must not contain key "{key}".; 256/TE/WRONG_ARGUMENTS'
    )


def _argument(params: Mapping[str, Any], name: str, position: int) -> Any:
    """A parameter by name, or else by its position."""
    return params[name] if name in params else params.get(str(position))


def _task_id(caller: Caller, params: Mapping[str, Any], method: str) -> int:
    task_id = to_int(_argument(params, "TASKID", 0))
    if task_id is None or task_id <= 0:
        raise _core(
            f"TASKS_ERROR_EXCEPTION_#256; Param #0 (taskId) for method ctaskcommentitem::"
            f'{method}() expected to be of type "integer", but given something else.;'
            " 256/TE/WRONG_ARGUMENTS"
        )
    if not caller.store.fetch("SELECT 1 FROM tasks WHERE id=?", (task_id,)):
        raise (
            _core("Insufficient permissions to add a comment")
            if method == "add"
            else _core(
                "TASKS_ERROR_EXCEPTION_#8; Action failed; 8/TE/ACTION_FAILED_TO_BE_PROCESSED"
            )
        )
    return task_id


def commentitem_add(caller: Caller, params: dict[str, Any]) -> Any:
    params = upper_keys(params)
    task_id = _task_id(caller, params, "add")
    fields = upper_keys(as_map(_argument(params, "FIELDS", 1)) or {})
    for key in fields:
        if key not in FIELDS:
            raise _wrong(1, "arFields", "add", key)
    message = fields.get("POST_MESSAGE")
    if not isinstance(message, str) or not message.strip():
        raise _core("Comment text is not specified")
    if as_list(fields.get("UF_FORUM_MESSAGE_DOC")):
        raise _core("File not found")  # the emulated portal has no Drive
    author_id = caller.user.id
    if not is_blank(fields.get("AUTHOR_ID")):
        author = to_int(fields["AUTHOR_ID"])
        if author is None or caller.store.user(author) is None:
            raise _wrong(1, "arFields", "add", "AUTHOR_ID")
        author_id = author
    posted = dt.datetime.now(PORTAL_TZ)
    if not is_blank(fields.get("POST_DATE")):
        moment = parse_moment(str(fields["POST_DATE"]))
        if moment is None:
            raise _wrong(1, "arFields", "add", "POST_DATE")
        posted = moment
    with caller.store.transaction() as db:
        comment_id = db.execute(
            "INSERT INTO task_comments (task_id, author_id, post_date, message) VALUES (?,?,?,?)",
            (task_id, author_id, iso(posted), message),
        ).lastrowid
    return int(comment_id or 0)


def _comment_json(caller: Caller, row: Any) -> dict[str, Any]:
    author = caller.store.user(row["author_id"])
    return {
        "POST_MESSAGE_HTML": None,
        "ID": str(row["id"]),
        "AUTHOR_ID": str(row["author_id"]),
        "AUTHOR_NAME": author.full_name if author else "",
        "AUTHOR_EMAIL": author.email if author else "",
        "POST_DATE": row["post_date"],
        "POST_MESSAGE": row["message"],
        "ATTACHED_OBJECTS": {},
    }


def commentitem_getlist(caller: Caller, params: dict[str, Any]) -> Any:
    """Every comment of the task (no pages), by ``ORDER`` (default: newest id first)."""
    params = upper_keys(params)
    task_id = _task_id(caller, params, "getlist")
    order = upper_keys(as_map(_argument(params, "ORDER", 1)) or {}) or {"ID": "DESC"}
    for key in order:
        if key not in ORDER_FIELDS:
            raise _wrong(1, "arOrder", "getlist", key)
    conditions = as_map(_argument(params, "FILTER", 2)) or {}
    for key in conditions:
        name = filters.parse_key(key)[2]
        if key[: len(key) - len(name)] not in FILTER_PREFIXES or name.upper() not in FILTER_FIELDS:
            raise _wrong(2, "arFilter", "getlist", key)
    rows = caller.store.fetch("SELECT * FROM task_comments WHERE task_id=?", (task_id,))
    comments = [_comment_json(caller, row) for row in rows]
    tree = filters.parse(conditions, strict=False)
    chosen = [
        comment
        for comment in comments
        if filters.matches(tree, lambda cond, c=comment: filters.holds(cond, c[cond.name.upper()]))
    ]
    for field, direction in reversed(list(order.items())):
        descending = str(direction).strip().upper() == "DESC"
        chosen.sort(key=lambda comment, f=field: filters.order_key(comment[f]), reverse=descending)
    return chosen


METHODS: dict[str, Callable[[Caller, dict[str, Any]], Any]] = {
    "task.commentitem.add": commentitem_add,
    "task.commentitem.getlist": commentitem_getlist,
}
