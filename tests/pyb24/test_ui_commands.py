"""Window, dialog, slider, messenger and placement commands with a fake host (§3.7–3.20)."""

import asyncio
import json
import logging

import pytest

from pyb24 import NotInPortalError, ReplyTimeout
from pyb24.dialogs import normalize_crm_selection, shuffle_select_access
from pyb24.facade import BX24Facade
from pyb24.jsvalues import js_parse_int
from pyb24.phparray import as_list
from pyb24.placement import EventUnbound, set_value_params
from pyb24.protocol import (
    COMMAND_POLICIES,
    PLACEMENT_COMMAND_POLICY,
    ReplyPolicy,
    encode_reply,
    split_request,
)
from pyb24.slider import OpenPathError
from tests.support.fakes import INIT_DATA, SID, FakeHost, settle


async def ready(**overrides):
    host = FakeHost()
    bx24 = BX24Facade(host)
    host.reply("getInitData", {**INIT_DATA, **overrides})
    await host.advance(0.05)
    host.sent.clear()
    return host, bx24


def wire(host) -> list[str]:
    """The messages sent, with callback ids replaced by CB (ids are random)."""
    out = []
    for message, _origin in host.sent:
        command, params, callback_id, sid = split_request(message)
        assert sid == SID
        out.append(f"{command}:{params}:{'CB' if callback_id else ''}")
    return out


def pending(bx24) -> int:
    return bx24._bridge.pending_count


# -- JavaScript coercions ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (300, 300),
        ("300", 300),
        ("300px", 300),
        ("  42.9em", 42),
        ("+7", 7),
        ("-5", -5),
        ("0x1A", 26),
        (12.7, 12),
        (-3.7, -3),
        (5e-7, 5),  # String(5e-7) is "5e-7"
        (1e21, 1),  # "1e+21"
        ("px", None),
        ("", None),
        (None, None),
        (True, None),
        (float("nan"), None),
        (float("inf"), None),
        ([], None),
    ],
)
def test_js_parse_int(value, expected):
    assert js_parse_int(value) == expected


def test_php_lists_become_lists():
    assert as_list([1, 2]) == [1, 2]
    assert as_list({"1": "b", "0": "a", "10": "c"}) == ["a", "b", "c"]
    assert as_list({"x": 1}) == [1]
    assert as_list(None) == [] and as_list("") == []


# -- window commands ---------------------------------------------------------------------
async def test_resize_window_parses_like_parse_int_and_answers_the_size():
    host, bx24 = await ready()
    got = []
    future = bx24.resizeWindow("800px", 450.6, got.append)
    assert wire(host) == ['resizeWindow:{"width":800,"height":450}:CB']
    host.reply("resizeWindow", {"width": 800, "height": 450})
    assert await future == {"width": 800, "height": 450} == got[0]
    assert pending(bx24) == 0


@pytest.mark.parametrize(("width", "height"), [(0, 100), (100, -1), ("auto", 100), (100, None)])
async def test_resize_window_with_a_size_that_is_not_positive_sends_nothing(width, height, caplog):
    host, bx24 = await ready()
    got = []
    future = bx24.resizeWindow(width, height, got.append)
    assert future.done() and await future is None
    assert host.sent == [] and got == [] and pending(bx24) == 0
    assert "nothing sent" in caplog.text


async def test_a_denied_window_command_ends_in_reply_timeout_and_leaves_nothing():
    host, bx24 = await ready(PLACEMENT="DEFAULT")  # denied by the deny knob, not the placement
    future = bx24.setTitle("Deals")
    await host.advance(10.1)
    with pytest.raises(ReplyTimeout, match="setTitle"):
        await future
    assert pending(bx24) == 0


async def test_fit_window_uses_the_larger_of_scroll_and_offset_height():
    host, bx24 = await ready()
    host.content_height, host.viewport_height = 300, 600
    assert bx24.getScrollSize() == {"scrollWidth": 800, "scrollHeight": 600}
    bx24.fitWindow()
    host.content_height = 1500
    assert bx24.getScrollSize()["scrollHeight"] == 1500
    bx24.fitWindow()
    assert wire(host) == [
        'resizeWindow:{"width":"100%","height":600}:CB',
        'resizeWindow:{"width":"100%","height":1500}:CB',
    ]


