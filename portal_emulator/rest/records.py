"""The portal's data in the REST shape, for tests: ``records.add("crm.deal", {...})``.

Each helper calls the emulated portal's own method (``crm.deal.add``, ``crm.item.get``…) from
the one method table, as an administrator (user 1 of the seed) would, so every entity the
emulator answers for has helpers with no code of its own, and what a test seeds or reads has
exactly the shape, types and checks the app sees over REST. Nothing is logged as a call of
the app, and no rate or operating-time limit applies. A refused call raises the method's
:class:`~portal_emulator.rest.core.RestError` (``.code``, ``.description``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .core import Caller, RestError, Result
from .methods import METHODS

if TYPE_CHECKING:
    from ..store import Store

ADMIN_USER_ID = 1


class Records:
    """REST-shaped helpers over ``store``; every other attribute is the store's own
    (``seed_deals``, ``user``, ``transaction``…)."""

    def __init__(self, store: Store, user_id: int = ADMIN_USER_ID) -> None:
        self._store = store
        self._user_id = user_id

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def call(self, method: str, params: Mapping[str, Any] | None = None) -> Any:
        """``method``'s ``result`` for ``params`` (JSON-style values)."""
        return self._call(method, params).value

    def add(self, entity: str, fields: Mapping[str, Any], **params: Any) -> Any:
        """``<entity>.add`` with ``fields``: the new id (``crm.deal``) or what the method
        answers (``crm.item``: ``{"item": {...}}``). ``params``: e.g. ``entityTypeId=2``."""
        return self.call(f"{entity}.add", {**params, "fields": dict(fields)})

    def get(self, entity: str, id: int | str, **params: Any) -> Any:  # noqa: A002 - REST's name
        """``<entity>.get`` of ``id``."""
        return self.call(f"{entity}.get", {**params, "id": id})

    def update(self, entity: str, id: int | str, fields: Mapping[str, Any], **params: Any) -> Any:  # noqa: A002
        """``<entity>.update`` of ``id`` with ``fields``."""
        return self.call(f"{entity}.update", {**params, "id": id, "fields": dict(fields)})

    def delete(self, entity: str, id: int | str, **params: Any) -> Any:  # noqa: A002
        """``<entity>.delete`` of ``id``."""
        return self.call(f"{entity}.delete", {**params, "id": id})

    def list(self, entity: str, filter: Mapping[str, Any] | None = None, **params: Any) -> Any:  # noqa: A002
        """``<entity>.list``, every page: the rows (``crm.item``: ``{"items": [...]}`` with
        all of them). ``params``: ``select``, ``order``, ``entityTypeId``…"""
        if filter is not None:
            params["filter"] = dict(filter)
        result = self._call(f"{entity}.list", params)
        value = result.value
        while result.next is not None:
            result = self._call(f"{entity}.list", {**params, "start": result.next})
            if isinstance(value, dict):  # {"items": [...]} (crm.item.list, tasks.task.list)
                for key, rows in result.value.items():
                    value[key] = value.get(key, []) + rows
            else:
                value = value + result.value
        return value

    def _call(self, method: str, params: Mapping[str, Any] | None) -> Result:
        handler = METHODS.get(method)
        if handler is None:
            raise RestError(404, "ERROR_METHOD_NOT_FOUND", f"Method not found! ({method})")
        user = self._store.user(self._user_id)
        if user is None:
            raise LookupError(f"the store has no user {self._user_id}")
        caller = Caller(self._store, user, is_admin=True, app_sid="")
        value = handler(caller, dict(params or {}))
        return value if isinstance(value, Result) else Result(value)
