"""App storage: ``entity.*`` (an app's storages), ``entity.item.property.*`` (their item
properties), ``entity.item.*`` and ``entity.section.*`` (their records), per app, in SQLite.

Items and sections are one kind of record each in :data:`KINDS` (the fields a new one has,
what is required, its not-found error); their add/get/update/delete are the same code, so a
method pair is a table entry. Requests, answers and errors follow the pages under
``api-reference/entity/`` of the REST docs. Parameter names are read case-insensitively.

Access is the storage's ``ACCESS`` map (``{"U1": "X", "AU": "R"}``): ``R`` reads, ``W``
writes records, ``X`` manages the storage; its creator holds ``X``, portal administrators
every level. Records a user may not read are left out of lists, as the portal does.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..model.timefmt import PORTAL_TZ, iso, parse_moment
from . import filters
from .core import (
    APP_CODE,
    Caller,
    RestError,
    Result,
    as_list,
    as_map,
    in_record,
    is_blank,
    one_record,
    page_of,
    page_start,
    php_intval,
    to_flag,
    to_int,
    upper_keys,
)

CODE_MAX = 13  # 50 - len("APP_<clientId>_"), as the docs give it for a portal's app
LEVELS = ("R", "W", "X")
PROPERTY_TYPES = ("S", "N", "F")  # string, number, file
_NOT_CODE = re.compile(r"[^A-Za-z0-9_]")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def _empty(name: str) -> RestError:
    return RestError(400, "ERROR_ARGUMENT", f"Argument '{name}' is null or empty", argument=name)


def _denied() -> RestError:
    return RestError(403, "ACCESS_DENIED", "Access denied!")


def _code(params: Mapping[str, Any], key: str) -> str:
    """A storage or property code: disallowed characters dropped, then checked."""
    code = _NOT_CODE.sub("", _text(params.get(key)))
    if not code:
        raise _empty(key)
    if len(code) > CODE_MAX and key.startswith("ENTITY"):
        raise RestError(
            400,
            "ERROR_ARGUMENT",
            f"Entity code is too long. Max length is {CODE_MAX} characters.",
            argument="",
        )
    return code


def _now() -> str:
    return iso(dt.datetime.now(PORTAL_TZ))


# -- storages -----------------------------------------------------------------------------------


def _entity_row(caller: Caller, code: str, *, required: bool = True) -> Any:
    rows = caller.store.fetch("SELECT * FROM app_entities WHERE app=? AND code=?", (APP_CODE, code))
    if not rows and required:
        raise RestError(400, "ERROR_ENTITY_NOT_FOUND", "Entity not found")
    return rows[0] if rows else None


def _access(raw: Any) -> dict[str, str]:
    """An ``ACCESS`` parameter: entries with a level other than R/W/X are dropped."""
    given = as_map(raw) or {}
    return {
        str(code): _text(level).upper()
        for code, level in given.items()
        if _text(level).upper() in LEVELS
    }


def _level(caller: Caller, entity: Any) -> int:
    """0 (none), 1 (R), 2 (W) or 3 (X): the caller's best grant on the storage."""
    if caller.is_admin:
        return 3
    access = json.loads(entity["access"])
    mine = (f"U{caller.user.id}", "AU")
    return max((LEVELS.index(access[code]) + 1 for code in mine if code in access), default=0)


def _require(caller: Caller, entity: Any, level: str) -> None:
    if _level(caller, entity) < LEVELS.index(level) + 1:
        raise _denied()


def entity_json(row: Any) -> dict[str, Any]:
    return {
        "ID": str(row["id"]),
        "IBLOCK_TYPE_ID": "rest_entity",
        "ENTITY": row["code"],
        "NAME": row["name"],
    }


def entity_add(caller: Caller, params: dict[str, Any]) -> Any:
    params = upper_keys(params)
    code = _code(params, "ENTITY")
    name = _text(params.get("NAME"))
    if not name:
        raise _empty("NAME")
    if _entity_row(caller, code, required=False) is not None:
        raise RestError(400, "ERROR_ENTITY_ALREADY_EXISTS", "Entity already exists")
    access = {**_access(params.get("ACCESS")), f"U{caller.user.id}": "X"}
    with caller.store.transaction() as db:
        db.execute(
            "INSERT INTO app_entities (app, code, name, access) VALUES (?,?,?,?)",
            (APP_CODE, code, name, json.dumps(access)),
        )
    return True


