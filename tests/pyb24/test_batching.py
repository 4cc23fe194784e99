"""Chunking batches of any size and keeping $result macros working (pyb24.batching)."""

import pytest

from pyb24.batching import (
    Command,
    MissingValue,
    normalize_calls,
    plan_chunks,
    references,
    substitute,
)


def cmds(n, refs=None):
    """n commands c0..c(n-1); refs maps an index to the indexes it references."""
    refs = refs or {}
    return [
        Command(f"c{i}", "user.get", {"ID": [f"$result[c{j}][0][ID]" for j in refs.get(i, [])]})
        for i in range(n)
    ]


def sizes(chunks):
    return [len(chunk) for chunk in chunks]


def test_inputs_as_dict_and_list_forms():
    commands, as_list = normalize_calls(
        {"me": ["user.current"], "dep": {"method": "department.get", "params": {"ID": 1}}}
    )
    assert not as_list
    assert commands == [
        Command("me", "user.current", None),
        Command("dep", "department.get", {"ID": 1}),
    ]
    commands, as_list = normalize_calls([("user.current", {}), ["profile"]])
    assert as_list and [c.key for c in commands] == ["0", "1"]


@pytest.mark.parametrize("bad", [[None], [[]], [{"params": {}}], [["", {}]]])
def test_an_entry_that_is_not_a_call_is_an_error(bad):
    with pytest.raises(ValueError, match="is not a call"):
        normalize_calls(bad)


def test_references_are_found_anywhere_in_params():
    command = Command(
        "x",
        "crm.deal.update",
        {"id": "$result[add]", "fields": {"TITLE": "of $result[me][NAME] and $TOTAL[l]"}},
    )
    assert references(command) == {"add", "me", "l"}


def test_independent_commands_fill_chunks_of_fifty():
    assert sizes(plan_chunks(cmds(120))) == [50, 50, 20]
    assert sizes(plan_chunks(cmds(50))) == [50]
    assert plan_chunks([]) == []


def test_a_boundary_moves_back_rather_than_split_a_referencing_pair():
    # c50 references c48: they fit one chunk, so the first chunk ends before c48.
    chunks = plan_chunks(cmds(60, {50: [48]}))
    assert sizes(chunks) == [48, 12]
    assert chunks[1][0].key == "c48"


def test_a_chain_longer_than_a_chunk_is_split_where_it_must():
    # each command references the previous: no boundary avoids a split, so chunks stay full
    chain = cmds(120, {i: [i - 1] for i in range(1, 120)})
    assert sizes(plan_chunks(chain)) == [50, 50, 20]


def test_references_far_apart_do_not_shrink_chunks():
    # c99 references c0: 99 apart, never in one chunk: substituted client-side instead
    assert sizes(plan_chunks(cmds(100, {99: [0]}))) == [50, 50]


def test_unknown_and_forward_references_are_refused_before_sending():
    with pytest.raises(ValueError, match="no command has the key 'nope'"):
        plan_chunks([Command("a", "m", {"x": "$result[nope]"})])
    with pytest.raises(ValueError, match="runs later"):
        plan_chunks([Command("a", "m", {"x": "$result[b][ID]"}), Command("b", "m", None)])
    with pytest.raises(ValueError, match="unique"):
        plan_chunks([Command("a", "m", None), Command("a", "m", None)])


def test_substitute_uses_known_results_and_keeps_the_rest():
    known = {
        "me": {"result": {"ID": "7", "UF_DEPARTMENT": [3, 5]}},
        "deals": {"result": [{"ID": "1"}], "result_total": 120},
    }
    params = {
        "ID": "$result[me][UF_DEPARTMENT]",  # exactly a macro: the value itself
        "name": "user $result[me][ID] of $total[deals]",  # inside text: its JS text
        "later": "$result[same_chunk][ID]",  # not known: left for the portal
        "list": ["$result[deals][0][ID]", 4],
    }
    assert substitute(params, known) == {
        "ID": [3, 5],
        "name": "user 7 of 120",
        "later": "$result[same_chunk][ID]",
        "list": ["1", 4],
    }
    assert substitute({"flag": "$result[x][ok]"}, {"x": {"result": {"ok": True}}}) == {"flag": True}
    assert substitute("$result[x][ok] too", {"x": {"result": {"ok": True}}}) == "true too"


def test_substitute_raises_for_a_path_the_result_lacks():
    with pytest.raises(MissingValue):
        substitute({"a": "$result[me][NOPE]"}, {"me": {"result": {"ID": 1}}})
    with pytest.raises(MissingValue):
        substitute({"a": "$result[l][9][ID]"}, {"l": {"result": [{"ID": 1}]}})
    with pytest.raises(MissingValue):  # the command failed: it has no result
        substitute({"a": "$result[f]"}, {"f": {"result_error": {"error": "X"}}})
