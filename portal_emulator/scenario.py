"""The portal page's query-string knobs, parsed into a :class:`Scenario`. Pure: no I/O.

A test or a developer describes the situation the app should find itself in through the
query string of ``/portal/`` (``?admin=0&placement=CRM_DEAL_DETAIL_TAB&deny=setTitle``).
Every knob is validated here, so a typo shows up as a clear error banner on the page
instead of a silently different scenario.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit


class ScenarioError(ValueError):
    """A knob value the emulated portal cannot honour; the message says which and why."""


KNOBS = (
    "app",
    "frame",
    "admin",
    "user",
    "lang",
    "first_run",
    "install",
    "placement",
    "placement_options",
    "deny",
    "hold",
    "expires",
    "device",
    # Set by the page itself after setInstallFinish, like the real portal's redirect.
    "install_finished",
)

_TRUE = {"1", "y", "true", "yes"}
_FALSE = {"0", "n", "false", "no"}
_COMMAND = re.compile(r"^[A-Za-z][A-Za-z0-9_.:]*$")
_PLACEMENT = re.compile(r"^[A-Z][A-Z0-9_]*$")
_LANG = re.compile(r"^[a-z]{2}$")
_MAX_EXPIRES = 10 * 365 * 24 * 3600


@dataclass(frozen=True)
class Scenario:
    app: str = "/index.html"
    frame: str = "cross"  # "cross": app on the app origin; "same": app on the portal origin
    admin: bool | None = None  # None: the user's own admin flag (user 1 is an admin)
    user: int = 1
    lang: str = "en"
    first_run: bool | None = None  # None: natural (true until the app sent setInstall)
    install: bool | None = None  # None: the stored "installed" flag
    placement: str = "DEFAULT"
    placement_options: dict[str, Any] = field(default_factory=dict)
    deny: tuple[str, ...] = ()
    hold: tuple[str, ...] = ()
    expires: int = 3600
    device: str = "desktop"  # "mobile": openPath answers METHOD_NOT_SUPPORTED_ON_DEVICE
    install_finished: str | None = None

    @property
    def app_is_url(self) -> bool:
        return "://" in self.app


def parse_scenario(query: str | Mapping[str, str]) -> Scenario:
    """Parse a query string (``"admin=0&user=2"``, leading ``?`` allowed) or a mapping.

    Empty values count as absent, so a form that submits every field still works.
    Raises :class:`ScenarioError` naming the knob and the accepted values.
    """
    if isinstance(query, str):
        pairs = parse_qsl(query.removeprefix("?"), keep_blank_values=True)
    else:
        pairs = list(query.items())
    raw: dict[str, str] = {}
    for name, value in pairs:
        if name not in KNOBS:
            raise ScenarioError(f"unknown knob {name!r}; known knobs: {', '.join(KNOBS)}")
        if name in raw:
            raise ScenarioError(f"knob {name!r} is given more than once")
        raw[name] = value
    knobs = {name: value.strip() for name, value in raw.items() if value.strip() != ""}

    values: dict[str, Any] = {}
    if "app" in knobs:
        values["app"] = _app(knobs["app"])
    if "frame" in knobs:
        values["frame"] = _choice("frame", knobs["frame"].lower(), ("cross", "same"))
    if "admin" in knobs:
        values["admin"] = _flag("admin", knobs["admin"])
    if "user" in knobs:
        values["user"] = _int("user", knobs["user"], minimum=1, maximum=2**31 - 1)
    if "lang" in knobs:
        lang = knobs["lang"].lower()
        if not _LANG.match(lang):
            raise ScenarioError(f"lang must be a two-letter language id like 'en', got {lang!r}")
        values["lang"] = lang
    if "first_run" in knobs:
        values["first_run"] = _flag("first_run", knobs["first_run"])
    if "install" in knobs:
        values["install"] = _flag("install", knobs["install"])
    if "placement" in knobs:
        placement = knobs["placement"].upper()
        if not _PLACEMENT.match(placement):
            raise ScenarioError(
                f"placement must be a code like CRM_DEAL_DETAIL_TAB, got {knobs['placement']!r}"
            )
        values["placement"] = placement
    if "placement_options" in knobs:
        values["placement_options"] = _json_object("placement_options", knobs["placement_options"])
    if "deny" in knobs:
        values["deny"] = _commands("deny", knobs["deny"])
    if "hold" in knobs:
        values["hold"] = _commands("hold", knobs["hold"])
    if "expires" in knobs:
        values["expires"] = _int("expires", knobs["expires"], minimum=1, maximum=_MAX_EXPIRES)
    if "device" in knobs:
        values["device"] = _choice("device", knobs["device"].lower(), ("desktop", "mobile"))
    if "install_finished" in knobs:
        values["install_finished"] = _choice(
            "install_finished", knobs["install_finished"].upper(), ("Y", "N")
        )
    return Scenario(**values)


def _app(value: str) -> str:
    if value.startswith("/"):
        if value.startswith("//"):
            raise ScenarioError(f"app must be a path like /index.html or a full URL, got {value!r}")
        return value
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.netloc:
        return value
    raise ScenarioError(
        f"app must be a path on the app origin (/index.html) or an http(s) URL, got {value!r}"
    )


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ScenarioError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def _flag(name: str, value: str) -> bool:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ScenarioError(f"{name} must be 1 or 0, got {value!r}")


def _int(name: str, value: str, *, minimum: int, maximum: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ScenarioError(f"{name} must be a whole number, got {value!r}") from None
    if not minimum <= number <= maximum:
        raise ScenarioError(f"{name} must be between {minimum} and {maximum}, got {number}")
    return number


def _json_object(name: str, value: str) -> dict[str, Any]:
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"{name} is not valid JSON ({exc.msg} at char {exc.pos})") from None
    if not isinstance(parsed, dict):
        raise ScenarioError(f'{name} must be a JSON object like {{"ID": "42"}}')
    return parsed


def _commands(name: str, value: str) -> tuple[str, ...]:
    names = [part.strip() for part in value.split(",") if part.strip()]
    for command in names:
        if not _COMMAND.match(command):
            raise ScenarioError(f"{name} lists an invalid command name {command!r}")
    return tuple(dict.fromkeys(names))  # de-duplicated, order kept
