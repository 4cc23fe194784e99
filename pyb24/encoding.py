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
from collections.abc import Mapping
from typing import Any

# encodeURIComponent leaves A-Z a-z 0-9 - _ . ! ~ * ' ( ) alone. (Not urllib.parse.quote:
# importing urllib.parse costs ~60 ms of start-up in Pyodide, more than all of pyb24.)
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()")
_ESCAPES = [chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in range(256)]


def encode_uri_component(text: str) -> str:
    """JavaScript ``encodeURIComponent``: UTF-8, every other byte as ``%XX``."""
    return "".join(_ESCAPES[b] for b in text.encode("utf-8", "surrogatepass"))


def js_number_text(value: float) -> str:
    """JavaScript ``String(number)``: ``2.0`` → ``"2"``, ``1e21`` → ``"1e+21"``,
    ``5e-07`` → ``"5e-7"``, ``1.2345678901234568e20`` → ``"123456789012345680000"``.

    Python's ``repr`` gives the same shortest round-trip digits as JS; only where the decimal
    point goes (and when an exponent is used) differs, so the digits are re-placed here.
    """
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    trailing = len(digits) - len(digits.rstrip("0"))
    digits = digits.rstrip("0")
    k = len(digits)  # value = digits × 10^(n - k)
    n = k + int(exponent or 0) - len(fraction) + trailing
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        point = f"{digits[0]}.{digits[1:]}" if k > 1 else digits
        text = f"{point}e{n - 1:+d}"
    return sign + text


def _scalar_text(value: Any) -> str | None:
    """The text of a scalar, or None when ``value`` is not a scalar."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise TypeError(f"cannot send {value!r} to the portal")
        return js_number_text(value)
    decimal = sys.modules.get("decimal")  # a Decimal can only come from an imported module
    if decimal is not None and isinstance(value, decimal.Decimal):
        return format(value, "f")
    return None


def _items(value: Any, name: str):
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
