"""The emulated portal at scale, over HTTP: fast lists, batches, both limits, data churn.

Time comes from a fake clock handed to the emulator (``configure(clock=...)``): no sleeps.
"""

import time

import pytest

from tests.support.restkit import FakeClock, cursor_ids, rest_panel

pytestmark = pytest.mark.usefixtures("emu")  # reset to the seed (and real time) before each test

DEALS = 150


@pytest.fixture
def clock(emu):
    fake = FakeClock()
    emu.rest.configure(clock=fake)
    return fake


# -- fast lists ---------------------------------------------------------------------------------


def test_crm_deal_list_without_counting(rest):
    page = rest.call(
        "crm.deal.list",
        {"start": -1, "order": {"ID": "ASC"}, "filter": {">ID": 40}, "select": ["ID", "TITLE"]},
    ).json()
    assert list(page) == ["result", "time"]  # no total, no next
    assert [int(deal["ID"]) for deal in page["result"]] == list(range(41, 91))
    assert all(set(deal) == {"ID", "TITLE"} for deal in page["result"])


@pytest.mark.parametrize(
    ("key", "ids"),
    [
        (">ID", list(range(146, 151))),
        (">=ID", list(range(145, 151))),
        ("<ID", [1, 2, 3, 4]),
        ("<=ID", [1, 2, 3, 4, 5]),
    ],
)
def test_id_bounds_on_both_list_dialects(rest, key, ids):
    bound = 145 if key.startswith(">") else 5
    classic = rest.call("crm.deal.list", {"start": -1, "filter": {key: bound}}).result
    assert [int(deal["ID"]) for deal in classic] == ids
    lower = key.lower()  # crm.item.list: ">id"
    items = rest.call(
        "crm.item.list", {"entityTypeId": 2, "start": -1, "filter": {lower: bound}}
    ).result["items"]
    assert [item["id"] for item in items] == ids


def test_order_by_id_descending(rest):
    items = rest.call(
        "crm.item.list",
        {"entityTypeId": 2, "order": {"id": "desc"}, "filter": {"<id": 100}, "start": -1},
    ).result["items"]
    assert [item["id"] for item in items] == list(range(99, 49, -1))
    deals = rest.call("crm.deal.list", {"order": {"ID": "DESC"}, "select": ["ID"]}).json()
    assert [int(d["ID"]) for d in deals["result"]] == list(range(DEALS, DEALS - 50, -1))
    assert deals["total"] == DEALS and deals["next"] == 50


def test_select_is_honoured_and_the_id_always_comes(rest):
    items = rest.call(
        "crm.item.list", {"entityTypeId": 2, "select": ["title", "opportunity"], "start": -1}
    ).result["items"]
    assert all(list(item) == ["id", "title", "opportunity"] for item in items)
    deals = rest.call("crm.deal.list", {"select": ["TITLE"], "start": -1}).result
    assert all(list(deal) == ["ID", "TITLE"] for deal in deals)


def test_ties_are_broken_by_id_so_pages_are_stable(rest):
    rows = []
    for start in (0, 50, 100):
        rows += rest.call(
            "crm.item.list",
            {"entityTypeId": 2, "order": {"stageId": "ASC"}, "select": ["stageId"], "start": start},
        ).result["items"]
    keys = [(item["stageId"], item["id"]) for item in rows]
    assert keys == sorted(keys) and len({item["id"] for item in rows}) == DEALS


def test_wrapped_and_plain_list_answers(rest):
    items = rest.call("crm.item.list", {"entityTypeId": 3}).json()
    assert list(items["result"]) == ["items"] and items["total"] == 80 and items["next"] == 50
    for method in ("user.get", "department.get", "crm.deal.list"):
        assert isinstance(rest.call(method).result, list)


def test_tasks_task_list_wraps_its_tasks(rest):
    first = rest.call("tasks.task.list").json()
    assert list(first["result"]) == ["tasks"] and (first["total"], first["next"]) == (80, 50)
    task = first["result"]["tasks"][0]
    assert task["id"] == "1" and task["title"].endswith("#1") and task["status"] in "23456"
    page = rest.call(
        "tasks.task.list",
        {
            "order": {"ID": "desc"},
            "filter": {"<ID": 78, ">=ID": 70},
            "select": ["TITLE", "RESPONSIBLE_ID"],
            "start": -1,
        },
    ).json()
    assert list(page) == ["result", "time"]
    tasks = page["result"]["tasks"]
    assert [t["id"] for t in tasks] == [str(i) for i in range(77, 69, -1)]
    assert all(list(t) == ["id", "title", "responsibleId"] for t in tasks)
    mine = rest.call(
        "tasks.task.list", {"filter": {"RESPONSIBLE_ID": tasks[0]["responsibleId"]}}
    ).result["tasks"]
    assert mine and {t["responsibleId"] for t in mine} == {tasks[0]["responsibleId"]}