async def test_reload_set_title_and_scroll_wire_formats():
    host, bx24 = await ready(PLACEMENT="DEFAULT")  # the only placement that answers these
    reload = bx24.reloadWindow()
    assert reload.done() and reload.result() is None
    bx24.setTitle("Deals: 2024")
    bx24.setTitle(True)
    title = bx24.setTitle(42.0)
    scroll = bx24.scrollParentWindow("120px")
    assert bx24.scrollParentWindow("top").done()  # NaN: nothing sent
    assert wire(host) == [
        "reloadWindow:{}:",
        'setTitle:{"title":"Deals: 2024"}:CB',
        'setTitle:{"title":"true"}:CB',
        'setTitle:{"title":"42"}:CB',
        'setScroll:{"scroll":120}:CB',
    ]
    host.reply("setTitle", {"title": "42"})
    host.reply("setScroll", {"scroll": 120})
    assert await title == {"title": "42"} and await scroll == {"scroll": 120}


async def test_outside_a_portal_commands_raise_but_sizes_still_work():
    host = FakeHost(window_name="")
    bx24 = BX24Facade(host)
    for call in (
        lambda: bx24.resizeWindow(1, 1),
        lambda: bx24.selectUser(),
        lambda: bx24.im.callTo(1),
        lambda: bx24.placement.call("reloadData"),
        lambda: bx24.autoFit(),
    ):
        with pytest.raises(NotInPortalError):
            call()
    assert bx24.getScrollSize() == {"scrollWidth": 800, "scrollHeight": 600}
    assert host.sent == []


# -- dialogs -----------------------------------------------------------------------------
USER = {"id": "5", "name": "Daniel Novak", "photo": "", "position": "Lead Developer"}


async def test_select_user_takes_a_callback_in_place_of_the_title():
    host, bx24 = await ready()
    got = []
    future = bx24.selectUser(got.append)
    bx24.selectUser("Pick a reviewer")
    assert wire(host) == [
        'selectUser:{"mult":false}:CB',
        'selectUser:{"title":"Pick a reviewer","mult":false}:CB',
    ]
    callback_id = host.requests()[0][2]
    host.deliver(encode_reply(callback_id, USER))
    assert await future == USER and got == [USER]


async def test_select_users_answers_a_list_even_from_a_numeric_key_object():
    host, bx24 = await ready()
    future = bx24.selectUsers()
    assert wire(host) == ['selectUser:{"mult":true}:CB']
    host.reply("selectUser", {"0": USER, "1": {"id": "6", "name": "Priya Sharma"}})
    assert [u["id"] for u in await future] == ["5", "6"]


async def test_a_dialog_waits_without_a_timeout_and_cancelling_forgets_it():
    host, bx24 = await ready()
    got = []
    future = bx24.selectUser(got.append)
    callback_id = host.requests()[0][2]
    await host.advance(3600)  # a person may take their time
    assert not future.done() and pending(bx24) == 1
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(future, 0.01)  # ...or close the dialog: give up
    await settle()
    assert pending(bx24) == 0
    host.deliver(encode_reply(callback_id, USER))  # a late answer reaches nobody
    assert got == []


@pytest.mark.parametrize(
    ("args", "value", "has_callback"),
    [
        ((), [], False),
        (("cb",), [], True),
        ((["AU", "U1"], "cb"), ["AU", "U1"], True),
        (("Title", "cb"), [], True),
        (("Title", ["D2"], "cb"), ["D2"], True),
        ((["D2"],), ["D2"], False),
    ],
)
def test_select_access_argument_shuffling(args, value, has_callback):
    def cb(_result):
        pass

    args = tuple(cb if a == "cb" else a for a in args)
    sent_value, callback = shuffle_select_access(args)
    assert sent_value == value
    assert (callback is cb) is has_callback


