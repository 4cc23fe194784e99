"""A scripted list portal for the Pythonic layer's unit tests: list methods and ``batch`` with
``$result`` macros over an in-memory table, counting requests. Independent of pyb24's own
macro code; query strings are read with the emulator's PHP ``parse_str``."""

from __future__ import annotations

import re
from typing import Any

from portal_emulator.rest.phpquery import parse_str

_MACRO = re.compile(r"\$result\[([^\]]*)\]((?:\[[^\]]*\])*)")


class ListPortal:
    def __init__(self, ids, wrapped: bool = False):
        self.rows = {i: {"ID" if not wrapped else "id": str(i), "TITLE": f"deal {i}"} for i in ids}
        self.wrapped = wrapped
        self.requests: list[tuple[str, Any]] = []
        self.after_page = None  # callback(portal) after each list page: churn
        self.failures: dict[str, tuple[int, dict]] = {}  # method -> (status, answer), once

    @property
    def id_key(self) -> str:
        return "id" if self.wrapped else "ID"

    async def send(self, method: str, body: str) -> tuple[int, dict]:
        """The REST client's seam: ``body`` is the form-encoded request, as on the wire."""
        params = parse_str(body)
        self.requests.append((method, params))
        if method in self.failures:
            return self.failures.pop(method)
        if method == "batch":
            return 200, {"result": self._batch(params)}
        status, answer = self._list(params or {})
        return status, answer

    def _list(self, params: dict) -> tuple[int, dict]:
        filter_ = params.get("filter") or {}
        ids = sorted(self.rows)
        for name, value in filter_.items():
            op = re.match(r"^(>=|<=|>|<|=)?(.*)$", name)
            oper, field = op.group(1) or "=", op.group(2)
            assert field.upper() == "ID", f"the fake filters on ID only, not {name}"
            if value == "" or value is None:
                continue  # an unresolved macro: the real portal ignores an empty bound
            v = int(value)
            check = {">": v.__lt__, "<": v.__gt__, ">=": v.__le__, "<=": v.__ge__, "=": v.__eq__}
            ids = [i for i in ids if check[oper](i)]
        order = params.get("order") or {}
        if order and str(next(iter(order.values()))).upper() == "DESC":
            ids.reverse()
        start = int(params.get("start") or 0)
        page = ids[max(start, 0) : max(start, 0) + 50]
        rows = [self.rows[i] for i in page]
        select = params.get("select")
        if select:
            fields = list(select.values()) if isinstance(select, dict) else list(select)
            rows = [{k: v for k, v in r.items() if k in fields} for r in rows]
        answer: dict[str, Any] = {"result": {"items": rows} if self.wrapped else rows}
        if start != -1:
            answer["total"] = len(ids)
            if start + 50 < len(ids):
                answer["next"] = start + 50
        if self.after_page:
            self.after_page(self)
        return 200, answer

    def _batch(self, params: dict) -> dict:
        results: dict[str, Any] = {}
        totals: dict[str, Any] = {}
        for key, row in params["cmd"].items():
            method, _, query = row.partition("?")

            def resolve(match):
                value: Any = results.get(match.group(1))
                for step in re.findall(r"\[([^\]]*)\]", match.group(2)):
                    if isinstance(value, dict):
                        value = value.get(step)
                    elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
                        value = value[int(step)]
                    else:
                        value = None
                return "" if value is None else str(value)

            sub_params = _walk(parse_str(query), lambda text: _MACRO.sub(resolve, text))
            _, answer = self._list(sub_params)
            results[key] = answer["result"]
            if "total" in answer:
                totals[key] = answer["total"]
        return {"result": results, "result_error": [], "result_total": totals, "result_next": []}


def _walk(value: Any, fn) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {k: _walk(v, fn) for k, v in value.items()}
    return value
