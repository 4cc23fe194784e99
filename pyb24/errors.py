"""``B24Error``: a REST failure as a Python exception, for the Pythonic layer (``BX24.call``…).

``BX24.callMethod`` keeps BX24.js' result objects (``result.error()``); ``BX24.call`` raises
one of these instead. The class says what kind of failure it was, so code can catch what it
can handle::

    try:
        deal = await BX24.call("crm.deal.get", {"id": 42})
    except B24NotFoundError:
        deal = None

Pure: no browser, no I/O. Nothing here ever holds a token: errors are built from the portal's
``error``/``error_description`` and the HTTP status only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class B24Error(Exception):
    """A REST call failed. ``code`` is the portal's ``error`` (``ERROR_METHOD_NOT_FOUND``…),
    ``description`` its ``error_description``, ``status`` the HTTP status (0: no answer at
    all), ``method`` the REST method called."""

    def __init__(self, code: str, description: str = "", status: int = 0, method: str = ""):
        super().__init__(code, description, status, method)
        self.code = code
        self.description = description
        self.status = status
        self.method = method

    def __str__(self) -> str:
        what = f"{self.code}: {self.description}" if self.description else self.code
        where = f"{self.method}: " if self.method else ""
        return f"{where}{what} (HTTP {self.status})"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.method!r}, {self.code!r}, status={self.status})"

    def __reduce__(self) -> tuple[Any, ...]:  # picklable/copyable with its fields
        return (type(self), (self.code, self.description, self.status, self.method))


class B24AuthError(B24Error):
    """401: the token is missing, invalid or expired and a refresh did not help."""


class B24AccessError(B24Error):
    """403: the app lacks the scope, or this user lacks the rights (``insufficient_scope``,
    ``ACCESS_DENIED``, ``user_access_error``…)."""


class B24NotFoundError(B24Error):
    """No such method, or no such entity: a 404, a ``…NOT_FOUND`` code (``NOT_FOUND``,
    ``ERROR_ENTITY_NOT_FOUND``…), a code that says it (``crm.status.get``'s "Status is not
    found."), or the classic CRM empty code whose description says it (``crm.deal.get``'s
    ``{"error": "", "error_description": "Not found"}``). ``tasks.task.get``/``update`` answer
    a missing task exactly as one this user may not see; both raise this."""


class B24RateLimitError(B24Error):
    """503 ``QUERY_LIMIT_EXCEEDED`` (or ``OVERLOAD_LIMIT``) after pyb24's retries ran out."""


class B24OperationLimitError(B24Error):
    """429 ``OPERATION_TIME_LIMIT``: the portal blocks this method for this app until
    ``reset_at`` (epoch seconds; ``None`` when the portal did not say)."""

    def __init__(
        self,
        code: str,
        description: str = "",
        status: int = 429,
        method: str = "",
        reset_at: float | None = None,
    ):
        super().__init__(code, description, status, method)
        self.reset_at = reset_at

    def __str__(self) -> str:
        text = super().__str__()
        return text if self.reset_at is None else f"{text}; blocked until {self.reset_at:.0f}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            type(self),
            (self.code, self.description, self.status, self.method, self.reset_at),
        )


class B24ServerError(B24Error):
    """5xx: the portal failed (``INTERNAL_SERVER_ERROR``, a body that is not JSON…)."""


class B24NetworkError(B24Error):
    """No HTTP answer (status 0) or no answer in time (``REQUEST_TIMEOUT``)."""


RATE_LIMIT_CODES = frozenset({"QUERY_LIMIT_EXCEEDED", "OVERLOAD_LIMIT"})
OPERATION_LIMIT_CODE = "OPERATION_TIME_LIMIT"
_AUTH_CODES = frozenset(
    {"expired_token", "invalid_token", "NO_AUTH_FOUND", "REFRESH_AUTH_TIMEOUT", "INVALID_TOKEN"}
)
_ACCESS_CODES = frozenset(
    {
        "insufficient_scope",
        "ACCESS_DENIED",
        "INVALID_CREDENTIALS",
        "user_access_error",
        "WRONG_AUTH_TYPE",
        "INSUFFICIENT_SCOPE",
    }
)
_NETWORK_CODES = frozenset({"NETWORK_ERROR", "REQUEST_TIMEOUT"})

