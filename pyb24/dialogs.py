"""BX24.js pickers: ``selectUser(s)``, ``selectAccess``, ``selectCRM`` (PROTOCOL.md §3.11–3.13).
Pure core.

A picker answers when the person confirms and never when they close it: the awaitables wait
as long as it takes, and cancelling one forgets its callback id (see ``pyb24.window``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, NotRequired, TypedDict

from .bridge import ParentBridge, require
from .phparray import as_list

Callback = Callable[[Any], Any]


class SelectedUser(TypedDict):
    """A user chosen in ``selectUser``/``selectUsers`` (§3.11: the docs list ``id`` and
    ``name``; the portal also sends the others)."""

    id: str  # numeric text
    name: str
    photo: NotRequired[str]
    position: NotRequired[str]
    url: NotRequired[str]
    sub: NotRequired[bool]
    sup: NotRequired[bool]


class SelectedAccess(TypedDict):
    """An access code chosen in ``selectAccess`` (§3.12): ``{"id": "U1", "name": …}``."""

    id: str
    name: str
    provider: NotRequired[str]


class SelectedCrm(TypedDict):
    """A CRM entity chosen in ``selectCRM`` (§3.13): ``{"id": "D_1", "title": …}``."""

    id: str  # D_1, L_1348, C_2, CO_4, Q_1
    title: str
    type: NotRequired[str]
    place: NotRequired[str]
    desc: NotRequired[str]
    url: NotRequired[str]
    image: NotRequired[str]


def normalize_crm_selection(reply: Any) -> dict[str, list[SelectedCrm]]:
    """selectCRM's answer: ``{"deal": [{"id": "D_1", …}], …}``, every bucket a list (§3.13).

    The parent historically sends buckets as objects with numeric keys, and an empty answer
    as PHP's ``[]``; buckets it leaves out stay out.
    """
    if not isinstance(reply, dict):
        return {}
    return {str(kind): as_list(bucket) for kind, bucket in reply.items()}


def shuffle_select_access(args: tuple[Any, ...]) -> tuple[Any, Callback | None]:
    """``selectAccess([title,] [value,] callback)``: BX24.js' argument shuffling (§3.12).

    A first argument that is not text is the value; a value that is a function is the
    callback (and the value becomes ``[]``). The title is never sent.
    """
    if len(args) > 3:
        raise TypeError("selectAccess([title,] [value,] callback) takes at most 3 arguments")
    items = list(args)
    if items and not isinstance(items[0], str):
        items.insert(0, None)
    _title, value, callback = (items + [None, None, None])[:3]
    if callable(value):
        value, callback = [], value
    return ([] if value is None else value), callback


class Dialogs:
    """The portal's pickers. ``bridge`` is ``None`` outside a portal."""

    def __init__(self, bridge: ParentBridge | None) -> None:
        self._bridge = bridge

    def selectUser(
        self, title: Any = None, callback: Callback | None = None
    ) -> asyncio.Future[SelectedUser]:
        return self._select_user(title, callback, multiple=False)

    def selectUsers(
        self, title: Any = None, callback: Callback | None = None
    ) -> asyncio.Future[list[SelectedUser]]:
        return self._select_user(title, callback, multiple=True)

    def _select_user(
        self, title: Any, callback: Callback | None, multiple: bool
    ) -> asyncio.Future[Any]:
        bridge = require(self._bridge)
        if callable(title):
            title, callback = None, title
        params = {"mult": multiple} if title is None else {"title": title, "mult": multiple}
        return bridge.request("selectUser", params, callback, convert=as_list if multiple else None)

    def selectAccess(self, *args: Any) -> asyncio.Future[list[SelectedAccess]]:
        bridge = require(self._bridge)
        value, callback = shuffle_select_access(args)
        return bridge.request("selectAccess", {"value": value}, callback, convert=as_list)

    def selectCRM(
        self, params: Any = None, callback: Callback | None = None
    ) -> asyncio.Future[dict[str, list[SelectedCrm]]]:
        bridge = require(self._bridge)
        if callable(params):
            params, callback = None, params
        params = params or {}
        sent = {k: params[k] for k in ("entityType", "multiple", "value") if k in params}
        sent = {k: v for k, v in sent.items() if v is not None}  # JSON drops undefined
        return bridge.request("selectCRM", sent, callback, convert=normalize_crm_selection)
