"""App plumbing over real HTTP: placement.*, im.notify.*, task.commentitem.*, as their
pages in the REST docs give requests, answers and errors."""

import re
from pathlib import Path

import pytest

from portal_emulator.rest import notify
from portal_emulator.rest.placements import PLACEMENTS

pytestmark = pytest.mark.usefixtures("emu")

PAGE_PLACEMENTS = (
    Path(__file__).resolve().parents[2] / "portal_emulator/static/portal-placements.js"
)
TAB = "https://app.example/tab/"


# -- placements: api-reference/widgets/placement-{bind,unbind,get,list}.md ----------------------


def test_bindable_placements_are_the_ones_the_page_opens():
    text = PAGE_PLACEMENTS.read_text(encoding="utf-8")
    table = text.split("export const PLACEMENTS = {", 1)[1].split("\n};", 1)[0]
    on_page = set(re.findall(r"^  ([A-Z_]+):", table, re.M))
    assert set(PLACEMENTS) == on_page - {"DEFAULT"}  # DEFAULT is the app's own page


def test_a_bound_tab_is_listed_and_unbound(admin):
    bound = admin.call(
        "placement.bind",
        {
            "PLACEMENT": "CRM_DEAL_DETAIL_TAB",
            "HANDLER": TAB,
            "TITLE": "Deal health",
            "LANG_ALL": {"de": {"TITLE": "Zustand"}},
        },
    )
    assert bound.result is True
    (handler,) = admin.call("placement.get").result
    assert handler == {
        "placement": "CRM_DEAL_DETAIL_TAB",
        "userId": 0,
        "handler": TAB,
        "options": [],
        "title": "Deal health",
        "description": "",
        "langAll": {"de": {"TITLE": "Zustand"}},
    }
    again = admin.call("placement.bind", {"PLACEMENT": "CRM_DEAL_DETAIL_TAB", "HANDLER": TAB})
    assert again.failure == (
        400,
        "ERROR_CORE",
        "Unable to set placement handler: Handler already binded",
    )
    # count: one for the handler found, one for its removal (placement-unbind.md)
    unbound = admin.call("placement.unbind", {"PLACEMENT": "CRM_DEAL_DETAIL_TAB", "HANDLER": TAB})
    assert unbound.result == {"count": 2}
    assert admin.call("placement.get").result == []


def test_the_background_worker_binds_once_per_app_with_its_error_url(admin):
    worker = {"PLACEMENT": "PAGE_BACKGROUND_WORKER", "HANDLER": TAB, "USER_ID": 5}
    assert admin.call("placement.bind", worker).failure[1] == "EMPTY_ERROR_HANDLER_URL"
    worker["OPTIONS"] = {"errorHandlerUrl": TAB + "error", "other": "dropped"}
    assert admin.call("placement.bind", worker).result is True
    (handler,) = admin.call("placement.get").result
    assert handler["userId"] == 5 and handler["options"] == {"errorHandlerUrl": TAB + "error"}
    assert admin.call("placement.bind", worker).failure[1] == "ERROR_PLACEMENT_MAX_COUNT"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"HANDLER": TAB}, (400, "ERROR_ARGUMENT", "Argument 'PLACEMENT' is null or empty")),
        (
            {"PLACEMENT": "CRM_DEAL_DETAIL_TAB"},
            (400, "ERROR_ARGUMENT", "Argument 'HANDLER' is null or empty"),
        ),
        (
            {"PLACEMENT": "NO_SUCH_PLACE", "HANDLER": TAB},
            (400, "ERROR_PLACEMENT_NOT_FOUND", "Placement not found"),
        ),
        # CALL_CARD needs the telephony scope, which the emulated app does not hold
        (
            {"PLACEMENT": "CALL_CARD", "HANDLER": TAB},
            (400, "ERROR_PLACEMENT_NOT_FOUND", "Placement not found"),
        ),
        (
            {"PLACEMENT": "CRM_DEAL_DETAIL_TAB", "HANDLER": TAB, "USER_ID": 2},
            (400, "ERROR_PLACEMENT_USER_MODE", "User mode is not available"),
        ),
    ],
)
def test_bad_binds_get_the_documented_errors(admin, params, expected):
    assert admin.call("placement.bind", params).failure == expected


