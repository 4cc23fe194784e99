"""The method table: every REST method the emulated portal answers, by name.

Small methods live here (``server.time``, ``scope``, ``methods``, ``user.admin``,
``event.*``, ``app.option.*``, ``user.option.*``); people and CRM come from their modules;
``batch`` is run by the emulator itself (it calls back into this table).

Options are the very ones the portal page keeps for ``setAppOption``/``setUserOption``:
one store, so a value set through REST shows up in ``getInitData`` and the other way round.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from ..model.timefmt import iso
from . import (
    appstorage,
    crm,
    dealparts,
    dictionaries,
    directory,
    notify,
    placements,
    smartprocess,
    taskcomments,
    tasks,
    timeline,
)
from .core import (
    APP_CODE,
    APP_SCOPES,
    SCOPES,  # noqa: F401 - read here by the method table's tests
    Caller,
    RestError,
    Result,
    as_map,
    record_keys,
    to_flag,
    to_int,
)
from .phpquery import php_value

# Events an app may bind (a representative part of the portal's list), upper case.
KNOWN_EVENTS = frozenset(
    {
        "ONAPPINSTALL",
        "ONAPPUNINSTALL",
        "ONAPPUPDATE",
        "ONAPPPAYMENT",
        "ONUSERADD",
        "ONCRMDEALMOVETOCATEGORY",
        "ONCRMACTIVITYADD",
        "ONCRMACTIVITYUPDATE",
        "ONCRMACTIVITYDELETE",
        "ONTASKADD",
        "ONTASKUPDATE",
        "ONTASKDELETE",
        "ONTASKCOMMENTADD",
        "ONCALENDARENTRYADD",
        "ONCALENDARENTRYUPDATE",
        "ONCALENDARENTRYDELETE",
        "ONIMBOTMESSAGEADD",
    }
    | {
        f"ONCRM{entity}{action}"
        for entity in ("LEAD", "DEAL", "CONTACT", "COMPANY")
        for action in ("ADD", "UPDATE", "DELETE")
    }
)


# The scope a method belongs to, by the longest matching name prefix (the portal's ``scope``).
SCOPE_OF_PREFIX = {
    "crm.": "crm",
    "user.option.": "basic",
    "user.admin": "basic",
    "user.": "user",
    "profile": "basic",
    "department.": "department",
    "tasks.": "task",
    "task.": "task",
    "placement.": "placement",
    "entity.": "entity",
    "im.": "im",
}


def scope_of(method: str) -> str:
    """The scope of ``method`` (``basic`` when no prefix names one)."""
    prefixes = [prefix for prefix in SCOPE_OF_PREFIX if method.startswith(prefix)]
    return SCOPE_OF_PREFIX[max(prefixes, key=len)] if prefixes else "basic"


def methods_markdown() -> str:
    """The README's table of every emulated method, one row per scope (generated from
    :data:`METHODS`: ``python -m portal_emulator methods --markdown``)."""
    by_scope: dict[str, list[str]] = {}
    for name in sorted(METHODS):
        by_scope.setdefault(scope_of(name), []).append(name)
    rows = ["| Scope | Methods |", "|---|---|"]
    rows += [
        f"| `{name}` | {', '.join(f'`{method}`' for method in by_scope[name])} |"
        for name in sorted(by_scope)
    ]
    return "\n".join(rows) + "\n"


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def _lower_keys(params: Mapping[str, Any]) -> dict[str, Any]:
    return {str(key).lower(): value for key, value in params.items()}


# -- small methods ------------------------------------------------------------------------------


def server_time(caller: Caller, params: dict[str, Any]) -> Any:
    return iso(time.time())


# Every scope a portal knows, as api-reference/scopes/permissions.md lists them (scope full=true).
ALL_SCOPES = (
    "ai_admin biconnector bizproc booking calendar call cashbox catalog contact_center crm"
    " documentgenerator delivery department disk entity humanresources humanresources.hcmlink"
    " im imbot imconnector imopenlines intranet landing lists log mailservice main"
    " messageservice mobile pay_system placement pull rpa sale salescenter sign.b2e sonet_group"
    " socialnetwork task telephony timeman user user_brief user_basic user.userfield"
    " userfieldconfig userconsent vote"
).split()


def scope(caller: Caller, params: dict[str, Any]) -> Any:
    """The app's scopes; ``basic`` (every app's methods) is no scope the portal lists
    (api-reference/common/system/scope.md). ``full``: every scope of the portal."""
    if to_flag(_lower_keys(params).get("full")):
        return list(ALL_SCOPES)
    return list(APP_SCOPES)


def methods(caller: Caller, params: dict[str, Any]) -> Any:
    """Every method, or (``scope``) those of one scope; ``scope`` given empty means the
    common (basic) ones (api-reference/common/system/methods.md)."""
    params = _lower_keys(params)
    if "scope" not in params:
        return sorted(METHODS)
    wanted = _text(params["scope"]).lower() or "basic"
    return sorted(name for name in METHODS if scope_of(name) == wanted)


# The emulated app, as app.info describes it (api-reference/common/system/app-info.md).
APP_INFO = {
    "ID": 1,
    "CODE": APP_CODE,
    "VERSION": 1,
    "STATUS": "L",
    "PAYMENT_EXPIRED": "N",
    "DAYS": None,
    "LANGUAGE_ID": "en",
    "LICENSE": "en_project",
    "LICENSE_TYPE": "project",
    "LICENSE_FAMILY": "project",
}


def app_info(caller: Caller, params: dict[str, Any]) -> Any:
    return {**APP_INFO, "INSTALLED": caller.store.app_installed() == "Y"}


def user_admin(caller: Caller, params: dict[str, Any]) -> Any:
    return caller.is_admin


# -- events -------------------------------------------------------------------------------------


def _event_name(params: Mapping[str, Any]) -> str:
    event = _text(params.get("event")).upper()
    if event not in KNOWN_EVENTS:
        raise RestError(400, "ERROR_EVENT_NOT_FOUND", "Event not found")
    return event


def _event_type(params: Mapping[str, Any]) -> str:
    event_type = _text(params.get("event_type") or "online").lower()
    if event_type not in ("online", "offline"):
        raise RestError(
            400, "ERROR_ARGUMENT", "event_type must be online or offline", argument="event_type"
        )
    return event_type


def _non_admin_may(caller: Caller, event_type: str, auth_type: int, action: str) -> None:
    """What a non-administrator may not bind or unbind, in the words of event-bind.md and
    event-unbind.md: offline handlers, or handlers on another user's behalf."""
    if event_type == "offline":
        raise RestError(
            403,
            "ACCESS_DENIED",
            f"Access denied! Offline events {action} requires administrator access rights",
        )
    if auth_type not in (0, caller.user.id):
        raise RestError(
            403,
            "ACCESS_DENIED",
            f"Access denied! Event {action} with AUTH_TYPE requires administrator access rights",
        )


