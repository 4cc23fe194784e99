"""The wire format (PROTOCOL.md §1.2, §1.3, §2, §8.1–8.3, §8.9–8.10)."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyb24.protocol import (
    FrameParams,
    ProtocolError,
    decode_reply,
    encode_message,
    encode_reply,
    is_https_flag,
    new_callback_id,
    parse_window_name,
    split_request,
    target_origin,
)

SID = "14d2c95b446cb049375e4a045dc2a177"


@pytest.mark.parametrize(
    ("command", "params", "callback_id", "expected"),
    [
        ("getInitData", None, "k3x9", f"getInitData::k3x9:{SID}"),
        ("refreshAuth", {}, "k3x9", f"refreshAuth:{{}}:k3x9:{SID}"),
        (
            "setTitle",
            {"title": "Deals: 2024"},
            "k3x9",
            f'setTitle:{{"title":"Deals: 2024"}}:k3x9:{SID}',
        ),
        (
            "imCallTo",
            {"userId": 5, "video": True},
            "",
            f'imCallTo:{{"userId":5,"video":true}}::{SID}',
        ),
        ("setValue", "some text", "CB", f'setValue:"some text":CB:{SID}'),
        ("setValue", "", "CB", f"setValue::CB:{SID}"),  # BX24.js: !!"" is false
        ("x", [], "CB", f"x:[]:CB:{SID}"),  # ... but !![] is true
        (
            "setUserOption",
            {"name": "a", "value": "Привет"},
            "",
            f'setUserOption:{{"name":"a","value":"Привет"}}::{SID}',
        ),
    ],
)
def test_encode_message_matches_bx24js(command, params, callback_id, expected):
    assert encode_message(command, params, callback_id, SID) == expected


@pytest.mark.parametrize("bad", ["a:b", ""])
def test_encode_message_refuses_colon_or_empty_command(bad):
    with pytest.raises(ProtocolError):
        encode_message(bad, None, "cb", SID)


def test_encode_message_refuses_colon_in_ids():
    with pytest.raises(ProtocolError):
        encode_message("setTitle", None, "c:b", SID)
    with pytest.raises(ProtocolError):
        encode_message("setTitle", None, "cb", "S:ID")


def test_encode_message_refuses_values_json_cannot_carry():
    with pytest.raises(TypeError, match="JSON"):
        encode_message("setUserOption", {"value": float("nan")}, "", SID)
    with pytest.raises(TypeError, match="JSON"):
        encode_message("setUserOption", {"value": object()}, "", SID)


def test_parent_split_keeps_colons_inside_json():
    message = encode_message("setTitle", {"title": "a:b::c", "url": "http://x:1/"}, "cb1", SID)
    command, params, callback_id, app_sid = split_request(message)
    assert (command, callback_id, app_sid) == ("setTitle", "cb1", SID)
    assert json.loads(params) == {"title": "a:b::c", "url": "http://x:1/"}


def test_three_and_four_field_forms_decode_alike():
    assert split_request(f"getInitData::cb:{SID}") == split_request(f"getInitData:cb:{SID}")
    assert split_request(f"getInitData:cb:{SID}") == ("getInitData", "", "cb", SID)


def test_parent_split_rejects_two_fields():
    with pytest.raises(ProtocolError):
        split_request("getInitData:SID")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(params=json_values, callback_id=st.sampled_from(["", new_callback_id()]))
def test_any_params_survive_the_parent_split(params, callback_id):
    message = encode_message("cmd", params, callback_id, SID)
    command, params_text, got_callback, app_sid = split_request(message)
    assert (command, got_callback, app_sid) == ("cmd", callback_id, SID)
    expected = params if params not in (None, False, 0, "") else None
    assert (json.loads(params_text) if params_text else None) == expected


@given(value=json_values)
def test_replies_round_trip(value):
    reply = decode_reply(encode_reply("abc123", value))
    assert reply.callback_id == "abc123"
    assert reply.value == value


def test_empty_reply_payload_is_none():
    assert decode_reply("abc:").value is None
    assert decode_reply("abc").value is None  # BX24.js: no ':' → id only, empty payload


def test_reply_payload_may_contain_colons():
    assert decode_reply('abc:{"path":"/a:b","t":"1:2:3"}').value == {"path": "/a:b", "t": "1:2:3"}


@pytest.mark.parametrize("junk", ["abc:{not json", ":", ":{}"])
def test_malformed_replies_raise_protocol_error(junk):
    with pytest.raises(ProtocolError):
        decode_reply(junk)


def test_non_string_reply_raises_protocol_error():
    with pytest.raises(ProtocolError):
        decode_reply({"callback": "abc"})


def test_callback_ids_look_like_bx24js():
    ids = {new_callback_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) == 32 and set(i) <= set("0123456789abcdefghijklmnopqrstuvwxyz") for i in ids)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (f"acme.bitrix24.com|1|{SID}", FrameParams("acme.bitrix24.com", True, SID)),
        (f"acme.bitrix24.com:443|1|{SID}", FrameParams("acme.bitrix24.com", True, SID)),
        (f"portal.local:80|0|{SID}", FrameParams("portal.local", False, SID)),
        (f"portal.local:8443|1|{SID}", FrameParams("portal.local:8443", True, SID)),
        (f"127.0.0.1:8001|0|{SID}", FrameParams("127.0.0.1:8001", False, SID)),
        (f"acme.bitrix24.com|x|{SID}", FrameParams("acme.bitrix24.com", False, SID)),
    ],
)
def test_parse_window_name(name, expected):
    assert parse_window_name(name) == expected


@pytest.mark.parametrize(
    "name",
    [None, "", "appframe", "acme.bitrix24.com|1", "acme.bitrix24.com|1|", "|1|SID", "a|1|S:ID"],
)
def test_window_name_outside_a_portal(name):
    assert parse_window_name(name) is None


def test_target_origin_strips_default_ports_only():
    assert target_origin("acme.bitrix24.com:443", True) == "https://acme.bitrix24.com"
    assert target_origin("portal.local:80", False) == "http://portal.local"
    assert target_origin("portal.local:8080", False) == "http://portal.local:8080"
    assert FrameParams("portal.local:8443", True, SID).target_origin == "https://portal.local:8443"


@pytest.mark.parametrize(
    ("value", "https"),
    [
        (1, True),
        ("1", True),
        (1.0, True),
        (0, False),
        ("0", False),
        ("", False),
        (None, False),
        (True, False),
        ("2", False),
    ],
)
def test_only_1_means_https(value, https):
    assert is_https_flag(value) is https