def test_placements_are_administered_by_administrators(maria):
    denied = (403, "ACCESS_DENIED", "Access denied!")
    bind = {"PLACEMENT": "CRM_DEAL_DETAIL_TAB", "HANDLER": TAB}
    assert maria.call("placement.bind", bind).failure == denied
    assert maria.call("placement.unbind", bind).failure == denied
    assert isinstance(maria.call("placement.list").result, list)  # any app user


def test_placement_list_follows_scope(admin):
    assert "CRM_DEAL_DETAIL_TAB" in admin.call("placement.list").result
    assert "CALL_CARD" not in admin.call("placement.list").result
    assert "CALL_CARD" in admin.call("placement.list", {"FULL": "true"}).result
    assert admin.call("placement.list", {"SCOPE": "task"}).result == ["TASK_VIEW_TAB"]


# -- notifications: api-reference/chats/notifications/im-notify-{system,personal}-add.md ------


def test_notifications_are_recorded_for_tests_to_read(emu, admin):
    first = admin.call(
        "im.notify.system.add", {"USER_ID": 2, "MESSAGE": " Deal [B]won[/B] ", "TAG": "deal-1"}
    )
    assert isinstance(first.result, int)
    second = admin.call(
        "im.notify.personal.add",
        {"USER_ID": 2, "MESSAGE": "Look", "ATTACH": {"BLOCKS": [{"MESSAGE": "hi"}]}},
        json_body=True,
    )
    assert second.result == first.result + 1
    sent = notify.sent(emu.store, 2)
    assert [(n["kind"], n["message"], n["from_user_id"]) for n in sent] == [
        ("system", "Deal [B]won[/B]", 0),  # trimmed, as the docs say
        ("personal", "Look", 1),
    ]
    assert sent[1]["attach"] == {"BLOCKS": [{"MESSAGE": "hi"}]}
    # the same tag replaces the older notification
    admin.call("im.notify.system.add", {"USER_ID": 2, "MESSAGE": "Deal lost", "TAG": "deal-1"})
    assert [n["message"] for n in notify.sent(emu.store, 2)] == ["Look", "Deal lost"]


@pytest.mark.parametrize("method", ["im.notify.system.add", "im.notify.personal.add"])
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"MESSAGE": "x"}, (400, "USER_ID_EMPTY", "User ID can't be empty")),
        ({"USER_ID": -1, "MESSAGE": "x"}, (400, "USER_ID_EMPTY", "User ID can't be empty")),
        ({"USER_ID": 2, "MESSAGE": "   "}, (400, "MESSAGE_EMPTY", "Message can't be empty")),
        (
            {"USER_ID": 2, "MESSAGE": "x", "ATTACH": "{not json"},
            (400, "ATTACH_ERROR", "Incorrect attach params"),
        ),
        (
            {"USER_ID": 2, "MESSAGE": "x", "ATTACH": {"BLOCKS": ["x" * 60_001]}},
            (400, "ATTACH_OVERSIZE", "You have exceeded the maximum allowable size of attach"),
        ),
    ],
)
def test_bad_notifications_get_the_documented_errors(emu, admin, method, params, expected):
    assert admin.call(method, params).failure == expected
    assert notify.sent(emu.store) == []


def test_a_notification_to_nobody_is_false(emu, admin):
    assert admin.call("im.notify.system.add", {"USER_ID": 99999, "MESSAGE": "x"}).result is False
    assert notify.sent(emu.store) == []


# -- task comments: api-reference/tasks/comment-item/task-comment-item-{add,get-list}.md -------


def test_comments_are_added_and_listed(admin):
    ids = [
        admin.call(
            "task.commentitem.add",
            {"TASKID": 1, "FIELDS": {"POST_MESSAGE": text, "AUTHOR_ID": author, "POST_DATE": date}},
        ).result
        for text, author, date in [
            ("Prepared photos", 2, "2025-07-15T14:30:00+02:00"),
            ("Photos attached", 2, "2025-07-15T14:31:00+02:00"),
            ("Thanks", 1, "2025-07-16T09:00:00+02:00"),
        ]
    ]
    assert all(isinstance(i, int) for i in ids)
    newest_first = admin.call("task.commentitem.getlist", {"TASKID": 1}).result
    assert [c["ID"] for c in newest_first] == [str(i) for i in reversed(ids)]
    assert newest_first[1]["POST_DATE"] == "2025-07-15T15:31:00+03:00"  # the portal's zone
    assert newest_first[1]["AUTHOR_NAME"] and newest_first[1]["ATTACHED_OBJECTS"] == {}
    marias = admin.call(
        "task.commentitem.getlist",
        {"TASKID": 1, "ORDER": {"POST_DATE": "asc"}, "FILTER": {"AUTHOR_ID": 2}},
    ).result
    assert [c["POST_MESSAGE"] for c in marias] == ["Prepared photos", "Photos attached"]
    assert admin.call("task.commentitem.getlist", {"TASKID": 2}).result == []


