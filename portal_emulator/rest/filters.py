"""The portal's filter language: parsed once, then compiled to SQL or evaluated in Python.

A filter is a PHP array. A key is a field name with an optional operator prefix, its value
what to compare with (a list: any of them); a numeric key holds a sub-filter; ``LOGIC``
(any case) says how the siblings combine: ``AND`` (the default) or ``OR``.

=====================  ==============  ======  ===============================================
prefix                 ``Condition``   negate  matches when the field's value…
=====================  ==============  ======  ===============================================
(none), ``=``, ``@``   ``=``           no      equals the value (a list: one of them)
``!``, ``!=``, ``!@``  ``=``           yes     is none of them (an empty field counts)
``>`` ``>=`` ``<``     the same        no      compares so with the value (the first of a list)
``<=``
``%``                  ``%``           no      contains the text, any case (wildcards literal)
``!%``                 ``%``           yes     does not contain it
``=%``, ``%=``         ``like``        no      is LIKE the text, its own ``%``/``_`` wildcards
``!=%``, ``!%=``       ``like``        yes     is not LIKE it
=====================  ==============  ======  ===============================================

:func:`parse` builds the tree (:class:`Group` of :class:`Condition` and :class:`Group`);
:func:`to_sql` compiles it to a parameterised WHERE clause (values are never spliced into the
text) for the CRM lists; :func:`matches` with :func:`holds` evaluates it over JSON records
for the small directory lists. What a field name means is the caller's business: both take
a function that looks a condition's field up (and may refuse or ignore it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Union

from .core import as_list, as_map, is_blank, to_int

_PREFIX = re.compile(r"(>=|<=|!=%|!%=|=%|%=|!%|!@|!=|@|>|<|=|%|!)?(.*)\Z", re.S)
# prefix -> (operator, negate)
_OPERATORS = {
    "": ("=", False),
    "=": ("=", False),
    "@": ("=", False),
    "!": ("=", True),
    "!=": ("=", True),
    "!@": ("=", True),
    ">": (">", False),
    ">=": (">=", False),
    "<": ("<", False),
    "<=": ("<=", False),
    "%": ("%", False),
    "!%": ("%", True),
    "=%": ("like", False),
    "%=": ("like", False),
    "!=%": ("like", True),
    "!%=": ("like", True),
}
COMPARISONS = frozenset({">", ">=", "<", "<="})
_SCALARS = (str, int, float)


class FilterError(ValueError):
    """A filter that cannot be read (a numeric key that holds no sub-filter)."""


@dataclass(frozen=True)
class Condition:
    """One ``key: value`` pair: ``>=ID: 5`` is ``Condition("ID", ">=", False, 5)``."""

    name: str  # the field name as written, without the prefix
    op: str  # "=", ">", ">=", "<", "<=", "%" or "like"
    negate: bool
    value: Any

    @property
    def many(self) -> bool:
        """Whether the value is a list (``=``: any of; ``!``: none of)."""
        return isinstance(self.value, Mapping | list | tuple)

    @property
    def values(self) -> list[Any]:
        return as_list(self.value) if self.many else [self.value]


@dataclass(frozen=True)
class Group:
    """Conditions and sub-groups combined with ``logic`` ("AND" or "OR")."""

    logic: str
    items: tuple[Node, ...]


Node = Union[Condition, Group]  # noqa: UP007 - a runtime alias; `|` needs both classes defined


def parse_key(key: str) -> tuple[str, bool, str]:
    """``"!@stageId"`` -> ``("=", True, "stageId")``."""
    prefix, name = _PREFIX.match(key).groups()
    operator, negate = _OPERATORS[prefix or ""]
    return operator, negate, name


def parse(filter_map: Mapping[str, Any], *, strict: bool = True) -> Group:
    """The tree of a filter. A numeric key must hold a sub-filter: :class:`FilterError`
    when ``strict``, otherwise it is read as a field of that name (which nobody knows)."""
    logic = "AND"
    items: list[Node] = []
    for raw_key, value in filter_map.items():
        key = str(raw_key)
        if key.upper() == "LOGIC":
            logic = "OR" if str(value).strip().upper() == "OR" else "AND"
            continue
        if key.isdigit():
            group = as_map(value)
            if group is not None:
                items.append(parse(group, strict=strict))
                continue
            if strict:
                raise FilterError(f"Invalid filter: field '{key}' is not allowed in filter")
        operator, negate, name = parse_key(key)
        items.append(Condition(name, operator, negate, value))
    return Group(logic, tuple(items))


def conditions(node: Node) -> list[Condition]:
    """Every condition of a tree, in order."""
    if isinstance(node, Condition):
        return [node]
    return [leaf for item in node.items for leaf in conditions(item)]


# -- SQL ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A filter field as SQL sees it.

    ``sql`` is a column name from the data model (never client input); ``stored`` turns a
    filter value into the column's representation (None when it cannot be one); ``invalid``
    makes the error for such a value; ``nocase`` compares text without case (as MySQL does).
    """

    sql: str
    stored: Callable[[Any], Any]
    invalid: Callable[[], Exception]
    nocase: bool = False


