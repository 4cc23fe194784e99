"""Bad input and faults the library must hold under (issue 17, items 1-7 and 15): JSON and
params nested too deep or inside themselves, a refresh whose caller gave up, list methods
that cannot be listed, error text. Fake host; the browser side is in tests/e2e."""

import asyncio
import logging

import pytest

from pyb24 import jsvalues
from pyb24.errors import B24Error, error_from_answer
from pyb24.protocol import ProtocolError, decode_reply, encode_reply
from pyb24.rest import AjaxError, AjaxResult
from pyb24.scale import PythonApi
from tests.support.fakes import INIT_DATA, FakeHost, settle
from tests.support.listportal import ListPortal


def nested(depth: int, leaf="x"):
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


def deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


async def ready():
    from pyb24.facade import BX24Facade

    host = FakeHost()
    bx24 = BX24Facade(host)
    host.reply("getInitData", INIT_DATA)
    await host.advance(0.05)
    return host, bx24


# -- 1. a frame reply nested 10 000 deep ---------------------------------------------------
def test_json_nested_too_deep_is_refused_before_parsing_and_strings_do_not_count():
    with pytest.raises(ValueError, match="nested"):
        jsvalues.json_parse(deep_json(10_000))
    with pytest.raises(ValueError, match="nested"):
        jsvalues.json_parse(
            '{"a":' * (jsvalues.MAX_DEPTH + 1) + "1" + "}" * (jsvalues.MAX_DEPTH + 1)
        )
    assert jsvalues.json_parse(deep_json(jsvalues.MAX_DEPTH)) is not None
    brackets = '"' + '[{\\"' * 5000 + '"'  # brackets and escaped quotes inside a string
    assert jsvalues.json_parse(f"[{brackets}]") == ['[{"' * 5000]
    wide = "[" + ",".join(["[1]"] * 5000) + "]"  # many brackets, shallow: parsed
    assert len(jsvalues.json_parse(wide)) == 5000


def test_a_reply_nested_10000_deep_is_malformed():
    with pytest.raises(ProtocolError):
        decode_reply("abc:" + deep_json(10_000))


async def test_a_deep_reply_is_ignored_once_and_the_command_waits_for_a_good_one(caplog):
    host, bx24 = await ready()
    future = bx24.placement.getInterface()
    callback_id = host.requests("getInterface")[-1][2]
    with caplog.at_level(logging.WARNING, logger="pyb24.bridge"):
        host.deliver(f"{callback_id}:" + deep_json(10_000))
    assert caplog.text.count("malformed reply to getInterface") == 1
    assert not future.done()
    host.deliver(encode_reply(callback_id, {"command": [], "event": []}))
    await settle()
    assert future.result() == {"command": [], "event": []}


# -- 2. a REST answer nested 100 000 deep --------------------------------------------------
async def test_a_rest_answer_nested_100000_deep_is_an_error_result_and_later_calls_work():
    host, bx24 = await ready()
    host.responses += [(200, '{"result":' + deep_json(100_000) + "}"), (502, deep_json(100_000))]
    host.responses.append((200, {"result": 7}))
    result = await asyncio.wait_for(bx24.callMethod("user.current"), 5)
    error = result.error()
    assert (error.getError()["error"], error.getStatus()) == ("ERROR_UNEXPECTED_ANSWER", 200)
    assert "nested too deep" in error.getError()["error_description"]
    with pytest.raises(B24Error, match=r"ERROR_UNEXPECTED_ANSWER.*\(HTTP 502\)"):
        await asyncio.wait_for(bx24.call("user.current"), 5)
    assert (await bx24.callMethod("user.current")).data() == 7


# -- 3. params nested 5 000 deep, or inside themselves ---------------------------------------
def loop():
    value: dict = {"filter": {}}
    value["filter"]["self"] = value
    return value


@pytest.mark.parametrize(
    "params, message",
    [(nested(5000), "nested more than 512 levels deep"), (loop(), "contain themselves")],
)
async def test_params_too_deep_or_inside_themselves_are_refused_before_sending(params, message):
    host, bx24 = await ready()
    sent = len(host.sent)
    with pytest.raises(ValueError, match=message):
        bx24.callMethod("crm.deal.add", {"fields": params})
    with pytest.raises(ValueError, match=message):
        await bx24.call("crm.deal.add", {"fields": params})
    with pytest.raises(ValueError, match=message):
        await bx24.batch({"a": ["crm.deal.add", {"fields": params}]})
    with pytest.raises(ValueError, match=message):  # frame messages: JSON params
        bx24.placement.call("setValue", params)
    assert host.http == [] and len(host.sent) == sent


def test_shared_values_are_no_loop_and_nesting_up_to_the_limit_is_fine():
    shared = {"ID": 1}
    jsvalues.check_nesting({"a": shared, "b": [shared, shared]}, "params")
    jsvalues.check_nesting(nested(jsvalues.MAX_DEPTH - 1), "params")