@one_record("ENTITY")
def entity_get(caller: Caller, params: dict[str, Any]) -> Any:
    params = upper_keys(params)
    if params.get("ENTITY") is not None:
        return entity_json(_entity_row(caller, _code(params, "ENTITY")))
    rows = caller.store.fetch("SELECT * FROM app_entities WHERE app=? ORDER BY id", (APP_CODE,))
    return [entity_json(row) for row in rows]


@one_record("ENTITY")
def entity_update(caller: Caller, params: dict[str, Any]) -> Any:
    params = upper_keys(params)
    entity = _entity_row(caller, _code(params, "ENTITY"))
    _require(caller, entity, "X")
    values: dict[str, Any] = {}
    if _text(params.get("NAME")):
        values["name"] = _text(params["NAME"])
    if not is_blank(params.get("ENTITY_NEW")):
        new_code = _code(params, "ENTITY_NEW")
        if new_code != entity["code"] and _entity_row(caller, new_code, required=False):
            raise RestError(400, "ERROR_ENTITY_ALREADY_EXISTS", "Entity already exists")
        values["code"] = new_code
    if "ACCESS" in params:
        values["access"] = json.dumps({**_access(params["ACCESS"]), f"U{caller.user.id}": "X"})
    if values:
        assignments = ", ".join(f"{column}=?" for column in values)  # fixed column names
        with caller.store.transaction() as db:
            db.execute(
                f"UPDATE app_entities SET {assignments} WHERE id=?",
                [*values.values(), entity["id"]],
            )
    return True


@one_record("ENTITY")
def entity_delete(caller: Caller, params: dict[str, Any]) -> Any:
    params = upper_keys(params)
    entity = _entity_row(caller, _code(params, "ENTITY"))
    _require(caller, entity, "X")
    with caller.store.transaction() as db:
        for table in ("app_entity_records", "app_entity_properties"):
            db.execute(f"DELETE FROM {table} WHERE entity_id=?", (entity["id"],))
        db.execute("DELETE FROM app_entities WHERE id=?", (entity["id"],))
    return True


@one_record("ENTITY")
def entity_rights(caller: Caller, params: dict[str, Any]) -> Any:
    """The storage's access map, or null for an unknown storage; ``ACCESS`` replaces it."""
    params = upper_keys(params)
    entity = _entity_row(caller, _code(params, "ENTITY"), required=False)
    if entity is None:
        return None
    if "ACCESS" not in params:
        return json.loads(entity["access"])
    _require(caller, entity, "X")
    access = {**_access(params["ACCESS"]), f"U{caller.user.id}": "X"}
    with caller.store.transaction() as db:
        db.execute(
            "UPDATE app_entities SET access=? WHERE id=?", (json.dumps(access), entity["id"])
        )
    return access


# -- item properties ----------------------------------------------------------------------------


def _properties(caller: Caller, entity_id: int) -> list[Any]:
    return caller.store.fetch(
        "SELECT * FROM app_entity_properties WHERE entity_id=? ORDER BY sort, code",
        (entity_id,),
    )


def _property_row(caller: Caller, entity_id: int, code: str) -> Any:
    for row in _properties(caller, entity_id):
        if row["code"] == code:
            return row
    raise RestError(400, "ERROR_PROPERTY_NOT_FOUND", "Property not found")


def property_json(row: Any) -> dict[str, Any]:
    return {
        "PROPERTY": row["code"],
        "NAME": row["name"],
        "TYPE": row["type"],
        "SORT": str(row["sort"]),
    }


def _property_type(params: Mapping[str, Any], default: str) -> str:
    kind = _text(params.get("TYPE")).upper() or default
    if kind == "L":  # a list property: the portal's storages do not make them
        raise RestError(400, "ERROR_UNSUPPORTED_PROPERTY_TYPE", "Invalid property type")
    if kind not in PROPERTY_TYPES:
        raise RestError(400, "ERROR_ARGUMENT", "Wrong entity item property type")
    return kind


