"""The pytest plugin's b24 fixture, as an app's own tests use it (pyb24_toolkit.plugin)."""

import pytest

from pyb24_toolkit.plugin import AppError

HARNESS = "/tests/e2e/apps/harness.html"


async def lang_and_placement(extra):
    from pyb24 import BX24

    await BX24.init()
    return {"lang": BX24.getLang(), "placement": BX24.placement.info(), "extra": extra}


def fails_in_the_app():
    raise KeyError("no such deal")


async def pick_a_user():
    from pyb24 import BX24

    await BX24.init()
    return await BX24.selectUser()


def test_run_returns_json_and_reraises_app_exceptions(b24):
    app = b24.open(HARNESS, placement="CRM_DEAL_DETAIL_TAB", options={"ID": "7"}, lang="de")
    result = app.run(lang_and_placement, {"n": [1, 2]})
    assert result == {
        "lang": "de",
        "placement": {"placement": "CRM_DEAL_DETAIL_TAB", "options": {"ID": "7"}},
        "extra": {"n": [1, 2]},
    }
    assert [e["cmd"] for e in app.messages()] == ["getInitData"]
    with pytest.raises(AppError) as failure:
        app.run(fails_in_the_app)
    assert failure.value.type == "KeyError" and "no such deal" in failure.value.message
    # The app's traceback names this file and line.
    line = fails_in_the_app.__code__.co_firstlineno + 1
    assert f'{__file__}", line {line}, in fails_in_the_app' in failure.value.app_traceback


def test_start_and_answer_picker(b24):
    app = b24.open(HARNESS)
    picked = app.start(pick_a_user)
    app.answer_picker(5)
    assert picked.result()["id"] == "5"
    waiting = app.start(pick_a_user)
    app.answer_picker(None)  # closed: the portal never answers
    assert not waiting.done()
    waiting.cancel()
    with pytest.raises(AppError, match="CancelledError"):
        waiting.result()


def test_run_refuses_closures():
    from pyb24_toolkit.plugin import FrameRunner

    outer = 1

    def uses_outer():
        return outer

    with pytest.raises(TypeError, match="outer"):
        FrameRunner(None).run(uses_outer)


async def two_calls():
    import asyncio

    from pyb24 import BX24

    await BX24.init()
    results = await asyncio.gather(BX24.callMethod("server.time"), BX24.callMethod("profile"))
    return [str(r.error()) if r.error() else None for r in results]


def test_rate_limit_and_token_expiry_knobs(b24):
    app = b24.open(HARNESS)
    app.set_rate_limit(plan="enterprise")
    config = b24.emulator.rest.config()
    assert config["rate_limit"] is True and config["burst"] == 250
    app.set_rate_limit(False)
    assert b24.emulator.rest.config()["rate_limit"] is False
    app.run(two_calls)
    assert app.expire_tokens() >= 1
    assert app.run(two_calls) == [None, None]
    assert len(app.messages("refreshAuth")) == 1
    assert [c["error"] for c in app.rest_calls()].count("expired_token") >= 1
