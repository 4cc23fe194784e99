"""callMethod / callBatch / callBind with a fake host (PROTOCOL.md §4.6, §5)."""

import asyncio
import json

import pytest

from pyb24.facade import BX24Facade
from pyb24.host import NetworkError
from pyb24.rest import AjaxError, AjaxResult, RestClient
from tests.support.fakes import INIT_DATA, FakeHost, settle

URL = "https://acme.bitrix24.com/rest/"


async def ready(**overrides):
    host = FakeHost()
    bx24 = BX24Facade(host)
    host.reply("getInitData", {**INIT_DATA, **overrides})
    await host.advance(0.05)
    return host, bx24


def ok(result, **extra):
    return 200, {"result": result, "time": {"start": 1.0, "finish": 1.1}, **extra}


# -- callMethod -----------------------------------------------------------------------------
async def test_call_method_posts_form_body_with_auth_first():
    host, bx24 = await ready()
    host.responses.append(ok({"ID": "1"}))
    seen = []
    result = await bx24.callMethod("crm.deal.get", {"id": 42, "select": ["ID"]}, seen.append)
    url, body = host.http[0]
    assert url == URL + "crm.deal.get.json"
    assert body == "auth=secret-access-token&id=42&select[0]=ID"
    assert isinstance(result, AjaxResult) and seen == [result]
    assert result.data() == {"ID": "1"} and result.error() is None
    assert result.time() == {"start": 1.0, "finish": 1.1}
    assert "secret" not in repr(result)


async def test_calls_before_init_wait_for_init():
    host = FakeHost()
    bx24 = BX24Facade(host)
    future = bx24.callMethod("user.current")
    await settle()
    assert host.http == []
    host.reply("getInitData", INIT_DATA)
    host.responses.append(ok({"ID": "1"}))
    await host.advance(0.05)
    assert (await future).data() == {"ID": "1"}


async def test_start_passes_through_including_minus_one():
    host, bx24 = await ready()
    await bx24.callMethod("crm.item.list", {"entityTypeId": 2, "start": -1})
    assert host.form()["start"] == "-1"


async def test_paging_with_next():
    host, bx24 = await ready()
    host.responses += [
        ok([1] * 50, total=120, next=50),
        ok([2] * 50, total=120, next=100),
        ok([3] * 20, total=120),
    ]
    pages = []
    page = await bx24.callMethod("user.get", {"sort": "ID"})
    while True:
        pages.append(page)
        if not page.more():
            break
        page = await page.next()
    assert [p.total() for p in pages] == [120, 120, 120]
    assert [host.form(i).get("start") for i in range(3)] == [None, "50", "100"]
    assert all(host.form(i)["sort"] == "ID" for i in range(3))
    assert pages[-1].next() is False


async def test_next_keeps_the_original_callback_unless_given_one():
    host, bx24 = await ready()
    first, second = [], []
    host.responses += [ok([1], total=2, next=1), ok([2], total=2), ok([2], total=2)]
    page = await bx24.callMethod("user.get", None, first.append)
    await page.next()
    await page.next(second.append)
    await settle()
    assert len(first) == 2 and len(second) == 1


@pytest.mark.parametrize(
    ("response", "status", "code"),
    [
        ((400, {"error": "ERROR_CORE", "error_description": "bad id"}), 400, "ERROR_CORE"),
        (
            (404, {"error": "ERROR_METHOD_NOT_FOUND", "error_description": ""}),
            404,
            "ERROR_METHOD_NOT_FOUND",
        ),
        ((400, {"error": "", "error_description": "Not found"}), 400, ""),  # classic crm.*
        ((500, "<html>oops</html>"), 500, "ERROR_UNEXPECTED_ANSWER"),
        ((502, ""), 502, "INTERNAL_SERVER_ERROR"),
        ((200, "not json"), 200, "ERROR_UNEXPECTED_ANSWER"),
        ((500, {"result": None}), 500, "INTERNAL_SERVER_ERROR"),
        (NetworkError("Failed to fetch"), 0, "NETWORK_ERROR"),
    ],
)
async def test_failures_come_back_as_error_results(response, status, code):
    host, bx24 = await ready()
    host.responses.append(response)
    seen = []
    result = await bx24.callMethod("user.current", None, seen.append)
    assert seen == [result]
    error = result.error()
    assert isinstance(error, AjaxError)
    assert (error.getStatus(), error.getError()["error"]) == (status, code)