def _property_code(params: Mapping[str, Any], key: str) -> str:
    code = _code(params, key)
    if code[0].isdigit():
        raise RestError(400, "ERROR_CORE", "Property code cannot start with a digit")
    return code


@in_record("ENTITY")
def property_add(caller: Caller, params: dict[str, Any]) -> Any:
    params = upper_keys(params)
    entity = _entity_row(caller, _code(params, "ENTITY"))
    _require(caller, entity, "X")
    code = _property_code(params, "PROPERTY")
    kind = _property_type(params, "S")
    if any(row["code"] == code for row in _properties(caller, entity["id"])):
        raise RestError(400, "ERROR_PROPERTY_ALREADY_EXISTS", "Property already exists")
    sort = php_intval(params["SORT"]) if not is_blank(params.get("SORT")) else 500
    with caller.store.transaction() as db:
        db.execute(
            "INSERT INTO app_entity_properties (entity_id, code, name, type, sort)"
            " VALUES (?,?,?,?,?)",
            (entity["id"], code, _text(params.get("NAME")) or code, kind, sort),
        )
    return True


@one_record("ENTITY", "PROPERTY")
def property_get(caller: Caller, params: dict[str, Any]) -> Any:
    params = upper_keys(params)
    entity = _entity_row(caller, _code(params, "ENTITY"))
    if not is_blank(params.get("PROPERTY")):
        return property_json(_property_row(caller, entity["id"], _code(params, "PROPERTY")))
    return [property_json(row) for row in _properties(caller, entity["id"])]


@one_record("ENTITY", "PROPERTY")
def property_update(caller: Caller, params: dict[str, Any]) -> Any:
    params = upper_keys(params)
    entity = _entity_row(caller, _code(params, "ENTITY"))
    _require(caller, entity, "X")
    current = _property_row(caller, entity["id"], _code(params, "PROPERTY"))
    code = current["code"]
    if not is_blank(params.get("PROPERTY_NEW")):
        code = _property_code(params, "PROPERTY_NEW")
        taken = {row["code"] for row in _properties(caller, entity["id"])} - {current["code"]}
        if code in taken:
            raise RestError(400, "ERROR_PROPERTY_ALREADY_EXISTS", f"Property {code} already exists")
    kind = _property_type(params, current["type"])
    if kind == "F" and current["type"] != "F":
        raise RestError(400, "ERROR_ARGUMENT", "Cannot change property type to File")
    name = _text(params.get("NAME")) or current["name"]
    sort = php_intval(params["SORT"]) if not is_blank(params.get("SORT")) else current["sort"]
    with caller.store.transaction() as db:
        db.execute(
            "UPDATE app_entity_properties SET code=?, name=?, type=?, sort=?"
            " WHERE entity_id=? AND code=?",
            (code, name, kind, sort, entity["id"], current["code"]),
        )
        if code != current["code"]:
            _rename_values(db, entity["id"], current["code"], code)
    return True


@one_record("ENTITY", "PROPERTY")
def property_delete(caller: Caller, params: dict[str, Any]) -> Any:
    params = upper_keys(params)
    entity = _entity_row(caller, _code(params, "ENTITY"))
    _require(caller, entity, "X")
    current = _property_row(caller, entity["id"], _code(params, "PROPERTY"))
    with caller.store.transaction() as db:
        db.execute(
            "DELETE FROM app_entity_properties WHERE entity_id=? AND code=?",
            (entity["id"], current["code"]),
        )
        _rename_values(db, entity["id"], current["code"], None)
    return True


def _rename_values(db: Any, entity_id: int, old: str, new: str | None) -> None:
    """Move (or, for None, drop) one property's value in every item of a storage."""
    rows = db.execute(
        "SELECT id, fields FROM app_entity_records WHERE entity_id=? AND kind='item'",
        (entity_id,),
    ).fetchall()
    for row in rows:
        fields = json.loads(row["fields"])
        values = fields.get("PROPERTY_VALUES", {})
        if old in values:
            value = values.pop(old)
            if new is not None:
                values[new] = value
            _save(db, row["id"], fields)


# -- records: items and sections ----------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of storage record, as ``entity.<name>.*`` reads and writes it."""

    name: str  # "item" | "section": the method names and the stored kind
    blank: Mapping[str, Any]  # the writable fields of a new record, as *.get shows them
    not_found: RestError
    required: tuple[str, ...] = ()
    has_properties: bool = False  # PROPERTY_VALUES (items)


