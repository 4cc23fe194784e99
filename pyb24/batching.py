"""Batches of any size: chunks of at most 50 commands with ``$result[…]`` macros kept working.

The portal runs at most 50 commands per ``batch`` (PROTOCOL.md §5.8) and substitutes macros
such as ``$result[me][UF_DEPARTMENT][0]`` only from commands of the same request. So a long
list of commands is cut into chunks of consecutive commands (the order is the caller's:
commands may have side effects), and:

* a chunk boundary never separates a command from a command it references when both fit
  in one chunk — the boundary moves earlier instead;
* a reference that must cross a boundary (the two are 50 or more commands apart) is
  replaced, before the later chunk is sent, by the value the earlier chunk returned;
* a reference to a key that does not exist, or to a later command, is a ``ValueError``
  before anything is sent.

Pure: parsing, planning and substitution only; ``pyb24.scale`` sends the chunks, and
``callBatch`` (one request of at most 50) shares the parsing and the query encoding.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .encoding import prepare_data
from .jsvalues import check_nesting, js_string
from .phparray import as_map

BATCH_LIMIT = 50

# The portal's macros (CRestUtil): $result[key][a][0], $next[key], $total[key], $time[key],
# $error[key], any case — the kind, the key, and the path into what that command returned.
MACRO = re.compile(r"\$(result|next|total|time|error)\[([^\[\]]*)\]((?:\[[^\[\]]*\])*)", re.I)
# Which map of the batch answer each kind reads.
MACRO_MAPS = {
    "result": "result",
    "next": "result_next",
    "total": "result_total",
    "time": "result_time",
    "error": "result_error",
}
_PATH = re.compile(r"\[([^\[\]]*)\]")


@dataclass(frozen=True)
class Command:
    key: str
    method: str
    params: Any


def normalize_calls(calls: Any, strict: bool = True) -> tuple[list[Command], bool]:
    """``[Command]`` from the forms ``callBatch`` takes: a dict or a list of ``[method, params]``
    or ``{"method": …, "params": …}``. Returns the commands and whether the input was a list.
    ``strict`` (``BX24.batch``): an entry that is not a call is a ``ValueError``; otherwise
    (``callBatch``, as BX24.js) falsy entries and entries without a method are skipped."""
    if isinstance(calls, Mapping):
        entries = [(str(key), value) for key, value in calls.items()]
        as_list = False
    elif isinstance(calls, list | tuple):
        entries = [(str(index), value) for index, value in enumerate(calls)]
        as_list = True
    else:
        raise TypeError("a batch takes a list or a dict of calls")
    commands = []
    for key, entry in entries:
        method: Any = None
        if isinstance(entry, list | tuple) and entry:
            method, params = entry[0], entry[1] if len(entry) > 1 else None
        elif isinstance(entry, Mapping):
            method, params = entry.get("method"), entry.get("params")
        if method and (isinstance(method, str) or not strict):
            check_nesting(params, f"the params of batch command {key!r}")
            commands.append(Command(key, str(method), params))
        elif strict:
            raise ValueError(
                f"batch command {key!r} is not a call: use [method, params] or "
                '{"method": ..., "params": ...}'
            )
    return commands, as_list


def answer_maps(inner: Any) -> dict[str, dict[str, Any]]:
    """The five maps of a batch answer's ``result`` (``result``, ``result_error``,
    ``result_total``, ``result_next``, ``result_time``) by name, each a dict keyed by command
    (PHP sends ``[]`` when empty and a list for keys 0..n-1); all empty when ``inner`` is not
    a map."""
    source = inner if isinstance(inner, Mapping) else {}
    return {name: as_map(source.get(name)) for name in MACRO_MAPS.values()}


def command_query(method: str, params: Any) -> str:
    """One ``cmd`` row of a ``batch``: ``method?query``, the query encoded like a call's body
    (the whole body is encoded once more around it, as BX24.js does)."""
    return f"{method}?{prepare_data(params)}"


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def references(command: Command) -> set[str]:
    """The keys ``command``'s parameters refer to through ``$result[key]``-style macros."""
    return {match.group(2) for text in _strings(command.params) for match in MACRO.finditer(text)}