async def test_select_access_sends_only_the_value_and_answers_a_list():
    host, bx24 = await ready()
    got = []
    with pytest.raises(TypeError):
        bx24.selectAccess("t", [], got.append, "extra")
    future = bx24.selectAccess("Who may see it?", ["AU"], got.append)
    assert wire(host) == ['selectAccess:{"value":["AU"]}:CB']
    answer = {"0": {"provider": "user", "id": "U5", "name": "Daniel Novak"}}
    host.reply("selectAccess", answer)
    assert await future == [answer["0"]] == got[0]


async def test_select_crm_sends_three_keys_and_normalises_the_buckets():
    host, bx24 = await ready()
    params = {"entityType": ["deal", "lead"], "multiple": True, "value": {"deal": [1]}, "x": 1}
    future = bx24.selectCRM(params)
    only_callback = bx24.selectCRM(lambda _r: None)
    bx24.selectCRM({"entityType": ["deal"], "multiple": None})
    assert wire(host) == [
        'selectCRM:{"entityType":["deal","lead"],"multiple":true,"value":{"deal":[1]}}:CB',
        "selectCRM:{}:CB",
        'selectCRM:{"entityType":["deal"]}:CB',
    ]
    deal = {"id": "D_1", "type": "deal", "title": "Rollout"}
    callback_id = host.requests()[0][2]
    host.deliver(encode_reply(callback_id, {"deal": {"1": deal, "0": deal}, "lead": []}))
    assert await future == {"deal": [deal, deal], "lead": []}
    only_callback.cancel()


def test_crm_selection_shapes():
    assert normalize_crm_selection([]) == {}
    assert normalize_crm_selection(None) == {}
    assert normalize_crm_selection({"contact": [{"id": "C_2"}], "company": {}}) == {
        "contact": [{"id": "C_2"}],
        "company": [],
    }


# -- sliders -----------------------------------------------------------------------------
async def test_open_application_params_settings_and_close_answer():
    host, bx24 = await ready()
    got = []
    closed = bx24.openApplication({"opened": True}, got.append, {"width": 450, "title": "Mine"})
    bx24.openApplication(lambda: None)
    bx24.openApplication()
    bx24.openApplication({"bx24_label": {"text": "x"}})
    assert wire(host) == [
        'openApplication:{"opened":true,"bx24_width":450,"bx24_title":"Mine"}:CB',
        "openApplication::CB",
        "openApplication::CB",
        'openApplication:{"bx24_label":{"text":"x"}}:CB',
    ]
    callback_id = host.requests()[0][2]
    await host.advance(600)
    assert not closed.done()  # a slider stays open as long as the person wants
    host.deliver(encode_reply(callback_id))
    assert await closed is None and got == [None]


async def test_close_application_sends_no_params():
    host, bx24 = await ready()
    bx24.closeApplication()
    assert wire(host) == ["closeApplication::CB"]


async def test_open_path_answers_close_or_raises_a_clear_error():
    host, bx24 = await ready()
    raw = []
    closed = bx24.openPath("/crm/deal/details/1/", raw.append)
    refused = bx24.openPath("/settings/")
    assert wire(host) == [
        'openPath:{"path":"/crm/deal/details/1/"}:CB',
        'openPath:{"path":"/settings/"}:CB',
    ]
    first, second = (r[2] for r in host.requests())
    error = {"result": "error", "errorCode": "PATH_NOT_AVAILABLE"}
    host.deliver(encode_reply(second, error))
    with pytest.raises(OpenPathError, match="PATH_NOT_AVAILABLE.*/crm/deal/details") as caught:
        await refused
    assert caught.value.code == "PATH_NOT_AVAILABLE" and caught.value.reply == error
    host.deliver(encode_reply(first, {"result": "close"}))
    assert await closed == {"result": "close"} and raw == [{"result": "close"}]


async def test_open_path_callback_gets_the_raw_error_and_nothing_is_left_unretrieved():
    host, bx24 = await ready()
    raw = []
    future = bx24.openPath("/mobile/", raw.append)
    error = {"result": "error", "errorCode": "METHOD_NOT_SUPPORTED_ON_DEVICE"}
    host.reply("openPath", error)
    await settle()
    assert raw == [error]
    assert future.done() and isinstance(future.exception(), OpenPathError)
    assert "mobile" in str(future.exception())


