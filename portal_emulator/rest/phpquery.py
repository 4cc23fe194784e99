"""PHP's view of a query string: ``parse_str`` and the JSON shape of PHP arrays. Pure.

The portal is PHP, so a REST body like ``filter[%3EID]=5&select[]=ID`` means what PHP's
``parse_str`` makes of it. :func:`parse_str` follows PHP 8 (``main/php_variables.c``):

* pairs are split on ``&`` (empty pieces skipped), then at the first ``=``; a piece without
  ``=`` is a name with the value ``""``;
* name and value are percent-decoded, ``+`` is a space, a malformed ``%`` escape is kept as
  it is; text is UTF-8 (invalid bytes become U+FFFD — PHP keeps the raw bytes);
* a name is cut at a decoded NUL, leading spaces are dropped, and in the top-level name
  (before the first ``[``) spaces and dots become ``_``; an empty top-level name drops the pair;
* ``a[b][c]=1`` nests, ``a[]=x`` appends at the next integer key (one more than the largest
  integer key so far, 0 at first, never below 0 — PHP < 8.3), a leading space inside
  brackets only matters for ``a[ ]`` (an append), anything after a ``]`` that is not ``[``
  is ignored (``a[b]c=1`` is ``a[b]=1``);
* an unterminated bracket in the top-level name turns into ``_`` together with the spaces,
  dots and ``[`` after it (``a[b=1`` is ``a_b=1``); an unterminated bracket deeper down ends
  the name there (``a[b][c=1`` is ``a[b]=1``);
* a later pair overwrites an earlier one (keeping its position), a scalar in the way of a
  nested name is replaced by an array, and more than 64 levels of nesting drop the whole
  top-level variable (``max_input_nesting_level``).

PHP arrays are Python dicts with **string** keys in insertion order; PHP's integer keys are
their decimal text (``"0"``), so ``a[0]`` and ``a[00]`` are different keys, as in PHP.
Not emulated: ``max_input_vars`` (PHP stops after 1000 variables) and raw non-UTF-8 bytes.

:func:`php_array` gives a PHP array the shape ``json_encode`` gives it: ``[]`` when empty, a
JSON list when the keys are exactly ``"0".."n-1"`` in order, an object otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

MAX_NESTING = 64  # PHP's max_input_nesting_level default

_ESCAPE = re.compile(rb"%([0-9A-Fa-f]{2})")
_INT_KEY = re.compile(r"(?:0|-?[1-9][0-9]*)\Z")
_PHP_INT_MAX = 2**63 - 1


def nesting(value: Any) -> int:
    """How many levels of arrays ``value`` nests (a scalar: 0, ``{"a": [1]}``: 2), counted
    without recursion, so any depth is measured."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, Mapping) else item
        if isinstance(item, Mapping | list | tuple):
            deepest = max(deepest, depth + 1)
            stack.extend((child, depth + 1) for child in children)
    return deepest


def url_decode(text: str) -> str:
    """PHP ``urldecode``: ``+`` is a space, ``%XX`` a byte, a malformed ``%`` stays."""
    raw = text.replace("+", " ").encode("utf-8", "surrogatepass")
    return _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw).decode("utf-8", "replace")


def parse_str(text: str | bytes) -> dict[str, Any]:
    """Decode a query string exactly as PHP's ``parse_str`` does (see the module docstring)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    pairs = []
    for piece in text.split("&"):
        if not piece:
            continue
        name, sep, value = piece.partition("=")
        pairs.append((url_decode(name), url_decode(value) if sep else ""))
    return parse_pairs(pairs)


def parse_pairs(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Register already-decoded ``(name, value)`` pairs like PHP (multipart bodies use this)."""
    result: dict[str, Any] = {}
    for name, value in pairs:
        register(result, name, value)
    return result


def register(target: dict[str, Any], name: str, value: Any) -> None:
    """PHP ``php_register_variable_ex``: store ``value`` under the bracketed ``name``."""
    name = name.split("\x00", 1)[0].lstrip(" ")
    bracket = name.find("[")
    base = name if bracket < 0 else name[:bracket]
    base = base.replace(" ", "_").replace(".", "_")
    if not base:
        return
    if bracket < 0:
        target[base] = value
        return

    keys: list[str | None] = []  # None: append
    rest = name[bracket:]  # starts with "["
    while True:
        if len(keys) + 1 > MAX_NESTING:
            target.pop(base, None)  # PHP drops the whole variable
            return
        inner = rest[1:]
        if inner.startswith(" ") and inner[1:2] == "]":
            inner = inner[1:]
        if inner.startswith("]"):
            keys.append(None)
            rest = inner[1:]
        else:
            close = inner.find("]")
            if close < 0:
                if not keys:
                    # Not an index after all: the "[" and what follows join the name.
                    tail = re.sub(r"[ .\[]", "_", inner)
                    target[base + "_" + tail] = value
                    return
                break  # deeper down the unterminated part is simply ignored
            keys.append(inner[:close])
            rest = inner[close + 1 :]
        if not rest.startswith("["):
            break

    node = target
    key: str | None = base
    for next_key in keys:
        node = _child_array(node, key)
        key = next_key
    _assign(node, key, value)


def _child_array(node: dict[str, Any], key: str | None) -> dict[str, Any]:
    if key is None:
        child: dict[str, Any] = {}
        node[_next_index(node)] = child
        return child
    child = node.get(key)
    if not isinstance(child, dict):
        child = {}
        node[key] = child  # replaces a scalar in place, like PHP
    return child


def _assign(node: dict[str, Any], key: str | None, value: Any) -> None:
    if key is None:
        node[_next_index(node)] = value
    else:
        node[key] = value  # PHP's integer key 12 and this text key "12" are the same key


def _is_int_key(key: str) -> bool:
    return bool(_INT_KEY.match(key)) and -_PHP_INT_MAX - 1 <= int(key) <= _PHP_INT_MAX


def _next_index(node: Mapping[str, Any]) -> str:
    highest = -1
    for key in node:
        if _is_int_key(key):
            highest = max(highest, int(key))
    return str(highest + 1)


def is_list_keys(keys: Iterable[str]) -> bool:
    """Whether PHP's ``json_encode`` writes an array with these keys as a JSON list."""
    return all(key == str(index) for index, key in enumerate(keys))


def php_array(mapping: Mapping[str, Any]) -> Any:
    """``json_encode`` shape of one PHP array: ``[]``, a list for keys 0..n-1, else a dict."""
    if is_list_keys(mapping.keys()):
        return list(mapping.values())
    return dict(mapping)


def php_value(value: Any) -> Any:
    """A value after a round trip through PHP arrays and ``json_encode``, recursively.

    Dicts become lists when their keys are 0..n-1 (an empty dict becomes ``[]``); lists stay
    lists. Used for values the portal stores and gives back (options, batch maps).
    """
    if isinstance(value, Mapping):
        converted = {str(key): php_value(item) for key, item in value.items()}
        return php_array(converted)
    if isinstance(value, list | tuple):
        return [php_value(item) for item in value]
    return value