async def test_a_503_rate_limit_is_retried_after_a_backoff_then_given_up():
    host, bx24 = await ready()
    busy = (503, {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"})
    host.responses += [busy, busy, ok({"ID": "1"})]
    future = bx24.callMethod("user.current")
    await host.advance(30)  # the backoff runs on the host's clock
    assert (await future).data() == {"ID": "1"} and len(host.http) == 3
    bx24.configure(retries=1)
    host.responses += [busy, busy]
    seen = []
    future = bx24.callMethod("user.current", None, seen.append)
    await host.advance(30)
    error = (await future).error()
    assert (error.getStatus(), error.getError()["error"]) == (503, "QUERY_LIMIT_EXCEEDED")
    assert seen == [future.result()] and len(host.http) == 5


async def test_every_request_of_the_page_shares_one_throttle():
    host, bx24 = await ready()
    bx24.configure(burst=2, rate=1)
    calls = [bx24.callMethod("user.current") for _ in range(3)]
    calls.append(bx24.callBatch([["user.current"]]))
    await settle()
    assert len(host.http) == 2  # the burst went at once; the rest wait for the bucket
    await host.advance(1)
    assert len(host.http) == 3
    await host.advance(1)
    assert len(host.http) == 4 and all(call.done() for call in calls)


def test_ajax_error_text_like_bx24js():
    assert str(AjaxError(400, "ERROR_CORE", "bad id")) == "ERROR_CORE: bad id (400)"
    assert str(AjaxError(404, "ERROR_METHOD_NOT_FOUND")) == "ERROR_METHOD_NOT_FOUND (404)"
    assert AjaxError(401, "x", "y").getError() == {"error": "x", "error_description": "y"}


async def test_a_request_without_an_answer_times_out_on_the_hosts_clock():
    host, bx24 = await ready()
    silent = asyncio.get_running_loop().create_future()  # the portal never answers
    host.responses.append(silent)
    seen = []
    future = bx24.callMethod("user.current", None, seen.append)
    await host.advance(64.9)
    assert not future.done()
    await host.advance(0.2)  # REQUEST_TIMEOUT is 65 s of the host's clock
    result = await future
    assert (result.error().getStatus(), result.error().getError()["error"]) == (
        408,
        "REQUEST_TIMEOUT",
    )
    assert seen == [result]
    assert silent.cancelled()  # the fetch itself was given up
    assert host.pending_timers == 0


async def test_a_callback_that_raises_is_logged_and_the_caller_still_gets_the_result(caplog):
    host, bx24 = await ready()
    host.responses.append(ok("x"))

    def broken(result):
        raise KeyError("user code")

    result = await bx24.callMethod("user.current", None, broken)
    assert result.data() == "x"
    assert "callback raised" in caplog.text and "KeyError" in caplog.text


async def test_an_answered_request_leaves_no_timer_behind():
    host, bx24 = await ready()
    host.responses.append(ok("x"))
    assert (await bx24.callMethod("user.current")).data() == "x"
    assert host.pending_timers == 0


async def test_cancelling_a_call_cancels_its_request():
    host, bx24 = await ready()
    silent = asyncio.get_running_loop().create_future()
    host.responses.append(silent)
    future = bx24.callMethod("user.current")
    await settle()
    future.cancel()
    await settle()
    assert silent.cancelled() and host.pending_timers == 0


async def test_empty_body_is_an_empty_result():
    host, bx24 = await ready()
    host.responses.append((200, ""))
    result = await bx24.callMethod("app.info")
    assert result.data() == {} and result.error() is None


# -- tokens ---------------------------------------------------------------------------------
NEW_TOKENS = {"AUTH_ID": "fresh-token", "AUTH_EXPIRES": 3600, "REFRESH_ID": "fresh-refresh"}
EXPIRED = (
    401,
    {"error": "expired_token", "error_description": "The access token provided has expired."},
)


async def test_known_expired_token_is_refreshed_before_sending():
    host, bx24 = await ready()
    await host.advance(3601)
    future = bx24.callMethod("user.current")
    await settle()
    assert host.http == [] and len(host.requests("refreshAuth")) == 1
    host.reply("refreshAuth", NEW_TOKENS)
    await future
    assert host.form()["auth"] == "fresh-token"


async def test_concurrent_401s_share_one_refresh_then_retry_once():
    host, bx24 = await ready()
    host.responses += [EXPIRED, EXPIRED, ok("a"), ok("b")]
    first = bx24.callMethod("user.current")
    second = bx24.callMethod("profile")
    await settle()
    assert len(host.requests("refreshAuth")) == 1
    host.reply("refreshAuth", NEW_TOKENS)
    results = await asyncio.gather(first, second)
    assert [r.data() for r in results] == ["a", "b"]
    assert [host.form(i)["auth"] for i in range(4)] == ["secret-access-token"] * 2 + [
        "fresh-token"
    ] * 2
    assert len(host.requests("refreshAuth")) == 1


async def test_a_late_401_after_someone_refreshed_retries_without_refreshing():
    host, bx24 = await ready()
    slow = asyncio.get_running_loop().create_future()
    host.responses += [slow, EXPIRED, ok("b"), ok("a")]
    first = bx24.callMethod("user.current")  # its answer comes late
    await settle()
    second = bx24.callMethod("profile")
    await settle()
    host.reply("refreshAuth", NEW_TOKENS)
    assert (await second).data() == "b"
    slow.set_result(EXPIRED)
    assert (await first).data() == "a"
    assert len(host.requests("refreshAuth")) == 1


async def test_a_second_auth_failure_is_returned_not_looped():
    host, bx24 = await ready()
    host.responses += [EXPIRED, EXPIRED]
    future = bx24.callMethod("user.current")
    await settle()
    host.reply("refreshAuth", NEW_TOKENS)
    result = await future
    assert result.error().getError()["error"] == "expired_token"
    assert len(host.http) == 2 and len(host.requests("refreshAuth")) == 1


async def test_a_silent_portal_ends_the_refresh_in_a_timeout_error():
    host, bx24 = await ready()
    host.responses.append(EXPIRED)
    future = bx24.callMethod("user.current")
    await host.advance(10.5)
    result = await future
    assert result.error().getError()["error"] == "REFRESH_AUTH_TIMEOUT"
    assert result.error().getStatus() == 408
    assert bx24._bridge.pending_count == 0


# -- callBatch ------------------------------------------------------------------------------
def batch_answer(**maps):
    return ok(
        {
            name: maps.get(name, [])
            for name in ("result", "result_error", "result_total", "result_next", "result_time")
        }
    )


async def test_batch_rows_are_double_encoded_and_macros_untouched():
    host, bx24 = await ready()
    host.responses.append(batch_answer(result={"me": {"ID": "1"}, "dep": [{"ID": "5"}]}))
    calls = {
        "me": ["user.current", {}],
        "dep": {"method": "department.get", "params": {"ID": "$result[me][UF_DEPARTMENT][0]"}},
    }
    results = await bx24.callBatch(calls)
    url, body = host.http[0]
    assert url == URL + "batch.json"
    assert body == (
        "auth=secret-access-token&halt=0&cmd[me]=user.current%3F"
        "&cmd[dep]=department.get%3FID%3D%2524result%255Bme%255D%255BUF_DEPARTMENT%255D%255B0%255D"
    )
    assert (
        host.form()["cmd[dep]"] == "department.get?ID=%24result%5Bme%5D%5BUF_DEPARTMENT%5D%5B0%5D"
    )
    assert set(results) == {"me", "dep"}
    assert results["dep"].data() == [{"ID": "5"}]


async def test_batch_list_results_follow_the_input_and_php_quirks_are_normalised():
    host, bx24 = await ready()
    host.responses.append(
        batch_answer(
            result=[{"ID": "1"}, []],  # keys 0..n-1 come as a list
            result_error=[],  # empty map comes as []
            result_total={"1": 120},
            result_next={"1": 50},
        )
    )
    seen = []
    first, second = await bx24.callBatch(
        [["user.current"], ["user.get", {"start": 0}]], seen.append
    )
    assert first.data() == {"ID": "1"} and first.total() is None and not first.more()
    assert second.data() == [] and second.total() == 120 and second.more()
    assert seen == [[first, second]]


async def test_batch_errors_per_command_and_halt():
    host, bx24 = await ready()
    host.responses.append(
        batch_answer(
            result={"a": {"ok": 1}},
            result_error={"b": {"error": "ERROR_CORE", "error_description": "nope"}},
        )
    )
    results = await bx24.callBatch({"a": ["x.a"], "b": ["x.b"], "c": ["x.c"]}, None, True)
    assert host.form()["halt"] == "1"
    assert set(results) == {"a", "b"}  # c never ran
    assert str(results["b"].error()) == "ERROR_CORE: nope (200)"
    assert results["b"].error_description() is None  # as BX24.js: use error().getError()


async def test_a_failed_batch_reaches_every_command():
    host, bx24 = await ready()
    host.responses.append(NetworkError("offline"))
    results = await bx24.callBatch([["a.b"], ["c.d"]])
    assert [r.error().getError()["error"] for r in results] == ["NETWORK_ERROR"] * 2


async def test_empty_batch_completes_at_once():
    host, bx24 = await ready()
    seen = []
    assert await bx24.callBatch([], seen.append) == []
    assert await bx24.callBatch({"x": None, "y": [""]}) == {}
    assert seen == [[]] and host.http == []


async def test_more_than_50_commands_is_a_clear_error():
    _, bx24 = await ready()
    with pytest.raises(ValueError, match="at most 50"):
        bx24.callBatch([["user.current"]] * 51)


# -- callBind / callUnbind ------------------------------------------------------------------
async def test_call_bind_defaults_like_bx24js():
    host, bx24 = await ready(IS_ADMIN=True)
    await bx24.callBind("ONCRMDEALADD", "https://h.example/x")
    assert host.form() == {
        "auth": "secret-access-token",
        "event": "ONCRMDEALADD",
        "handler": "https://h.example/x",
        "auth_type": "0",
    }
    await bx24.callBind("ONCRMDEALADD", "https://h.example/x", None)  # null: not sent
    assert "auth_type" not in host.form()
    await bx24.callUnbind("ONCRMDEALADD", "https://h.example/x")
    assert "auth_type" not in host.form() and host.http[-1][0].endswith("event.unbind.json")
    await bx24.callUnBind("ONCRMDEALADD", "https://h.example/x", 7)
    assert host.form()["auth_type"] == "7"


async def test_call_bind_by_non_admin_sends_nothing():
    host, bx24 = await ready(IS_ADMIN=False)
    assert bx24.callBind("ONCRMDEALADD", "https://h.example/x") is False
    assert bx24.callUnbind("ONCRMDEALADD", "https://h.example/x") is False
    assert host.http == []


async def test_call_bind_before_init_is_queued_until_init():
    host = FakeHost()
    bx24 = BX24Facade(host)
    future = bx24.callBind("ONCRMDEALADD", "https://h.example/x")
    await settle()
    assert host.http == []
    host.reply("getInitData", INIT_DATA)
    host.responses.append(ok(True))
    await host.advance(0.05)
    assert (await future).data() is True
    assert host.form()["event"] == "ONCRMDEALADD"


async def test_rest_outside_a_portal_fails_fast():
    from pyb24 import NotInPortalError

    bx24 = BX24Facade(FakeHost(window_name=""))
    with pytest.raises(NotInPortalError):
        bx24.callMethod("user.current")
    with pytest.raises(NotInPortalError):
        bx24.callBatch([["user.current"]])


async def test_request_logs_never_contain_the_token(caplog):
    import logging

    host, bx24 = await ready()
    with caplog.at_level(logging.DEBUG, logger="pyb24"):
        await bx24.callMethod("user.current", {"secret_param": "x"})
    assert "secret" not in caplog.text and json.dumps(host.http)  # sanity: a request was made


# -- the seam -------------------------------------------------------------------------------
class _Portal:
    def require_portal(self) -> None:
        pass

    async def initialised(self) -> None:
        pass

    def method_url(self, method: str) -> str:
        return f"https://portal.example/rest/{method}.json"


class _Credentials:
    def __init__(self):
        self.token, self.refreshed = "t1", []

    def access_token(self) -> str:
        return self.token

    def valid(self) -> bool:
        return True

    async def refresh(self, stale_token):
        self.refreshed.append(stale_token)
        self.token = "t2"
        return True


async def test_the_rest_client_needs_only_its_two_protocols():
    host = FakeHost(window_name="")
    credentials = _Credentials()
    client = RestClient(host, _Portal(), credentials)
    host.responses += [EXPIRED, ok("x")]
    status, answer = await client.send("user.current", "a=1")
    assert (status, answer["result"]) == (200, "x")
    assert host.http == [
        ("https://portal.example/rest/user.current.json", "auth=t1&a=1"),
        ("https://portal.example/rest/user.current.json", "auth=t2&a=1"),
    ]
    assert credentials.refreshed == ["t1"]


async def test_call_method_next_and_call_batch_all_go_through_send(monkeypatch):
    sent = []
    original = RestClient.send

    async def spy(self, method, params_body):
        sent.append(method)
        return await original(self, method, params_body)

    monkeypatch.setattr(RestClient, "send", spy)
    host, bx24 = await ready()
    host.responses += [ok([1], next=1), ok([2]), batch_answer(result={"a": 1})]
    page = await bx24.callMethod("user.get")
    await page.next()
    await bx24.callBatch({"a": ["user.current"]})
    assert sent == ["user.get", "user.get", "batch"] and len(host.http) == 3
