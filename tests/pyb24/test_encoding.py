"""REST body encoding like BX24.js prepareData, with pyb24's choices (PROTOCOL.md §5.2)."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyb24.encoding import prepare_data, upload
from pyb24.jsvalues import js_number_text

UTC = dt.UTC


@pytest.mark.parametrize(
    ("params", "body"),
    [
        (None, ""),
        ({}, ""),
        ("id=1&x=y", "id=1&x=y"),  # a string is an already-encoded query
        ({"id": 42}, "id=42"),
        ({"a": True, "b": False}, "a=true&b=false"),
        ({"a": 1.5, "b": 2.0, "c": Decimal("3.10")}, "a=1.5&b=2&c=3.10"),
        ({"tiny": 5e-7, "huge": 1e21}, "tiny=5e-7&huge=1e%2B21"),
        ({"a": None, "b": 1}, "b=1"),  # None dropped like JS null
        ({"a": {}, "b": 1}, "b=1"),  # empty dict dropped
        ({"a": [], "b": 1}, "b=1&a="),  # empty list: key=
        ({"filter": {">ID": 5, "%NAME": "Ann"}}, "filter[%3EID]=5&filter[%25NAME]=Ann"),
        ({"select": ["ID", "TITLE"]}, "select[0]=ID&select[1]=TITLE"),
        ({"select": ("ID",)}, "select[0]=ID"),
        # scalars before nested values at each level, keys in insertion order otherwise
        ({"fields": {"TITLE": "x"}, "id": 1}, "id=1&fields[TITLE]=x"),
        ({"a": {"z": {"y": 1}, "x": 2}}, "a[x]=2&a[z][y]=1"),
        ({"q": "a b&c=d/é"}, "q=a%20b%26c%3Dd%2F%C3%A9"),
        ({"k": "-_.!~*'()"}, "k=-_.!~*'()"),  # what encodeURIComponent leaves alone
        ({"d": dt.date(2024, 5, 1)}, "d=2024-05-01"),
        (
            {"t": dt.datetime(2024, 5, 1, 10, 30, tzinfo=UTC), "id": 1},
            "id=1&t=2024-05-01T10%3A30%3A00%2B00%3A00",
        ),
        ({"file": upload("a.txt", b"hi")}, "file[0]=a.txt&file[1]=aGk%3D"),
        ({"list": [{"a": 1}, None, [], "x"]}, "list[3]=x&list[0][a]=1&list[2]="),
    ],
)
def test_prepare_data(params, body):
    assert prepare_data(params) == body


@pytest.mark.parametrize(
    ("number", "text"),  # what JavaScript's String(number) gives
    [
        (2.0, "2"), (-2.5, "-2.5"), (0.1, "0.1"), (0.0, "0"), (-0.0, "0"), (100.0, "100"),
        (1e20, "100000000000000000000"), (1.2345678901234568e20, "123456789012345680000"),
        (1e21, "1e+21"), (1.5e22, "1.5e+22"), (1e-6, "0.000001"), (1.5e-6, "0.0000015"),
        (1e-7, "1e-7"), (5e-7, "5e-7"), (-1.25e-9, "-1.25e-9"), (123.456, "123.456"),
        (float("nan"), "NaN"), (float("inf"), "Infinity"), (float("-inf"), "-Infinity"),
    ],
)  # fmt: skip
def test_js_number_text(number, text):
    assert js_number_text(number) == text


@pytest.mark.parametrize("bad", [{"a": object()}, {"a": {1, 2}}, {"a": float("nan")}])
def test_values_json_and_php_cannot_carry_are_refused(bad):
    with pytest.raises(TypeError):
        prepare_data(bad)


# -- property: the emulator's PHP parse_str reads back what was meant ----------------------


def php_view(value):
    """What PHP sees after parse_str: strings everywhere, lists as maps with string keys,
    None and empty maps absent, an empty list as ''."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        value = dict(enumerate(value))
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if item is None or item == {}:
                continue
            if item == []:
                out[str(key)] = ""
                continue
            seen = php_view(item)
            if seen != {}:
                out[str(key)] = seen
        return out
    raise AssertionError(value)


# Field names as REST uses them (filter operators included); PHP mangles ' ', '.' and '['
# in top-level names, which REST field names never contain.
keys = st.text(alphabet="ABCxyz_019%><=!-@Жё", min_size=1, max_size=6)
values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=10,
)


@given(params=st.dictionaries(keys, values, max_size=4))
def test_php_parse_str_reads_back_what_was_meant(params):
    from portal_emulator.rest.phpquery import parse_str

    assert parse_str(prepare_data(params)) == php_view(params)