# -- 4. a refresh whose caller stopped waiting ---------------------------------------------
NEW_TOKENS = {"AUTH_ID": "fresh-token", "AUTH_EXPIRES": "3600", "REFRESH_ID": "fresh-refresh"}


async def test_a_cancelled_refresh_still_takes_the_new_tokens():
    host, bx24 = await ready()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(bx24.refreshAuth(), 0.001)
    host.reply("refreshAuth", NEW_TOKENS)  # the portal answers later, old token revoked
    await settle()
    assert bx24.getAuth()["access_token"] == "fresh-token"
    assert bx24._bridge.pending_count == 0
    await bx24.callMethod("user.current")
    assert host.form()["auth"] == "fresh-token"


async def test_no_auth_found_is_refreshed_and_retried_once():
    host, bx24 = await ready()
    revoked = (401, {"error": "NO_AUTH_FOUND", "error_description": "Wrong authorization data"})
    host.responses += [revoked, (200, {"result": "ok"}), revoked, revoked]
    future = bx24.callMethod("user.current")
    await settle()
    host.reply("refreshAuth", NEW_TOKENS)
    assert (await future).data() == "ok"
    assert [host.form(i)["auth"] for i in range(2)] == ["secret-access-token", "fresh-token"]
    future = bx24.callMethod("user.current")  # revoked again: one refresh, one retry, no loop
    await settle()
    host.reply("refreshAuth", {**NEW_TOKENS, "AUTH_ID": "fresher"})
    assert (await future).error().getError()["error"] == "NO_AUTH_FOUND"
    assert len(host.http) == 4 and len(host.requests("refreshAuth")) == 2


# -- 5-7. listings that cannot be listed -----------------------------------------------------
class OneObject:
    """``user.current`` answers one object (api-reference/user/user-current.md)."""

    async def send(self, method, body):
        return 200, {"result": {"ID": "1", "NAME": "Ann", "EMAIL": "a@example.com"}}


async def test_list_all_of_a_method_answering_one_object_says_so():
    with pytest.raises(ValueError, match=r"user.current does not answer a list.*ID, NAME"):
        await PythonApi(OneObject().send).list_all("user.current")


async def test_a_listing_that_cannot_go_on_raises_instead_of_a_partial_list():
    portal = ListPortal(range(1, 151))
    with pytest.raises(ValueError, match="'NOPE'.*cannot go on"):
        await PythonApi(portal.send).list_all("crm.deal.list", {"select": ["ID"]}, id_key="NOPE")


async def test_a_cursor_that_does_not_advance_raises():
    portal = ListPortal(range(1, 151))
    inner = portal.send

    async def stuck(method, body):  # every batch page repeats the first page
        status, answer = await inner(method, body)
        if method == "batch":
            first = (await inner("crm.deal.list", "start=0&order[ID]=ASC"))[1]["result"]
            answer["result"]["result"] = {k: first for k in answer["result"]["result"]}
        return status, answer

    with pytest.raises(ValueError, match="did not advance"):
        await PythonApi(stuck).list_all("crm.deal.list")


async def test_a_wrong_items_key_names_it_and_what_the_answer_held():
    with pytest.raises(ValueError, match=r"items_key='nope'.*a list of 50"):
        await PythonApi(ListPortal(range(1, 151)).send).list_all("crm.deal.list", items_key="nope")
    wrapped = ListPortal(range(1, 151), wrapped=True)
    with pytest.raises(ValueError, match=r"items_key='nope'.*the keys items"):
        await PythonApi(wrapped.send).list_all("crm.item.list", items_key="nope")


# -- 15. error text --------------------------------------------------------------------------
def test_a_200_answer_with_an_error_reports_status_200():
    error = error_from_answer("x.y", 200, {"error": "ERROR_CORE", "error_description": "bad"})
    assert error.status == 200 and str(error) == "x.y: ERROR_CORE: bad (HTTP 200)"


@pytest.mark.parametrize(
    "answer, text",
    [
        ({"error": {}}, "no error code (400)"),
        ({"error": ""}, "no error code (400)"),
        ({"error": {"code": "BAD", "message": "why"}}, "BAD: why (400)"),
        ({"error": "", "error_description": "Not found"}, "no error code: Not found (400)"),
    ],
)
def test_error_text_is_readable_without_a_code(answer, text):
    result = AjaxResult(answer, {"method": "x"}, 400, client=None)
    assert str(result.error()) == text
    assert str(error_from_answer("x", 400, answer)).startswith("x: ")
    assert "None" not in str(error_from_answer("x", 400, answer))


def test_ajax_error_keeps_bx24js_fields():
    assert AjaxError(400, "", "d").getError() == {"error": "", "error_description": "d"}