def test_the_id_cursor_lists_every_deal_once(emu, rest):
    emu.store.seed_deals(1_000)
    seen, pages = cursor_ids(rest)
    assert seen == list(range(1, DEALS + 1_001)) and pages == 24


# -- the request-rate limit ---------------------------------------------------------------------


def test_rate_limit_per_plan(emu, rest, clock):
    config = emu.rest.configure(rate_limit=True)
    assert (config["plan"], config["burst"], config["drain_per_second"]) == ("default", 50, 2.0)
    assert rest.repeat("scope", 51) == [200] * 50 + [503]
    clock.advance(1)
    assert rest.repeat("scope", 3) == [200, 200, 503]

    config = emu.rest.configure(plan="enterprise")  # a fresh, empty bucket
    assert (config["rate_limit"], config["burst"], config["drain_per_second"]) == (True, 250, 5.0)
    assert rest.repeat("scope", 251) == [200] * 250 + [503]
    clock.advance(1)
    assert rest.repeat("scope", 6) == [200] * 5 + [503]
    limited = rest.call("scope")
    assert (limited.status, limited.json()) == (
        503,
        {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"},
    )


def test_a_batch_counts_as_one_request(emu, rest, clock):
    emu.rest.configure(rate_limit=(2, 1.0))
    fifty = {"cmd": ["scope"] * 50}
    assert rest.call("batch", fifty, json_body=True).status == 200
    assert rest.call("batch", fifty, json_body=True).status == 200
    assert rest.call("batch", fifty, json_body=True).status == 503
    clock.advance(1)
    assert rest.call("scope").status == 200


# -- operating time -----------------------------------------------------------------------------


def test_operating_time_blocks_a_method_for_its_window(emu, rest, clock):
    emu.rest.configure(operating_cost={"crm.deal.list": 100})
    window_end = int(clock()) + 600
    for calls in range(1, 6):
        timing = rest.call("crm.deal.list", {"select": ["ID"]}).json()["time"]
        assert timing["operating"] == pytest.approx(100 * calls, abs=5)
        assert timing["operating_reset_at"] == window_end
        clock.advance(30)
    blocked = rest.call("crm.deal.list")
    assert (blocked.status, blocked.json()) == (
        429,
        {
            "error": "OPERATION_TIME_LIMIT",
            "error_description": "Method is blocked due to operation time limit.",
        },
    )
    assert blocked.headers["Access-Control-Allow-Origin"] == "*"
    assert rest.call("crm.deal.get", {"id": 1}).status == 200  # other methods go on
    assert emu.rest.operating("CRM.DEAL.LIST") == {
        "used": pytest.approx(500, abs=5),
        "reset_at": window_end,
        "blocked": True,
    }
    clock.now = window_end  # the first minute (two calls) leaves: 300 s left, under 480
    timing = rest.call("crm.deal.list").json()["time"]
    assert timing["operating"] == pytest.approx(400, abs=5)
    assert timing["operating_reset_at"] == window_end + 60


def test_operating_limit_can_be_lowered(emu, rest, clock):
    emu.rest.configure(operating_limit=1, operating_cost=0.6)
    assert [rest.call("scope").status for _ in range(3)] == [200, 200, 429]
    emu.rest.configure(operating_limit=None)
    assert rest.call("scope").status == 200


def test_batch_commands_are_counted_not_the_batch(emu, rest, clock):
    emu.rest.configure(operating_cost={"scope": 100, "batch": 1000})
    answer = rest.call("batch", {"cmd": ["scope"] * 6 + ["server.time"]}, json_body=True).json()
    maps = answer["result"]
    assert [t["operating"] for t in maps["result_time"].values()] == pytest.approx(
        [100, 200, 300, 400, 500, 0], abs=5
    )
    assert list(maps["result_time"]) == ["0", "1", "2", "3", "4", "6"]
    assert maps["result_error"] == {
        "5": {
            "error": "OPERATION_TIME_LIMIT",
            "error_description": "Method is blocked due to operation time limit.",
        }
    }
    assert answer["time"]["operating"] == 0 and emu.rest.operating("batch")["used"] == 0


def test_every_answer_carries_operating_time(rest):
    began = time.time()
    timing = rest.call("user.current").json()["time"]
    assert 0 <= timing["operating"] < 60
    assert began - 1 <= timing["start"] <= timing["finish"] <= time.time() + 1
    assert isinstance(timing["operating_reset_at"], int)
    assert timing["start"] < timing["operating_reset_at"] <= timing["start"] + 600


# -- items added and deleted while a listing runs -----------------------------------------------


def test_churn_after_each_list_page(emu, rest):
    emu.rest.configure(churn=2)
    before = set(emu.store.item_ids(2))
    rest.call("crm.deal.get", {"id": 1})  # not a list: nothing changes
    assert set(emu.store.item_ids(2)) == before
    rest.call("crm.deal.list", {"start": -1})
    after = set(emu.store.item_ids(2))
    assert len(before - after) == 2 and sorted(after - before) == [151, 152]
    emu.rest.configure(churn=(3, 0))
    rest.call(
        "batch",
        {"cmd": ["crm.item.list?entityTypeId=2", "crm.deal.list", "scope"]},
        json_body=True,
    )
    assert len(emu.store.item_ids(2)) == len(after) + 6  # two list commands, three new each
    assert emu.store.count_items(1) == 60  # only the listed type churns


def test_the_id_cursor_returns_every_survivor_exactly_once_under_churn(emu, rest):
    emu.store.seed_deals(350)  # 500 deals: ten pages, each followed by 5 new and 5 deleted
    emu.rest.configure(churn=5)
    initial = set(emu.store.item_ids(2))
    seen, pages = cursor_ids(rest)
    survivors = initial & set(emu.store.item_ids(2))
    assert pages >= 10 and len(seen) == len(set(seen)) and seen == sorted(seen)
    assert survivors <= set(seen)
    # the knob really changed the data under the cursor: deleted some, added some it saw
    assert initial - survivors and set(seen) - initial
    assert emu.store.count_items(2) == 500


def test_offset_paging_misses_survivors_under_churn(emu, rest):
    """Why the cursor matters: deleting shifts every later offset."""
    emu.rest.configure(churn=(0, 10))
    initial = set(emu.store.item_ids(2))
    seen, start = [], 0
    while start is not None:
        page = rest.call("crm.deal.list", {"start": start, "select": ["ID"]}).json()
        seen += [int(deal["ID"]) for deal in page["result"]]
        start = page.get("next")
    survivors = initial & set(emu.store.item_ids(2))
    assert survivors - set(seen)


# -- the knobs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "knobs",
    [
        {"plan": "gold"},
        {"rate_limit": (0, 1)},
        {"rate_limit": "yes"},
        {"operating_limit": 0},
        {"operating_cost": -1},
        {"operating_cost": {"scope": "a lot"}},
        {"churn": -1},
        {"churn": (1, 2, 3)},
        {"clock": 5},
    ],
)
def test_configure_refuses_bad_values_and_changes_nothing(emu, knobs):
    before = emu.rest.config()
    with pytest.raises(ValueError):
        emu.rest.configure(latency_ms=7, **knobs)
    assert emu.rest.config() == before


