"""REST values in Python types (``typed=True``), by the portal's own field metadata. Pure core.

The portal sends most values as text (``"ID": "1"``, ``"OPPORTUNITY": "12000.00"``,
``"OPENED": "Y"``). With the entity's fields (:mod:`pyb24.fields`) each value is read by its
field's type, one row of :data:`READERS` per type name the portal uses
(api-reference/data-types.md, api-reference/crm/data-types.md,
api-reference/crm/universal/user-defined-fields/crm-userfield-types.md):

* ``integer``, ids of users, CRM links, categories, enumeration choices → ``int``;
* ``double`` → ``float``; ``char`` ``Y``/``N``, ``boolean`` (``Y``/``N``, ``1``/``0``,
  ``true``/``false``) and task enums of ``Y``/``N`` → ``bool``;
* ``date`` → ``datetime.date``; ``datetime`` with a UTC offset → an aware ``datetime``;
* ``money`` (``"100|USD"``) → :class:`~pyb24.fields.Money`;
* a multiple field → a list; an empty value (``""``, ``None``) → ``None`` (``[]`` when multiple).

Strings, statuses (``crm_status`` ids are text: ``"NEW"``, ``"C1:WON"``), currencies, files,
multi-fields, unknown types and unknown fields stay as they came, and so does a value its
type cannot read (``"abc"`` in an integer field, a date-time without an offset): nothing is
lost. Writes go back the same way in the ``fields`` of add/update: ``bool`` → ``"Y"``/``"N"``
where the field is a yes/no one, ``date``/``datetime`` → ISO text, ``Decimal``/``Money`` →
their text, ``None`` → ``""`` (clears the field).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from .fields import (
    ENTITIES,
    Call,
    Entity,
    Field,
    FieldsCache,
    Money,
    action_of,
    entity_named,
    entity_of,
    key_params,
)
from .phparray import as_list

_INT = re.compile(r"[-+]?\d+")
_FLOAT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?=$|[T ])")
_TRUE, _FALSE = frozenset({"y", "1", "true"}), frozenset({"n", "0", "false"})

Reader = Callable[[Any, Field], Any]


def _int(value: Any, field: Field) -> Any:
    if isinstance(value, str) and _INT.fullmatch(value.strip()):
        return int(value)
    return value


def _float(value: Any, field: Field) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and _FLOAT.fullmatch(value.strip()):
        number = float(value)
        return number if math.isfinite(number) else value
    return value


def _yes_no(value: Any, field: Field) -> Any:
    return {"Y": True, "N": False}.get(value, value) if isinstance(value, str) else value


def _boolean(value: Any, field: Field) -> Any:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, str | int) else None
    return True if text in _TRUE else False if text in _FALSE else value


def _date(value: Any, field: Field) -> Any:
    """``2025-12-28``; the classic methods send a date as midnight with an offset
    (``2025-12-28T00:00:00+03:00``): the date is the text's own day."""
    if isinstance(value, str) and (match := _DATE.match(value.strip())):
        try:
            return dt.date.fromisoformat(match.group())
        except ValueError:
            return value
    return value


def _datetime(value: Any, field: Field) -> Any:
    """``2023-12-28T14:05:48+03:00`` → an aware datetime. Without an offset the moment is
    not known (the portal's zone is not said), so the text stays."""
    if not isinstance(value, str) or not _DATE.match(value.strip()):
        return value
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return value
    return moment if moment.tzinfo is not None else value


def _money(value: Any, field: Field) -> Any:
    return (Money.parse(value) or value) if isinstance(value, str) else value


def _enum(value: Any, field: Field) -> Any:
    """A task enum: numeric choices → int, ``Y``/``N`` choices → bool, others as they are."""
    ids = {item.id for item in field.items}
    if ids and all(isinstance(i, int) for i in ids):
        return _int(value, field)
    return _yes_no(value, field) if ids == {"Y", "N"} else value


_IDS = (
    "integer", "user", "employee", "enumeration", "crm_lead", "crm_deal", "crm_contact",
    "crm_company", "crm_quote", "crm_category", "crm_entity", "iblock_section",
    "iblock_element",
)  # fmt: skip
READERS: dict[str, Reader] = {
    **dict.fromkeys(_IDS, _int),
    "double": _float,
    "char": _yes_no,
    "boolean": _boolean,
    "date": _date,
    "datetime": _datetime,
    "money": _money,
    "enum": _enum,
}


def _is_yes_no(field: Field) -> bool:
    return field.type in ("char", "boolean") or (
        field.type == "enum" and {item.id for item in field.items} == {"Y", "N"}
    )


def read_value(field: Field, value: Any) -> Any:
    """``value`` of ``field`` in its Python type (see the module docstring)."""
    reader = READERS.get(field.type)
    if reader is None:
        return value
    if not field.multiple:
        return None if value is None or value == "" else reader(value, field)
    if value is None or value == "" or value is False:
        return []
    if isinstance(value, Mapping) and not all(str(key).isdigit() for key in value):
        return value  # not a PHP list: keep it whole
    values = as_list(value) if isinstance(value, list | Mapping) else [value]
    return [None if v is None or v == "" else reader(v, field) for v in values]