_NULLABLE_TEXT = frozenset({"CODE", "PREVIEW_TEXT", "DETAIL_TEXT", "DESCRIPTION"})
_DATES = frozenset({"DATE_ACTIVE_FROM", "DATE_ACTIVE_TO"})
_FILES = frozenset({"PREVIEW_PICTURE", "DETAIL_PICTURE", "PICTURE"})  # uploads: not emulated

KINDS = (
    Kind(
        "item",
        {
            "ACTIVE": "Y",
            "DATE_ACTIVE_FROM": "",
            "DATE_ACTIVE_TO": "",
            "SORT": "500",
            "NAME": "",
            "PREVIEW_PICTURE": None,
            "PREVIEW_TEXT": None,
            "DETAIL_PICTURE": None,
            "DETAIL_TEXT": None,
            "CODE": None,
            "SECTION": None,
        },
        RestError(400, "ERROR_ITEM_NOT_FOUND", "Item not found"),
        has_properties=True,
    ),
    Kind(
        "section",
        {
            "CODE": None,
            "ACTIVE": "Y",
            "SORT": "500",
            "NAME": "",
            "PICTURE": None,
            "DETAIL_PICTURE": None,
            "DESCRIPTION": None,
            "SECTION": None,
        },
        RestError(400, "ERROR_SECTION_NOT_FOUND", "Section not found"),
        required=("NAME",),
    ),
)


def _records(caller: Caller, entity_id: int, kind: str) -> list[dict[str, Any]]:
    rows = caller.store.fetch(
        "SELECT fields FROM app_entity_records WHERE entity_id=? AND kind=? ORDER BY id",
        (entity_id, kind),
    )
    return [json.loads(row["fields"]) for row in rows]


def _invalid(kind: Kind, field: str) -> RestError:
    if kind.name == "section" and field == "SECTION":
        return RestError(400, "ERROR_CORE", "Invalid parent section!")
    return RestError(400, "ERROR_ARGUMENT", f"Field validation errors for the {kind.name}")


def _written(
    caller: Caller, kind: Kind, entity: Any, params: Mapping[str, Any], record_id: int | None
) -> dict[str, Any]:
    """The record fields a request sets, as they will be stored."""
    values: dict[str, Any] = {}
    for field in kind.blank:
        if field not in params or field in _FILES:
            continue
        raw = params[field]
        if field == "ACTIVE":
            values[field] = "Y" if to_flag(raw) else "N"
        elif field == "SORT":
            values[field] = str(php_intval(raw))
        elif field in _DATES:
            moment = parse_moment(_text(raw)) if _text(raw) else None
            if _text(raw) and moment is None:
                raise _invalid(kind, field)
            values[field] = iso(moment) if moment else ""
        elif field == "SECTION":
            values[field] = _section_ref(caller, kind, entity, raw, record_id)
        elif field in _NULLABLE_TEXT:
            values[field] = None if raw is None else _text(raw)
        else:
            values[field] = _text(raw)
    if kind.has_properties and "PROPERTY_VALUES" in params:
        given = upper_keys(as_map(params["PROPERTY_VALUES"]) or {})
        known = {row["code"]: row["type"] for row in _properties(caller, entity["id"])}
        values["PROPERTY_VALUES"] = {
            code: _property_value(given[code.upper()])
            for code, kind_code in known.items()
            if code.upper() in given and kind_code != "F"
        }
    return values


def _property_value(raw: Any) -> Any:
    if isinstance(raw, Mapping | list | tuple):
        return [_text(value) for value in as_list(raw)]
    return None if raw is None else _text(raw)


def _section_ref(
    caller: Caller, kind: Kind, entity: Any, raw: Any, record_id: int | None
) -> str | None:
    if is_blank(raw) or to_int(raw) == 0:
        return None
    section_id = to_int(raw)
    parents = {
        int(s["ID"]): to_int(s["SECTION"]) for s in _records(caller, entity["id"], "section")
    }
    if section_id not in parents:
        raise _invalid(kind, "SECTION")
    if kind.name == "section":  # not itself, nor one of its own subsections
        ancestor: int | None = section_id
        while ancestor is not None:
            if ancestor == record_id:
                raise _invalid(kind, "SECTION")
            ancestor = parents.get(ancestor)
    return str(section_id)


