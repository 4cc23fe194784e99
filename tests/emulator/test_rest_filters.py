"""The portal filter language on its own: parsing, the SQL compiler, the Python evaluator."""

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal_emulator.rest import filters
from portal_emulator.rest.core import to_int
from portal_emulator.rest.filters import Column, Condition, FilterError, Group


@pytest.mark.parametrize(
    ("key", "parsed"),
    [
        ("ID", ("=", False, "ID")),
        ("=stageId", ("=", False, "stageId")),
        ("@stageId", ("=", False, "stageId")),
        ("!stageId", ("=", True, "stageId")),
        ("!=stageId", ("=", True, "stageId")),
        ("!@stageId", ("=", True, "stageId")),
        (">ID", (">", False, "ID")),
        (">=id", (">=", False, "id")),
        ("<ID", ("<", False, "ID")),
        ("<=ID", ("<=", False, "ID")),
        ("%title", ("%", False, "title")),
        ("!%title", ("%", True, "title")),
        ("=%title", ("like", False, "title")),
        ("%=title", ("like", False, "title")),
        ("!=%title", ("like", True, "title")),
        ("!%=title", ("like", True, "title")),
        ("", ("=", False, "")),
    ],
)
def test_parse_key(key, parsed):
    assert filters.parse_key(key) == parsed


def test_parse_builds_groups_with_logic():
    tree = filters.parse(
        {">=ID": 5, "0": {"logic": "or", "stageId": "WON", "1": {"!%title": "x"}}, "LOGIC": "AND"}
    )
    assert tree == Group(
        "AND",
        (
            Condition("ID", ">=", False, 5),
            Group(
                "OR",
                (
                    Condition("stageId", "=", False, "WON"),
                    Group("AND", (Condition("title", "%", True, "x"),)),
                ),
            ),
        ),
    )
    assert [c.name for c in filters.conditions(tree)] == ["ID", "stageId", "title"]


def test_a_numeric_key_must_hold_a_sub_filter():
    with pytest.raises(FilterError, match="field '0' is not allowed"):
        filters.parse({"0": "x"})
    assert filters.parse({"0": "x"}, strict=False) == Group(
        "AND", (Condition("0", "=", False, "x"),)
    )


def test_a_list_value_means_any_of():
    condition = filters.parse({"@ID": {"0": 1, "1": 2}}).items[0]
    assert condition.many and condition.values == [1, 2]
    assert not filters.parse({"ID": 1}).items[0].many


# -- SQL ------------------------------------------------------------------------------------------


class Refused(Exception):
    pass


def columns(condition):
    """A test table t(id INTEGER, word TEXT); other names are ignored."""
    if condition.name.lower() == "id":
        return Column("id", to_int, Refused)
    if condition.name.lower() == "word":
        return Column("word", lambda v: None if v is None else str(v), Refused, nocase=True)
    return None


def test_sql_is_parameterised():
    hostile = "x'); DROP TABLE t; --"
    sql, params = filters.to_sql(
        filters.parse({"word": hostile, "%word": hostile, ">id": "7", "nothing": hostile}),
        columns,
    )
    assert hostile not in sql and "DROP" not in sql
    assert params == [hostile, "%x'); DROP TABLE t; --%", 7]
    assert sql == (
        "word COLLATE NOCASE IN (?) AND (CAST(word AS TEXT) LIKE ? ESCAPE '\\') AND id > ?"
    )


@pytest.mark.parametrize(
    ("filter_", "sql", "params"),
    [
        ({}, "1", []),
        ({"unknown": 1}, "1", []),
        ({"id": [1, 2]}, "id IN (?, ?)", [1, 2]),
        ({"!id": [1]}, "(id IS NULL OR id NOT IN (?))", [1]),
        ({"id": []}, "0", []),
        ({"!id": []}, "1", []),
        ({"word": ""}, "(word IS NULL OR word = '')", []),
        ({"!word": ""}, "(word IS NOT NULL AND word <> '')", []),
        ({"%word": "50%_off"}, "(CAST(word AS TEXT) LIKE ? ESCAPE '\\')", ["%50\\%\\_off%"]),
        ({"=%word": "50%"}, "(CAST(word AS TEXT) LIKE ? ESCAPE '\\')", ["50%"]),
        (
            {"!%word": ["a", "b"]},
            "(word IS NULL OR (CAST(word AS TEXT) NOT LIKE ? ESCAPE '\\' AND "
            "CAST(word AS TEXT) NOT LIKE ? ESCAPE '\\'))",
            ["%a%", "%b%"],
        ),
        (
            {"LOGIC": "OR", "id": 1, "0": {"<id": 3, ">id": 1}},
            "id IN (?) OR (id < ? AND id > ?)",
            [1, 3, 1],
        ),
    ],
)
def test_sql_of_each_operator(filter_, sql, params):
    assert filters.to_sql(filters.parse(filter_), columns) == (sql, params)


