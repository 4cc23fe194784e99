"""``BX24.userOption`` / ``BX24.appOption`` (PROTOCOL.md §3.5, §3.6, §4.5). Pure core.

Before init they are inert stubs (``get`` gives ``None``, ``set`` does nothing), as in
BX24.js; its own first init handler replaces them with stores bound to the init data's
USER_OPTIONS / APP_OPTIONS. Option values never appear in reprs or logs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from .bridge import ParentBridge, require, resolved
from .host import Host
from .jsvalues import js_string


class _OptionStore:
    def __init__(self, bridge: ParentBridge | None, values: dict[str, Any] | None) -> None:
        self._bridge = bridge
        self._bound = values is not None  # False: this store is still the pre-init stub
        self._values: dict[str, Any] = values if values is not None else {}

    def get(self, name: str) -> Any:
        return self._values.get(name)

    def __repr__(self) -> str:  # option values stay out of reprs
        return f"<{type(self).__name__} names={sorted(self._values)!r}>"


class UserOption(_OptionStore):
    def set(self, name: str, value: Any) -> None:
        """Local write + ``setUserOption`` (no callback in BX24.js, so nothing to await).

        The portal stores a user option as text (JavaScript ``String(value)``, PROTOCOL.md
        §3.5): a string is kept as it is, a number or a bool is sent as the text ``String``
        gives (``1`` → ``"1"``, ``True`` → ``"true"``), and anything else (a dict, a list,
        ``None``) raises ``TypeError`` — the portal would store ``"[object Object]"``."""
        text = user_option_text(value)
        if not self._bound:
            return
        self._values[name] = text
        require(self._bridge).post("setUserOption", {"name": name, "value": text})


def user_option_text(value: Any) -> str:
    """What the portal stores for ``value`` (``String(value)``), or ``TypeError`` where that
    loses the value."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return js_string(value)
    raise TypeError(
        f"userOption.set takes a string, a number or a bool, not {type(value).__name__}: "
        "the portal stores user options as text (an object reads back as "
        '"[object Object]"); encode it first, e.g. json.dumps(value), or use appOption'
    )


class AppOption(_OptionStore):
    def __init__(
        self,
        host: Host,
        bridge: ParentBridge | None,
        values: dict[str, Any] | None,
        admin: bool = False,
    ) -> None:
        super().__init__(bridge, values)
        self._host = host
        self._admin = admin  # captured when bound, like BX24.js

    def set(
        self, name: str, value: Any, callback: Callable[[Any], Any] | None = None
    ) -> asyncio.Future[Any]:
        """Admin: local write + ``setAppOption``; the awaitable gives the portal's answer (the
        app options after the save). Not admin: nothing is sent, the callback never runs and
        the awaitable resolves to ``False``."""
        if not self._bound or not self._admin:
            return resolved(self._host, False)
        self._values[name] = value
        return require(self._bridge).request(
            "setAppOption", {"name": name, "value": value}, callback
        )