def _record_id(params: Mapping[str, Any]) -> int:
    record_id = to_int(params.get("ID"))
    if record_id is None or record_id <= 0:
        raise _empty("ID")
    return record_id


def _record_row(caller: Caller, kind: Kind, entity: Any, record_id: int) -> dict[str, Any]:
    rows = caller.store.fetch(
        "SELECT fields FROM app_entity_records WHERE id=? AND entity_id=? AND kind=?",
        (record_id, entity["id"], kind.name),
    )
    if not rows:
        raise kind.not_found
    return dict(json.loads(rows[0]["fields"]))


def _shown(caller: Caller, kind: Kind, entity: Any, record: dict[str, Any]) -> dict[str, Any]:
    """A stored record as the get method answers it (every property, null when unset)."""
    if not kind.has_properties:
        return record
    properties = _properties(caller, entity["id"])
    shown = {key: value for key, value in record.items() if key != "PROPERTY_VALUES"}
    if properties:
        values = record.get("PROPERTY_VALUES", {})
        shown["PROPERTY_VALUES"] = {row["code"]: values.get(row["code"]) for row in properties}
    return shown


def _target(
    caller: Caller, kind: Kind, params: Mapping[str, Any]
) -> tuple[dict[str, Any], Any, int, dict[str, Any]]:
    """What an update or delete works on: its parameters, the storage, the record's id and
    the record; checked in the order the portal checks (storage, ID, record, rights)."""
    params = upper_keys(params)
    entity = _entity_row(caller, _code(params, "ENTITY"))
    record_id = _record_id(params)
    record = _record_row(caller, kind, entity, record_id)
    _require(caller, entity, "W")
    return params, entity, record_id, record


def _save(db: Any, record_id: int, record: Mapping[str, Any]) -> None:
    db.execute("UPDATE app_entity_records SET fields=? WHERE id=?", (json.dumps(record), record_id))


def _record_add(kind: Kind) -> Callable[[Caller, dict[str, Any]], Any]:
    @in_record("ENTITY")
    def add(caller: Caller, params: dict[str, Any]) -> Any:
        params = upper_keys(params)
        entity = _entity_row(caller, _code(params, "ENTITY"))
        _require(caller, entity, "W")
        for field in kind.required:
            if not _text(params.get(field)):
                raise _empty(field)
        values = _written(caller, kind, entity, params, None)
        stamp = _now()
        with caller.store.transaction() as db:
            record_id = int(
                db.execute(
                    "INSERT INTO app_entity_records (entity_id, kind, fields) VALUES (?,?,'{}')",
                    (entity["id"], kind.name),
                ).lastrowid
                or 0
            )
            record = {
                "ID": str(record_id),
                "TIMESTAMP_X": stamp,
                "MODIFIED_BY": str(caller.user.id),
                "DATE_CREATE": stamp,
                "CREATED_BY": str(caller.user.id),
                **kind.blank,
                **values,
                "ENTITY": entity["code"],
            }
            _save(db, record_id, record)
        return record_id

    return add


def _record_update(kind: Kind) -> Callable[[Caller, dict[str, Any]], Any]:
    @one_record("ENTITY", "ID")
    def update(caller: Caller, params: dict[str, Any]) -> Any:
        params, entity, record_id, record = _target(caller, kind, params)
        values = _written(caller, kind, entity, params, record_id)
        if "PROPERTY_VALUES" in values:  # the properties sent replace theirs, others stay
            values["PROPERTY_VALUES"] = {
                **record.get("PROPERTY_VALUES", {}),
                **values["PROPERTY_VALUES"],
            }
        record.update(values, TIMESTAMP_X=_now(), MODIFIED_BY=str(caller.user.id))
        with caller.store.transaction() as db:
            _save(db, record_id, record)
        return True

    return update