# A batch sub-command has no HTTP status of its own: it gets the one its code has as a whole
# request (PROTOCOL.md §5.4), 400 for method-specific codes.
STATUS_OF_CODE = {
    "expired_token": 401,
    "invalid_token": 401,
    "NO_AUTH_FOUND": 401,
    "insufficient_scope": 403,
    "ACCESS_DENIED": 403,
    "INVALID_CREDENTIALS": 403,
    "user_access_error": 403,
    "ERROR_METHOD_NOT_FOUND": 404,
    "ERROR_BATCH_METHOD_NOT_ALLOWED": 405,
    "OPERATION_TIME_LIMIT": 429,
    "QUERY_LIMIT_EXCEEDED": 503,
    "OVERLOAD_LIMIT": 503,
    "INTERNAL_SERVER_ERROR": 500,
}


# Not-found answers under a general code: crm-contact-delete.md answers a missing contact with
# ERROR_CORE "Element not found" (while ERROR_CORE "File not found" is a core failure);
# tasks-task-get.md / tasks-task-update.md answer a missing task with "0" "Action on the task
# is not allowed" — the same as a task this user may not see: for them it is not there.
_CORE_NOT_FOUND = frozenset(
    {
        ("ERROR_CORE", "element not found"),
        ("0", "action on the task is not allowed (internal error)"),
    }
)


def _says_not_found(code: str, description: str) -> bool:
    if code.upper().endswith("NOT_FOUND") or "not found" in code.lower():
        return True
    if (code, description.strip().rstrip(".").lower()) in _CORE_NOT_FOUND:
        return True
    return (not code or code.startswith("HTTP_")) and "not found" in description.lower()


def error_class(status: int, code: str, description: str = "") -> type[B24Error]:
    """Which ``B24Error`` subclass an answer with this status, ``error`` code and
    ``error_description`` raises."""
    if code in RATE_LIMIT_CODES:
        return B24RateLimitError
    if code == OPERATION_LIMIT_CODE or status == 429:
        return B24OperationLimitError
    if code in _NETWORK_CODES or status == 0:
        return B24NetworkError
    if code in _AUTH_CODES or status == 401:
        return B24AuthError
    if code in _ACCESS_CODES or status == 403:
        return B24AccessError
    if status == 404 or _says_not_found(code, description):
        return B24NotFoundError
    if status >= 500:
        return B24ServerError
    return B24Error


def error_fields(answer: Mapping[str, Any]) -> tuple[str, str]:
    """``(code, description)`` of an error answer, as text (``""`` where absent): the classic
    ``{"error": "CODE", "error_description": "…"}``, a batch sub-result's
    ``{"error": {"error": …, "error_description": …}}`` or REST 3.0's
    ``{"error": {"code": …, "message": …}}``."""
    error = answer.get("error")
    description: Any = answer.get("error_description")
    if isinstance(error, Mapping):
        code = error.get("error") or error.get("code")
        description = error.get("error_description") or error.get("message")
    else:
        code = error
    return (str(code) if code else ""), (str(description) if description else "")


def error_from_answer(
    method: str, status: int, answer: Mapping[str, Any], *, sub_result: bool = False
) -> B24Error | None:
    """The error an answer envelope carries, or ``None`` for a success (shapes: see
    :func:`error_fields`). A classic ``{"error": ""}`` with a 4xx status is an error too (as
    in ``AjaxResult``); without a code the error is ``HTTP_<status>``. A batch sub-result
    (``sub_result``) has no status of its own: it takes the one its code has as a whole
    request. A whole answer keeps its real status (a 200 with an error stays 200) and is
    classed by its code. An operating-time error carries ``time.operating_reset_at``."""
    if "error" not in answer or (not answer["error"] and status < 400):
        return None
    code_text, description = error_fields(answer)
    code_text = code_text or f"HTTP_{status}"
    code_status = STATUS_OF_CODE.get(code_text, 400) if 0 < status < 400 else status
    if sub_result:
        status = code_status
    cls = error_class(code_status, code_text, description)
    if cls is B24OperationLimitError:
        time_block = answer.get("time")
        reset = time_block.get("operating_reset_at") if isinstance(time_block, Mapping) else None
        reset_at = float(reset) if isinstance(reset, int | float) else None
        return B24OperationLimitError(code_text, description, status, method, reset_at)
    return cls(code_text, description, status, method)