async def test_cancelling_open_path_forgets_the_callback_id():
    host, bx24 = await ready()
    future = bx24.openPath("/crm/deal/details/1/")
    assert pending(bx24) == 1
    future.cancel()
    await settle()
    assert pending(bx24) == 0


# -- messenger ---------------------------------------------------------------------------
async def test_messenger_commands_are_fire_and_forget():
    host, bx24 = await ready()
    assert bx24.im.callTo(5, True) is None
    bx24.im.callTo("7")
    bx24.im.phoneTo("+1 555 0100")
    bx24.im.openMessenger("chat42")
    bx24.im.openHistory(5)
    assert wire(host) == [
        'imCallTo:{"userId":5,"video":true}:',
        'imCallTo:{"userId":"7","video":false}:',
        'imPhoneTo:{"phone":"+1 555 0100"}:',
        'imOpenMessenger:{"dialogId":"chat42"}:',
        'imOpenHistory:{"dialogId":5}:',
    ]
    assert pending(bx24) == 0


# -- placement -----------------------------------------------------------------------------
async def test_get_interface_normalises_php_lists():
    host, bx24 = await ready()
    future = bx24.placement.getInterface()
    assert wire(host) == ["getInterface::CB"]
    host.reply("getInterface", {"command": {"0": "setValue", "1": "getValue"}, "event": []})
    assert await future == {"command": ["setValue", "getValue"], "event": []}


@pytest.mark.parametrize("name", ["resizeWindow", "init", "loadScript", "callMethod", "im"])
async def test_placement_call_refuses_names_of_bx24_functions(name, caplog):
    host, bx24 = await ready()
    got = []
    future = bx24.placement.call(name, {"width": 1}, got.append)
    assert await future is None
    assert host.sent == [] and got == [] and pending(bx24) == 0
    assert f"BX24.{name}" in caplog.text


async def test_placement_call_takes_a_callback_in_place_of_params():
    host, bx24 = await ready()
    got = []
    future = bx24.placement.call("reloadData", got.append)
    bx24.placement.call("getStatus")
    assert wire(host) == ["reloadData:{}:CB", "getStatus::CB"]
    callback_id = host.requests()[0][2]
    host.deliver(encode_reply(callback_id, []))
    assert await future == [] and got == [[]]


async def test_an_unanswered_placement_command_times_out():
    host, bx24 = await ready()
    future = bx24.placement.call("noSuchCommand", {"a": 1})
    await host.advance(10.1)
    with pytest.raises(ReplyTimeout):
        await future
    assert pending(bx24) == 0


@pytest.mark.parametrize(
    ("value", "params_field", "parent_gets"),
    [
        ("+7 000 000", '"+7 000 000"', "+7 000 000"),
        ("a:b", '"a:b"', "a:b"),  # a colon inside JSON is fine (§2.3)
        ("", '""', ""),  # BX24.js would drop it (!!params)
        (None, '""', ""),  # clears the field
        (0, "0", 0),
        (False, "false", False),
        (4.5, "4.5", 4.5),
        (
            {"stars": 4, "note": "ok"},
            '"{\\"stars\\":4,\\"note\\":\\"ok\\"}"',
            '{"stars":4,"note":"ok"}',
        ),
        (["a", "b"], '"[\\"a\\",\\"b\\"]"', '["a","b"]'),
    ],
)
async def test_set_value_sends_the_bare_json_value(value, params_field, parent_gets):
    host, bx24 = await ready()
    bx24.placement.call("setValue", value)
    assert wire(host) == [f"setValue:{params_field}:CB"]
    # The parent JSON.parses the params field and stores that value (§3.20).
    assert json.loads(host.requests()[0][1]) == parent_gets
    assert set_value_params(value) == params_field


