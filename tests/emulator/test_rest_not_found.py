"""Not found is a not-found, for every method that acts on one record by id.

The method table marks each method that reads, changes or deletes one existing record with
the parameters naming it (``core.one_record``), and each that lists or adds inside one
(``core.in_record``: ``crm.item.list``'s ``entityTypeId``): ``methods.RECORD_METHODS``.
For every such method and every such parameter, :data:`MISSING` holds the answer the
method's page in the official REST docs source (``bitrix24/b24restdocs``, path in ``doc``)
gives when that parameter names nothing. The test sends the method's documented call
(``DOCUMENTED`` of test_documented_shapes.py) with that one parameter replaced, checks the
answer, and checks that pyb24's error mapping (``pyb24.errors.error_from_answer``, pure)
raises ``B24NotFoundError`` for it — the README's ``except B24NotFoundError`` around
``crm.deal.get``. A method newly marked in the table fails here until it has its rows; a
method that looks like it takes an id but is not marked fails too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from portal_emulator.rest.methods import METHODS, RECORD_METHODS
from pyb24.errors import B24NotFoundError, error_from_answer
from tests.emulator.test_documented_shapes import DOCUMENTED
from tests.support.restkit import client

NO_ID = 999_999  # a well-formed id no seeded or created record has
NO_CODE = "nosuch"  # a well-formed storage or property code no record has


@dataclass(frozen=True)
class Missing:
    """``method`` with ``param`` = ``value`` (naming nothing) answers HTTP ``status`` with
    ``error`` = ``code`` and, when given, ``error_description`` = ``description``.
    ``status`` 200: the page documents a success with ``result`` null instead."""

    method: str
    param: str
    status: int
    code: str | int | None
    description: str | None
    doc: str
    value: Any = NO_ID

    @property
    def id(self) -> str:
        return f"{self.method}:{self.param}"


def _classic(entity: str, plural: str, get: str, update: str, delete: tuple[str, str]):
    """crm.<entity>.get/update/delete: the classic CRM empty code, the text saying it."""
    folder = f"api-reference/crm/{plural}/crm-{entity}"
    return [
        Missing(f"crm.{entity}.get", "id", 400, "", get, f"{folder}-get.md"),
        Missing(f"crm.{entity}.update", "id", 400, "", update, f"{folder}-update.md"),
        Missing(f"crm.{entity}.delete", "id", 400, *delete, f"{folder}-delete.md"),
    ]


UNIVERSAL = "api-reference/crm/universal"
# crm.item.*: the D7 code NOT_FOUND, for a missing type ("SPA not found") and a missing item
# (the pages word the text differently from one another: "Element not found", "Item not
# found"; the code is what they agree on, so only it is checked).
_ITEM = [
    Missing(
        f"crm.item.{action}", param, 400, "NOT_FOUND", None, f"{UNIVERSAL}/crm-item-{action}.md"
    )
    for action in ("get", "update", "delete")
    for param in ("entityTypeId", "id")
]
STORAGE = "api-reference/entity"
_ENTITY_GONE = (400, "ERROR_ENTITY_NOT_FOUND", "Entity not found")


def _storage(method: str, page: str, key: str, code: str, text: str) -> list[Missing]:
    """entity.*: a missing storage (``ENTITY``), then a missing record of it (``key``)."""
    return [
        Missing(method, "ENTITY", *_ENTITY_GONE, f"{STORAGE}/{page}", NO_CODE),
        Missing(
            method,
            key,
            400,
            code,
            text,
            f"{STORAGE}/{page}",
            NO_CODE if key == "PROPERTY" else NO_ID,
        ),
    ]


CONTACTS = "api-reference/crm/deals/contacts"
MISSING: list[Missing] = [
    *_classic("deal", "deals", "Not found", "Not found", ("", "Not found")),
    *_classic("lead", "leads", "Not found", "Not found", ("", "Not found")),
    *_classic(
        "contact",
        "contacts",
        "Not found",
        "Contact is not found",
        ("ERROR_CORE", "Element not found"),
    ),
    *_classic(
        "company", "companies", "Not found", "Company is not found", ("", "Company is not found")
    ),
    *_ITEM,
    *(  # listing or adding inside a type that is not there
        Missing(f"crm.item.{action}", "entityTypeId", 400, "NOT_FOUND", None, page)
        for action in ("list", "add", "fields")
        for page in (f"{UNIVERSAL}/crm-item-{action}.md",)
    ),
    Missing(
        "crm.category.list",
        "entityTypeId",
        400,
        "NOT_FOUND",
        "Smart process not found",
        f"{UNIVERSAL}/category/crm-category-list.md",
    ),
    *(  # a to-do of a CRM object that is not there (of a type, or an id of it)
        Missing(
            "crm.activity.todo.add",
            param,
            400,
            "NOT_FOUND",
            "Not found.",
            "api-reference/crm/timeline/activities/todo/crm-activity-todo-add.md",
        )
        for param in ("ownerTypeId", "ownerId")
    ),
    Missing(
        "crm.status.get",
        "id",
        400,
        "Status is not found.",
        "Directory item not found.",
        "api-reference/crm/status/crm-status-get.md",
    ),
    Missing(
        "crm.category.get",
        "entityTypeId",
        400,
        "NOT_FOUND",
        None,
        f"{UNIVERSAL}/category/crm-category-get.md",
    ),
    Missing(
        "crm.category.get",
        "id",
        400,
        "NOT_FOUND",
        "Element not found",
        f"{UNIVERSAL}/category/crm-category-get.md",
    ),
    Missing(  # the number 0, as the page's example answers it
        "crm.type.get",
        "id",
        400,
        0,
        "SPA not found",
        f"{UNIVERSAL}/user-defined-object-types/crm-type-get.md",
    ),
    Missing(
        "crm.currency.get",
        "id",
        400,
        "",
        "Not found",
        "api-reference/crm/currency/crm-currency-get.md",
        "XYZ",
    ),
    Missing(
        "crm.deal.contact.items.get",
        "id",
        400,
        "",
        "Not found.",
        f"{CONTACTS}/crm-deal-contact-items-get.md",
    ),
    Missing(
        "crm.deal.contact.items.set",
        "id",
        400,
        "",
        "Not found.",
        f"{CONTACTS}/crm-deal-contact-items-set.md",
    ),
    Missing(
        "crm.deal.contact.items.delete",
        "id",
        400,
        "",
        "Not found",
        f"{CONTACTS}/crm-deal-contact-items-delete.md",
    ),
    Missing(
        "crm.deal.productrows.get",
        "id",
        400,
        "",
        "Not found",
        "api-reference/crm/deals/crm-deal-productrows-get.md",
    ),
    Missing(
        "crm.deal.productrows.set",
        "id",
        400,
        "",
        "Not found",
        "api-reference/crm/deals/crm-deal-productrows-set.md",
    ),
    Missing("entity.get", "ENTITY", *_ENTITY_GONE, f"{STORAGE}/entities/entity-get.md", NO_CODE),
    Missing(
        "entity.update", "ENTITY", *_ENTITY_GONE, f"{STORAGE}/entities/entity-update.md", NO_CODE
    ),
    Missing(
        "entity.delete", "ENTITY", *_ENTITY_GONE, f"{STORAGE}/entities/entity-delete.md", NO_CODE
    ),
    Missing(  # "null — returned if the storage with the provided ENTITY is not found"
        "entity.rights", "ENTITY", 200, None, None, f"{STORAGE}/entities/entity-rights.md", NO_CODE
    ),
    *_storage(
        "entity.item.update",
        "items/entity-item-update.md",
        "ID",
        "ERROR_ITEM_NOT_FOUND",
        "Item not found",
    ),
    *_storage(
        "entity.item.delete",
        "items/entity-item-delete.md",
        "ID",
        "ERROR_ITEM_NOT_FOUND",
        "Item not found",
    ),
    *_storage(
        "entity.section.update",
        "sections/entity-section-update.md",
        "ID",
        "ERROR_SECTION_NOT_FOUND",
        "Section not found",
    ),
    *_storage(
        "entity.section.delete",
        "sections/entity-section-delete.md",
        "ID",
        "ERROR_SECTION_NOT_FOUND",
        "Section not found",
    ),
    *(  # adding to or listing a storage that is not there
        Missing(method, "ENTITY", *_ENTITY_GONE, f"{STORAGE}/{page}", NO_CODE)
        for method, page in (
            ("entity.item.add", "items/entity-item-add.md"),
            ("entity.item.get", "items/entity-item-get.md"),
            ("entity.section.add", "sections/entity-section-add.md"),
            ("entity.section.get", "sections/entity-section-get.md"),
            ("entity.item.property.add", "items/properties/entity-item-property-add.md"),
        )
    ),
    *(
        row
        for action in ("get", "update", "delete")
        for row in _storage(
            f"entity.item.property.{action}",
            f"items/properties/entity-item-property-{action}.md",
            "PROPERTY",
            "ERROR_PROPERTY_NOT_FOUND",
            "Property not found",
        )
    ),
    # The portal does not tell a missing task from one the user may not see: code "0" (text,
    # as the page's example answers "100"), "Action on the task is not allowed".
    *(
        Missing(
            f"tasks.task.{action}",
            "taskId",
            400,
            "0",
            "Action on the task is not allowed (internal error)",
            f"api-reference/tasks/tasks-task-{action}.md",
        )
        for action in ("get", "update")
    ),
]

# Methods whose name or documented call looks like "one record by id" but that are not:
# what each does instead.
NOT_ONE_RECORD = {
    "app.option.get": "reads options by name; an unknown name is null (app-option-get.md)",
    "user.option.get": "reads options by name; an unknown name is null (user-option-get.md)",
    "app.option.set": "writes options by name",
    "user.option.set": "writes options by name",
    "user.get": "a filtered list: an unknown ID is an empty list",
    "department.get": "a filtered list",
    "placement.get": "the app's placement bindings",
    "event.get": "the app's event handlers",
    "task.commentitem.add": "adds to a task; a missing task is a denied one "
    "(task-comment-item-add.md: ERROR_CORE 'Insufficient permissions to add a comment')",
    "task.commentitem.getlist": "lists a task's comments; a missing task is a failed action "
    "(task-comment-item-get-list.md: ERROR_CORE 'TASKS_ERROR_EXCEPTION_#8; Action failed')",
}
_ONE_RECORD_ACTIONS = ("get", "update", "delete", "set", "rights")
_ID_PARAMS = frozenset({"id", "taskid"})


def _documented(method: str):
    return next(call for call in DOCUMENTED if call.method == method)


def _with(params: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    """``params`` with ``name`` (whatever case the call spelled it in) set to ``value``."""
    kept = {key: item for key, item in params.items() if key.lower() != name.lower()}
    return {**kept, name: value}


@pytest.mark.parametrize("row", MISSING, ids=lambda row: row.id)
def test_a_record_that_is_not_there_answers_the_documented_not_found(emu, row):
    call = _documented(row.method)
    caller = client(emu, call.user)
    for method, params in call.before:
        assert caller.call(method, params).status == 200, (method, params)
    reply = caller.call(row.method, _with(call.params, row.param, row.value))
    answer = reply.json()
    assert reply.status == row.status, f"{row.method} ({row.doc}): {reply}"
    if row.status == 200:
        assert answer["result"] is None, f"{row.doc}: null for a record that is not there"
        return
    assert answer["error"] == row.code and type(answer["error"]) is type(row.code), (
        f"{row.method} ({row.doc}): {answer}"
    )
    if row.description is not None:
        assert answer["error_description"] == row.description, f"{row.doc}: {answer}"
    for sub_result in (False, True):  # a whole answer, and the same inside a batch
        error = error_from_answer(row.method, reply.status, answer, sub_result=sub_result)
        assert isinstance(error, B24NotFoundError), (row.method, answer, error)


def test_every_record_parameter_of_the_method_table_has_its_row():
    declared = {(name, key) for name, keys in RECORD_METHODS.items() for key in keys}
    rows = {(row.method, row.param) for row in MISSING}
    assert not declared - rows, f"no not-found row for {sorted(declared - rows)}"
    assert not rows - declared, f"rows for what the table does not mark: {sorted(rows - declared)}"
    assert len(rows) == len(MISSING), "one row per method and parameter"


def test_every_method_that_looks_like_it_takes_an_id_is_marked_or_explained():
    """A new ``*.get``/``*.update``/``*.delete``/``*.set`` or a method called with an id is
    either marked in the table (and so in the matrix) or says here why it is not."""
    looks = {
        name
        for name in METHODS
        if name.rsplit(".", 1)[-1] in _ONE_RECORD_ACTIONS
        or any(key.lower() in _ID_PARAMS for key in _documented(name).params)
    }
    unexplained = sorted(looks - set(RECORD_METHODS) - set(NOT_ONE_RECORD))
    assert not unexplained, f"take an id? mark them with one_record or explain: {unexplained}"
    assert not set(NOT_ONE_RECORD) & set(RECORD_METHODS)
    assert set(NOT_ONE_RECORD) <= set(METHODS)
