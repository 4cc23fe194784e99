"""ParentBridge: origins, callback ids, reply policies, junk (PROTOCOL.md §2.6, §2.7, §8)."""

import asyncio
import logging

import pytest

from pyb24.bridge import ParentBridge, ReplyTimeout
from pyb24.protocol import CommandPolicy, FrameParams, ReplyPolicy, encode_reply
from tests.support.fakes import PORTAL_ORIGIN, SID, FakeHost, settle

ONE_SHOT = CommandPolicy(ReplyPolicy.ONE_SHOT)
PERSISTENT = CommandPolicy(ReplyPolicy.PERSISTENT)


def make_bridge():
    host = FakeHost()
    return host, ParentBridge(host, FrameParams("acme.bitrix24.com", True, SID))


async def test_posts_four_fields_to_the_parent_origin():
    host, bridge = make_bridge()
    bridge.request("setTitle", {"title": "a:b"}, policy=ONE_SHOT)
    message, origin = host.sent[0]
    assert origin == PORTAL_ORIGIN
    command, params, callback_id, app_sid = host.requests()[0]
    assert (command, params, app_sid) == ("setTitle", '{"title":"a:b"}', SID)
    assert len(callback_id) == 32


async def test_one_shot_reply_reaches_callback_and_awaitable_then_is_forgotten():
    host, bridge = make_bridge()
    got = []
    future = bridge.request("getInterface", None, got.append, policy=ONE_SHOT)
    callback_id = host.reply("getInterface", {"command": [], "event": []})
    assert got == [{"command": [], "event": []}]
    assert await future == {"command": [], "event": []}
    assert bridge.pending_count == 0
    host.deliver(encode_reply(callback_id, {"again": True}))  # a second reply is ignored
    assert got == [{"command": [], "event": []}]


async def test_reply_from_another_origin_is_ignored():
    host, bridge = make_bridge()
    got = []
    future = bridge.request("getInitData", None, got.append)
    callback_id = host.requests()[0][2]
    for origin in (
        "https://evil.example",
        "http://acme.bitrix24.com",
        "https://acme.bitrix24.com:443",
    ):
        host.deliver(encode_reply(callback_id, {"AUTH_ID": "stolen"}), origin=origin)
    await settle()
    assert got == [] and not future.done() and bridge.pending_count == 1
    host.deliver(encode_reply(callback_id, {"ok": 1}))
    assert await future == {"ok": 1}


async def test_foreign_origin_is_logged_once_without_data(caplog):
    host, bridge = make_bridge()
    bridge.request("getInitData")
    callback_id = host.requests()[0][2]
    with caplog.at_level(logging.DEBUG, logger="pyb24"):
        for _ in range(3):
            host.deliver(
                encode_reply(callback_id, {"AUTH_ID": "leaky-token"}), origin="https://evil.example"
            )
    warnings = [r for r in caplog.records if "evil.example" in r.getMessage()]
    assert len(warnings) == 1
    assert "leaky-token" not in caplog.text


@pytest.mark.parametrize(
    "junk",
    [None, 42, {"callback": "x"}, "", ":", "unknown-id:{}", "no-colon-at-all", "%s:{bad json"],
)
async def test_junk_is_ignored_without_raising(junk):
    host, bridge = make_bridge()
    got = []
    future = bridge.request("getInitData", None, got.append)
    callback_id = host.requests()[0][2]
    host.deliver(junk % callback_id if isinstance(junk, str) and "%s" in junk else junk)
    await settle()
    assert got == [] and not future.done() and bridge.pending_count == 1


async def test_empty_payload_arrives_as_none():
    host, bridge = make_bridge()
    future = bridge.request("openApplication", {}, policy=ONE_SHOT)
    host.reply("openApplication")
    assert await future is None


async def test_fire_and_forget_has_no_callback_id_and_no_entry():
    host, bridge = make_bridge()
    assert bridge.post("setUserOption", {"name": "a", "value": 1}) is None
    assert host.requests()[0] == ("setUserOption", '{"name":"a","value":1}', "", SID)
    assert bridge.pending_count == 0
    with pytest.raises(ValueError, match="post"):  # nothing would ever answer it
        bridge.request("setUserOption", {"name": "a", "value": 1})
    assert len(host.sent) == 1


async def test_timeout_policy_raises_and_leaves_nothing_behind():
    host, bridge = make_bridge()
    got = []
    future = bridge.request("refreshAuth", {}, got.append)
    callback_id = host.requests()[0][2]
    await host.advance(9.9)
    assert not future.done() and bridge.pending_count == 1
    await host.advance(0.2)
    with pytest.raises(ReplyTimeout, match="refreshAuth"):
        await future
    assert bridge.pending_count == 0 and host.pending_timers == 0
    host.deliver(encode_reply(callback_id, {"AUTH_ID": "late"}))  # too late: ignored
    assert got == []


async def test_reply_in_time_cancels_the_timer():
    host, bridge = make_bridge()
    future = bridge.request("refreshAuth", {})
    host.reply("refreshAuth", {"AUTH_ID": "x"})
    assert await future == {"AUTH_ID": "x"}
    assert host.pending_timers == 0


async def test_persistent_callbacks_fire_on_every_reply_until_cancelled():
    host, bridge = make_bridge()
    events = []
    future = bridge.request("placementBindEvent", {"event": "E"}, events.append, policy=PERSISTENT)
    callback_id = host.requests()[0][2]
    for n in range(3):
        host.deliver(encode_reply(callback_id, {"n": n}))
    assert events == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert await future == {"n": 0}
    assert bridge.pending_count == 1
    bridge.forget(callback_id)
    host.deliver(encode_reply(callback_id, {"n": 3}))
    assert events == [{"n": 0}, {"n": 1}, {"n": 2}] and bridge.pending_count == 0


async def test_cancelling_the_awaitable_forgets_the_callback():
    host, bridge = make_bridge()
    future = bridge.request("selectUser", {"mult": False}, policy=ONE_SHOT)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(future, 0.01)  # e.g. the user closed the dialog
    await settle()
    assert bridge.pending_count == 0


async def test_callback_errors_are_logged_and_do_not_break_the_bridge(caplog):
    host, bridge = make_bridge()

    def broken(_value):
        raise RuntimeError("boom")

    first = bridge.request("a", None, broken, policy=ONE_SHOT)
    host.reply("a", 1)
    assert await first == 1  # the awaitable still settles
    assert "callback raised" in caplog.text
    second = bridge.request("b", None, policy=ONE_SHOT)
    host.reply("b", 2)
    assert await second == 2


async def test_async_callbacks_are_scheduled():
    host, bridge = make_bridge()
    seen = []

    async def on_reply(value):
        await asyncio.sleep(0)
        seen.append(value)

    bridge.request("a", None, on_reply, policy=ONE_SHOT)
    host.reply("a", {"x": 1})
    await settle()
    assert seen == [{"x": 1}]


async def test_debug_log_never_contains_params_or_payloads(caplog):
    host, bridge = make_bridge()
    with caplog.at_level(logging.DEBUG, logger="pyb24"):
        future = bridge.request("setAppOption", {"name": "key", "value": "top-secret-value"})
        host.reply("setAppOption", {"key": "top-secret-value"})
        await future
    assert "setAppOption" in caplog.text
    assert "top-secret-value" not in caplog.text
