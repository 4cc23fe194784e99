"""The portal's own field metadata: ``BX24.fields(entity)``, read from the entity's ``*.fields``
method and kept for the page. Pure core.

Each entity pyb24 knows is one row of :data:`ENTITIES`: the method that describes its fields,
the parameters that pick one field set (``crm.item``'s ``entityTypeId``), the keys its answers
wrap records in (``{"item": …}``, ``{"tasks": […]}``) and where its writes put the values. The
answers come in three documented shapes, all read into :class:`Field`:

* classic CRM (``crm.deal.fields``, api-reference/crm/deals/crm-deal-fields.md):
  ``{NAME: {type, isRequired, isReadOnly, isMultiple, title, statusType?, items?}}``, a user
  field's label in ``formLabel``/``listLabel`` (its ``title`` is its name);
* universal CRM (``crm.item.fields``, api-reference/crm/universal/crm-item-fields.md) and
  tasks (``tasks.task.getFields``, api-reference/tasks/tasks-task-get-fields.md): the same
  under ``{"fields": …}``, with ``upperName`` (crm.item) or ``required``/``values`` (tasks);
* ``user.fields`` (api-reference/user/user-fields.md) answers only titles, ``{NAME: title}``;
  the standard user fields' types come from :data:`USER_FIELD_TYPES` (from user-get.md,
  user-current.md and user-update.md), the others are strings.

:class:`FieldsCache` asks each entity's ``*.fields`` once per page; callers that ask while the
request is out share it, and a failed request is not kept (the next caller asks again).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .phparray import as_list

Call = Callable[[str, Any], Awaitable[Any]]  # the Pythonic layer's call: method, params → result


@dataclass(frozen=True)
class Money:
    """A ``money`` field's value: the portal writes ``"100.50|USD"``; ``str()`` gives it back."""

    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{format(self.amount, 'f')}|{self.currency}"

    @classmethod
    def parse(cls, text: str) -> Money | None:
        """``"100|USD"`` → ``Money(Decimal("100"), "USD")``; None when it is not that shape."""
        amount, bar, currency = text.strip().partition("|")
        if not bar or not currency.isalpha():
            return None
        try:
            number = Decimal(amount)
        except InvalidOperation:
            return None
        return cls(number, currency) if number.is_finite() else None


@dataclass(frozen=True)
class FieldItem:
    """One choice of a list field (``enumeration``'s ``{ID, VALUE}``, a task enum's value)."""

    id: int | str
    value: str


@dataclass(frozen=True)
class Field:
    """One field of an entity as its ``*.fields`` describes it. ``name`` is the key the
    entity's methods use (``OPPORTUNITY``, ``opportunity``); ``upper_name`` is crm.item's
    ``upperName`` (``UF_CRM_1_…`` for ``ufCrm1_…``)."""

    name: str
    type: str
    title: str = ""
    multiple: bool = False
    required: bool = False
    read_only: bool = False
    items: tuple[FieldItem, ...] = ()
    status_type: str | None = None
    upper_name: str = ""


@dataclass(frozen=True)
class Entity:
    """An entity pyb24 can type: how to ask for its fields and where its records are."""

    name: str  # "crm.deal": its methods are <name>.<action>
    fields_method: str
    keys: tuple[str, ...] = ()  # params that pick the field set (and must be given)
    wrapped_fields: bool = False  # *.fields answers {"fields": {...}}
    records: tuple[str, ...] = ()  # result keys holding a record or a list of them
    writes: str | None = "fields"  # the param holding the values on add/update; None: top level
    titles_only: bool = False  # *.fields answers {NAME: title}; types from USER_FIELD_TYPES
    untyped: tuple[str, ...] = ("fields", "getfields", "delete")  # actions answered as is


_CLASSIC_CRM = ("crm.deal", "crm.lead", "crm.contact", "crm.company", "crm.quote")
ENTITIES: dict[str, Entity] = {
    entity.name: entity
    for entity in (
        *(Entity(name, f"{name}.fields") for name in _CLASSIC_CRM),
        Entity(
            "crm.item",
            "crm.item.fields",
            keys=("entityTypeId",),
            wrapped_fields=True,
            records=("item", "items"),
        ),
        Entity("user", "user.fields", writes=None, titles_only=True),
        Entity(
            "tasks.task",
            "tasks.task.getFields",
            wrapped_fields=True,
            records=("task", "tasks"),
        ),
    )
}

# The standard user fields' types, which user.fields does not say (it answers titles): from
# the values user.get / user.current show (api-reference/user/user-get.md, user-current.md)
# and user.update's parameters (user-update.md). A user field not named here is a string.
USER_FIELD_TYPES: dict[str, tuple[str, bool]] = {  # name: (type, multiple)
    "ID": ("integer", False),
    "ACTIVE": ("boolean", False),
    "IS_ONLINE": ("char", False),
    "LAST_LOGIN": ("datetime", False),
    "DATE_REGISTER": ("datetime", False),
    "TIMESTAMP_X": ("datetime", False),
    "LAST_ACTIVITY_DATE": ("datetime", False),
    "PERSONAL_BIRTHDAY": ("date", False),
    "UF_EMPLOYMENT_DATE": ("date", False),
    "UF_DEPARTMENT": ("integer", True),
    "PERSONAL_PHOTO": ("file", False),
    "WORK_LOGO": ("file", False),
}


