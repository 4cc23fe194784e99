"""batch: sequential commands, $result macros, halt, limits and PHP's array shapes."""

from urllib.parse import quote

import pytest

from portal_emulator.rest.batch import substitute

pytestmark = pytest.mark.usefixtures("emu")  # reset to the seed before each test


def form_batch(rest, commands, halt=0):
    """A batch as BX24.js sends it: each row encoded, then the whole body encoded again."""
    items = commands.items() if isinstance(commands, dict) else enumerate(commands)
    rows = [f"cmd[{quote(str(key), safe='')}]={quote(row, safe='')}" for key, row in items]
    body = "&".join([f"auth={rest.token}", f"halt={halt}", *rows])
    return rest.raw("batch", body.encode(), "application/x-www-form-urlencoded")


def test_macro_from_one_command_into_the_next(rest):
    resp = form_batch(
        rest,
        {
            "me": "user.current?",
            "department": "department.get?ID=$result[me][UF_DEPARTMENT][0]",
        },
    )
    assert resp.status == 200
    answer = resp.json()
    assert set(answer) == {"result", "time"}
    maps = answer["result"]
    assert maps["result"]["me"]["ID"] == "1"
    assert maps["result"]["department"] == [
        {"ID": "1", "NAME": "Acme Corp", "SORT": 500, "UF_HEAD": "1"}
    ]
    assert maps["result_error"] == [] and maps["result_next"] == []
    assert maps["result_total"] == {"department": 1}
    assert set(maps["result_time"]) == {"me", "department"}
    assert {"start", "finish", "duration"} <= set(maps["result_time"]["me"])


def test_nested_index_macro_into_a_list_result(rest):
    resp = form_batch(
        rest,
        {
            # keys are encoded inside a row too: a bare "=" in "filter[=stageId]" would end the name
            "won": "crm.item.list?entityTypeId=2&filter[%3DstageId]=WON&order[id]=ASC&select[]=id",
            "first": "crm.item.get?entityTypeId=2&id=$result[won][items][0][id]",
        },
    )
    maps = resp.json()["result"]
    first_won = maps["result"]["won"]["items"][0]["id"]
    assert maps["result"]["first"]["item"]["id"] == first_won
    assert maps["result"]["first"]["item"]["stageId"] == "WON"
    assert "won" in maps["result_total"]


def test_whole_value_macro_keeps_an_array_and_text_macros_substitute(rest):
    resp = rest.call(
        "batch",
        {
            "cmd": {
                "me": "user.current",
                "departments": "department.get?ID=$result[me][UF_DEPARTMENT]",
                "deal": "crm.item.add?entityTypeId=2&fields[title]=For $result[me][NAME] "
                "$result[me][LAST_NAME]&fields[assignedById]=$result[me][ID]",
                "missing": "server.time?x=$result[nobody][ID]",
            }
        },
        json_body=True,
    )
    maps = resp.json()["result"]
    assert [d["ID"] for d in maps["result"]["departments"]] == ["1"]
    assert maps["result"]["deal"]["item"]["title"] == "For Alex Morgan"
    assert maps["result"]["deal"]["item"]["assignedById"] == 1
    assert "missing" in maps["result"]  # an unresolvable macro stays as text


def test_array_cmd_gives_lists_and_gaps_give_objects(rest):
    resp = rest.call(
        "batch", {"cmd": ["user.current", "no.such.method", "user.get?ID=2"]}, json_body=True
    )
    maps = resp.json()["result"]
    assert isinstance(maps["result"], dict) and set(maps["result"]) == {"0", "2"}
    assert maps["result_error"] == {
        "1": {"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"}
    }
    assert maps["result_total"] == {"2": 1}
    listed = rest.call("batch", {"cmd": ["server.time", "scope"]}, json_body=True).json()
    assert isinstance(listed["result"]["result"], list) and len(listed["result"]["result"]) == 2
    assert isinstance(listed["result"]["result_time"], list)
    assert listed["result"]["result_total"] == [] and listed["result"]["result_error"] == []


@pytest.mark.parametrize("halt", [0, 1])
def test_halt_stops_at_the_first_failure(rest, halt):
    commands = ["user.current", "crm.deal.get?id=999999999", "server.time"]
    resp = form_batch(rest, commands, halt=halt)
    assert resp.status == 200
    maps = resp.json()["result"]
    assert maps["result_error"] == {"1": {"error": "", "error_description": "Not found"}}
    if halt:
        assert maps["result"] == [maps["result"][0]] and len(maps["result_time"]) == 1
    else:
        assert set(maps["result"]) == {"0", "2"}


def test_halt_in_a_json_body(rest):
    resp = rest.call(
        "batch",
        {
            "halt": 1,
            "cmd": {
                "a": "crm.item.get?entityTypeId=2&id=1",
                "b": "crm.item.get?entityTypeId=99&id=1",
                "c": "server.time",
            },
        },
        json_body=True,
    )
    maps = resp.json()["result"]
    assert set(maps["result"]) == {"a"} and maps["result_error"]["b"]["error"] == "NOT_FOUND"
    assert all("c" not in maps[name] for name in ("result", "result_error", "result_time"))


