"""Credentials out of logs and the inspector: one pattern for the server log and the REST log."""

from __future__ import annotations

import re

_SECRET = r"AUTH_ID|REFRESH_ID|access_token|refresh_token|auth|code"
_SECRET_JSON = re.compile(r'("(?:' + _SECRET + r')"\s*:\s*")((?:[^"\\]|\\.){0,4})(?:[^"\\]|\\.)*"')
_SECRET_QUERY = re.compile(r"\b((?:" + _SECRET + r")(?:=|%3D))([^&\s\"'%]{0,4})[^&\s\"']*", re.I)


def mask_secrets(text: str, keep: int = 4) -> str:
    """Replace token values in JSON (``"AUTH_ID":"…"``) and query text (``auth=…``) by their
    first ``keep`` characters and ``…`` — like the portal page's inspector (``keep=4``); the
    server log keeps none."""

    def prefix(kept: str) -> str:
        return kept[:keep]

    text = _SECRET_JSON.sub(lambda m: f'{m.group(1)}{prefix(m.group(2))}…"', text)
    return _SECRET_QUERY.sub(lambda m: f"{m.group(1)}{prefix(m.group(2))}…", text)
