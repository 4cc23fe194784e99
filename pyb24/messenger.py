"""``BX24.im``: messenger commands (PROTOCOL.md §3.17). Pure core.

Fire-and-forget: the portal's messenger handlers take no callback, so nothing is awaited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .bridge import ParentBridge, require


class Messenger:
    """``BX24.im``. ``bridge`` is ``None`` outside a portal (every command then raises)."""

    def __init__(self, bridge: ParentBridge | None) -> None:
        self._bridge = bridge

    def callTo(self, userId: Any, video: bool = False) -> None:
        """Start an audio (or ``video=True``) call with a portal user."""
        require(self._bridge).post("imCallTo", {"userId": userId, "video": bool(video)})

    def phoneTo(self, phone: str) -> None:
        """Call a phone number through the portal's telephony."""
        require(self._bridge).post("imPhoneTo", {"phone": phone})

    def openMessenger(self, dialogId: Any = "") -> None:
        """Open a chat: a user id (``5``), ``"chat42"``, ``"sg7"``… or the chat list."""
        require(self._bridge).post("imOpenMessenger", {"dialogId": dialogId})

    def openHistory(self, dialogId: Any) -> None:
        """Open a chat's message history."""
        require(self._bridge).post("imOpenHistory", {"dialogId": dialogId})

    # PEP 8 names for type checkers; at run time pyb24.aliases adds them from
    # ALIASES['im'] (tests/pyb24/test_aliases.py holds the two together).
    if TYPE_CHECKING:
        call_to = callTo
        phone_to = phoneTo
        open_messenger = openMessenger
        open_history = openHistory