def write_value(field: Field | None, value: Any) -> Any:
    """A Python value as the portal takes it for ``field`` (None: a field it does not
    describe, where only pyb24's own and the unambiguous types are turned into text)."""
    if field is not None and field.multiple and isinstance(value, list | tuple):
        return [write_value(field, item) for item in value]
    if field is not None:
        if value is None:
            return ""
        if isinstance(value, bool) and _is_yes_no(field):
            return "Y" if value else "N"
        if isinstance(value, dt.datetime) and field.type == "date":
            return value.date().isoformat()
    if isinstance(value, Money):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def _upper_snake(name: str) -> str:
    """``responsibleId`` → ``RESPONSIBLE_ID`` (tasks answer camelCase, describe UPPER)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper()


class FieldIndex:
    """An entity's fields found by the key a record uses: the name, crm.item's
    ``upperName`` (``useOriginalUfNames``), or the UPPER form of a camelCase key."""

    def __init__(self, fields: Mapping[str, Field]) -> None:
        self._by_name = dict(fields)
        self._by_upper = {(f.upper_name or name).upper(): f for name, f in fields.items()}

    def get(self, key: Any) -> Field | None:
        key = str(key)
        found = self._by_name.get(key) or self._by_upper.get(key.upper())
        return found or self._by_upper.get(_upper_snake(key))


class Typing:
    """How one method's params and result are typed, by its entity's fields."""

    def __init__(self, entity: Entity, fields: Mapping[str, Field], method: str) -> None:
        self.entity = entity
        self.index = FieldIndex(fields)
        self.method = method
        self._action = action_of(method)

    def record(self, record: Mapping[str, Any]) -> dict[str, Any]:
        out = {}
        for key, value in record.items():
            field = self.index.get(key)
            out[key] = value if field is None else read_value(field, value)
        return out

    def read(self, result: Any) -> Any:
        """The method's ``result`` typed: a record, a list of them, or records wrapped in
        the entity's keys (``{"item": …}``, ``{"tasks": […]}``); other values as they are."""
        if self._action in self.entity.untyped:
            return result
        return self._read(result, top=True)

    def row(self, row: Any) -> Any:
        return self.record(row) if isinstance(row, Mapping) else row

    def _read(self, result: Any, top: bool) -> Any:
        if isinstance(result, list):
            return [self.row(row) for row in result]
        if not isinstance(result, Mapping):
            return result
        if top and any(key in result for key in self.entity.records):
            return {
                key: self._read(value, top=False) if key in self.entity.records else value
                for key, value in result.items()
            }
        return self.record(result)

    def write(self, params: Any) -> Any:
        """``params`` with the values of ``fields`` (or, for ``user.*``, the top-level
        params) in the portal's text forms; a new dict, the caller's is left as it was."""
        if not isinstance(params, Mapping):
            return params
        if self.entity.writes is None:
            return self._values(params)
        out = dict(params)
        for key in (self.entity.writes, self.entity.writes.upper()):
            if isinstance(out.get(key), Mapping):
                out[key] = self._values(out[key])
        return out

    def _values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {key: write_value(self.index.get(key), value) for key, value in values.items()}


Choice = tuple[Entity, tuple[tuple[str, Any], ...]]  # the entity and its field-set params


class PageTypes:
    """The page's typing: its fields cache and ``BX24.configure(typed=…)``'s default."""

    def __init__(self, call: Call) -> None:
        self.cache = FieldsCache(call)  # ``call`` must be untyped: it asks for *.fields
        self.enabled = False

    def choose(
        self, method: str, params: Any, typed: bool | None, entity: str | None, what: str = ""
    ) -> Choice | None:
        """The entity whose fields type this call; None when it goes untyped. Asked for
        (``typed=True``, ``entity=``), an entity that cannot be told is a ValueError; the
        page's default (``configure(typed=True)``) leaves such calls untyped."""
        asked = typed is True or (typed is None and entity is not None)
        if not asked and (typed is False or not self.enabled):
            return None
        what = what or method
        found = entity_named(entity) if entity is not None else entity_of(method)
        if found is not None and action_of(method) in found.untyped:
            return None  # *.fields, *.delete: answered as they are, no fields needed
        if found is None:
            if not asked:
                return None
            known = ", ".join(repr(name) for name in ENTITIES)
            raise ValueError(
                f"{what}: typed=True cannot tell the entity from the method name; name it "
                f"with entity= on BX24.call/list/list_all (e.g. entity='crm.deal'; pyb24 "
                f"knows {known}), or pass typed=False"
            )
        try:
            return found, key_params(found, params, what)
        except ValueError:
            if asked:
                raise
            return None

    async def typing(self, method: str, choice: Choice) -> Typing:
        entity, keys = choice
        return Typing(entity, await self.cache.get(entity, keys), method)
