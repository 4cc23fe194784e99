"""A CRM item's timeline over real HTTP: activities, to-dos and comments in the shapes, value
types and errors of their pages in the REST docs (bitrix24/b24restdocs)."""

import pytest

from portal_emulator.model import timeline
from tests.support.restkit import client

pytestmark = pytest.mark.usefixtures("emu")

ACTIVITY_KEYS = [field.upper for field in timeline.ACTIVITY]


@pytest.fixture
def admin(emu):
    return client(emu, 1)


def test_crm_activity_list_of_a_deal(admin):
    # api-reference/crm/timeline/activities/activity-base/crm-activity-list.md: text values,
    # SETTINGS/PROVIDER_PARAMS arrays, sorted by START_TIME
    reply = admin.call("crm.activity.list", {"filter": {"OWNER_TYPE_ID": 2, "OWNER_ID": 1}})
    activities = reply.result
    assert reply.json()["total"] == len(activities) == 3 and "next" not in reply.json()
    first = activities[0]
    assert list(first) == ACTIVITY_KEYS
    assert first["OWNER_ID"] == "1" and first["OWNER_TYPE_ID"] == "2" and first["TYPE_ID"] == "2"
    assert first["PROVIDER_ID"] == "VOXIMPLANT_CALL" and first["COMPLETED"] == "Y"
    assert first["STATUS"] == "2" and first["PROVIDER_GROUP_ID"] is None
    assert first["SETTINGS"] == [] and first["PROVIDER_PARAMS"] == []
    assert first["CREATED"].endswith("+03:00")
    starts = [activity["START_TIME"] for activity in activities]
    assert starts == sorted(starts)
    todos = admin.call(
        "crm.activity.list",
        {
            "filter": {"OWNER_TYPE_ID": 2, "OWNER_ID": 1, "PROVIDER_ID": "CRM_TODO"},
            "select": ["ID", "SUBJECT", "DEADLINE"],
            "order": {"ID": "DESC"},
        },
    ).result
    assert todos == [
        {"ID": todos[0]["ID"], "SUBJECT": "Send the rollout plan", "DEADLINE": todos[0]["DEADLINE"]}
    ]


def test_crm_activity_list_by_bindings(admin):
    # crm-activity-list.md, "Using BINDINGS": linked to any of the items named
    params = {"filter": {"BINDINGS": [{"OWNER_TYPE_ID": 2, "OWNER_ID": 2}, {"OWNER_ID": 3}]}}
    owners = {
        (a["OWNER_TYPE_ID"], a["OWNER_ID"]) for a in admin.call("crm.activity.list", params).result
    }
    assert owners == {("2", "2"), ("2", "3")}
    only = admin.call("crm.activity.list", {"filter": {"BINDINGS": [{"OWNER_TYPE_ID": 4}]}})
    assert only.result == []
    bad = admin.call("crm.activity.list", {"filter": {"BINDINGS": ["x"]}})
    assert bad.status == 400 and "BINDINGS" in bad.json()["error_description"]


def test_crm_activity_todo_add_then_list(admin):
    # api-reference/crm/timeline/activities/todo/crm-activity-todo-add.md: {"id": <int>}
    reply = admin.call(
        "crm.activity.todo.add",
        {
            "ownerTypeId": 2,
            "ownerId": 4,
            "deadline": "2025-02-03T15:00:00",
            "title": "Call back",
            "description": "About the invoice",
            "responsibleId": 2,
            "pingOffsets": [0, 15],
            "colorId": "3",
        },
    )
    assert reply.status == 200 and isinstance(reply.result["id"], int)
    (todo,) = admin.call(
        "crm.activity.list", {"filter": {"OWNER_ID": 4, "OWNER_TYPE_ID": 2}}
    ).result
    assert todo["ID"] == str(reply.result["id"]) and todo["SUBJECT"] == "Call back"
    assert todo["PROVIDER_ID"] == "CRM_TODO" and todo["TYPE_ID"] == "6"
    assert todo["DEADLINE"] == "2025-02-03T15:00:00+03:00" and todo["COMPLETED"] == "N"
    assert todo["RESPONSIBLE_ID"] == "2" and todo["AUTHOR_ID"] == "1"


