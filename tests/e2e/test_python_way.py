"""The Pythonic layer against the emulated portal, in Chromium: lists, batches, throttling and
exceptions as a user's app meets them (issue: REST at portal scale)."""

from __future__ import annotations

import pytest

HARNESS = "/tests/e2e/apps/harness.html"


def deal_ids(store):
    rows = store.fetch("SELECT id FROM crm_items WHERE entity_type_id = 2 ORDER BY id")
    return [row["id"] for row in rows]


# -- functions that run in the app frame --------------------------------------------------------
async def list_deals(strategy, select):
    from pyb24 import BX24

    await BX24.init()
    seen = []
    rows = await BX24.list_all(
        "crm.deal.list",
        {"select": select},
        strategy=strategy,
        progress=lambda done, total: seen.append([done, total]),
    )
    return {"ids": [int(row["ID"]) for row in rows], "progress": seen, "keys": sorted(rows[0])}


async def list_items_while_they_change():
    from pyb24 import BX24

    await BX24.init()
    ids = []
    async for item in BX24.list("crm.item.list", {"entityTypeId": 2, "select": ["title"]}):
        ids.append(int(item["id"]))
    return ids


async def batch_across_chunks(n):
    from pyb24 import BX24, B24Error

    await BX24.init()
    calls = {f"u{i}": ["user.get", {"ID": (i % 100) + 1}] for i in range(n)}
    calls["me"] = ["user.current", {}]
    calls["dept"] = ["department.get", {"ID": "$result[me][UF_DEPARTMENT][0]"}]  # same chunk
    calls["first_again"] = ["user.get", {"ID": "$result[u0][0][ID]"}]  # chunks away
    calls["broken"] = ["no.such.method", {}]
    results = await BX24.batch(calls)
    return {
        "keys": list(results) == list(calls),
        "u7": results["u7"][0]["ID"],
        "dept": results["dept"][0]["ID"],
        "first_again": results["first_again"][0]["ID"],
        "broken": [type(results["broken"]).__name__, str(results["broken"])],
        "is_error": isinstance(results["broken"], B24Error),
    }


async def burst(calls, burst_size, rate):
    import asyncio

    from pyb24 import BX24

    await BX24.init()
    BX24.configure(burst=burst_size, rate=rate)
    outcomes = await asyncio.gather(
        *(BX24.call("server.time") for _ in range(calls)), return_exceptions=True
    )
    return [repr(o) for o in outcomes if isinstance(o, BaseException)]


async def missing_method():
    from pyb24 import BX24, B24NotFoundError

    await BX24.init()
    try:
        await BX24.call("no.such.method", {"x": 1})
    except B24NotFoundError as error:
        token = BX24.getAuth()["access_token"]
        text = f"{error!s} | {error!r}"
        return {"text": text, "code": error.code, "status": error.status, "leak": token in text}
    return None


async def snake_case_names():
    from pyb24 import BX24

    await BX24.init()
    me = await BX24.call_method("user.current")
    return {
        "same": BX24.get_lang() == BX24.getLang() and BX24.is_admin() == BX24.isAdmin(),
        "me": me.data()["ID"],
        "options": BX24.user_option is BX24.userOption,
        "placement": (await BX24.placement.get_interface()) is not None,
    }


# -- tests ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("strategy", ["cursor", "offset"])
def test_list_all_gets_every_deal_once_in_few_requests(b24, strategy):
    b24.store.seed_deals(3000)
    app = b24.open(page=HARNESS)
    expected = deal_ids(b24.store)
    result = app.run(list_deals, strategy, ["TITLE"])
    assert result["ids"] == expected  # every deal once, in ID order
    assert "ID" in result["keys"]  # the id was added to select
    calls = app.rest_calls()
    assert len(calls) <= -(-len(expected) // 2500) + 2
    assert result["progress"][-1] == [len(expected), len(expected)]


def test_cursor_listing_while_items_are_added_and_deleted(b24):
    b24.store.seed_deals(1500)
    app = b24.open(page=HARNESS)
    before = deal_ids(b24.store)
    b24.emulator.rest.configure(churn=3)  # after every list page: 3 added, 3 deleted
    ids = app.run(list_items_while_they_change)
    after = deal_ids(b24.store)
    assert len(ids) == len(set(ids)) and ids == sorted(ids)
    survivors = set(before) & set(after)
    assert survivors <= set(ids)  # everything that existed throughout, exactly once
    assert set(ids) <= set(before) | set(after)


def test_batch_of_any_size_with_macros_across_the_boundary(b24):
    app = b24.open(page=HARNESS)
    result = app.run(batch_across_chunks, 120)
    assert result["keys"] and result["u7"] == "8" and result["first_again"] == "1"
    assert result["dept"]
    assert result["is_error"] and result["broken"][0] == "B24NotFoundError"
    assert "no.such.method: ERROR_METHOD_NOT_FOUND" in result["broken"][1]
    assert len([c for c in app.rest_calls() if c["method"] == "batch"]) == 3


def test_a_throttled_burst_reaches_the_caller_without_errors(b24):
    app = b24.open(page=HARNESS)
    app.run(burst, 1, 50, 2)  # booted and initialised outside the burst
    b24.emulator.rest.configure(rate_limit=(10, 20.0))
    assert app.run(burst, 80, 10, 20.0) == []


def test_an_exception_reaches_user_code_with_a_clear_message(b24):
    app = b24.open(page=HARNESS)
    result = app.run(missing_method)
    assert result["code"] == "ERROR_METHOD_NOT_FOUND" and result["status"] == 404
    assert result["text"].startswith("no.such.method: ERROR_METHOD_NOT_FOUND")
    assert "(HTTP 404)" in result["text"] and not result["leak"]


def test_pep8_aliases_are_the_same_objects(b24):
    app = b24.open(page=HARNESS)
    result = app.run(snake_case_names)
    assert result == {"same": True, "me": "1", "options": True, "placement": True}
