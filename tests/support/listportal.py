"""A scripted list portal for the Pythonic layer's unit tests: list methods and ``batch`` over an
in-memory table, counting requests. Independent of pyb24's own macro code: query strings are
read with the emulator's PHP ``parse_str`` and macros resolved by the emulator's rules."""

from __future__ import annotations

import re
from typing import Any

from portal_emulator.rest.batch import substitute
from portal_emulator.rest.phpquery import parse_str


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
        maps: dict[str, dict[str, Any]] = {"result": {}, "result_total": {}, "result_next": {}}
        for key, row in params["cmd"].items():
            _, _, query = row.partition("?")
            sub_params = substitute(parse_str(query), maps)  # the emulator's macro rules
            try:
                _, answer = self._list(sub_params)
            except (TypeError, ValueError) as exc:  # e.g. a filter that is not a number
                maps.setdefault("result_error", {})[key] = {
                    "error": "ERROR_CORE",
                    "error_description": str(exc),
                }
                continue
            maps["result"][key] = answer["result"]
            if "total" in answer:
                maps["result_total"][key] = answer["total"]
        return {"result_error": [], **maps}
