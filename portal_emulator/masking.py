"""Credentials out of logs and the inspector: one rule for the server log, the REST log and
the portal page (which gets the rule itself from :func:`mask_rule`, never a copy of it)."""

from __future__ import annotations

import re
from typing import Any

# The names whose values are secrets, as a regular-expression alternation.
SECRET_NAMES = ("AUTH_ID", "REFRESH_ID", "access_token", "refresh_token", "auth", "code")
_SECRET = "|".join(SECRET_NAMES)
# "NAME": "value" in JSON text; group 1 up to the opening quote, group 2 the kept prefix.
_JSON_SOURCE = r'("(?:' + _SECRET + r')"\s*:\s*")((?:[^"\\]|\\.){0,KEEP})(?:[^"\\]|\\.)*"'
# NAME=value in query text, also with the "=" percent-encoded.
_QUERY_SOURCE = r"\b((?:" + _SECRET + r")(?:=|%3D))([^&\s\"'%]{0,KEEP})[^&\s\"']*"
INSPECTOR_KEEP = 4  # characters of a token the inspector shows


def _patterns(keep: int) -> tuple[str, str]:
    return _JSON_SOURCE.replace("KEEP", str(keep)), _QUERY_SOURCE.replace("KEEP", str(keep))


def mask_secrets(text: str, keep: int = INSPECTOR_KEEP) -> str:
    """Replace token values in JSON (``"AUTH_ID":"…"``) and query text (``auth=…``) by their
    first ``keep`` characters and ``…`` — like the portal page's inspector (``keep=4``); the
    server log keeps none."""
    json_source, query_source = _patterns(keep)
    text = re.sub(json_source, lambda m: f'{m.group(1)}{m.group(2)}…"', text)
    return re.sub(query_source, lambda m: f"{m.group(1)}{m.group(2)}…", text, flags=re.I)


def mask_rule(keep: int = INSPECTOR_KEEP) -> dict[str, Any]:
    """The rule for the portal page, as JavaScript ``RegExp`` sources and flags.

    The page applies each ``{source, flags, replace}`` in order with ``String.replace``;
    the sources use only syntax both regex dialects read alike (no Python-only groups)."""
    json_source, query_source = _patterns(keep)
    return {
        "keep": keep,  # a token shown on its own: its first `keep` characters and "…"
        "patterns": [
            {"source": json_source, "flags": "g", "replace": '$1$2…"'},
            {"source": query_source, "flags": "gi", "replace": "$1$2…"},
        ],
    }
