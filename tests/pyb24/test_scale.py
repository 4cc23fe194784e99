"""BX24.call / list / list_all / batch over a scripted portal (pyb24.scale)."""

import pytest

from portal_emulator.rest.phpquery import parse_str
from pyb24.errors import B24Error, B24NotFoundError, B24RateLimitError
from pyb24.scale import PythonApi
from tests.support.listportal import ListPortal


def api(portal):
    return PythonApi(portal.send)


def ids(rows, key="ID"):
    return [int(row[key]) for row in rows]


# -- call -------------------------------------------------------------------------------------
async def test_call_returns_the_result_or_raises():
    portal = ListPortal(range(1, 4))
    assert ids(await api(portal).call("crm.deal.list", {})) == [1, 2, 3]
    portal.failures["crm.deal.get"] = (404, {"error": "ERROR_NOT_FOUND", "error_description": "x"})
    with pytest.raises(B24NotFoundError) as caught:
        await api(portal).call("crm.deal.get", {"id": 9})
    assert caught.value.method == "crm.deal.get" and caught.value.status == 404
    with pytest.raises(ValueError):
        await api(portal).call("")


# -- list: cursor -----------------------------------------------------------------------------
@pytest.mark.parametrize("n", [0, 1, 49, 50, 51, 2500, 2550, 10_000])
async def test_cursor_lists_every_item_once_in_few_requests(n):
    portal = ListPortal(range(1, n + 1))
    rows = await api(portal).list_all("crm.deal.list", {"select": ["ID", "TITLE"]})
    assert ids(rows) == list(range(1, n + 1))
    assert len(portal.requests) <= -(-n // 2500) + 2


async def test_cursor_descending_and_wrapped_answers():
    portal = ListPortal(range(1, 3001), wrapped=True)
    rows = await api(portal).list_all("crm.item.list", {"entityTypeId": 2, "order": {"id": "desc"}})
    assert ids(rows, "id") == list(range(3000, 0, -1))


async def test_cursor_with_gaps_and_a_callers_bounds():
    portal = ListPortal(range(5, 40_000, 7))
    rows = await api(portal).list_all("crm.deal.list", {"filter": {">ID": 1000, "<=ID": 9000}})
    assert ids(rows) == [i for i in range(5, 40_000, 7) if 1000 < i <= 9000]


async def test_cursor_survives_items_added_and_deleted_while_listing():
    portal = ListPortal(range(1, 5001))
    deleted, added = set(), []

    def churn(p):  # after every page: delete an early-numbered item, add one at the end
        victim = next((i for i in sorted(p.rows) if i % 3 == 0 and i not in deleted), None)
        if victim is not None:
            deleted.add(victim)
            del p.rows[victim]
        new_id = max(p.rows) + 1
        added.append(new_id)
        p.rows[new_id] = {"ID": str(new_id), "TITLE": "new"}

    portal.after_page = churn
    got = ids(await api(portal).list_all("crm.deal.list"))
    assert len(got) == len(set(got)) and got == sorted(got)  # once each, stable order
    survivors = [i for i in range(1, 5001) if i not in deleted]
    assert set(survivors) <= set(got)  # everything that existed throughout


async def test_pages_after_the_last_one_are_ignored_even_when_they_failed():
    portal = ListPortal(range(1, 301))

    def shrink(p):  # the portal loses rows after the count: the planned pages run past the end
        for i in [i for i in p.rows if i > 120]:
            del p.rows[i]
        p.after_page = None

    portal.after_page = shrink
    assert ids(await api(portal).list_all("crm.deal.list")) == list(range(1, 121))


async def test_limit_stops_early_and_progress_reports_done_and_total():
    portal = ListPortal(range(1, 10_001))
    seen = []
    rows = await api(portal).list_all(
        "crm.deal.list", limit=120, progress=lambda done, total: seen.append((done, total))
    )
    assert ids(rows) == list(range(1, 121))
    assert seen[0] == (50, 120) and seen[-1] == (120, 120)
    assert len(portal.requests) == 2
    assert await api(portal).list_all("crm.deal.list", limit=0) == []


async def test_async_iteration_and_async_progress():
    portal = ListPortal(range(1, 121))
    reports = []

    async def progress(done, total):
        reports.append(done)

    got = [row["ID"] async for row in api(portal).list("crm.deal.list", progress=progress)]
    assert len(got) == 120 and reports[-1] == 120


# -- list: offsets ----------------------------------------------------------------------------
async def test_offset_pages_go_fifty_to_a_batch():
    portal = ListPortal(range(1, 5001))
    rows = await api(portal).list_all("crm.deal.list", strategy="offset")
    assert ids(rows) == list(range(1, 5001))
    assert [m for m, _ in portal.requests] == ["crm.deal.list", "batch", "batch"]


async def test_offset_deduplicates_shifted_rows_and_follows_a_growing_total():
    portal = ListPortal(range(1, 201))

    def add_first(p):  # a new row sorts first in DESC order, shifting later pages
        p.rows[max(p.rows) + 1] = {"ID": str(max(p.rows) + 1)}

    portal.after_page = add_first
    rows = await api(portal).list_all("crm.deal.list", {"order": {"ID": "DESC"}}, strategy="offset")
    got = ids(rows)
    assert len(got) == len(set(got)) and set(range(1, 201)) <= set(got)


async def test_a_failed_page_raises_its_error():
    portal = ListPortal(range(1, 200))
    portal.failures["batch"] = (503, {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "."})
    with pytest.raises(B24RateLimitError):
        await api(portal).list_all("crm.deal.list")


# -- batch ------------------------------------------------------------------------------------
class BatchPortal:
    """Runs each batch command as `echo`: its result is its params (after macros)."""

    def __init__(self):
        self.requests = []

    async def send(self, method, body):
        params = parse_str(body)
        self.requests.append(params)
        assert method == "batch" and len(params["cmd"]) <= 50
        results, errors = {}, {}
        for key, row in params["cmd"].items():
            name, _, query = row.partition("?")
            sub = parse_str(query)
            if name == "fail":
                errors[key] = {"error": "ERROR_CORE", "error_description": "no"}
                if params["halt"] == "1":
                    break
                continue
            for field, value in list(sub.items()):
                if isinstance(value, str) and value.startswith("$result["):
                    ref = value[len("$result[") :].split("]")[0]
                    sub[field] = results[ref]["n"]  # a same-chunk macro, resolved "server-side"
            results[key] = sub
        return 200, {"result": {"result": results, "result_error": errors}}


async def test_batch_of_any_size_keeps_keys_and_macros_across_chunks():
    portal = BatchPortal()
    calls = {f"k{i}": ["echo", {"n": i}] for i in range(120)}
    calls["near"] = ["echo", {"n": "$result[k119][n]"}]  # same chunk as k119
    calls["far"] = ["echo", {"n": "$result[k0][n]"}]  # k0 ran two chunks earlier
    progress = []
    results = await PythonApi(portal.send).batch(calls, progress=lambda d, t: progress.append(d))
    assert list(results) == list(calls)
    assert results["k7"] == {"n": "7"}
    assert results["near"] == {"n": "119"} and results["far"] == {"n": "0"}
    assert [len(r["cmd"]) for r in portal.requests] == [50, 50, 22]
    assert "$result[k119]" in portal.requests[2]["cmd"]["near"].replace("%5B", "[").replace(
        "%5D", "]"
    ).replace("%24", "$")
    assert progress == [50, 100, 122]


async def test_batch_list_input_failures_and_halt():
    portal = BatchPortal()
    results = await PythonApi(portal.send).batch([["echo", {"n": 1}], ["fail"], ["echo"]])
    assert results[0] == {"n": "1"} and isinstance(results[1], B24Error) and results[2] == {}
    assert results[1].code == "ERROR_CORE" and results[1].method == "fail"
    halted = await PythonApi(portal.send).batch(
        {"a": ["echo", {"n": 1}], "b": ["fail"], "c": ["echo"]}, halt=True
    )
    assert list(halted) == ["a", "b"]


async def test_batch_refuses_bad_references_before_sending():
    portal = BatchPortal()
    with pytest.raises(ValueError, match="no command has the key"):
        await PythonApi(portal.send).batch({"a": ["echo", {"n": "$result[zz]"}]})
    assert portal.requests == []