def test_result_next_for_list_commands(rest):
    maps = rest.call(
        "batch", {"cmd": {"users": "user.get", "page2": "user.get?start=50"}}, json_body=True
    ).json()["result"]
    assert maps["result_next"] == {"users": 50, "page2": 100}
    assert maps["result_total"] == {"users": 130, "page2": 130}


def test_fifty_commands_run_and_each_one_after_them_fails(rest):
    """The batch page: commands beyond 50 end with ERROR_BATCH_LENGTH_EXCEEDED; the first 50
    run as usual and the request itself succeeds."""
    fifty = rest.call("batch", {"cmd": ["server.time"] * 50}, json_body=True)
    assert fifty.status == 200 and len(fifty.json()["result"]["result"]) == 50
    cmd = {f"c{i}": "user.current" for i in range(52)}
    too_many = rest.call("batch", {"cmd": cmd}, json_body=True)
    maps = too_many.json()["result"]
    assert too_many.status == 200
    assert list(maps["result"]) == [f"c{i}" for i in range(50)]
    assert maps["result_error"] == {
        key: {
            "error": "ERROR_BATCH_LENGTH_EXCEEDED",
            "error_description": "Max batch length exceeded",
        }
        for key in ("c50", "c51")
    }
    halted = rest.call("batch", {"cmd": cmd, "halt": 1}, json_body=True).json()["result"]
    assert list(halted["result_error"]) == ["c50"]  # halt: the first failure ends the batch


def test_nested_batch_is_refused_per_command(rest):
    maps = form_batch(rest, {"inner": "batch?cmd[0]=server.time", "ok": "scope"}).json()["result"]
    assert maps["result_error"]["inner"]["error"] == "ERROR_BATCH_METHOD_NOT_ALLOWED"
    assert "ok" in maps["result"]


def test_empty_batch_and_bad_cmd(rest):
    empty = rest.call("batch", {"halt": 0}).json()["result"]
    assert empty == {
        name: []
        for name in ("result", "result_error", "result_total", "result_next", "result_time")
    }
    bad = rest.call("batch", {"cmd": "server.time"}, json_body=True)
    assert bad.status == 400 and bad.error == "ERROR_ARGUMENT"
    not_text = rest.call("batch", {"cmd": {"x": {"method": "server.time"}}}, json_body=True)
    assert not_text.json()["result"]["result_error"]["x"]["error"] == "ERROR_ARGUMENT"


def test_commands_run_in_order_and_see_each_others_writes(rest):
    maps = rest.call(
        "batch",
        {
            "halt": 1,
            "cmd": {
                "add": "crm.item.add?entityTypeId=2&fields[title]=Batch deal",
                "update": (
                    "crm.item.update?entityTypeId=2&id=$result[add][item][id]&fields[stageId]=WON"
                ),
                "check": "crm.deal.get?id=$result[add][item][id]",
            },
        },
        json_body=True,
    ).json()["result"]
    assert maps["result"]["check"]["TITLE"] == "Batch deal"
    assert maps["result"]["check"]["STAGE_ID"] == "WON"


def test_batch_needs_auth_like_any_call(rest):
    resp = rest.call("batch", {"cmd": ["server.time"]}, token=None)
    assert (resp.status, resp.error) == (401, "NO_AUTH_FOUND")


def test_a_macro_takes_the_deepest_node_its_path_reaches(rest):
    """As the portal's CRestUtil: a missing step ends the walk where it is (the ID cursor's
    ``$result[page][49][ID]`` on a short last page is that whole page)."""
    maps = rest.call(
        "batch",
        {
            "cmd": {
                "page": "crm.item.list?entityTypeId=2&filter[>id]=140&select[]=id",
                "past_the_end": (
                    "crm.item.list?entityTypeId=2&filter[>id]=$result[page][items][49][id]"
                ),
                "count": "user.get?ID=$total[page]",
                "tail": "crm.item.get?entityTypeId=2&id=$result[page][items][9][id],ignored",
            }
        },
        json_body=True,
    ).json()["result"]
    assert len(maps["result"]["page"]["items"]) == 10
    assert maps["result_error"]["past_the_end"]["error"] == "INVALID_ARG_VALUE"  # a whole page
    assert maps["result"]["count"][0]["ID"] == "10"  # $total[page] is 10
    assert maps["result"]["tail"]["item"]["id"] == 150  # the macro ran to the white space


def test_macro_paths_in_isolation():
    maps = {
        "result": {"a": {"ID": "7", "NONE": None, "LIST": [1, 2]}},
        "result_next": {"a": 50},
        "result_total": {},
        "result_time": {},
        "result_error": {},
    }
    assert substitute("$result[a][ID]", maps) == "7"
    assert substitute("$result[a][NONE]", maps) == {"ID": "7", "NONE": None, "LIST": [1, 2]}
    assert substitute("$result[a][LIST][1]", maps) == "2"
    assert substitute("$RESULT[a][LIST]", maps) == [1, 2]
    assert substitute("n=$next[a]", maps) == "n=50"
    assert substitute("x $result[nobody][ID] y", maps) == "x Array y"
    assert substitute("$result", maps) == "$result"  # no path: left alone
    assert substitute({"f": {">ID": "$result[a][ID]"}}, maps) == {"f": {">ID": "7"}}
