"""Widget placements: ``placement.bind``/``unbind``/``get``/``list`` (api-reference/widgets/).

:data:`PLACEMENTS` is the table of codes an app may bind here: the placements the emulated
portal page can open (``static/portal-placements.js``; a test keeps the two in step), each
with the scope that grants it and what is peculiar to it. Handlers are kept per app.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .core import APP_CODE, SCOPES, Caller, RestError, as_map, is_blank, to_flag, to_int, upper_keys


@dataclass(frozen=True)
class Placement:
    scope: str  # the app needs it to bind the placement
    single: bool = False  # one handler per app (ERROR_PLACEMENT_MAX_COUNT)
    per_user: bool = False  # USER_ID may name whose pages load it
    options: tuple[str, ...] | None = None  # the OPTIONS keys it keeps (None: all)
    required_option: str = ""  # its missing answers EMPTY_ERROR_HANDLER_URL


_CRM_CARD = Placement("crm")
PLACEMENTS: dict[str, Placement] = {
    "LEFT_MENU": Placement("placement"),
    "CRM_DEAL_DETAIL_TAB": _CRM_CARD,
    "CRM_LEAD_DETAIL_TAB": _CRM_CARD,
    "CRM_CONTACT_DETAIL_TAB": _CRM_CARD,
    "CRM_COMPANY_DETAIL_TAB": _CRM_CARD,
    "CRM_DEAL_LIST_MENU": _CRM_CARD,
    "TASK_VIEW_TAB": Placement("task"),
    "USERFIELD_TYPE": Placement("placement"),
    "CALL_CARD": Placement("telephony"),
    "PAGE_BACKGROUND_WORKER": Placement(
        "placement",
        single=True,
        per_user=True,
        options=("errorHandlerUrl",),
        required_option="errorHandlerUrl",
    ),
}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def _admin_only(caller: Caller) -> None:
    if not caller.is_admin:
        raise RestError(403, "ACCESS_DENIED", "Access denied!")


def _required(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    if is_blank(value):
        raise RestError(400, "ERROR_ARGUMENT", f"Argument '{name}' is null or empty", argument=name)
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise RestError(
            400,
            "ERROR_ARGUMENT",
            f"The value of an argument '{name}' must be of type string",
            argument=name,
        )
    return _text(value)


def _placement(params: Mapping[str, Any]) -> tuple[str, Placement]:
    code = _required(params, "PLACEMENT").upper()
    known = PLACEMENTS.get(code)
    if known is None or known.scope not in SCOPES:
        raise RestError(400, "ERROR_PLACEMENT_NOT_FOUND", "Placement not found")
    return code, known


def placement_bind(caller: Caller, params: dict[str, Any]) -> Any:
    _admin_only(caller)
    params = upper_keys(params)
    code, kind = _placement(params)
    handler = _required(params, "HANDLER")
    user_id = to_int(params.get("USER_ID")) or 0
    if user_id and not kind.per_user:
        raise RestError(400, "ERROR_PLACEMENT_USER_MODE", "User mode is not available")
    options = as_map(params.get("OPTIONS")) or {}
    if kind.options is not None:
        options = {key: value for key, value in options.items() if key in kind.options}
    if kind.required_option and is_blank(options.get(kind.required_option)):
        raise RestError(400, "EMPTY_ERROR_HANDLER_URL", "Error handler URL is empty")
    bound = caller.store.fetch(
        "SELECT handler, user_id FROM placements WHERE app=? AND placement=?", (APP_CODE, code)
    )
    if kind.single and bound:
        raise RestError(400, "ERROR_PLACEMENT_MAX_COUNT", "Placement max count reached")
    if any(row["handler"] == handler and row["user_id"] == user_id for row in bound):
        raise RestError(
            400, "ERROR_CORE", "Unable to set placement handler: Handler already binded"
        )
    lang_all = {
        str(lang): {key: _text(value) for key, value in (as_map(texts) or {}).items()}
        for lang, texts in (as_map(params.get("LANG_ALL")) or {}).items()
    }
    with caller.store.transaction() as db:
        db.execute(
            "INSERT INTO placements (app, placement, handler, user_id, title, description,"
            " group_name, options, lang_all) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                APP_CODE,
                code,
                handler,
                user_id,
                _text(params.get("TITLE")),
                _text(params.get("DESCRIPTION")),
                _text(params.get("GROUP_NAME")),
                json.dumps(options or []),  # PHP's empty array is []
                json.dumps(lang_all),
            ),
        )
    return True


def placement_unbind(caller: Caller, params: dict[str, Any]) -> Any:
    """``count`` grows by one for each handler found and one for each removed, as the
    docs say it does (so one removed handler counts 2)."""
    _admin_only(caller)
    params = upper_keys(params)
    code = _required(params, "PLACEMENT").upper()
    sql, args = "WHERE app=? AND placement=?", [APP_CODE, code]
    if _text(params.get("HANDLER")):
        sql += " AND handler=?"
        args.append(_text(params["HANDLER"]))
    if not is_blank(params.get("USER_ID")):
        sql += " AND user_id=?"
        args.append(to_int(params["USER_ID"]) or 0)
    with caller.store.transaction() as db:
        found = db.execute(f"SELECT COUNT(*) FROM placements {sql}", args).fetchone()[0]
        removed = db.execute(f"DELETE FROM placements {sql}", args).rowcount
    return {"count": found + removed}


def placement_get(caller: Caller, params: dict[str, Any]) -> Any:
    _admin_only(caller)
    rows = caller.store.fetch("SELECT * FROM placements WHERE app=? ORDER BY id", (APP_CODE,))
    return [
        {
            "placement": row["placement"],
            "userId": row["user_id"],
            "handler": row["handler"],
            "options": json.loads(row["options"]),
            "title": row["title"],
            "description": row["description"],
            "langAll": json.loads(row["lang_all"]),
        }
        for row in rows
    ]


def placement_list(caller: Caller, params: dict[str, Any]) -> Any:
    """The codes of one ``SCOPE``, of the app's scopes, or (``FULL``) of every scope."""
    params = upper_keys(params)
    scope = _text(params.get("SCOPE")).lower()
    if scope:
        wanted: Callable[[str], bool] = lambda s: s == scope  # noqa: E731
    elif to_flag(params.get("FULL")):
        wanted = lambda s: True  # noqa: E731
    else:
        wanted = SCOPES.__contains__
    return [code for code, kind in PLACEMENTS.items() if wanted(kind.scope)]


METHODS: dict[str, Callable[[Caller, dict[str, Any]], Any]] = {
    "placement.bind": placement_bind,
    "placement.unbind": placement_unbind,
    "placement.get": placement_get,
    "placement.list": placement_list,
}