def wrong(param: str, method: str, rest: str) -> str:
    """The tasks module's argument error, as the comment pages quote it."""
    return (
        f"TASKS_ERROR_EXCEPTION_#256; Param {param} for method ctaskcommentitem::{method}()"
        f" {rest}.; 256/TE/WRONG_ARGUMENTS.<br>"
    )


@pytest.mark.parametrize(
    ("method", "params", "description"),
    [
        (
            "task.commentitem.add",
            {"TASKID": 1, "FIELDS": {"POST_MESSAGE": " "}},
            "Comment text is not specified.<br>",
        ),
        (
            "task.commentitem.add",
            {"TASKID": 99999, "FIELDS": {"POST_MESSAGE": "x"}},
            "Insufficient permissions to add a comment.<br>",
        ),
        (
            "task.commentitem.add",
            {"TASKID": "abc", "FIELDS": {"POST_MESSAGE": "x"}},
            wrong(
                "#0 (taskId)", "add", 'expected to be of type "integer", but given something else'
            ),
        ),
        (
            "task.commentitem.add",
            {"TASKID": 1, "FIELDS": {"POST_MESSAGE": "x", "TITLE": "y"}},
            wrong("#1 (arFields)", "add", 'must not contain key "TITLE"'),
        ),
        (
            "task.commentitem.add",
            {"TASKID": 1, "FIELDS": {"POST_MESSAGE": "x", "UF_FORUM_MESSAGE_DOC": ["n1"]}},
            "File not found.<br>",
        ),
        (
            "task.commentitem.getlist",
            {"TASKID": 99999},
            "TASKS_ERROR_EXCEPTION_#8; Action failed; 8/TE/ACTION_FAILED_TO_BE_PROCESSED.<br>",
        ),
        (
            "task.commentitem.getlist",
            {"TASKID": 1, "ORDER": {">=POST_DATE": "2025-01-01"}},
            wrong("#1 (arOrder)", "getlist", 'must not contain key ">=POST_DATE"'),
        ),
        (
            "task.commentitem.getlist",
            {"TASKID": 1, "FILTER": {"%POST_DATE": "2025"}},
            wrong("#2 (arFilter)", "getlist", 'must not contain key "%POST_DATE"'),
        ),
    ],
)
def test_bad_comment_calls_get_the_documented_errors(admin, method, params, description):
    assert admin.call(method, params).failure == (400, "ERROR_CORE", description)


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("entity.get", {"ENTITY": "nope"}),  # api-reference/entity/entities/entity-get.md
        ("entity.item.update", {"ENTITY": "dish", "ID": 999}),  # entity/items/entity-item-update.md
        ("entity.section.delete", {"ENTITY": "dish", "ID": 999}),  # entity/sections/...-delete.md
        ("entity.item.property.get", {"ENTITY": "dish", "PROPERTY": "nope"}),  # ...-property-get.md
        (
            "placement.bind",
            {"PLACEMENT": "NO_SUCH_PLACE", "HANDLER": TAB},
        ),  # widgets/placement-bind.md
    ],
)
def test_not_found_answers_of_the_plumbing_raise_b24_not_found(admin, method, params):
    """What the README promises for crm.deal.get holds for app storage and placements too."""
    from pyb24.errors import B24NotFoundError, error_from_answer

    admin.call("entity.add", {"ENTITY": "dish", "NAME": "Dishes"})
    reply = admin.call(method, params)
    assert reply.status == 400
    assert isinstance(error_from_answer(method, reply.status, reply.json()), B24NotFoundError)


def test_an_app_test_reads_the_notifications_its_app_sent(emu, admin):
    """``app.notifications()`` of the pytest plugin: what the app sent, for its own tests."""
    from pyb24_toolkit.plugin import App

    admin.call("im.notify.system.add", {"USER_ID": 3, "MESSAGE": "Stage changed"})
    app = App(page=None, emulator=emu)  # reading the record needs no browser
    assert [(n["user_id"], n["message"]) for n in app.notifications()] == [(3, "Stage changed")]
    assert app.notifications(user_id=2) == []
