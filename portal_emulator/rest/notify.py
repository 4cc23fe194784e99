"""Notifications: ``im.notify.system.add`` and ``im.notify.personal.add``
(api-reference/chats/notifications/), recorded so a test can read what an app sent:
:func:`sent` lists them, oldest first.

The two differ only in who the portal shows as the sender (nobody for a system notification,
the caller for a personal one), so they are one function over :data:`KINDS`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..model.timefmt import PORTAL_TZ, iso
from .core import Caller, RestError, to_int, upper_keys

if TYPE_CHECKING:
    from ..store import Store

ATTACH_MAX = 60_000  # characters of ATTACH, as the docs give the limit
KINDS = ("system", "personal")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def _attach(attach: Any) -> str:
    """ATTACH as JSON text: an object (a form's PHP array) or a JSON string."""
    if attach is None or attach == "":
        return ""
    if isinstance(attach, dict | list):
        return json.dumps(attach, ensure_ascii=False)
    if isinstance(attach, str):
        try:
            json.loads(attach)
        except (ValueError, RecursionError):  # deeper than json_decode's 512 levels: no JSON
            pass
        else:
            return attach
    raise RestError(400, "ATTACH_ERROR", "Incorrect attach params")


def _notify(kind: str) -> Callable[[Caller, dict[str, Any]], Any]:
    def add(caller: Caller, params: dict[str, Any]) -> Any:
        params = upper_keys(params)
        user_id = to_int(params.get("USER_ID"))
        if user_id is None or user_id <= 0:
            raise RestError(400, "USER_ID_EMPTY", "User ID can't be empty")
        message = _text(params.get("MESSAGE"))
        if not message:
            raise RestError(400, "MESSAGE_EMPTY", "Message can't be empty")
        attach_text = _attach(params.get("ATTACH"))
        if len(attach_text) > ATTACH_MAX:
            raise RestError(
                400,
                "ATTACH_OVERSIZE",
                "You have exceeded the maximum allowable size of attach",
            )
        if caller.store.user(user_id) is None:
            return False  # "If the notification was not created, it may return false"
        tag = _text(params.get("TAG"))
        with caller.store.transaction() as db:
            if tag:  # a new notification with a tag removes the others with that tag
                db.execute("DELETE FROM notifications WHERE tag=?", (tag,))
            notification_id = db.execute(
                "INSERT INTO notifications (kind, user_id, from_user_id, message, message_out,"
                " tag, sub_tag, attach, sent_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    kind,
                    user_id,
                    caller.user.id if kind == "personal" else 0,
                    message,
                    _text(params.get("MESSAGE_OUT")),
                    tag,
                    _text(params.get("SUB_TAG")),
                    attach_text,
                    iso(dt.datetime.now(PORTAL_TZ)),
                ),
            ).lastrowid
        return int(notification_id or 0)

    return add


def sent(store: Store, user_id: int | None = None) -> list[dict[str, Any]]:
    """The notifications sent (to ``user_id``, or to anyone), oldest first: ``id``,
    ``kind`` (system/personal), ``user_id``, ``from_user_id``, ``message``,
    ``message_out``, ``tag``, ``sub_tag``, ``attach`` (as sent, decoded) and ``sent_at``."""
    sql, args = "SELECT * FROM notifications", ()
    if user_id is not None:
        sql, args = sql + " WHERE user_id=?", (user_id,)
    rows = store.fetch(sql + " ORDER BY id", args)
    return [
        {**dict(row), "attach": json.loads(row["attach"]) if row["attach"] else None}
        for row in rows
    ]


METHODS: dict[str, Callable[[Caller, dict[str, Any]], Any]] = {
    f"im.notify.{kind}.add": _notify(kind) for kind in KINDS
}
