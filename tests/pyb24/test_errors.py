"""REST failures as exceptions: class by status and code, clear text, no tokens."""

import copy
import pickle

import pytest

from pyb24.errors import (
    B24AccessError,
    B24AuthError,
    B24Error,
    B24NetworkError,
    B24NotFoundError,
    B24OperationLimitError,
    B24RateLimitError,
    B24ServerError,
    error_from_answer,
)


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (404, "ERROR_METHOD_NOT_FOUND", B24NotFoundError),
        (400, "ERROR_ENTITY_NOT_FOUND", B24NotFoundError),
        (401, "expired_token", B24AuthError),
        (401, "NO_AUTH_FOUND", B24AuthError),
        (403, "insufficient_scope", B24AccessError),
        (403, "user_access_error", B24AccessError),
        (503, "QUERY_LIMIT_EXCEEDED", B24RateLimitError),
        (429, "OPERATION_TIME_LIMIT", B24OperationLimitError),
        (500, "INTERNAL_SERVER_ERROR", B24ServerError),
        (502, "ERROR_UNEXPECTED_ANSWER", B24ServerError),
        (0, "NETWORK_ERROR", B24NetworkError),
        (408, "REQUEST_TIMEOUT", B24NetworkError),
        (400, "ERROR_CORE", B24Error),
    ],
)
def test_error_class_by_status_and_code(status, code, cls):
    error = error_from_answer("crm.deal.get", status, {"error": code, "error_description": "d"})
    assert type(error) is cls and isinstance(error, B24Error)
    assert (error.code, error.description, error.status, error.method) == (
        code,
        "d",
        status,
        "crm.deal.get",
    )


def test_success_is_no_error():
    assert error_from_answer("x", 200, {"result": []}) is None
    assert error_from_answer("x", 200, {"result": [], "error": ""}) is None


def test_text_names_method_code_description_and_status():
    error = error_from_answer(
        "no.such",
        404,
        {"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"},
    )
    assert str(error) == "no.such: ERROR_METHOD_NOT_FOUND: Method not found! (HTTP 404)"
    assert repr(error) == "B24NotFoundError('no.such', 'ERROR_METHOD_NOT_FOUND', status=404)"


def test_batch_sub_errors_and_rest3_shapes():
    sub = error_from_answer(
        "crm.deal.get",
        200,
        {"error": {"error": "ERROR_METHOD_NOT_FOUND", "error_description": ""}},
        sub_result=True,
    )
    assert isinstance(sub, B24NotFoundError) and sub.status == 404
    other = error_from_answer(
        "crm.deal.add", 200, {"error": {"error": "ERROR_CORE"}}, sub_result=True
    )
    assert type(other) is B24Error and other.status == 400
    v3 = error_from_answer("x", 400, {"error": {"code": "BAD", "message": "why"}})
    assert (v3.code, v3.description) == ("BAD", "why")


def test_operating_limit_carries_the_reset_time():
    error = error_from_answer(
        "crm.deal.list",
        429,
        {"error": "OPERATION_TIME_LIMIT", "time": {"operating_reset_at": 1_700_000_600}},
    )
    assert isinstance(error, B24OperationLimitError) and error.reset_at == 1_700_000_600
    assert "blocked until 1700000600" in str(error)


def test_errors_copy_and_pickle_with_their_fields():
    error = B24OperationLimitError("OPERATION_TIME_LIMIT", "d", 429, "m", 5.0)
    for clone in (copy.copy(error), pickle.loads(pickle.dumps(error))):
        assert type(clone) is B24OperationLimitError
        assert (clone.code, clone.status, clone.method, clone.reset_at) == (
            "OPERATION_TIME_LIMIT",
            429,
            "m",
            5.0,
        )


@pytest.mark.parametrize(
    ("answer", "cls"),
    [
        # api-reference/crm/deals/crm-deal-get.md, crm/contacts/crm-contact-get.md
        ({"error": "", "error_description": "Not found"}, B24NotFoundError),
        # api-reference/crm/timeline/comments/crm-timeline-comment-get.md
        ({"error": "", "error_description": "Not found."}, B24NotFoundError),
        # api-reference/crm/universal/crm-item-get.md
        ({"error": "NOT_FOUND", "error_description": "Element not found"}, B24NotFoundError),
        # api-reference/crm/status/crm-status-get.md: the code itself is the sentence
        (
            {"error": "Status is not found.", "error_description": "Directory item not found."},
            B24NotFoundError,
        ),
        # api-reference/entity/items/entity-item-get.md
        (
            {"error": "ERROR_ENTITY_NOT_FOUND", "error_description": "Entity not found"},
            B24NotFoundError,
        ),
        # a classic error that is not a missing entity stays a plain B24Error
        ({"error": "", "error_description": "ID is not defined or invalid."}, B24Error),
        # api-reference/crm/contacts/crm-contact-delete.md: a missing contact under ERROR_CORE
        ({"error": "ERROR_CORE", "error_description": "Element not found"}, B24NotFoundError),
        # task-comment-item-add.md: ERROR_CORE "File not found" is a core failure, not a lookup
        ({"error": "ERROR_CORE", "error_description": "File not found"}, B24Error),
        # api-reference/tasks/tasks-task-get.md, tasks-task-update.md: a task that is not there
        # (or not visible to this user: the portal answers both alike)
        (
            {
                "error": "0",
                "error_description": "Action on the task is not allowed (internal error)",
            },
            B24NotFoundError,
        ),
        # the same code for a task id of the wrong type is no lookup
        ({"error": "0", "error_description": "wrong task id"}, B24Error),
    ],
)
def test_not_found_answers_of_every_style(answer, cls):
    error = error_from_answer("crm.deal.get", 400, answer)
    assert type(error) is cls and error.status == 400
    sub = error_from_answer("crm.deal.get", 200, {"error": answer}, sub_result=True)
    assert type(sub) is cls