async def test_bind_event_delivers_every_occurrence_until_unbound():
    host, bx24 = await ready()
    seen = []
    binding = bx24.placement.bindEvent("CallCard::CallStateChanged", seen.append)
    assert wire(host) == ['placementBindEvent:{"event":"CallCard::CallStateChanged"}:CB']
    callback_id = host.requests()[0][2]
    assert binding.callback_id == callback_id and binding.bound
    for state in ("connecting", "connected"):
        host.deliver(encode_reply(callback_id, state))
    await host.advance(3600)  # never swallowed by a timeout
    host.deliver(encode_reply(callback_id, "idle"))
    assert seen == ["connecting", "connected", "idle"]
    assert pending(bx24) == 1
    binding.unbind()
    assert pending(bx24) == 0 and not binding.bound
    host.deliver(encode_reply(callback_id, "connecting"))
    assert seen == ["connecting", "connected", "idle"]


async def test_a_binding_is_awaitable_and_async_iterable():
    host, bx24 = await ready()
    binding = bx24.placement.bindEvent("CallCard::EntityChanged")
    callback_id = host.requests()[0][2]
    collected = []

    async def consume():
        async for payload in binding:
            collected.append(payload)

    consumer = asyncio.ensure_future(consume())
    next_one = asyncio.ensure_future(binding.next())
    first = asyncio.ensure_future(_await(binding))
    await settle()
    host.deliver(encode_reply(callback_id, {"CRM_ENTITY_ID": 1}))
    host.deliver(encode_reply(callback_id, {"CRM_ENTITY_ID": 2}))
    await settle()
    assert await next_one == {"CRM_ENTITY_ID": 1} and await first == {"CRM_ENTITY_ID": 1}
    waiting = binding.next()
    assert bx24.placement.unbindEvent("CallCard::EntityChanged") == 1
    await asyncio.wait_for(consumer, 1)  # unbinding ends the loop
    assert collected == [{"CRM_ENTITY_ID": 1}, {"CRM_ENTITY_ID": 2}]
    with pytest.raises(EventUnbound):
        await waiting
    with pytest.raises(EventUnbound):
        await binding
    assert pending(bx24) == 0


async def _await(awaitable):
    return await awaitable


async def test_unbind_event_by_binding_and_by_name():
    host, bx24 = await ready(PLACEMENT="CALL_CARD")
    a = bx24.placement.bindEvent("E1", lambda _p: None)
    bx24.placement.bindEvent("E1", lambda _p: None)
    c = bx24.placement.bindEvent("E2", lambda _p: None)
    assert pending(bx24) == 3
    assert bx24.placement.unbindEvent(a) == 1 and pending(bx24) == 2
    assert bx24.placement.unbindEvent("E1") == 1 and pending(bx24) == 1
    c.unbind()
    assert bx24.placement.unbindEvent("E2") == 0 and pending(bx24) == 0


# -- reply policies ------------------------------------------------------------------------
POLICIES = {
    "resizeWindow": ReplyPolicy.TIMEOUT,
    "setTitle": ReplyPolicy.TIMEOUT,
    "setScroll": ReplyPolicy.TIMEOUT,
    "getInterface": ReplyPolicy.TIMEOUT,
    "reloadWindow": ReplyPolicy.FIRE_AND_FORGET,
    "imCallTo": ReplyPolicy.FIRE_AND_FORGET,
    "imPhoneTo": ReplyPolicy.FIRE_AND_FORGET,
    "imOpenMessenger": ReplyPolicy.FIRE_AND_FORGET,
    "imOpenHistory": ReplyPolicy.FIRE_AND_FORGET,
    "selectUser": ReplyPolicy.ONE_SHOT,
    "selectAccess": ReplyPolicy.ONE_SHOT,
    "selectCRM": ReplyPolicy.ONE_SHOT,
    "openApplication": ReplyPolicy.ONE_SHOT,
    "closeApplication": ReplyPolicy.ONE_SHOT,
    "openPath": ReplyPolicy.ONE_SHOT,
    "placementBindEvent": ReplyPolicy.PERSISTENT,
}


@pytest.mark.parametrize(("command", "policy"), sorted(POLICIES.items()))
def test_every_ui_command_has_its_policy(command, policy):
    assert COMMAND_POLICIES[command].policy is policy


