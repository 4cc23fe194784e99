"""The frame wire format of BX24.js (PROTOCOL.md §1, §2, §8). Pure: no browser imports.

Child → parent:  ``command:paramsJSON:callbackId:appSid``   (params and callback id may be empty)
Parent → child:  ``callbackId:resultJSON``                   (result may be empty)
"""

from __future__ import annotations

import enum
import random
import re
from dataclasses import dataclass
from typing import Any

from .jsvalues import js_truthy, json_parse, json_stringify

_ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_RANDOM = random.SystemRandom()  # os.urandom, without importing secrets (hmac, hashlib) at start-up
_DEFAULT_PORT = re.compile(r":(80|443)$")


class ProtocolError(ValueError):
    """A message that does not follow the wire format."""


@dataclass
class FrameParams:
    """What the portal tells the frame through ``window.name`` (``DOMAIN|PROTOCOL|APP_SID``)."""

    domain: str
    https: bool
    app_sid: str

    @property
    def target_origin(self) -> str:
        return target_origin(self.domain, self.https)


def strip_default_port(domain: str) -> str:
    """Browsers never put :80/:443 in ``event.origin``, so neither may we (§8.2)."""
    return _DEFAULT_PORT.sub("", domain)


def target_origin(domain: str, https: bool) -> str:
    return ("https" if https else "http") + "://" + strip_default_port(domain)


def is_https_flag(value: Any) -> bool:
    """PROTOCOL is 1/0 as a number or numeric text; only 1 means https (§8.3).

    BX24.js tests truthiness, which would turn the text "0" into https; we don't copy that.
    """
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return value == 1
    if isinstance(value, str):
        return value.strip() == "1"
    return False


def parse_window_name(name: str | None) -> FrameParams | None:
    """Parse ``window.name``; ``None`` means "not inside a portal frame" (§1.2, §1.4, §8.26)."""
    if not name or not isinstance(name, str):
        return None
    parts = name.split("|")
    domain = parts[0].strip() if parts else ""
    protocol = parts[1] if len(parts) > 1 else ""
    app_sid = parts[2].strip() if len(parts) > 2 else ""
    if not domain or not app_sid or ":" in app_sid:
        return None
    return FrameParams(
        domain=strip_default_port(domain), https=is_https_flag(protocol), app_sid=app_sid
    )


def new_callback_id() -> str:
    """32 characters of ``[0-9a-z]``, like BX24.js; never contains ``:``."""
    return "".join(_RANDOM.choice(_ID_ALPHABET) for _ in range(32))


class JsonText(str):
    """Params that are already JSON text: sent as the params field verbatim, even when empty
    text, ``0`` or ``false`` (the bare value ``setValue`` needs, §3.20)."""


def encode_message(command: str, params: Any, callback_id: str, app_sid: str) -> str:
    """Encode a child → parent message in the 4-field string form (§2.1)."""
    for label, field in (("command", command), ("callback id", callback_id), ("APP_SID", app_sid)):
        if not isinstance(field, str) or ":" in field:
            raise ProtocolError(f"{label} must be a string without ':' (got {field!r})")
    if not command:
        raise ProtocolError("command must not be empty")
    if isinstance(params, JsonText):
        params_field = str(params)
    else:
        params_field = json_stringify(params) if js_truthy(params) else ""
    return f"{command}:{params_field}:{callback_id}:{app_sid}"


def split_request(message: str) -> tuple[str, str, str, str]:
    """Split a child → parent message the way the portal does (§2.3): first / middle / last two.

    Returns ``(command, params_text, callback_id, app_sid)``; 3- and 4-field forms decode alike.
    """
    parts = message.split(":")
    if len(parts) < 3:
        raise ProtocolError("a request has at least command, callback id and APP_SID")
    return parts[0], ":".join(parts[1:-2]), parts[-2], parts[-1]


_EMPTY = object()


@dataclass(frozen=True)
class Reply:
    callback_id: str
    value: Any  # None for an empty payload (pyb24's choice 5)


def decode_reply(data: str) -> Reply:
    """Decode a parent → child reply: the first ``:`` separates the id from the JSON payload."""
    if not isinstance(data, str):
        raise ProtocolError("a reply must be a string")
    callback_id, _, payload = data.partition(":")
    if not callback_id:
        raise ProtocolError("a reply needs a callback id")
    if payload == "":
        return Reply(callback_id, None)
    try:
        value = json_parse(payload)  # refuses JSON too deep to parse safely
    except ValueError:
        raise ProtocolError("reply payload is not valid JSON") from None
    return Reply(callback_id, value)


