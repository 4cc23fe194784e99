"""JavaScript value semantics that BX24.js relies on, in one place. Pure.

``parseInt``, ``String(value)``, ``String(number)``, ``encodeURIComponent``, JS truthiness
(``!!value``) and ``JSON.stringify``: wherever pyb24 must produce exactly what the JavaScript
SDK would (wire formats, REST bodies, argument coercions), it calls these.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from itertools import accumulate
from typing import Any

# encodeURIComponent leaves A-Z a-z 0-9 - _ . ! ~ * ' ( ) alone. (Not urllib.parse.quote:
# importing urllib.parse costs ~60 ms of start-up in Pyodide, more than all of pyb24.)
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()")
_ESCAPES = [chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in range(256)]
_PARSE_INT = re.compile(r"([+-]?)(0[xX][0-9a-fA-F]+|[0-9]+)")

# How deep JSON and parameters may nest. Parsing or encoding recurses once per level, and in
# Pyodide a deep recursion overflows the browser's stack: a fatal error for the page's Python,
# not a RecursionError. Real answers nest about 10 deep; 512 is far from both.
MAX_DEPTH = 512
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}.__getitem__


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


def js_string(value: Any) -> str:
    """``String(value)`` for the values a Python caller passes (``True`` → ``"true"``;
    ``None`` → ``""``, as an absent argument reads in the SDK's commands)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float):
        return js_number_text(value)
    return str(value)


def js_parse_int(value: Any) -> int | None:
    """JavaScript ``parseInt(value)`` (no radix); ``None`` where JS gives ``NaN``.

    ``"300px"`` → 300, ``" 42.9"`` → 42, ``"0x1A"`` → 26, ``"px"`` → None, ``True`` → None.
    """
    if isinstance(value, bool) or value is None:
        return None  # String(true) is "true", String(null) is "null": NaN
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return js_parse_int(js_number_text(value))  # parseInt(String(value)), as JS does
    match = _PARSE_INT.match(str(value).lstrip())
    if match is None:
        return None
    sign, digits = match.groups()
    number = int(digits, 16) if digits[:2] in ("0x", "0X") else int(digits)
    return -number if sign == "-" else number


def js_truthy(value: Any) -> bool:
    """``!!value``: ``{}`` and ``[]`` are true; ``""``, ``0``, ``false`` and ``null`` are not."""
    if value is None or value is False:
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value != 0
    if isinstance(value, str):
        return value != ""
    return True


def json_stringify(value: Any) -> str:
    """``JSON.stringify`` output: compact, non-ASCII kept, NaN refused; a value inside itself
    or nested too deep is refused before encoding (``ValueError``)."""
    check_nesting(value, "parameters")
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"parameters must be JSON-serialisable: {exc}") from None


class JsonDepthError(ValueError):
    """JSON nested more than ``MAX_DEPTH`` levels deep: refused unparsed."""


def json_parse(text: str) -> Any:
    """``json.loads``, but JSON nested deeper than ``MAX_DEPTH`` is refused (``JsonDepthError``)
    before parsing: a linear scan of the brackets outside strings (PHP's and JS' parsers
    stop at 512 levels too)."""
    if text.count("[") + text.count("{") > MAX_DEPTH:  # else it cannot be that deep
        brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
        if brackets and max(accumulate(map(_BRACKET_STEP, brackets))) > MAX_DEPTH:
            raise JsonDepthError(f"JSON nested more than {MAX_DEPTH} levels deep")
    try:
        return json.loads(text)
    except RecursionError:
        raise JsonDepthError("JSON nested too deep to parse") from None


def check_nesting(value: Any, what: str) -> None:
    """Raise ``ValueError`` when ``value`` holds a dict or list inside itself, or nests more
    than ``MAX_DEPTH`` levels deep; ``what`` names it in the message. Iterative: deep input
    costs no stack."""
    stack: list[Any] = [iter((value,))]
    path: list[int] = []  # ids of the containers from the top down to the current one
    on_path: set[int] = set()
    while stack:
        for child in stack[-1]:
            if isinstance(child, Mapping):
                children: Any = child.values()
            elif isinstance(child, list | tuple):
                children = child
            else:
                continue
            if id(child) in on_path:
                raise ValueError(f"{what} contain themselves: a dict or list is inside itself")
            if len(path) >= MAX_DEPTH:
                raise ValueError(f"{what} are nested more than {MAX_DEPTH} levels deep")
            path.append(id(child))
            on_path.add(path[-1])
            stack.append(iter(children))
            break
        else:
            stack.pop()
            if path:
                on_path.discard(path.pop())