def entity_named(name: str) -> Entity:
    """The entity called ``name`` (``"crm.deal"``); a ValueError naming the known ones."""
    entity = ENTITIES.get(str(name).lower())
    if entity is None:
        known = ", ".join(repr(n) for n in ENTITIES)
        raise ValueError(f"pyb24 does not know the fields of {name!r}; it knows {known}")
    return entity


def entity_of(method: str) -> Entity | None:
    """The entity a method works on, told from its name (``crm.deal.get`` → ``crm.deal``,
    ``user.current`` → ``user``); None for a method of no known entity."""
    prefix, dot, _ = method.lower().rpartition(".")
    return ENTITIES.get(prefix) if dot else None


def action_of(method: str) -> str:
    return method.lower().rpartition(".")[2]


def key_params(entity: Entity, params: Any, what: str) -> tuple[tuple[str, Any], ...]:
    """The params that pick ``entity``'s field set, read from ``params`` (any case); a
    ValueError when one is missing."""
    given = {str(k).lower(): v for k, v in params.items()} if isinstance(params, Mapping) else {}
    found = []
    for key in entity.keys:
        value = given.get(key.lower())
        if value is None or value == "":
            raise ValueError(
                f"{what}: {entity.name}'s fields depend on {key!r}; pass it in params, e.g. "
                f'{{"{key}": 2}}'
            )
        text = str(value).strip()
        found.append((key, int(text) if text.lstrip("-").isdigit() else text))
    return tuple(found)


def parse_fields(entity: Entity, result: Any) -> dict[str, Field]:
    """The fields of an entity from its ``*.fields`` answer's ``result``, by name."""
    if entity.titles_only:
        titles = result if isinstance(result, Mapping) else {}
        return {str(name): _user_field(str(name), title) for name, title in titles.items()}
    if entity.wrapped_fields and isinstance(result, Mapping):
        result = result.get("fields")
    if not isinstance(result, Mapping):
        raise ValueError(f"{entity.fields_method} answered no field descriptions")
    return {
        str(name): _field(str(name), description)
        for name, description in result.items()
        if isinstance(description, Mapping)
    }


def _user_field(name: str, title: Any) -> Field:
    type_, multiple = USER_FIELD_TYPES.get(name, ("string", False))
    return Field(name, type_, title=str(title or ""), multiple=multiple, read_only=name == "ID")


def _field(name: str, description: Mapping[str, Any]) -> Field:
    def flag(*keys: str) -> bool:
        return any(description.get(key) is True for key in keys)

    status_type = description.get("statusType")
    return Field(
        name=name,
        type=str(description.get("type") or ""),
        title=str(_title(description)),
        multiple=flag("isMultiple", "multiple"),
        required=flag("isRequired", "required"),
        read_only=flag("isReadOnly", "readonly", "primary"),
        items=_items(description),
        status_type=str(status_type) if status_type else None,
        upper_name=str(description.get("upperName") or ""),
    )


def _title(description: Mapping[str, Any]) -> Any:
    """A user field's label: classic ``*.fields`` give its name as ``title`` and the label
    as ``formLabel``/``listLabel`` (crm-company-fields.md); others have ``title`` only."""
    label = description.get("formLabel") or description.get("listLabel")
    return label or description.get("title") or ""


def _items(description: Mapping[str, Any]) -> tuple[FieldItem, ...]:
    """``items: [{ID, VALUE}]`` (user fields of type enumeration) or ``values: {id: title}``
    (task enums), ids that are numbers as ints."""
    if isinstance(description.get("values"), Mapping):
        pairs = list(description["values"].items())
    else:
        pairs = [
            (item.get("ID"), item.get("VALUE"))
            for item in as_list(description.get("items"))
            if isinstance(item, Mapping)
        ]
    return tuple(FieldItem(_id(key), str(value or "")) for key, value in pairs if key is not None)


def _id(key: Any) -> int | str:
    text = str(key).strip()
    return int(text) if text.lstrip("-").isdigit() else text


FieldsKey = tuple[str, tuple[tuple[str, Any], ...]]


class _Load:
    """One ``*.fields`` request in flight, which later callers wait for."""

    def __init__(self) -> None:
        self.done = asyncio.Event()
        self.error: Exception | None = None


class FieldsCache:
    """The page's field metadata: one ``*.fields`` request per entity (and field set)."""

    def __init__(self, call: Call) -> None:
        self._call = call
        self._known: dict[FieldsKey, dict[str, Field]] = {}
        self._loading: dict[FieldsKey, _Load] = {}

    async def get(self, entity: Entity, keys: tuple[tuple[str, Any], ...] = ()) -> dict[str, Field]:
        key: FieldsKey = (entity.name, keys)
        while True:
            if key in self._known:
                return self._known[key]
            load = self._loading.get(key)
            if load is None:
                return await self._load(key, entity, keys)
            await load.done.wait()
            if load.error is not None:
                raise load.error
            # else the caller that asked was cancelled before the answer: ask again

    async def _load(
        self, key: FieldsKey, entity: Entity, keys: tuple[tuple[str, Any], ...]
    ) -> dict[str, Field]:
        load = self._loading[key] = _Load()
        try:
            fields = parse_fields(entity, await self._call(entity.fields_method, dict(keys)))
            self._known[key] = fields
            return fields
        except Exception as error:
            load.error = error
            raise
        finally:
            del self._loading[key]
            load.done.set()
