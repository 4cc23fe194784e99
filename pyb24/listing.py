"""Every item of a list method, in as few requests as the portal allows. Pure planning.

List methods return 50 rows a page (PROTOCOL.md §5.5). Paging with ``next()`` costs one
request per 50 rows; pyb24 packs pages into ``batch`` requests instead, two ways:

* **ID cursor** (``strategy="cursor"``): order by the id field, ask with ``start=-1`` (no
  COUNT) and filter ``>ID`` (``<ID`` when descending) on the last id seen. One ``batch`` of
  50 commands chains the cursor through ``$result[c0][49][ID]``, so one request brings up to
  2 500 rows. Rows added or deleted meanwhile cannot shift the pages: every item that exists
  throughout is listed exactly once.
* **Offset pages** (``strategy="offset"``): the first page tells the total; the other pages
  (``start=50, 100, …``) go 50 to a ``batch``. Needed when the caller orders by something
  other than the id; rows are de-duplicated by id, but rows deleted while the listing runs
  can shift an item past a page boundary — prefer the cursor for changing sets.

``strategy="auto"`` (the default) takes the cursor when the order allows it (no ``order``, or
an order on the id field only) and offsets otherwise. The first request is always a counted
page, so progress reports know the total.

Method shapes: plain lists (``crm.deal.list``, ``user.get``, ``department.get``) and wrapped
ones (``crm.item.list`` → ``{"items": […]}``, ``tasks.task.list`` → ``{"tasks": […]}``), with
the id in ``ID`` or ``id``. ``select`` gets the id field added when it lacks it (the cursor
needs it; it stays in the rows).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .phparray import as_list

log = logging.getLogger("pyb24.list")

PAGE = 50
Strategy = Literal["auto", "cursor", "offset"]


@dataclass(frozen=True)
class Shape:
    """How one list method answers: where the rows are, which field is the id, and what the
    filter/order call that field (``tasks.task.list`` answers ``id`` but filters on ``ID``)."""

    items_key: str | None = None  # None: the result is the list itself
    id_key: str = "ID"
    cursor_key: str | None = None  # the id's name in filter/order; None: same as id_key
    cursor: bool = True  # the method filters on ``>ID`` and orders by ID

    @property
    def filter_key(self) -> str:
        return self.cursor_key or self.id_key


SHAPES: dict[str, Shape] = {
    "crm.item.list": Shape(items_key="items", id_key="id"),
    "tasks.task.list": Shape(items_key="tasks", id_key="id", cursor_key="ID"),
    "crm.type.list": Shape(items_key="types", id_key="id"),
    "user.get": Shape(cursor=False),  # sort/order strings, no >ID filter
    "department.get": Shape(cursor=False),
}


def shape_of(method: str, items_key: str | None = None, id_key: str | None = None) -> Shape:
    """The method's shape, from the table above (by default ``ID`` and a plain list), with
    the caller's overrides."""
    shape = SHAPES.get(method.lower(), Shape())
    if items_key is not None or id_key is not None:
        shape = Shape(
            items_key=items_key if items_key is not None else shape.items_key,
            id_key=id_key or shape.id_key,
            cursor_key=shape.cursor_key if id_key is None else None,
            cursor=shape.cursor,
        )
    return shape


def rows_of(result: Any, shape: Shape, method: str = "the method") -> list[Any]:
    """The rows of one page's ``result``: the list itself or ``result[items_key]``; a dict
    with one list in it is read as wrapped too (PHP may send a list as ``{"0": …}``).

    ``ValueError`` when the result holds no list there: ``items_key`` absent from it, or one
    object (``user.current``) whose values are no rows."""
    if shape.items_key is not None and result:
        if not isinstance(result, Mapping) or shape.items_key not in result:
            raise ValueError(
                f"{method}: items_key={shape.items_key!r} is not in the answer; its result "
                f"holds {_what(result)}"
            )
        result = result[shape.items_key]
    elif isinstance(result, Mapping) and len(result) == 1:
        key, value = next(iter(result.items()))
        if isinstance(value, list | Mapping) and not str(key).isdigit():
            result = value
    if isinstance(result, Mapping) and not all(str(key).isdigit() for key in result):
        raise ValueError(
            f"{method} does not answer a list: its result is one object with {_what(result)}; "
            "use BX24.call() for it, or items_key= to name the key that holds the rows"
        )
    if result and not isinstance(result, list | Mapping):
        raise ValueError(f"{method} does not answer a list: its result is {_what(result)}")
    return as_list(result)


def _what(result: Any) -> str:
    """What a result holds, for an error message: its keys or its type, never its values."""
    if isinstance(result, Mapping):
        keys = [str(key) for key in result][:10]
        more = ", …" if len(result) > 10 else ""
        return f"the keys {', '.join(keys)}{more}" if keys else "no keys"
    return f"a list of {len(result)}" if isinstance(result, list) else type(result).__name__


def id_of(row: Any, shape: Shape) -> int | None:
    value = row.get(shape.id_key) if isinstance(row, Mapping) else None
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