def event_bind(caller: Caller, params: dict[str, Any]) -> Any:
    """Any user may bind; a non-administrator only online events on their own behalf."""
    params = _lower_keys(params)
    event = _event_name(params)
    event_type = _event_type(params)
    handler = _text(params.get("handler"))
    if event_type == "online":
        if not handler:
            raise RestError(
                400, "ERROR_ARGUMENT", "Argument 'handler' is null or empty", argument="handler"
            )
        if urlsplit(handler).scheme not in ("http", "https") or not urlsplit(handler).netloc:
            raise RestError(400, "WRONG_HANDLER_URL", "Wrong handler URL")
    raw_auth = params.get("auth_type")
    auth_type = to_int(raw_auth) if _text(raw_auth) else 0
    if auth_type is None or auth_type < 0:
        raise RestError(400, "ERROR_ARGUMENT", "auth_type must be a user id", argument="auth_type")
    if not caller.is_admin:
        _non_admin_may(caller, event_type, auth_type, "binding")
        auth_type = caller.user.id
    elif auth_type and caller.store.user(auth_type) is None:
        raise RestError(400, "ERROR_ARGUMENT", "auth_type is not a user id", argument="auth_type")
    with caller.store.transaction() as db:
        exists = db.execute(
            "SELECT 1 FROM event_handlers WHERE event=? AND handler=? AND auth_type=?"
            " AND event_type=?",
            (event, handler, auth_type, event_type),
        ).fetchone()
        if exists:
            raise RestError(400, "ERROR_CORE", "Handler already binded")
        db.execute(
            "INSERT INTO event_handlers (event, handler, auth_type, event_type, auth_connector,"
            " options) VALUES (?,?,?,?,?,?)",
            (
                event,
                handler,
                auth_type,
                event_type,
                _text(params.get("auth_connector")),
                _text(params.get("options")),
            ),
        )
    return True


