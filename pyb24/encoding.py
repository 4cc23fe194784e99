"""REST request bodies, encoded like BX24.js ``prepareData`` (PROTOCOL.md §5.2). Pure.

The result is what PHP's ``http_build_query`` would produce and ``parse_str`` reads back:
``filter[>ID]=5&select[0]=ID&select[1]=TITLE``. pyb24's choices where Python differs from JS:
``None`` is dropped (like JS ``null``), ``True``/``False`` are ``true``/``false``, ``datetime``
and ``date`` are ISO-8601, tuples are lists. Like BX24.js, scalars come before nested values
at each level, empty lists are sent as ``key=`` and empty dicts are dropped.
"""

from __future__ import annotations

import base64
import datetime as dt
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from .jsvalues import check_nesting, encode_uri_component, js_string


def _scalar_text(value: Any) -> str | None:
    """The text of a scalar, or None when ``value`` is not a scalar."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise TypeError(f"cannot send {value!r} to the portal")
    if isinstance(value, bool | str | int | float):
        return js_string(value)
    decimal = sys.modules.get("decimal")  # a Decimal can only come from an imported module
    if decimal is not None and isinstance(value, decimal.Decimal):
        return format(value, "f")
    return None


def _items(value: Any, name: str) -> Iterable[tuple[Any, Any]]:
    if isinstance(value, Mapping):
        return value.items()
    if isinstance(value, list | tuple):
        return enumerate(value)
    raise TypeError(
        f"cannot encode {type(value).__name__} for REST parameter {name or '(top level)'!r}: "
        "use dict, list, str, int, float, bool, None, date or datetime"
    )


def prepare_data(data: Any, prefix: str = "") -> str:
    """Encode ``data`` as a form body. A ``str`` is taken as an already-encoded query."""
    if data is None:
        return ""
    if isinstance(data, str) and not prefix:
        return data
    if not prefix:  # once, at the top: a value inside itself would recurse forever
        check_nesting(data, "REST parameters")
    scalars: list[str] = []
    nested: list[str] = []
    for key, value in _items(data, prefix):
        encoded_key = encode_uri_component(str(key))
        name = f"{prefix}[{encoded_key}]" if prefix else encoded_key
        text = _scalar_text(value)
        if text is not None:
            scalars.append(f"{name}={encode_uri_component(text)}")
        elif value is None:
            continue
        elif isinstance(value, dt.date):  # datetime is a date too; both are "objects" in JS
            nested.append(f"{name}={encode_uri_component(value.isoformat())}")
        elif isinstance(value, list | tuple) and not value:
            nested.append(f"{name}=")
        elif isinstance(value, Mapping) and not value:
            continue
        else:
            part = prepare_data(value, name)
            if part:
                nested.append(part)
    return "&".join(scalars + nested)


def upload(filename: str, content: bytes) -> list[str]:
    """A file field for REST methods: ``[filename, base64 content]`` (PROTOCOL.md §5.2).

    From an ``<input type=file>`` in PyScript::

        file = document.getElementById("photo").files.item(0)
        content = (await file.arrayBuffer()).to_bytes()
        photo = upload(file.name, content)
        await BX24.callMethod("user.update", {"ID": 1, "PERSONAL_PHOTO": photo})
    """
    return [filename, base64.b64encode(content).decode("ascii")]
