"""``batch``: up to 50 calls in one request, run in order, later ones using earlier results
(each command after the 50th fails with ``ERROR_BATCH_LENGTH_EXCEEDED`` and is not run).

Each command is ``"method?query"``; the query is decoded with PHP's ``parse_str`` (a form
body therefore carries it encoded twice, a JSON body once). Macros in the parameters of a
later command take data from earlier ones, as the portal's ``CRestUtil`` does it:
``$result[key][field]...`` (also ``$next``, ``$total``, ``$time``, ``$error`` for the other
maps) runs to the next white space; a parameter that is exactly one macro takes the value
itself (an array stays an array, a scalar becomes its PHP text), a macro inside longer text
is replaced by that text. The path is followed while it exists (a null counts as missing,
like PHP's ``isset``) and the macro takes the node it got to: ``$result[page][49][ID]`` on a
page of 30 rows is that whole page, a missing command key the whole map. A macro with no
``[...]`` is left as it is.

The answer maps (``result``, ``result_error``, ``result_total``, ``result_next``,
``result_time``) have PHP's shape: ``[]`` when empty, a JSON list when the keys are
0..n-1 in order, an object otherwise. With ``halt=1`` the first failing command ends the
batch and later keys are absent everywhere. The HTTP status is 200 even when commands fail.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from .core import Caller, RestError, Result, as_map, to_flag
from .phpquery import parse_str, php_array

MAX_COMMANDS = 50
MAP_NAMES = ("result", "result_error", "result_total", "result_next", "result_time")

_MACRO = re.compile(r"\$(result|next|total|time|error)(\S*)", re.I)
_SEGMENT = re.compile(r"\[([^\]]+)\]")
_MACRO_MAPS = {
    "result": "result",
    "next": "result_next",
    "total": "result_total",
    "time": "result_time",
    "error": "result_error",
}
_MISSING = object()

Execute = Callable[[str, dict[str, Any]], Result]


def run_batch(caller: Caller, params: Mapping[str, Any], execute: Execute) -> dict[str, Any]:
    """Run the commands of one ``batch`` call; ``execute(method, params)`` runs one command
    (raising :class:`RestError`), refuses ``batch`` itself and times it (``Result.time``)."""
    commands = as_map(params.get("cmd"))
    if commands is None:
        raise RestError(
            400, "ERROR_ARGUMENT", "Argument 'cmd' must be an array of calls", argument="cmd"
        )
    halt = to_flag(params.get("halt", 0))
    maps: dict[str, dict[str, Any]] = {name: {} for name in MAP_NAMES}
    for index, (key, row) in enumerate(commands.items()):
        try:
            if index >= MAX_COMMANDS:  # the portal runs 50 and fails each command after them
                raise RestError(400, "ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded")
            method, query = _split_row(row)
            command_params = parse_str(query)
            command_params.pop("auth", None)
            result = execute(method, substitute(command_params, maps))
        except RestError as exc:
            maps["result_error"][key] = {
                "error": exc.code,
                "error_description": exc.description,
                **exc.extra,
            }
            if halt:
                break
            continue
        maps["result"][key] = result.value
        if result.total is not None:
            maps["result_total"][key] = result.total
        if result.next is not None:
            maps["result_next"][key] = result.next
        if result.time is not None:
            maps["result_time"][key] = result.time
    return {name: php_array(maps[name]) for name in MAP_NAMES}


def _split_row(row: Any) -> tuple[str, str]:
    if not isinstance(row, str) or not row.strip():
        raise RestError(400, "ERROR_ARGUMENT", "A batch command must be 'method?query' text")
    method, _, query = row.partition("?")
    return method.strip().lower(), query


def substitute(value: Any, maps: Mapping[str, Mapping[str, Any]]) -> Any:
    """``value`` with macros replaced from the answer maps so far (recursively)."""
    if isinstance(value, dict):
        return {key: substitute(item, maps) for key, item in value.items()}
    if not isinstance(value, str) or "$" not in value:
        return value
    whole = _MACRO.fullmatch(value)
    if whole:
        found = _lookup(whole, maps)
        if found is _MISSING:
            return value
        return found if isinstance(found, dict | list) else php_text(found)

    def replace(match: re.Match) -> str:
        found = _lookup(match, maps)
        return match.group(0) if found is _MISSING else php_text(found)

    return _MACRO.sub(replace, value)


def _lookup(match: re.Match, maps: Mapping[str, Mapping[str, Any]]) -> Any:
    segments = _SEGMENT.findall(match.group(2))
    if not segments:
        return _MISSING
    node: Any = maps[_MACRO_MAPS[match.group(1).lower()]]
    for segment in segments:
        if isinstance(node, Mapping):
            child = node.get(segment)
        elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
            child = node[int(segment)]
        else:
            child = None
        if child is None:
            break  # PHP: isset() fails, the macro keeps the node it reached
        node = child
    return node


def php_text(value: Any) -> str:
    """PHP's string conversion of a value: true is "1", false and null are ""."""
    if value is True:
        return "1"
    if value is False or value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dict | list):
        return "Array"
    return str(value)