def event_unbind(caller: Caller, params: dict[str, Any]) -> Any:
    """``auth_type`` absent means every handler of the event+handler; a non-administrator
    unbinds only online handlers bound on their own behalf (events/event-unbind.md)."""
    params = _lower_keys(params)
    event = _event_name(params)
    event_type = _event_type(params)
    if not caller.is_admin:
        _non_admin_may(caller, event_type, to_int(params.get("auth_type")) or 0, "unbinding")
        params["auth_type"] = caller.user.id
    sql = "DELETE FROM event_handlers WHERE event=? AND event_type=?"
    args: list[Any] = [event, event_type]
    handler = _text(params.get("handler"))
    if handler or event_type == "online":
        if not handler:
            raise RestError(
                400, "ERROR_ARGUMENT", "Argument 'handler' is null or empty", argument="handler"
            )
        sql += " AND handler=?"
        args.append(handler)
    if "auth_type" in params:
        sql += " AND auth_type=?"
        args.append(to_int(params["auth_type"]) or 0)
    with caller.store.transaction() as db:
        count = db.execute(sql, args).rowcount
    return {"count": count}


def event_get(caller: Caller, params: dict[str, Any]) -> Any:
    rows = caller.store.fetch("SELECT * FROM event_handlers ORDER BY id")
    return [
        {
            "event": row["event"],
            "handler": row["handler"],
            "auth_type": str(row["auth_type"]),
            "offline": 1 if row["event_type"] == "offline" else 0,
        }
        for row in rows
    ]


# -- options ------------------------------------------------------------------------------------


def _read_options(values: dict[str, Any], params: Mapping[str, Any]) -> Result:
    option = params.get("option")
    if option is not None and option != "":
        return Result(php_value(values.get(str(option))))
    everything = dict(values)
    # The portal returns options named "next"/"total" in the envelope root, not in result.
    root = {
        name: php_value(everything.pop(name)) for name in ("next", "total") if name in everything
    }
    return Result(php_value(everything), root=root)


def _written_options(params: Mapping[str, Any]) -> dict[str, Any]:
    if "options" in params:
        options = as_map(params["options"])
        if options is None:
            raise RestError(
                400, "ERROR_ARGUMENT", "Argument 'options' must be an array", argument="options"
            )
    else:
        options = dict(params)  # no "options": the request parameters are the options
    if not options:
        raise RestError(
            400, "ERROR_ARGUMENT", "Argument 'options' is null or empty", argument="options"
        )
    return {name: php_value(value) for name, value in options.items()}


def app_option_get(caller: Caller, params: dict[str, Any]) -> Result:
    return _read_options(caller.store.app_options(), params)


def app_option_set(caller: Caller, params: dict[str, Any]) -> Any:
    if not caller.is_admin:
        raise RestError(403, "ACCESS_DENIED", "Access denied! Administrator authorization required")
    caller.store.set_app_options(_written_options(params).items())
    return True


def user_option_get(caller: Caller, params: dict[str, Any]) -> Result:
    return _read_options(caller.store.user_options(caller.user.id), params)


def user_option_set(caller: Caller, params: dict[str, Any]) -> Any:
    for name, value in _written_options(params).items():
        caller.store.set_user_option(caller.user.id, name, value)
    return True


METHODS: dict[str, Callable[[Caller, dict[str, Any]], Any] | None] = {
    **directory.METHODS,
    **crm.METHODS,
    **dictionaries.METHODS,
    **dealparts.METHODS,
    **timeline.METHODS,
    **tasks.METHODS,
    **appstorage.METHODS,
    **placements.METHODS,
    **smartprocess.METHODS,
    **notify.METHODS,
    **taskcomments.METHODS,
    "server.time": server_time,
    "scope": scope,
    "methods": methods,
    "user.admin": user_admin,
    "app.info": app_info,
    "event.bind": event_bind,
    "event.unbind": event_unbind,
    "event.get": event_get,
    "app.option.get": app_option_get,
    "app.option.set": app_option_set,
    "user.option.get": user_option_get,
    "user.option.set": user_option_set,
    "batch": None,  # run by the emulator: it needs the whole table (see batch.py)
}

# The methods that read, change or delete one existing record, or list or add inside one,
# with the parameters naming it (core.one_record, core.in_record): the not-found matrix of
# the tests covers each, a new one included.
RECORD_METHODS: dict[str, tuple[str, ...]] = {
    name: record_keys(handler) for name, handler in METHODS.items() if record_keys(handler)
}