def test_the_portal_pages_rest_panel_turns_every_knob(emu, rest):
    def panel(body):
        return rest_panel(emu, body)

    config = panel(
        {
            "plan": "enterprise",
            "rate_limit": True,
            "operating_limit": 100,
            "operating_cost": {"scope": 60},
            "churn": [1, 2],
        }
    ).json()
    assert (config["plan"], config["burst"], config["rate_limit"]) == ("enterprise", 250, True)
    assert (config["operating_limit"], config["operating_cost"]) == (100, {"scope": 60.0})
    assert config["churn"] == [1, 2]
    assert [rest.call("scope").status for _ in range(3)] == [200, 200, 429]
    assert panel({"plan": "gold"}).status == 400
    assert panel({"churn": "lots"}).status == 400


def test_reset_restores_every_default(emu, clock):
    emu.rest.configure(
        rate_limit=True, plan="enterprise", operating_limit=5, operating_cost=1, churn=3
    )
    emu.reset()
    config = emu.rest.config()
    assert config["rate_limit"] is False and config["plan"] == "default"
    assert (config["burst"], config["drain_per_second"]) == (50, 2.0)
    assert (config["operating_limit"], config["operating_cost"]) == (480, {})
    assert config["churn"] == [0, 0]
    assert emu.rest.operating("scope")["reset_at"] > time.time()  # the real clock again