@dataclass
class Plan:
    """A listing's request parameters, prepared once."""

    method: str
    params: dict[str, Any]  # the caller's params, filter merged, select and order fixed
    shape: Shape
    strategy: Literal["cursor", "offset"]
    descending: bool = False
    floor: int | None = None  # cursor start (exclusive) from the caller's own >ID filter

    @property
    def cursor_operator(self) -> str:
        return f"{'<' if self.descending else '>'}{self.shape.filter_key}"

    def first_page(self) -> dict[str, Any]:
        """The counted first page (``start=0``), within the cursor's bounds."""
        params = dict(self.params)
        if self.strategy == "cursor" and self.floor is not None:
            params["filter"] = {**params.get("filter", {}), self.cursor_operator: self.floor}
        params["start"] = 0
        return params

    def cursor_commands(self, last_id: int, count: int) -> dict[str, list[Any]]:
        """``count`` chained cursor pages after ``last_id``: ``c0`` filters on the value,
        ``c1``… on ``$result[c<k-1>]``'s 50th row (``…[items][49][id]`` when wrapped)."""
        path = f"[{self.shape.items_key}]" if self.shape.items_key else ""
        path += f"[{PAGE - 1}][{self.shape.id_key}]"
        commands: dict[str, list[Any]] = {}
        for k in range(count):
            after: Any = last_id if k == 0 else f"$result[c{k - 1}]{path}"
            filter_ = {**self.params.get("filter", {}), self.cursor_operator: after}
            commands[f"c{k}"] = [self.method, {**self.params, "filter": filter_, "start": -1}]
        return commands

    def offset_commands(self, offsets: list[int]) -> dict[str, list[Any]]:
        return {f"p{start}": [self.method, {**self.params, "start": start}] for start in offsets}


def _id_field(name: Any, shape: Shape) -> bool:
    return str(name).upper() in (shape.id_key.upper(), shape.filter_key.upper())


def plan(
    method: str, params: Mapping[str, Any] | None, shape: Shape, strategy: Strategy = "auto"
) -> Plan:
    """Prepare a listing: merge ``filter``/``FILTER``, add the id to ``select``, choose the
    strategy and the cursor's direction. Raises ``ValueError`` when the cursor is forced
    where it cannot work."""
    params = dict(params or {})
    params.pop("start", None)  # pyb24 pages; a caller's start would repeat rows
    if "filter" in params and "FILTER" in params:
        log.warning(
            "%s: both 'filter' and 'FILTER' given; using 'filter' and adding FILTER's keys "
            "it lacks",
            method,
        )
    filter_ = {**dict(params.pop("FILTER", None) or {}), **dict(params.pop("filter", None) or {})}
    if filter_:
        params["filter"] = filter_
    select = params.get("select")
    if isinstance(select, list | tuple) and select and "*" not in select:
        if not any(_id_field(field, shape) for field in select):
            params["select"] = [*select, shape.id_key]
    order = params.get("order")
    order_on_id = order is None or (
        isinstance(order, Mapping) and len(order) == 1 and _id_field(next(iter(order)), shape)
    )
    descending = bool(
        isinstance(order, Mapping)
        and order_on_id
        and str(next(iter(order.values()))).upper() == "DESC"
    )
    can_cursor = shape.cursor and order_on_id
    if strategy == "cursor" and not can_cursor:
        why = "orders by something else than the id" if shape.cursor else "has no ID filter"
        raise ValueError(f"{method}: the ID cursor needs an order on the id only; this call {why}")
    if strategy not in ("auto", "cursor", "offset"):
        raise ValueError(f"strategy must be 'auto', 'cursor' or 'offset', not {strategy!r}")
    chosen: Literal["cursor", "offset"] = (
        "cursor" if strategy == "cursor" or (strategy == "auto" and can_cursor) else "offset"
    )
    floor = None
    if chosen == "cursor":
        params["order"] = {shape.filter_key: "DESC" if descending else "ASC"}
        floor = _caller_bound(filter_, shape, descending)
    return Plan(method, params, shape, chosen, descending, floor)


def _caller_bound(filter_: dict[str, Any], shape: Shape, descending: bool) -> int | None:
    """Pull the caller's own ``>ID``/``>=ID`` (``<ID``/``<=ID`` when descending) out of the
    filter: the cursor replaces it, starting from the same place."""
    strict, inclusive = ("<", "<=") if descending else (">", ">=")
    bound = None
    for key in list(filter_):
        op = next((o for o in (inclusive, strict) if key.startswith(o)), None)
        if op is None or not _id_field(key[len(op) :], shape):
            continue
        try:
            value = int(filter_.pop(key))
        except (TypeError, ValueError):
            raise ValueError(f"filter {key!r} must be a number for the ID cursor") from None
        if op == inclusive:
            value = value + 1 if descending else value - 1
        if bound is None or (value < bound if descending else value > bound):
            bound = value
    return bound


def advanced(previous: int | None, current: int | None, descending: bool) -> bool:
    """Whether the cursor moved on (strictly), so the next page is not the same again."""
    if current is None:
        return False
    if previous is None:
        return True
    return current < previous if descending else current > previous