def plan_chunks(commands: Sequence[Command], limit: int = BATCH_LIMIT) -> list[list[Command]]:
    """Cut ``commands`` into chunks of consecutive commands, at most ``limit`` each, moving a
    boundary earlier rather than separating two commands that reference each other and could
    share a chunk. Raises ``ValueError`` for references to unknown or later keys."""
    position = {command.key: index for index, command in enumerate(commands)}
    if len(position) != len(commands):
        raise ValueError("batch keys must be unique")
    refs: list[list[int]] = []
    for index, command in enumerate(commands):
        targets = []
        for key in sorted(references(command)):
            target = position.get(key)
            if target is None:
                raise ValueError(
                    f"batch command {command.key!r} refers to $result[{key}], but no command "
                    f"has the key {key!r}"
                )
            if target >= index:
                raise ValueError(
                    f"batch command {command.key!r} refers to $result[{key}], which runs "
                    "later: a command can only use results of commands before it"
                )
            targets.append(target)
        refs.append(targets)

    def splits_a_pair(start: int, end: int) -> bool:
        # A command at or after `end` that references one in [start, end) it could share a
        # chunk with (they are less than `limit` apart).
        return any(
            start <= target < end and index - target < limit
            for index in range(end, min(len(commands), end + limit))
            for target in refs[index]
        )

    chunks: list[list[Command]] = []
    start = 0
    while start < len(commands):
        end = min(start + limit, len(commands))
        if end < len(commands):
            best = next((e for e in range(end, start, -1) if not splits_a_pair(start, e)), end)
            end = best
        chunks.append(list(commands[start:end]))
        start = end
    return chunks


class MissingValue(LookupError):
    """A macro points at a result (or a part of one) that does not exist."""


def _lookup(value: Any, path: list[str]) -> Any:
    for step in path:
        if isinstance(value, Mapping):
            if step in value:
                value = value[step]
                continue
            raise MissingValue(step)
        if isinstance(value, list) and step.lstrip("-").isdigit() and -len(value) <= int(step):
            try:
                value = value[int(step)]
                continue
            except IndexError:
                pass
        raise MissingValue(step)
    return value


def substitute(params: Any, known: Mapping[str, Mapping[str, Any]]) -> Any:
    """``params`` with every macro that refers to a key in ``known`` replaced by its value.

    ``known[key]`` holds what the portal returned for ``key``, by answer map: ``{"result": …,
    "result_total": …, …}``. A value that is exactly one macro becomes the referenced value
    itself (a number, a list…); a macro inside longer text becomes its JavaScript text, as the
    portal writes it.
    Raises :class:`MissingValue` for a path the result does not have."""
    if isinstance(params, str):
        matches = [m for m in MACRO.finditer(params) if m.group(2) in known]
        if not matches:
            return params
        if len(matches) == 1 and matches[0].group(0) == params:
            return _resolve(matches[0], known)
        return MACRO.sub(
            lambda m: js_string(_resolve(m, known)) if m.group(2) in known else m.group(0), params
        )
    if isinstance(params, Mapping):
        return {key: substitute(value, known) for key, value in params.items()}
    if isinstance(params, list | tuple):
        return [substitute(value, known) for value in params]
    return params


def _resolve(match: re.Match[str], known: Mapping[str, Mapping[str, Any]]) -> Any:
    kind, key, rest = MACRO_MAPS[match.group(1).lower()], match.group(2), match.group(3)
    source = known[key]
    if kind not in source:
        raise MissingValue(f"${match.group(1)}[{key}]")
    return _lookup(source[kind], _PATH.findall(rest))