def to_sql(node: Node, column: Callable[[Condition], Column | None]) -> tuple[str, list[Any]]:
    """A WHERE clause (``1`` when empty) and its parameters. ``column(condition)`` looks the
    field up: a :class:`Column`, None to ignore the condition, or it raises."""
    if isinstance(node, Condition):
        node = Group("AND", (node,))
    clauses, params = [], []
    for item in node.items:
        if isinstance(item, Group):
            sql, item_params = to_sql(item, column)
            sql = f"({sql})"
        else:
            target = column(item)
            if target is None:
                continue
            sql, item_params = _condition_sql(item, target)
        clauses.append(sql)
        params += item_params
    if not clauses:
        return "1", []
    return f" {node.logic} ".join(clauses), params


def _condition_sql(cond: Condition, target: Column) -> tuple[str, list[Any]]:
    column = target.sql
    nocase = " COLLATE NOCASE" if target.nocase else ""

    if cond.op in ("%", "like"):
        patterns = [_pattern(_scalar_text(v, target), cond.op) for v in cond.values]
        if not patterns:
            return "1", []
        if cond.negate:
            sql = " AND ".join(f"CAST({column} AS TEXT) NOT LIKE ? ESCAPE '\\'" for _ in patterns)
            return f"({column} IS NULL OR ({sql}))", patterns
        sql = " OR ".join(f"CAST({column} AS TEXT) LIKE ? ESCAPE '\\'" for _ in patterns)
        return f"({sql})", patterns

    if cond.op in COMPARISONS:
        if not cond.values:
            raise target.invalid()
        return f"{column}{nocase} {cond.op} ?", [_stored(cond.values[0], target)]

    if not cond.many and is_blank(cond.value):  # "empty": NULL or ''
        if cond.negate:
            return f"({column} IS NOT NULL AND {column} <> '')", []
        return f"({column} IS NULL OR {column} = '')", []
    stored = [_stored(v, target) for v in cond.values]
    if not stored:
        return ("1" if cond.negate else "0"), []
    marks = ", ".join("?" * len(stored))
    if cond.negate:
        return f"({column} IS NULL OR {column}{nocase} NOT IN ({marks}))", stored
    return f"{column}{nocase} IN ({marks})", stored


def _stored(value: Any, target: Column) -> Any:
    stored = target.stored(value)
    if stored is None:
        raise target.invalid()
    return stored


def _scalar_text(value: Any, target: Column) -> str:
    if not isinstance(value, _SCALARS) or isinstance(value, bool):
        raise target.invalid()
    return str(value)


def _pattern(text: str, op: str) -> str:
    if op == "%":
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"%{escaped}%"
    return text  # the caller's own % wildcards


# -- Python ------------------------------------------------------------------------------------


def matches(node: Node, test: Callable[[Condition], bool | None]) -> bool:
    """Whether a record passes the tree; ``test(condition)`` decides one condition for it
    (usually with :func:`holds`), None leaves the condition out (as :func:`to_sql` does). A
    group with nothing left passes, as ``1`` does in SQL."""
    return _verdict(Group("AND", (node,)) if isinstance(node, Condition) else node, test)


def _verdict(group: Group, test: Callable[[Condition], bool | None]) -> bool:
    results = (
        _verdict(item, test) if isinstance(item, Group) else test(item) for item in group.items
    )
    decided = [result for result in results if result is not None]
    if not decided:
        return True
    return any(decided) if group.logic == "OR" else all(decided)


def holds(cond: Condition, actual: Any, wanted: list[Any] | None = None) -> bool:
    """Whether a record's value ``actual`` satisfies ``cond`` (``wanted``: its values when
    the caller converted them). Numbers compare as numbers, text without case; a list value
    (several departments) matches when any element equals one wanted value; in ``=`` a text
    value with ``%`` is a LIKE pattern, as the classic directory filters read it."""
    wanted = cond.values if wanted is None else wanted
    if isinstance(actual, list):
        hit = any(compare(a, w) == 0 for a in actual for w in wanted)
    elif cond.op == "%":
        hit = any(text(w).lower() in text(actual).lower() for w in wanted)
    elif cond.op == "like":
        hit = any(like(text(w), text(actual)) for w in wanted)
    elif cond.op in COMPARISONS:
        if not wanted:
            return False
        order = compare(actual, wanted[0])
        hit = {">": order > 0, ">=": order >= 0, "<": order < 0, "<=": order <= 0}[cond.op]
    else:
        hit = any(
            like(w, text(actual)) if isinstance(w, str) and "%" in w else compare(actual, w) == 0
            for w in wanted
        )
    return hit != cond.negate


def text(value: Any) -> str:
    """A value as the portal compares text: booleans are Y/N, None is empty."""
    if isinstance(value, bool):
        return "Y" if value else "N"
    return "" if value is None else str(value)


def like(pattern: str, value: str) -> bool:
    """SQL LIKE without case: ``%`` any run, ``_`` one character."""
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.I | re.S) is not None


def compare(left: Any, right: Any) -> int:
    """-1/0/1: numbers as numbers when both are whole numbers, otherwise text without case."""
    left_number, right_number = to_int(left), to_int(right)
    if left_number is None or right_number is None:
        left_text, right_text = text(left).lower(), text(right).lower()
        return (left_text > right_text) - (left_text < right_text)
    return (left_number > right_number) - (left_number < right_number)


def order_key(value: Any) -> tuple[int, int, str]:
    """How a list orders a value: whole numbers as numbers, before text without case."""
    number = to_int(value)
    return (0, number, "") if number is not None else (1, 0, text(value).lower())