def test_placement_commands_time_out():
    assert PLACEMENT_COMMAND_POLICY.policy is ReplyPolicy.TIMEOUT


async def test_can_use_is_always_true():
    _host, bx24 = await ready()
    assert bx24.canUse("upload") is True


# -- auto-fit ------------------------------------------------------------------------------
def resizes(host) -> list[int]:
    return [json.loads(r[1])["height"] for r in host.requests("resizeWindow")]


def answer_resize(host) -> None:
    height = resizes(host)[-1]
    host.reply("resizeWindow", {"width": 800, "height": height})


async def test_auto_fit_fits_once_then_once_per_change():
    host, bx24 = await ready()
    host.content_height = 320
    bx24.autoFit()
    assert resizes(host) == []  # waits for the page to settle
    await host.advance(0.1)
    assert wire(host) == ['resizeWindow:{"width":"100%","height":320}:CB']
    answer_resize(host)
    host.page_changes("resize")  # the frame's own resize: the page did not change
    await host.advance(0.1)
    assert resizes(host) == [320]
    for height in (400, 420, 450):  # a burst of DOM changes...
        host.page_changes(content_height=height)
        await host.advance(0.01)
    await host.advance(0.1)
    assert resizes(host) == [320, 450]  # ...costs one resize
    answer_resize(host)
    host.page_changes(content_height=200)  # it shrinks too
    await host.advance(0.1)
    assert resizes(host) == [320, 450, 200]


async def test_auto_fit_converges_in_two_resizes_when_a_scrollbar_goes_away():
    host, bx24 = await ready()
    bx24.autoFit()
    await host.advance(0.1)
    answer_resize(host)
    host.page_changes(content_height=900)  # taller than the frame: a scrollbar wraps text
    await host.advance(0.1)
    host.page_changes("resize", content_height=880)  # resized: no scrollbar, wider lines
    answer_resize(host)
    await host.advance(0.1)
    answer_resize(host)
    host.page_changes("resize")
    await host.advance(1)
    assert resizes(host) == [300, 900, 880]


async def test_auto_fit_measures_again_after_a_change_during_a_round_trip():
    host, bx24 = await ready()
    bx24.autoFit()
    await host.advance(0.1)
    host.page_changes(content_height=500)  # the first resize is not answered yet
    await host.advance(0.1)
    assert resizes(host) == [300]
    answer_resize(host)
    await host.advance(0.1)
    assert resizes(host) == [300, 500]


async def test_auto_fit_pauses_when_the_page_follows_the_frame(caplog):
    host, bx24 = await ready()
    bx24.autoFit()
    await host.advance(0.1)
    for _ in range(10):  # min-height: 100vh + 20px: every resize makes the page taller
        answer_resize(host)
        host.page_changes("resize", content_height=resizes(host)[-1] + 20)
        await host.advance(0.1)
    assert len(resizes(host)) <= 5
    assert "paused" in caplog.text
    count = len(resizes(host))
    host.page_changes(content_height=250)  # the page itself changes: fitting resumes
    await host.advance(0.1)
    assert resizes(host)[count:] == [250]


async def test_auto_fit_stops_when_the_portal_denies_resize_and_can_be_switched_off(caplog):
    host, bx24 = await ready()
    bx24.autoFit()
    await host.advance(0.1)
    await host.advance(10.1)  # no answer
    assert "autoFit stopped" in caplog.text
    host.page_changes(content_height=700)
    await host.advance(0.1)
    assert resizes(host) == [300] and host.watchers == []
    bx24.autoFit(True)  # on again
    await host.advance(0.1)
    assert resizes(host) == [300, 700]
    answer_resize(host)
    bx24.autoFit(False)
    host.page_changes(content_height=100)
    await host.advance(1)
    assert resizes(host) == [300, 700] and host.watchers == [] and pending(bx24) == 0


async def test_logs_name_ui_commands_without_their_values(caplog):
    host, bx24 = await ready()
    with caplog.at_level(logging.DEBUG, logger="pyb24"):
        bx24.placement.call("setValue", "secret-field-value")
        bx24.setTitle("secret title")
    assert "setValue" in caplog.text and "secret" not in caplog.text