def encode_reply(callback_id: str, value: Any = _EMPTY) -> str:
    """Parent side of §2.5 (used by tests and fakes): ``id:`` + JSON, or empty for "no data"."""
    return f"{callback_id}:" + ("" if value is _EMPTY else json_stringify(value))


class ReplyPolicy(enum.Enum):
    """How long the bridge keeps a callback id alive (§2.7, §8.7)."""

    FIRE_AND_FORGET = "fire-and-forget"  # sent without a callback id; the parent never answers
    ONE_SHOT = "one-shot"  # first reply settles it; may legitimately wait forever (BX24.js)
    TIMEOUT = "timeout"  # first reply settles it; no reply within the limit → ReplyTimeout
    PERSISTENT = "persistent"  # every reply is delivered until the caller cancels


@dataclass(frozen=True)
class CommandPolicy:
    policy: ReplyPolicy
    timeout: float | None = None  # seconds, for ReplyPolicy.TIMEOUT


REPLY_TIMEOUT = 10.0  # seconds; b24jssdk's refreshAuth bound, used for every TIMEOUT command

# The reply policy of every command pyb24 sends. Commands the parent answers only after a
# person acts (dialogs, sliders) are ONE_SHOT: BX24.js waits for them, and cancelling the
# awaitable drops the pending entry.
COMMAND_POLICIES: dict[str, CommandPolicy] = {
    "getInitData": CommandPolicy(ReplyPolicy.ONE_SHOT),  # BX24.js waits; only one is ever sent
    "refreshAuth": CommandPolicy(ReplyPolicy.TIMEOUT, REPLY_TIMEOUT),  # portal may fail silently
    "setInstall": CommandPolicy(ReplyPolicy.FIRE_AND_FORGET),  # BX24.js sends no callback
    "setInstallFinish": CommandPolicy(ReplyPolicy.FIRE_AND_FORGET),  # the portal page navigates
    "setUserOption": CommandPolicy(ReplyPolicy.FIRE_AND_FORGET),  # BX24.js sends no callback
    "setAppOption": CommandPolicy(ReplyPolicy.TIMEOUT, REPLY_TIMEOUT),  # server round trip
    # Window commands: the portal answers at once; silence means the command is denied.
    "resizeWindow": CommandPolicy(ReplyPolicy.TIMEOUT, REPLY_TIMEOUT),  # answers the new size
    "setTitle": CommandPolicy(ReplyPolicy.TIMEOUT, REPLY_TIMEOUT),  # answers an echo
    "setScroll": CommandPolicy(ReplyPolicy.TIMEOUT, REPLY_TIMEOUT),  # answers an echo
    "reloadWindow": CommandPolicy(ReplyPolicy.FIRE_AND_FORGET),  # the portal page reloads
    # Dialogs answer when the person confirms, never when they close the dialog: wait as
    # long as it takes, and let the caller cancel.
    "selectUser": CommandPolicy(ReplyPolicy.ONE_SHOT),
    "selectAccess": CommandPolicy(ReplyPolicy.ONE_SHOT),
    "selectCRM": CommandPolicy(ReplyPolicy.ONE_SHOT),
    # Sliders answer when they close, after minutes or hours.
    "openApplication": CommandPolicy(ReplyPolicy.ONE_SHOT),  # empty answer on close
    "openPath": CommandPolicy(ReplyPolicy.ONE_SHOT),  # an error at once, else "close" on close
    "closeApplication": CommandPolicy(ReplyPolicy.ONE_SHOT),  # only if a slider of ours closes
    # Messenger handlers take no callback in the portal (§3.17).
    "imCallTo": CommandPolicy(ReplyPolicy.FIRE_AND_FORGET),
    "imPhoneTo": CommandPolicy(ReplyPolicy.FIRE_AND_FORGET),
    "imOpenMessenger": CommandPolicy(ReplyPolicy.FIRE_AND_FORGET),
    "imOpenHistory": CommandPolicy(ReplyPolicy.FIRE_AND_FORGET),
    # Placement interface.
    "getInterface": CommandPolicy(ReplyPolicy.TIMEOUT, REPLY_TIMEOUT),  # answers at once
    "placementBindEvent": CommandPolicy(ReplyPolicy.PERSISTENT),  # one answer per occurrence
}

# BX24.placement.call(command): the documented placement commands (setValue, reloadData,
# getStatus, …) answer at once; one the placement lacks is never answered → ReplyTimeout.
PLACEMENT_COMMAND_POLICY = CommandPolicy(ReplyPolicy.TIMEOUT, REPLY_TIMEOUT)
