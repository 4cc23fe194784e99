"""Planning a listing: strategy choice, filter/select/order handling (pyb24.listing)."""

import logging

import pytest

from pyb24.listing import plan, rows_of, shape_of


def test_auto_takes_the_cursor_without_order_or_with_order_on_id():
    listing = plan("crm.deal.list", {"select": ["TITLE"]}, shape_of("crm.deal.list"))
    assert listing.strategy == "cursor"
    assert listing.params["order"] == {"ID": "ASC"}
    assert listing.params["select"] == ["TITLE", "ID"]  # the cursor needs the id
    desc = plan("crm.deal.list", {"order": {"id": "desc"}}, shape_of("crm.deal.list"))
    assert desc.strategy == "cursor" and desc.descending and desc.cursor_operator == "<ID"


def test_auto_takes_offsets_when_ordered_by_something_else_or_no_id_filter():
    by_title = plan("crm.deal.list", {"order": {"TITLE": "ASC"}}, shape_of("crm.deal.list"))
    assert by_title.strategy == "offset" and by_title.params["order"] == {"TITLE": "ASC"}
    users = plan("user.get", {}, shape_of("user.get"))
    assert users.strategy == "offset"


def test_forcing_the_cursor_where_it_cannot_work_is_an_error():
    with pytest.raises(ValueError, match="order on the id only"):
        plan("crm.deal.list", {"order": {"TITLE": "ASC"}}, shape_of("crm.deal.list"), "cursor")
    assert plan("crm.deal.list", {}, shape_of("crm.deal.list"), "offset").strategy == "offset"
    with pytest.raises(ValueError, match="strategy must be"):
        plan("crm.deal.list", {}, shape_of("crm.deal.list"), "fast")


def test_wrapped_methods_and_their_id_names():
    item = plan(
        "crm.item.list", {"entityTypeId": 2, "select": ["title"]}, shape_of("crm.item.list")
    )
    assert item.params["select"] == ["title", "id"] and item.params["order"] == {"id": "ASC"}
    commands = item.cursor_commands(last_id=7, count=2)
    assert commands["c0"][1]["filter"] == {">id": 7}
    assert commands["c1"][1]["filter"] == {">id": "$result[c0][items][49][id]"}
    assert commands["c1"][1]["start"] == -1 and commands["c1"][1]["entityTypeId"] == 2
    tasks = plan("tasks.task.list", {}, shape_of("tasks.task.list"))
    assert tasks.params["order"] == {"ID": "ASC"}  # answers `id`, filters and orders on `ID`
    assert tasks.cursor_commands(1, 2)["c1"][1]["filter"] == {">ID": "$result[c0][tasks][49][id]"}


def test_filter_and_FILTER_are_merged_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="pyb24.list"):
        listing = plan(
            "crm.deal.list",
            {"filter": {"STAGE_ID": "WON"}, "FILTER": {"STAGE_ID": "LOSE", "TYPE_ID": "SALE"}},
            shape_of("crm.deal.list"),
        )
    assert listing.params["filter"] == {"STAGE_ID": "WON", "TYPE_ID": "SALE"}
    assert "FILTER" not in listing.params
    assert "both 'filter' and 'FILTER'" in caplog.text


def test_the_callers_own_id_bound_becomes_the_cursor_start():
    listing = plan(
        "crm.deal.list", {"filter": {">=ID": 100, "<ID": 500}}, shape_of("crm.deal.list")
    )
    assert listing.floor == 99 and listing.params["filter"] == {"<ID": 500}
    assert listing.first_page()["filter"] == {"<ID": 500, ">ID": 99}
    assert listing.first_page()["start"] == 0


def test_select_star_and_a_callers_start_are_respected_or_dropped():
    listing = plan("crm.deal.list", {"select": ["*"], "start": 150}, shape_of("crm.deal.list"))
    assert listing.params["select"] == ["*"] and "start" not in listing.params


def test_rows_of_plain_wrapped_and_php_shapes():
    plain, wrapped = shape_of("crm.deal.list"), shape_of("crm.item.list")
    assert rows_of([{"ID": "1"}], plain) == [{"ID": "1"}]
    assert rows_of({"items": [{"id": 1}]}, wrapped) == [{"id": 1}]
    assert rows_of({"0": {"ID": "1"}, "1": {"ID": "2"}}, plain) == [{"ID": "1"}, {"ID": "2"}]
    assert rows_of({"tasks": [{"id": "3"}]}, plain) == [{"id": "3"}]  # one list inside: wrapped
    assert rows_of([], wrapped) == [] and rows_of(None, plain) == []
    assert shape_of("custom.list", items_key="rows", id_key="uid").items_key == "rows"
