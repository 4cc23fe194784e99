"""The Pythonic layer: ``BX24.call``, ``BX24.list``/``list_all``, ``BX24.batch``. Pure core.

BX24.js' names keep BX24.js' semantics (result objects, callbacks); this layer is what a
Python developer reaches for at portal scale:

* ``await BX24.call(method, params)`` → the answer's ``result``, or raises
  :class:`~pyb24.errors.B24Error` (a subclass saying what kind of failure);
* ``async for row in BX24.list(method, params)`` / ``await BX24.list_all(…)`` → every row of a
  list method in about ⌈N/2500⌉ + 1 requests (see :mod:`pyb24.listing`);
* ``await BX24.batch(calls)`` → any number of commands, 50 to a request, ``$result`` macros
  kept working (see :mod:`pyb24.batching`).

Every request goes through the REST client's one ``send`` coroutine — the one
``callMethod`` and ``next()`` use — so the page shares one token refresh and one throttle.
"""

from __future__ import annotations

import builtins
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

from .batching import (
    Command,
    MissingValue,
    answer_maps,
    command_query,
    normalize_calls,
    plan_chunks,
    substitute,
)
from .encoding import prepare_data
from .errors import B24Error, error_from_answer
from .fields import Field, entity_named, key_params
from .jsvalues import js_parse_int
from .listing import PAGE, Plan, Strategy, advanced, id_of, plan, rows_of, shape_of
from .typed import Choice, PageTypes

log = logging.getLogger("pyb24.scale")

Progress = Callable[[int, int | None], Any]


# The REST client's seam (``RestClient.send``): POST the form-encoded body to the method
# through auth, refresh and throttling; ``(HTTP status, answer envelope)``.
Send = Callable[[str, str], Awaitable[tuple[int, dict[str, Any]]]]


def _result(method: str, status: int, answer: Mapping[str, Any]) -> Any:
    """The answer's ``result``; raises its ``B24Error`` when the portal said no."""
    error = error_from_answer(method, status, answer)
    if error is not None:
        raise error
    return answer.get("result")


async def _report(progress: Progress | None, done: int, total: int | None) -> None:
    if progress is not None:
        outcome = progress(done, total)
        if inspect.isawaitable(outcome):
            await outcome


