"""The two rulebooks: JavaScript value semantics (jsvalues) and PHP array shapes (phparray)."""

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyb24.jsvalues import encode_uri_component, js_string, js_truthy, json_stringify
from pyb24.phparray import as_list, as_map, as_options


@given(st.text())
def test_encode_uri_component_is_javascripts(text):
    expected = quote(text.encode("utf-8", "surrogatepass"), safe="-_.!~*'()")
    assert encode_uri_component(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "true"),
        (False, "false"),
        (None, ""),
        (2.0, "2"),
        (1e21, "1e+21"),
        (7, "7"),
        ("x", "x"),
    ],
)
def test_js_string(value, expected):
    assert js_string(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [({}, True), ([], True), ("", False), ("0", True), (0, False), (0.0, False), (False, False)]
    + [(None, False), (1, True), (True, True)],
)
def test_js_truthy(value, expected):
    assert js_truthy(value) is expected


def test_json_stringify_is_compact_keeps_text_and_refuses_nan():
    assert json_stringify({"a": [1, "ж"]}) == '{"a":[1,"ж"]}'
    with pytest.raises(TypeError, match="JSON"):
        json_stringify(float("nan"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [({"a": 1}, {"a": 1}), ({1: "x"}, {"1": "x"}), ([], {}), (["a", "b"], {"0": "a", "1": "b"})]
    + [(None, {}), ("", {}), (5, {})],
)
def test_as_map(value, expected):
    assert as_map(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [('{"ID":"42"}', {"ID": "42"}), ("  ", {}), ("[1]", {"0": 1}), ("5", {}), ({"a": 1}, {"a": 1})],
)
def test_as_options(value, expected):
    assert as_options(value) == expected


def test_as_options_that_are_not_json_are_dropped_with_a_warning(caplog):
    assert as_options("{not json") == {}
    assert "not valid JSON" in caplog.text


def test_as_list_sorts_numeric_keys_numerically():
    assert as_list({"10": "c", "2": "b", "1": "a"}) == ["a", "b", "c"]
