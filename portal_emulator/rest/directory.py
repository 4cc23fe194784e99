"""People and structure: ``user.current``, ``user.get``, ``user.search``, ``user.fields``,
``department.get``, ``profile``.

The directory is small (hundreds of people), so these filter in Python over the JSON the
methods return. Classic-method rules apply: parameter names are case-insensitive, filter
fields may come in ``FILTER`` or at the top level, unknown filter fields are ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from ..model.timefmt import PORTAL_OFFSET_SECONDS, iso_date
from . import filters
from .core import Caller, Result, as_map, page_of, page_start, to_flag, to_int, upper_keys

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


# Every key of user_json and its title, as user.fields answers (api-reference/user/user-fields.md).
USER_FIELD_TITLES = {
    "ID": "ID",
    "ACTIVE": "Activity",
    "NAME": "First Name",
    "LAST_NAME": "Last Name",
    "SECOND_NAME": "Middle Name",
    "EMAIL": "E-Mail",
    "LAST_LOGIN": "Last Authorization",
    "DATE_REGISTER": "Registration Date",
    "TIME_ZONE": "TIME_ZONE",
    "IS_ONLINE": "IS_ONLINE",
    "PERSONAL_GENDER": "Gender",
    "PERSONAL_BIRTHDAY": "Date of Birth",
    "PERSONAL_MOBILE": "Personal Mobile",
    "PERSONAL_CITY": "Residential City",
    "WORK_PHONE": "Company Phone",
    "WORK_POSITION": "Job Title",
    "UF_EMPLOYMENT_DATE": "Hire Date",
    "UF_DEPARTMENT": "Units",
    "USER_TYPE": "USER_TYPE",
}
USER_FIELDS = frozenset(USER_FIELD_TITLES)


# -- filtering over JSON records ---------------------------------------------------------------


def _filter(params: Mapping[str, Any]) -> filters.Group:
    """The conditions of ``FILTER`` and of top-level legacy filter keys, all of them."""
    legacy = {k: v for k, v in params.items() if k.upper() not in _RESERVED}
    sources = (as_map(params.get("FILTER")) or {}, legacy)
    return filters.Group("AND", tuple(filters.parse(s, strict=False) for s in sources))


def _test(record: Mapping[str, Any], known: frozenset[str]):
    """How one record meets a condition; unknown fields are left out (None)."""

    def test(condition: filters.Condition) -> bool | None:
        name = condition.name.upper()
        if name == "NAME_SEARCH":
            haystack = " ".join(
                filters.text(record.get(key))
                for key in ("NAME", "LAST_NAME", "EMAIL", "WORK_POSITION")
            ).lower()
            return all(word in haystack for word in filters.text(condition.value).lower().split())
        if name not in known:
            return None
        wanted = [to_flag(v) for v in condition.values] if name == "ACTIVE" else None
        # a known field a record lacks (the root's PARENT) is empty
        return filters.holds(condition, record.get(name), wanted)

    return test


def _select(
    records: list[dict], known: frozenset[str], params: Mapping[str, Any], default_sort: str
) -> list[dict]:
    tree = _filter(params)
    chosen = [r for r in records if filters.matches(tree, _test(r, known))]
    sort = filters.text(params.get("SORT") or default_sort).upper()
    if sort not in known:
        sort = default_sort
    descending = filters.text(params.get("ORDER")).upper() == "DESC"

    def key(record):
        value = record.get(sort)
        number = to_int(value)
        return (0, number, "") if number is not None else (1, 0, filters.text(value).lower())

    return sorted(chosen, key=key, reverse=descending)


# -- methods ------------------------------------------------------------------------------------


def user_current(caller: Caller, params: dict[str, Any]) -> Any:
    return user_json(caller.user)


def user_get(caller: Caller, params: dict[str, Any]) -> Result:
    params = upper_keys(params)
    records = [user_json(user) for user in caller.store.users()]
    chosen = _select(records, USER_FIELDS, params, "ID")
    return page_of(chosen, page_start({"start": params.get("START")}))


def user_search(caller: Caller, params: dict[str, Any]) -> Result:
    """``user.get`` whose ``FILTER.FIND`` searches name, last name, e-mail and position
    (api-reference/user/user-search.md)."""
    params = upper_keys(params)
    conditions = upper_keys(as_map(params.get("FILTER")) or {})
    if "FIND" in conditions:
        params["FILTER"] = {"NAME_SEARCH": conditions["FIND"]}
    return user_get(caller, params)


def user_fields(caller: Caller, params: dict[str, Any]) -> Any:
    return dict(USER_FIELD_TITLES)


def department_get(caller: Caller, params: dict[str, Any]) -> Result:
    """``sort``/``order`` order the list; the other fields filter it, among them ``SORT``
    (the sort index: a number, where ``sort`` names a field; departments/department-get.md)."""
    params = upper_keys(params)
    if to_int(params.get("SORT")) is not None:
        conditions = as_map(params.get("FILTER")) or {}
        params = {**params, "FILTER": {**conditions, "SORT": params["SORT"]}, "SORT": "ID"}
    rows = caller.store.fetch("SELECT * FROM departments ORDER BY id")
    records = [department_json(row) for row in rows]
    chosen = _select(records, DEPARTMENT_FIELDS, params, "ID")
    return page_of(chosen, page_start({"start": params.get("START")}))


def profile(caller: Caller, params: dict[str, Any]) -> Any:
    """The caller's basics; PERSONAL_PHOTO is sent only for a photo, and the seeded people
    have none (api-reference/common/users/profile.md)."""
    user = caller.user
    return {
        "ID": str(user.id),
        "ADMIN": caller.is_admin,
        "NAME": user.name,
        "LAST_NAME": user.last_name,
        "PERSONAL_GENDER": user.profile.get("gender", ""),
        "TIME_ZONE": "",
        "TIME_ZONE_OFFSET": PORTAL_OFFSET_SECONDS,
    }


METHODS: dict[str, Callable[[Caller, dict[str, Any]], Any]] = {
    "user.current": user_current,
    "user.get": user_get,
    "user.search": user_search,
    "user.fields": user_fields,
    "department.get": department_get,
    "profile": profile,
}
