"""What every REST method shares: errors, results, the caller, parameter readers, paging.

Parameters arrive two ways: from a form body (PHP arrays: dicts with string keys, every
scalar a string) or from a JSON body (real lists, numbers, booleans, null). The readers here
accept both, so each method is written once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..model.timefmt import iso

if TYPE_CHECKING:
    from ..store import Store, User

PAGE_SIZE = 50
APP_CODE = "local.pyb24"  # the emulated app's code (app.info CODE; keys its storage, placements)
SCOPES = ("basic", "crm", "department", "entity", "im", "placement", "task", "user")  # the app's
# What the portal lists as the app's scopes (``scope``, APPLICATION_SCOPE): basic is no scope
# it names (api-reference/common/system/scope.md).
APP_SCOPES = tuple(name for name in SCOPES if name != "basic")


class RestError(Exception):
    """A REST error answer ``{"error": code, "error_description": text}`` (plus ``extra``).

    ``code`` is usually a string; D7 controllers (``crm.item.*``) answer some errors with
    the number 100, and classic CRM methods with an empty string — as the portal does.
    """

    def __init__(self, status: int, code: str | int, description: str = "", **extra: Any) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description
        self.extra = extra

    def payload(self) -> dict[str, Any]:
        return {"error": self.code, "error_description": self.description, **self.extra}


@dataclass
class Result:
    """A method's answer: ``result`` plus, for list methods, ``total``/``next``.

    ``root`` holds extra top-level keys (app.option.get puts options named "next"/"total"
    there, as the portal does).
    """

    value: Any
    total: int | None = None
    next: int | None = None
    root: dict[str, Any] = field(default_factory=dict)
    time: dict[str, Any] | None = None  # the time block, set by the emulator


@dataclass
class Caller:
    """Who calls: the token's user, the admin flag of their app frame, the store."""

    store: Store
    user: User
    is_admin: bool
    app_sid: str
    strict_fields: bool = True
    # Called with the entity type id after each CRM list page is read (the churn knob).
    listed: Callable[[int], None] = field(default=lambda entity_type_id: None)


# -- what a method's parameters name ------------------------------------------------------------

MethodT = Callable[..., Any]


def one_record(*keys: str) -> Callable[[MethodT], MethodT]:
    """Marks a method that reads, changes or deletes one existing record, named by the
    parameters ``keys`` as its docs page spells them, outermost first (``crm.item.get``:
    ``("entityTypeId", "id")``). The method table's tests send each key naming nothing and
    expect the page's not-found answer, so a new method marked here is covered at once."""

    def mark(method: MethodT) -> MethodT:
        method.record_keys = keys  # type: ignore[attr-defined]
        return method

    return mark


def in_record(*keys: str) -> Callable[[MethodT], MethodT]:
    """Marks a method that lists or adds inside one existing record (a smart process type, a
    storage, a deal), named by the parameters ``keys``: covered by the same tests as
    :func:`one_record` (a key naming nothing is the page's not-found answer)."""
    return one_record(*keys)


def record_keys(method: Any) -> tuple[str, ...]:
    """The parameters naming the record ``method`` acts on or in (:func:`one_record`,
    :func:`in_record`); ``()`` for every other method. Sees through ``functools.partial`` (a
    table family)."""
    while isinstance(method, functools.partial):
        method = method.func
    keys: tuple[str, ...] = getattr(method, "record_keys", ())
    return keys


# -- the time block ---------------------------------------------------------------------------


def time_block(
    start: float, finish: float, processing: float, operating: float, reset_at: int
) -> dict[str, Any]:
    """The ``time`` block: ``operating`` is what the method used in the current window,
    ``reset_at`` when its oldest minute leaves it (PROTOCOL.md §5.4, §5.9)."""
    return {
        "start": round(start, 6),
        "finish": round(finish, 6),
        "duration": finish - start,
        "processing": processing,
        "date_start": iso(start),
        "date_finish": iso(finish),
        "operating_reset_at": reset_at,
        "operating": round(operating, 6),
    }


# -- parameter readers ------------------------------------------------------------------------

_INT_TEXT = re.compile(r"\s*[+-]?\d+\s*\Z")


def is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


PHP_INT_MAX = 2**63 - 1  # the portal's integers (and SQLite's) are 64-bit
PHP_INT_MIN = -(2**63)


def to_int(value: Any) -> int | None:
    """An integer from an int, an integral float, or decimal text; None when it is not one
    or does not fit the portal's 64-bit integers."""
    number = _to_int(value)
    return number if number is not None and PHP_INT_MIN <= number <= PHP_INT_MAX else None


def _to_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT_TEXT.match(value):
        return int(value)
    return None


def to_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if number == number and abs(number) != float("inf") else None
    return None


def php_intval(value: Any) -> int:
    """PHP ``intval``: leading digits of text, 0 for anything unreadable; saturated at
    PHP_INT_MIN/PHP_INT_MAX as PHP does for numbers too big for 64 bits."""
    return min(max(_php_intval(value), PHP_INT_MIN), PHP_INT_MAX)


def _php_intval(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value == value and abs(value) != float("inf") else 0
    if isinstance(value, str):
        match = re.match(r"\s*[+-]?\d+", value)
        return int(match.group()) if match else 0
    return 0


def to_flag(value: Any) -> bool:
    """A yes/no parameter: 1, "1", "Y", "true", true are yes."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "y", "yes", "true", "on")
    return bool(value) and not isinstance(value, dict | list)


def as_map(value: Any) -> dict[str, Any] | None:
    """A PHP array as a dict with string keys (a JSON list gets keys "0".."n-1"); ``""``
    (how BX24.js sends an empty list) and None are empty; None for a scalar."""
    if isinstance(value, Mapping):
        return {str(key): item for key, item in value.items()}
    if isinstance(value, list | tuple):
        return {str(index): item for index, item in enumerate(value)}
    if value is None or value == "":
        return {}
    return None


def as_list(value: Any) -> list[Any]:
    """The values of a PHP array in order; a scalar is a one-element list."""
    if isinstance(value, Mapping):
        return list(value.values())
    if isinstance(value, list | tuple):
        return list(value)
    if value is None or value == "":
        return []
    return [value]


def upper_keys(params: Mapping[str, Any]) -> dict[str, Any]:
    """Classic methods read their parameters case-insensitively (the portal upper-cases)."""
    return {str(key).upper(): value for key, value in params.items()}


def page_start(params: Mapping[str, Any]) -> int | None:
    """The ``start`` offset: -1 means "do not count" (returned as None), bad values are 0."""
    start = php_intval(params.get("start", 0))
    if start == -1:
        return None
    return max(start, 0)


def paged(rows: list[Any], total: int | None, start: int | None, wrap: str = "") -> Result:
    """A list answer: ``rows`` is one page already; total/next as the portal sends them.
    ``wrap`` names the key of newer methods' answers (``{"items": [...]}``)."""
    value = {wrap: rows} if wrap else rows
    if start is None:
        return Result(value)
    following = start + PAGE_SIZE
    return Result(value, total=total, next=following if following < (total or 0) else None)


def page_of(rows: list[Any], start: int | None) -> Result:
    """Page a fully materialised list."""
    offset = 0 if start is None else start
    return paged(rows[offset : offset + PAGE_SIZE], len(rows), start)