class PythonApi:
    """``call``, ``list``, ``list_all`` and ``batch`` over one REST client's exchange."""

    def __init__(self, send: Send):
        self._send = send
        # typed=True: values by the entity's fields, asked for untyped (pyb24.typed)
        self.types = PageTypes(lambda method, params: self.call(method, params, typed=False))

    async def _exchange(self, method: str, params: Any) -> tuple[int, dict[str, Any]]:
        return await self._send(method, prepare_data(params))

    async def call(
        self,
        method: str,
        params: Any = None,
        *,
        typed: bool | None = None,
        entity: str | None = None,
    ) -> Any:
        """The ``result`` of ``method``; raises ``B24Error`` when the portal says no. With
        ``typed`` (or the page's default) values are read and written in Python types."""
        if not isinstance(method, str) or not method:
            raise ValueError("BX24.call needs a method name, e.g. 'user.current'")
        choice = self.types.choose(method, params, typed, entity)
        typing = None if choice is None else await self.types.typing(method, choice)
        if typing is not None:
            params = typing.write(params)
        status, answer = await self._exchange(method, params)
        result = _result(method, status, answer)
        return result if typing is None else typing.read(result)

    async def fields(self, entity: str, params: Any = None) -> dict[str, Field]:
        """The entity's fields by name, from its ``*.fields`` (asked once per page)."""
        found = entity_named(entity)
        keys = key_params(found, params, f"BX24.fields({entity!r})")
        return dict(await self.types.cache.get(found, keys))

    # -- batch ---------------------------------------------------------------------------
    async def batch(
        self,
        calls: Any,
        halt: bool = False,
        progress: Progress | None = None,
        *,
        typed: bool | None = None,
    ) -> dict[str, Any] | list[Any]:
        """Any number of commands; results keyed like ``calls`` (a list for a list). A failed
        command's value is its ``B24Error`` (not raised); with ``halt`` the commands after
        the first failure are absent. ``typed``: each command typed by its method's entity."""
        commands, as_list = normalize_calls(calls)
        choices = {
            c.key: self.types.choose(c.method, c.params, typed, None, f"batch command {c.key!r}")
            for c in commands
        }
        typings = {
            command.key: await self.types.typing(command.method, choice)
            for command in commands
            if (choice := choices[command.key]) is not None
        }
        commands = [
            Command(c.key, c.method, typings[c.key].write(c.params)) if c.key in typings else c
            for c in commands
        ]
        chunks = plan_chunks(commands)
        known: dict[str, dict[str, Any]] = {}  # what earlier chunks returned, for macros
        results: dict[str, Any] = {}
        done = 0
        for chunk in chunks:
            failed = await self._run_chunk(chunk, halt, known, results)
            done += len(chunk)
            await _report(progress, done, len(commands))
            if failed and halt:
                break
        for key, typing in typings.items():
            if key in results and not isinstance(results[key], B24Error):
                results[key] = typing.read(results[key])
        ordered = [(c.key, results[c.key]) for c in commands if c.key in results]
        return [value for _, value in ordered] if as_list else dict(ordered)

    async def _run_chunk(
        self,
        chunk: list[Command],
        halt: bool,
        known: dict[str, dict[str, Any]],
        results: dict[str, Any],
    ) -> bool:
        """Send one chunk; fill ``results`` (and ``known``); True when a command failed."""
        rows: dict[str, str] = {}
        for command in chunk:
            try:
                params = substitute(command.params, known)
            except MissingValue as missing:
                results[command.key] = B24Error(
                    "BATCH_REFERENCE_MISSING",
                    f"a $result macro points at {missing} that an earlier command did not return",
                    400,
                    command.method,
                )
                if halt:
                    break
                continue
            rows[command.key] = command_query(command.method, params)
        if not rows:
            return True
        status, answer = await self._exchange("batch", {"halt": 1 if halt else 0, "cmd": rows})
        outer = error_from_answer("batch", status, answer)
        inner = answer.get("result") if outer is None else None
        if not isinstance(inner, Mapping):  # the request failed: so did each of its commands
            for command in chunk:
                if command.key in rows:
                    results[command.key] = outer or B24Error(
                        "ERROR_UNEXPECTED_ANSWER", "the batch answer has no result maps", status
                    )
            return True
        maps = answer_maps(inner)
        failed = len(rows) < len(chunk)
        for command in chunk:
            key = command.key
            if key not in rows:
                continue
            if key in maps["result_error"]:
                error = error_from_answer(
                    command.method, status, {"error": maps["result_error"][key]}, sub_result=True
                )
                results[key] = error
                failed = True
            elif key in maps["result"]:
                results[key] = maps["result"][key]
                known[key] = {name: found[key] for name, found in maps.items() if key in found}
        return failed

    # -- lists ---------------------------------------------------------------------------
    def list(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        limit: int | None = None,
        strategy: Strategy = "auto",
        progress: Progress | None = None,
        items_key: str | None = None,
        id_key: str | None = None,
        typed: bool | None = None,
        entity: str | None = None,
    ) -> AsyncIterator[Any]:
        """Every row of a list method, each once, in a stable order (``async for``)."""
        if limit is not None and limit < 0:
            raise ValueError("limit must be >= 0")
        choice = self.types.choose(method, params, typed, entity)
        listing = plan(method, params, shape_of(method, items_key, id_key), strategy)
        rows = self._rows(listing, limit, progress)
        return rows if choice is None else self._typed_rows(rows, method, choice)

    async def _typed_rows(
        self, rows: AsyncIterator[Any], method: str, choice: Choice
    ) -> AsyncIterator[Any]:
        typing = await self.types.typing(method, choice)
        async for row in rows:
            yield typing.row(row)

    async def list_all(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        limit: int | None = None,
        strategy: Strategy = "auto",
        progress: Progress | None = None,
        items_key: str | None = None,
        id_key: str | None = None,
        typed: bool | None = None,
        entity: str | None = None,
    ) -> builtins.list[Any]:
        """``list`` gathered into a list."""
        rows = self.list(
            method,
            params,
            limit=limit,
            strategy=strategy,
            progress=progress,
            items_key=items_key,
            id_key=id_key,
            typed=typed,
            entity=entity,
        )
        return [row async for row in rows]

    async def _rows(
        self, listing: Plan, limit: int | None, progress: Progress | None
    ) -> AsyncIterator[Any]:
        if limit == 0:
            return
        seen = _Seen(listing, limit)
        status, answer = await self._exchange(listing.method, listing.first_page())
        page = self._page(listing.method, status, answer, listing)
        total = js_parse_int(answer.get("total"))
        if total is not None and limit is not None:
            total = min(total, limit)
        for row in seen.fresh(page):
            yield row
        await _report(progress, seen.count, total)
        if seen.full or len(page) < PAGE:
            return
        if listing.strategy == "cursor":
            pages = self._cursor_pages(listing, page, seen, total)
        else:
            pages = self._offset_pages(listing, answer, seen, total, limit)
        async for rows in pages:
            for row in seen.fresh(rows):
                yield row
            await _report(progress, seen.count, total)

    async def _cursor_pages(
        self, listing: Plan, first: builtins.list[Any], seen: _Seen, total: int | None
    ) -> AsyncIterator[builtins.list[Any]]:
        last = id_of(first[-1], listing.shape)
        if last is None:  # the cursor cannot go on: never hand out the first page as all
            raise ValueError(
                f"{listing.method}: the rows lack a numeric {listing.shape.id_key!r}, so the "
                "listing cannot go on past its first page; pass id_key= the field that holds "
                "each row's id, or strategy='offset'"
            )
        while not seen.full:
            wanted = seen.wanted(total)
            count = min(50, wanted // PAGE + 1) if wanted is not None else 50
            status, answer = await self._exchange(
                "batch",
                {"halt": 0, "cmd": _encode(listing.cursor_commands(last, count))},
            )
            pages = self._batch_pages(listing, status, answer, [f"c{k}" for k in range(count)])
            batch_output: builtins.list[Any] = []
            finished = False
            for rows in pages:
                batch_output += rows
                if len(rows) < PAGE:
                    finished = True
                    break
                current = id_of(rows[-1], listing.shape)
                if current is None or not advanced(last, current, listing.descending):
                    raise ValueError(
                        f"{listing.method}: the ID cursor did not advance past "
                        f"{listing.shape.id_key}={last} (rows without a numeric id, or out of "
                        "order), so the listing cannot go on; pass id_key= or strategy='offset'"
                    )
                last = current
            yield batch_output
            if finished:
                return

    async def _offset_pages(
        self,
        listing: Plan,
        first_answer: Mapping[str, Any],
        seen: _Seen,
        total: int | None,
        limit: int | None,
    ) -> AsyncIterator[builtins.list[Any]]:
        if total is None:  # no count: follow `next` one page at a time
            start = js_parse_int(first_answer.get("next"))
            while start is not None and not seen.full:
                params = {**listing.params, "start": start}
                status, answer = await self._exchange(listing.method, params)
                yield self._page(listing.method, status, answer, listing)
                start = js_parse_int(answer.get("next"))
            return
        # The total can grow while the listing runs (rows added): the last page of each batch
        # says the total then, and the offsets go on to it.
        done_to = PAGE
        while done_to < total and not seen.full:
            keys = list(range(done_to, total, PAGE))[:50]
            status, answer = await self._exchange(
                "batch", {"halt": 0, "cmd": _encode(listing.offset_commands(keys))}
            )
            names = [f"p{start}" for start in keys]
            pages = self._batch_pages(listing, status, answer, names)
            yield [row for rows in pages for row in rows]
            done_to = keys[-1] + PAGE
            totals = answer_maps(answer.get("result"))["result_total"]
            total = max(total, js_parse_int(totals.get(names[-1])) or 0)
            if limit is not None:
                total = min(total, limit)

    def _page(
        self, method: str, status: int, answer: dict[str, Any], listing: Plan
    ) -> builtins.list[Any]:
        return rows_of(_result(method, status, answer), listing.shape, method)

    def _batch_pages(
        self, listing: Plan, status: int, answer: dict[str, Any], keys: builtins.list[str]
    ) -> builtins.list[builtins.list[Any]]:
        """Each command's rows, in order, up to the first short page (what the portal did
        after it — a cursor macro pointing past the end — does not count) or the first
        command that did not run. A failed command before that raises its error."""
        maps = answer_maps(_result("batch", status, answer))
        results, errors = maps["result"], maps["result_error"]
        pages = []
        for key in keys:
            if key in errors:
                error = error_from_answer(
                    listing.method, status, {"error": errors[key]}, sub_result=True
                )
                assert error is not None
                raise error
            if key not in results:
                break
            pages.append(rows_of(results[key], listing.shape, listing.method))
            if len(pages[-1]) < PAGE:
                break
        return pages


def _encode(commands: dict[str, list[Any]]) -> dict[str, str]:
    return {key: command_query(method, params) for key, (method, params) in commands.items()}


class _Seen:
    """Rows handed out so far: each id once, up to ``limit``."""

    def __init__(self, listing: Plan, limit: int | None):
        self._listing = listing
        self._limit = limit
        self._ids: set[int] = set()
        self.count = 0

    @property
    def full(self) -> bool:
        return self._limit is not None and self.count >= self._limit

    def wanted(self, total: int | None) -> int | None:
        """How many rows are still expected (from the total or the limit), if known."""
        left = [n - self.count for n in (total, self._limit) if n is not None]
        return max(0, min(left)) if left else None

    def fresh(self, rows: list[Any]) -> list[Any]:
        out = []
        for row in rows:
            if self.full:
                break
            row_id = id_of(row, self._listing.shape)
            if row_id is not None:
                if row_id in self._ids:
                    continue
                self._ids.add(row_id)
            out.append(row)
            self.count += 1
        return out