@pytest.mark.parametrize("filter_", [{">id": "abc"}, {">id": []}, {"%word": {"0": {}}}])
def test_sql_refuses_values_a_column_cannot_hold(filter_):
    with pytest.raises(Refused):
        filters.to_sql(filters.parse(filter_), columns)


# -- Python ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filter_", "record", "expected"),
    [
        ({"ID": 5}, {"ID": "5"}, True),
        ({"ID": [3, 4]}, {"ID": "5"}, False),
        ({"!ID": [3, 4]}, {"ID": "5"}, True),
        ({">ID": 10}, {"ID": "9"}, False),  # numbers compare as numbers, not as text
        ({"<=ID": "10"}, {"ID": "9"}, True),
        ({"NAME": "al%"}, {"NAME": "Alex"}, True),  # a % in an equality is a wildcard
        ({"NAME": "alex"}, {"NAME": "Alex"}, True),
        ({"%POSITION": "HEAD"}, {"POSITION": "Head of Sales"}, True),
        ({"!%POSITION": "head"}, {"POSITION": "Head of Sales"}, False),
        ({"=%NAME": "A_ex"}, {"NAME": "alex"}, True),
        ({"DEPARTMENT": 4}, {"DEPARTMENT": [1, 4]}, True),
        ({"!DEPARTMENT": 4}, {"DEPARTMENT": [1, 4]}, False),
        ({"ACTIVE": "Y"}, {"ACTIVE": True}, True),
        ({"PARENT": ""}, {}, True),
        ({"LOGIC": "OR", "ID": 1, "NAME": "alex"}, {"ID": "2", "NAME": "Alex"}, True),
        ({"LOGIC": "OR", "ID": 1, "UNKNOWN": "x"}, {"ID": "2"}, False),  # UNKNOWN is left out
        ({"UNKNOWN": "x"}, {"ID": "2"}, True),
    ],
)
def test_python_evaluation(filter_, record, expected):
    def test(condition):
        if condition.name == "UNKNOWN":
            return None
        return filters.holds(condition, record.get(condition.name))

    assert filters.matches(filters.parse(filter_), test) is expected


# -- the two agree --------------------------------------------------------------------------------

ROWS = [(i, word) for i, word in enumerate(["apple", "Banana", "cherry", "", "date", "apple"], 1)]
_keys = st.sampled_from(["", "=", "!", "!=", "@", "!@", ">", ">=", "<", "<=", "%", "!%"])
_values = st.one_of(
    st.integers(min_value=-1, max_value=8),
    st.sampled_from(["apple", "APPLE", "an", "b", "zz", "Cherry"]),
)
_leaf = st.tuples(_keys, st.sampled_from(["id", "word"]), _values)


def _readable(_prefix, name, value):
    """Values both sides read alike: ids are numbers, words are letters."""
    return isinstance(value, int) if name == "id" else isinstance(value, str)


@given(st.lists(_leaf, min_size=1, max_size=4), st.sampled_from(["AND", "OR"]))
def test_sql_and_python_agree(leaves, logic):
    leaves = [leaf for leaf in leaves if _readable(*leaf)]
    filter_ = {"LOGIC": logic, **{str(n): {p + name: v} for n, (p, name, v) in enumerate(leaves)}}
    tree = filters.parse(filter_)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (id INTEGER, word TEXT)")
    db.executemany("INSERT INTO t VALUES (?, ?)", ROWS)
    sql, params = filters.to_sql(tree, columns)
    by_sql = [row[0] for row in db.execute(f"SELECT id FROM t WHERE {sql} ORDER BY id", params)]
    records = [{"id": i, "word": word} for i, word in ROWS]
    by_python = [
        r["id"]
        for r in records
        if filters.matches(tree, lambda c, r=r: filters.holds(c, r[c.name]))
    ]
    assert by_sql == by_python, (filter_, sql, params)