def _record_delete(kind: Kind) -> Callable[[Caller, dict[str, Any]], Any]:
    @one_record("ENTITY", "ID")
    def delete(caller: Caller, params: dict[str, Any]) -> Any:
        _params, entity, record_id, _record = _target(caller, kind, params)
        gone = {record_id}
        if kind.name == "section":  # its subsections and their items go with it
            sections = _records(caller, entity["id"], "section")
            grew = True
            while grew:
                more = {int(s["ID"]) for s in sections if to_int(s["SECTION"]) in gone}
                grew = not more <= gone
                gone |= more
            items = _records(caller, entity["id"], "item")
            gone |= {int(i["ID"]) for i in items if to_int(i["SECTION"]) in gone}
        with caller.store.transaction() as db:
            db.executemany("DELETE FROM app_entity_records WHERE id=?", [(i,) for i in gone])
        return True

    return delete


def _record_get(kind: Kind) -> Callable[[Caller, dict[str, Any]], Any]:
    @in_record("ENTITY")
    def get(caller: Caller, params: dict[str, Any]) -> Result:
        params = upper_keys(params)
        entity = _entity_row(caller, _code(params, "ENTITY"))
        if _level(caller, entity) < 1:
            return page_of([], page_start({"start": params.get("START")}))
        records = [
            _shown(caller, kind, entity, r) for r in _records(caller, entity["id"], kind.name)
        ]
        if kind.name == "section":
            records = _nested(records)
        tree = filters.parse(as_map(params.get("FILTER")) or {}, strict=False)
        chosen = [r for r in records if filters.matches(tree, _field_test(r))]
        order = upper_keys(as_map(params.get("SORT")) or {}) or {"ID": "ASC"}
        for field, direction in reversed(list(order.items())):
            descending = _text(direction).upper() == "DESC"
            chosen.sort(
                key=lambda r, f=field: filters.order_key(_value_of(r, f)[1]), reverse=descending
            )
        return page_of(chosen, page_start({"start": params.get("START")}))

    return get


def _nested(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sections with their place in the tree, as the portal numbers it: DEPTH_LEVEL from 1,
    LEFT_MARGIN/RIGHT_MARGIN of a nested set (siblings by SORT, then ID)."""
    children: dict[Any, list[dict[str, Any]]] = {}
    for section in sections:
        children.setdefault(section["SECTION"], []).append(section)
    placed: dict[str, dict[str, Any]] = {}
    counter = 0

    def walk(parent: str | None, depth: int) -> None:
        nonlocal counter
        ordered = sorted(
            children.get(parent, []), key=lambda s: (filters.order_key(s["SORT"]), int(s["ID"]))
        )
        for section in ordered:
            counter += 1
            left = counter
            walk(section["ID"], depth + 1)
            counter += 1
            margins = {"LEFT_MARGIN": str(left), "RIGHT_MARGIN": str(counter)}
            placed[section["ID"]] = {**section, **margins, "DEPTH_LEVEL": str(depth)}

    walk(None, 1)
    return [placed.get(section["ID"], section) for section in sections]


def _value_of(record: Mapping[str, Any], name: str) -> tuple[bool, Any]:
    """(known, value) of a filter or sort field: a record field or PROPERTY_<code>."""
    name = name.upper()
    if name.startswith("PROPERTY_") and name not in record:
        values = upper_keys(record.get("PROPERTY_VALUES") or {})
        code = name.removeprefix("PROPERTY_")
        return code in values, values.get(code)
    return name in record, record.get(name)


def _field_test(record: Mapping[str, Any]) -> Callable[[filters.Condition], bool | None]:
    def test(condition: filters.Condition) -> bool | None:
        known, value = _value_of(record, condition.name)
        return filters.holds(condition, value) if known else None  # unknown fields: ignored

    return test


METHODS: dict[str, Callable[[Caller, dict[str, Any]], Any]] = {
    "entity.add": entity_add,
    "entity.get": entity_get,
    "entity.update": entity_update,
    "entity.delete": entity_delete,
    "entity.rights": entity_rights,
    "entity.item.property.add": property_add,
    "entity.item.property.get": property_get,
    "entity.item.property.update": property_update,
    "entity.item.property.delete": property_delete,
}
for _kind in KINDS:
    for _action, _make in (
        ("add", _record_add),
        ("get", _record_get),
        ("update", _record_update),
        ("delete", _record_delete),
    ):
        METHODS[f"entity.{_kind.name}.{_action}"] = _make(_kind)
