"""PHP's parse_str as the REST emulator reads bodies, and PHP arrays' JSON shape."""

import pytest

from portal_emulator.rest.phpquery import parse_str, php_array, php_value, url_decode

CASES = [
    # plain pairs
    ("", {}),
    ("a=1", {"a": "1"}),
    ("a=1&b=two", {"a": "1", "b": "two"}),
    ("a", {"a": ""}),
    ("a=", {"a": ""}),
    ("a=b=c", {"a": "b=c"}),
    ("a=1&&b=2&", {"a": "1", "b": "2"}),
    ("&a=1", {"a": "1"}),
    ("a=1&a=2", {"a": "2"}),
    # decoding
    ("q=a+b%20c", {"q": "a b c"}),
    ("q=%E2%82%AC%2B", {"q": "€+"}),
    ("q=100%", {"q": "100%"}),
    ("q=%zz%4", {"q": "%zz%4"}),
    ("q=caf%C3%A9&x=%00", {"q": "café", "x": "\x00"}),
    # top-level names: spaces and dots become _, leading spaces go, empty names are dropped
    ("a.b=1", {"a_b": "1"}),
    ("a+b=1", {"a_b": "1"}),
    ("%20%20a=1", {"a": "1"}),
    ("=1&[a]=2&%5Bb%5D=3", {}),
    ("a%00b=1", {"a": "1"}),
    # arrays
    ("a[]=x&a[]=y", {"a": {"0": "x", "1": "y"}}),
    ("a[0]=x&a[1]=y", {"a": {"0": "x", "1": "y"}}),
    ("a[b][c]=1", {"a": {"b": {"c": "1"}}}),
    ("a[b][]=1&a[b][]=2&a[c]=3", {"a": {"b": {"0": "1", "1": "2"}, "c": "3"}}),
    ("filter[%3EID]=5", {"filter": {">ID": "5"}}),
    ("filter%5B%3E%3DID%5D=5", {"filter": {">=ID": "5"}}),  # brackets encoded too (qs)
    ("filter[%25NAME]=Ann&filter[!@ID][]=1", {"filter": {"%NAME": "Ann", "!@ID": {"0": "1"}}}),
    ("a.b[c.d]=1", {"a_b": {"c.d": "1"}}),  # only the top-level name is mangled
    ("a[5]=x&a[]=y", {"a": {"5": "x", "6": "y"}}),
    ("a[x]=1&a[]=2", {"a": {"x": "1", "0": "2"}}),
    ("a[-3]=1&a[]=2", {"a": {"-3": "1", "0": "2"}}),
    ("a[0]=x&a[00]=y&a[]=z", {"a": {"0": "x", "00": "y", "1": "z"}}),
    ("a[ ]=1", {"a": {"0": "1"}}),
    ("a[ b]=1", {"a": {" b": "1"}}),
    ("a[[b]=1", {"a": {"[b": "1"}}),
    # malformed brackets, as PHP reads them
    ("a[b=1", {"a_b": "1"}),
    ("a[b.c d=1", {"a_b_c_d": "1"}),
    ("a[=1", {"a_": "1"}),
    ("a[b][c=1", {"a": {"b": "1"}}),
    ("a[b]c=1", {"a": {"b": "1"}}),
    ("a[b]]=1", {"a": {"b": "1"}}),
    ("a[]x[y]=1", {"a": {"0": "1"}}),
    # overwriting: arrays replace scalars and the other way round
    ("a=1&a[b]=2", {"a": {"b": "2"}}),
    ("a[b]=2&a=1", {"a": "1"}),
    ("a[b]=1&a[b][c]=2", {"a": {"b": {"c": "2"}}}),
    # a batch row, encoded twice by BX24.js
    (
        "cmd[dep]=department.get%3FID%3D%2524result%255Bme%255D%255BUF_DEPARTMENT%255D",
        {"cmd": {"dep": "department.get?ID=%24result%5Bme%5D%5BUF_DEPARTMENT%5D"}},
    ),
]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_parse_str(query, expected):
    assert parse_str(query) == expected


def test_bytes_are_read_as_utf8():
    assert parse_str("n=%D0%96&m=Ж".encode()) == {"n": "Ж", "m": "Ж"}


def test_a_later_value_keeps_the_first_position():
    assert list(parse_str("a=1&b=2&a=3").items()) == [("a", "3"), ("b", "2")]
    assert list(parse_str("x[k]=1&x[j]=2&x[k]=3")["x"]) == ["k", "j"]


def test_nesting_deeper_than_64_levels_drops_the_whole_variable():
    assert parse_str("a" + "[x]" * 64 + "=1")["a"]  # max_input_nesting_level: kept
    assert parse_str("a=1&a" + "[x]" * 65 + "=2&b=3") == {"b": "3"}


def test_double_decoding_a_batch_row():
    row = parse_str(CASES[-1][0])["cmd"]["dep"]
    method, _, query = row.partition("?")
    assert method == "department.get"
    assert parse_str(query) == {"ID": "$result[me][UF_DEPARTMENT]"}


def test_url_decode_keeps_what_php_keeps():
    assert url_decode("%41+%2b%") == "A +%"


@pytest.mark.parametrize(
    ("mapping", "shape"),
    [
        ({}, []),
        ({"0": "a", "1": "b"}, ["a", "b"]),
        ({"1": "a"}, {"1": "a"}),
        ({"1": "b", "0": "a"}, {"1": "b", "0": "a"}),
        ({"0": "a", "x": "b"}, {"0": "a", "x": "b"}),
    ],
)
def test_php_array_shape(mapping, shape):
    assert php_array(mapping) == shape


def test_php_value_is_recursive():
    assert php_value({"a": {}, "b": {"0": {"0": 1}}, "c": [{}]}) == {"a": [], "b": [[1]], "c": [[]]}
