"""People and structure: ``user.current``, ``user.get``, ``department.get``, ``profile``.

The directory is small (hundreds of people), so these filter in Python over the JSON the
methods return. Classic-method rules apply: parameter names are case-insensitive, filter
fields may come in ``FILTER`` or at the top level, unknown filter fields are ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..model.timefmt import PORTAL_OFFSET_SECONDS, iso_date
from .core import Caller, Result, as_list, as_map, page_of, page_start, to_flag, to_int, upper_keys

_OPERATOR = re.compile(r"(>=|<=|!=%|!%=|=%|%=|!%|!@|!=|@|>|<|=|%|!)?(.*)\Z", re.S)
_RESERVED = frozenset({"SORT", "ORDER", "FILTER", "START", "AUTH", "ADMIN_MODE", "SELECT"})


def user_json(user) -> dict[str, Any]:
    """A user as ``user.get``/``user.current`` show it."""
    profile = user.profile
    birthday = profile.get("birthday")
    return {
        "ID": str(user.id),
        "ACTIVE": user.active,
        "NAME": user.name,
        "LAST_NAME": user.last_name,
        "SECOND_NAME": "",
        "EMAIL": user.email,
        "LAST_LOGIN": profile.get("last_login", ""),
        "DATE_REGISTER": profile.get("registered", ""),
        "TIME_ZONE": "",
        "IS_ONLINE": profile.get("online", "N"),
        "PERSONAL_GENDER": profile.get("gender", ""),
        "PERSONAL_BIRTHDAY": iso_date(dt.date.fromisoformat(birthday)) if birthday else "",
        "PERSONAL_MOBILE": profile.get("mobile", ""),
        "PERSONAL_CITY": profile.get("city", ""),
        "WORK_PHONE": profile.get("work_phone", ""),
        "WORK_POSITION": user.work_position,
        "UF_EMPLOYMENT_DATE": "",
        "UF_DEPARTMENT": list(user.departments),
        "USER_TYPE": "employee",
    }


DEPARTMENT_FIELDS = frozenset({"ID", "NAME", "SORT", "PARENT", "UF_HEAD"})


def department_json(row) -> dict[str, Any]:
    department: dict[str, Any] = {"ID": str(row["id"]), "NAME": row["name"], "SORT": 500}
    if row["parent_id"] is not None:
        department["PARENT"] = str(row["parent_id"])
    if row["head_id"] is not None:
        department["UF_HEAD"] = str(row["head_id"])
    return department


USER_FIELDS = frozenset(  # every key of user_json
    {
        "ID",
        "ACTIVE",
        "NAME",
        "LAST_NAME",
        "SECOND_NAME",
        "EMAIL",
        "LAST_LOGIN",
        "DATE_REGISTER",
        "TIME_ZONE",
        "IS_ONLINE",
        "PERSONAL_GENDER",
        "PERSONAL_BIRTHDAY",
        "PERSONAL_MOBILE",
        "PERSONAL_CITY",
        "WORK_PHONE",
        "WORK_POSITION",
        "UF_EMPLOYMENT_DATE",
        "UF_DEPARTMENT",
        "USER_TYPE",
    }
)


# -- filtering over JSON records ---------------------------------------------------------------


def _filters(params: Mapping[str, Any]) -> list[tuple[str, str, Any]]:
    """(operator, FIELD, value) from ``FILTER`` and from top-level legacy filter keys."""
    conditions = []
    sources = [as_map(params.get("FILTER")) or {}]
    sources.append({k: v for k, v in params.items() if k.upper() not in _RESERVED})
    for source in sources:
        for key, value in source.items():
            operator, name = _OPERATOR.match(str(key)).groups()
            conditions.append((operator or "", name.upper(), value))
    return conditions


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "Y" if value else "N"
    return "" if value is None else str(value)


def _like(pattern: str, text: str) -> bool:
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.I | re.S) is not None


def _compare(record_value: Any, wanted: Any) -> int | None:
    """-1/0/1 comparing a record value with a filter value; numbers as numbers."""
    left, right = to_int(record_value), to_int(wanted)
    if left is None or right is None:
        left_text, right_text = _text(record_value).lower(), _text(wanted).lower()
        return (left_text > right_text) - (left_text < right_text)
    return (left > right) - (left < right)


def _matches(
    record: Mapping[str, Any], known: frozenset[str], operator: str, name: str, value: Any
) -> bool:
    if name == "NAME_SEARCH":
        haystack = " ".join(
            _text(record.get(key)) for key in ("NAME", "LAST_NAME", "EMAIL", "WORK_POSITION")
        ).lower()
        return all(word in haystack for word in _text(value).lower().split())
    if name not in known:
        return True  # unknown fields are ignored
    actual = record.get(name)  # a known field a record lacks (the root's PARENT) is empty
    wanted = as_list(value) if isinstance(value, Mapping | list | tuple) else [value]
    if name == "ACTIVE":
        wanted = [to_flag(v) for v in wanted]
    negate = operator.startswith("!")
    base = operator.lstrip("!") or "="

    if isinstance(actual, list):  # UF_DEPARTMENT: any of the user's departments
        hit = any(_compare(a, w) == 0 for a in actual for w in wanted)
    elif base in ("%", "=%", "%="):
        text = _text(actual)
        if base == "%":
            hit = any(_text(w).lower() in text.lower() for w in wanted)
        else:
            hit = any(_like(_text(w), text) for w in wanted)
    elif base in (">", ">=", "<", "<="):
        if not wanted:
            return False
        order = _compare(actual, wanted[0])
        hit = {">": order > 0, ">=": order >= 0, "<": order < 0, "<=": order <= 0}[base]
    else:  # "=", "@": equality, a list means any of; a "%" in text is a wildcard
        hit = any(
            _like(_text(w), _text(actual))
            if isinstance(w, str) and "%" in w
            else _compare(actual, w) == 0
            for w in wanted
        )
    return hit != negate


def _select(
    records: list[dict], known: frozenset[str], params: Mapping[str, Any], default_sort: str
) -> list[dict]:
    conditions = _filters(params)
    chosen = [r for r in records if all(_matches(r, known, *c) for c in conditions)]
    sort = _text(params.get("SORT") or default_sort).upper()
    if sort not in known:
        sort = default_sort
    descending = _text(params.get("ORDER")).upper() == "DESC"

    def key(record):
        value = record.get(sort)
        number = to_int(value)
        return (0, number, "") if number is not None else (1, 0, _text(value).lower())

    return sorted(chosen, key=key, reverse=descending)


# -- methods ------------------------------------------------------------------------------------


def user_current(caller: Caller, params: dict[str, Any]) -> Any:
    return user_json(caller.user)


def user_get(caller: Caller, params: dict[str, Any]) -> Result:
    params = upper_keys(params)
    records = [user_json(user) for user in caller.store.users()]
    chosen = _select(records, USER_FIELDS, params, "ID")
    return page_of(chosen, page_start({"start": params.get("START")}))


def department_get(caller: Caller, params: dict[str, Any]) -> Result:
    params = upper_keys(params)
    rows = caller.store.fetch("SELECT * FROM departments ORDER BY id")
    records = [department_json(row) for row in rows]
    chosen = _select(records, DEPARTMENT_FIELDS, params, "ID")
    return page_of(chosen, page_start({"start": params.get("START")}))


def profile(caller: Caller, params: dict[str, Any]) -> Any:
    user = caller.user
    return {
        "ID": str(user.id),
        "ADMIN": caller.is_admin,
        "NAME": user.name,
        "LAST_NAME": user.last_name,
        "PERSONAL_GENDER": user.profile.get("gender", ""),
        "PERSONAL_PHOTO": "",
        "TIME_ZONE": "",
        "TIME_ZONE_OFFSET": PORTAL_OFFSET_SECONDS,
    }


METHODS: dict[str, Callable[[Caller, dict[str, Any]], Any]] = {
    "user.current": user_current,
    "user.get": user_get,
    "department.get": department_get,
    "profile": profile,
}