@pytest.mark.parametrize(
    ("params", "code", "description"),
    [
        ({"ownerId": 1, "deadline": "2025-02-03T15:00:00"}, 100, "{ownerTypeId}"),
        ({"ownerTypeId": 2, "ownerId": 1}, 100, "{deadline}"),
        ({"ownerTypeId": 2, "ownerId": 999999, "deadline": "2025-02-03"}, "NOT_FOUND", "Not found"),
        ({"ownerTypeId": 2, "ownerId": 1, "deadline": "soon"}, "WRONG_DATETIME_FORMAT", "date"),
        ({"ownerTypeId": "x", "ownerId": 1, "deadline": "2025-02-03"}, 100, "type int"),
        (
            {"ownerTypeId": 2, "ownerId": 1, "deadline": "2025-02-03", "responsibleId": 99999},
            "INVALID_ARG_VALUE",
            "responsible",
        ),
    ],
)
def test_crm_activity_todo_add_errors(admin, params, code, description):
    reply = admin.call("crm.activity.todo.add", params)
    assert reply.status == 400
    assert reply.json()["error"] == code and description in reply.json()["error_description"]


def test_crm_timeline_comment_add_then_list(admin):
    # api-reference/crm/timeline/comments/crm-timeline-comment-add.md: the new id (an int);
    # crm-timeline-comment-list.md: text values, FILES an object
    reply = admin.call(
        "crm.timeline.comment.add",
        {"fields": {"ENTITY_ID": 3, "ENTITY_TYPE": "deal", "COMMENT": "New comment was added"}},
    )
    assert reply.status == 200 and isinstance(reply.result, int)
    listed = admin.call(
        "crm.timeline.comment.list", {"filter": {"ENTITY_ID": 3, "ENTITY_TYPE": "deal"}}
    )
    assert listed.json()["total"] == 1
    (comment,) = listed.result
    assert comment == {
        "ID": str(reply.result),
        "ENTITY_ID": "3",
        "ENTITY_TYPE": "deal",
        "CREATED": comment["CREATED"],
        "COMMENT": "New comment was added",
        "AUTHOR_ID": "1",
        "FILES": {},
    }
    seeded = admin.call(
        "crm.timeline.comment.list",
        {"filter": {"ENTITY_ID": 1, "ENTITY_TYPE": "deal"}, "order": {"CREATED": "DESC"}},
    ).result
    assert [c["CREATED"] for c in seeded] == sorted((c["CREATED"] for c in seeded), reverse=True)
    picked = admin.call(
        "crm.timeline.comment.list",
        {"filter": {"ENTITY_ID": 1, "ENTITY_TYPE": "DEAL"}, "select": ["COMMENT"]},
    ).result
    assert set(picked[0]) == {"ID", "COMMENT"}


@pytest.mark.parametrize(
    ("method", "params", "code", "description"),
    [
        ("crm.timeline.comment.add", {}, 100, "{fields}"),
        (
            "crm.timeline.comment.add",
            {"FIELDS": {"ENTITY_ID": 1, "ENTITY_TYPE": "deal", "COMMENT": "x"}},
            100,
            "{fields}",  # only a lower-case "fields" is read
        ),
        (
            "crm.timeline.comment.add",
            {"fields": {"ENTITY_TYPE": "deal", "COMMENT": "x"}},
            100,
            "ENTITY_ID",
        ),
        (
            "crm.timeline.comment.add",
            {"fields": {"ENTITY_ID": 999999, "ENTITY_TYPE": "deal", "COMMENT": "x"}},
            "OWNER_NOT_FOUND",
            "Owner of the item not found",
        ),
        (
            "crm.timeline.comment.add",
            {"fields": {"ENTITY_ID": 1, "ENTITY_TYPE": "spaceship", "COMMENT": "x"}},
            "OWNER_NOT_FOUND",
            "Owner",
        ),
        (
            "crm.timeline.comment.add",
            {"fields": {"ENTITY_ID": 1, "ENTITY_TYPE": "deal", "COMMENT": "  "}},
            "INVALID_ARG_VALUE",
            "Empty comment",
        ),
        ("crm.timeline.comment.list", {}, "", "ENTITY_ID and ENTITY_TYPE"),
        ("crm.timeline.comment.list", {"filter": {"ENTITY_ID": 1}}, "", "ENTITY_TYPE"),
    ],
)
def test_crm_timeline_comment_errors(admin, method, params, code, description):
    reply = admin.call(method, params)
    assert reply.status == 400
    assert reply.json()["error"] == code and description in reply.json()["error_description"]
