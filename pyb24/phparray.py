"""PHP array shapes as the portal sends them, in one place. Pure.

PHP has one array type for lists and maps, so the same JSON field arrives in several shapes:
a list as ``{"0": a, "1": b}``, an empty map as ``[]``, a map with keys 0..n-1 as a list, and
(options) even as JSON text. These turn each shape into the one Python type the caller wants.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from .jsvalues import json_parse

log = logging.getLogger("pyb24")


def as_list(value: Any) -> list[Any]:
    """A list from what PHP may send for one: a list, ``{"0": a, "1": b}``, ``[]`` or nothing."""
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        items = list(value.items())
        if all(str(key).isdigit() for key, _ in items):
            items.sort(key=lambda item: int(item[0]))
        return [item for _, item in items]
    return []


def as_map(value: Any) -> dict[str, Any]:
    """A dict with text keys from what PHP may send for one: a map, ``[]`` when empty, a list
    for keys 0..n-1, or nothing."""
    if isinstance(value, Mapping):
        return {str(key): item for key, item in value.items()}
    if isinstance(value, list):
        return {str(index): item for index, item in enumerate(value)}
    return {}


def as_options(value: Any) -> dict[str, Any]:
    """USER_OPTIONS / APP_OPTIONS / PLACEMENT_OPTIONS: an object, PHP's ``[]`` when empty, or
    (placement options) JSON text (PROTOCOL.md §8.16, §8.17). Always a dict."""
    if isinstance(value, str):
        try:
            value = json_parse(value) if value.strip() else {}
        except ValueError:
            log.warning("ignoring placement/app options that are not valid JSON")
            return {}
    return as_map(value)
