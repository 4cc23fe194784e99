"""A small REST client for the emulator tests: real HTTP on ephemeral ports, urllib only."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from portal_emulator.server import Emulator, start_emulator


def http_build_query(data: Any, prefix: str = "") -> str:
    """PHP ``http_build_query`` (booleans as 1/0, None dropped) — the classic form body."""
    pairs = []
    items = data.items() if isinstance(data, Mapping) else enumerate(data)
    for key, value in items:
        name = f"{prefix}[{quote(str(key), safe='')}]" if prefix else quote(str(key), safe="")
        if value is None:
            continue
        if isinstance(value, Mapping | list | tuple):
            nested = http_build_query(value, name)
            if nested:
                pairs.append(nested)
        else:
            text = ("1" if value else "0") if isinstance(value, bool) else str(value)
            pairs.append(f"{name}={quote(text, safe='')}")
    return "&".join(pairs)


class Response:
    def __init__(self, status: int, headers, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def result(self) -> Any:
        return self.json()["result"]

    @property
    def error(self) -> Any:
        return self.json().get("error")

    @property
    def failure(self) -> tuple[int, Any, Any]:
        """``(status, error, error_description)`` of an error answer."""
        body = self.json()
        return self.status, body.get("error"), body.get("error_description")

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.body[:200]!r}>"


def send(
    url: str,
    *,
    method: str = "POST",
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return Response(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as err:
        return Response(err.code, err.headers, err.read())


_OWN = object()  # "this client's token"


class Client:
    """Calls ``/rest/<method>.json`` on the portal origin as one user's app frame would."""

    def __init__(self, emu: Emulator, token: str | None) -> None:
        self.emu = emu
        self.token = token

    def call(
        self,
        method: str,
        params: Any = None,
        *,
        json_body: bool = False,
        token: Any = _OWN,
        suffix: str = ".json",
    ) -> Response:
        auth = self.token if token is _OWN else token
        url = f"{self.emu.portal_origin}/rest/{method}{suffix}"
        if json_body:
            body = dict(params or {})
            if auth is not None:
                body["auth"] = auth
            return send(
                url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
            )
        query = http_build_query(params or {})
        head = f"auth={auth}" if auth is not None else ""
        body = "&".join(part for part in (head, query) if part)
        return send(
            url, data=body.encode(), headers={"Content-Type": "application/x-www-form-urlencoded"}
        )

    def repeat(self, method: str, times: int) -> list[int]:
        """Call ``method`` (no parameters) ``times`` times over one keep-alive connection;
        the HTTP statuses in order. Quicker than :meth:`call` for bursts."""
        origin = urlsplit(self.emu.portal_origin)
        connection = http.client.HTTPConnection(origin.hostname, origin.port, timeout=10)
        statuses = []
        try:
            for _ in range(times):
                connection.request(
                    "POST",
                    f"/rest/{method}.json",
                    body=f"auth={self.token}".encode(),
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
                reply = connection.getresponse()
                reply.read()
                statuses.append(reply.status)
        finally:
            connection.close()
        return statuses

    def raw(self, method: str, body: bytes, content_type: str | None = None) -> Response:
        headers = {"Content-Type": content_type} if content_type else {}
        return send(f"{self.emu.portal_origin}/rest/{method}.json", data=body, headers=headers)


def cursor_ids(client: Client, entity_type_id: int = 2) -> tuple[list[int], int]:
    """Every item id by the ID cursor (b24jssdk's export: order by id, ``>id``,
    ``start=-1``, until a short page): the ids in order and the number of pages."""
    seen: list[int] = []
    last, pages = 0, 0
    while True:
        page = client.call(
            "crm.item.list",
            {
                "entityTypeId": entity_type_id,
                "order": {"id": "ASC"},
                "filter": {">id": last},
                "start": -1,
                "select": ["id"],
            },
        ).json()
        assert "total" not in page and "next" not in page, "start=-1 counts nothing"
        pages += 1
        ids = [item["id"] for item in page["result"]["items"]]
        seen += ids
        if len(ids) < 50:
            return seen, pages
        last = ids[-1]


def rest_panel(emu: Emulator, body: Mapping[str, Any]) -> Response:
    """What the portal page's REST panel sends: ``POST /portal/api/rest_config``."""
    return send(
        f"{emu.portal_origin}/portal/api/rest_config",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )


def start(tmp_path_factory) -> Emulator:
    root = tmp_path_factory.mktemp("rest-root")
    return start_emulator(root=root, db_path=tmp_path_factory.mktemp("rest-db") / "p.sqlite3")


def client(
    emu: Emulator, user_id: int = 1, *, admin: bool | None = None, expires_in: int = 3600
) -> Client:
    """A client holding a fresh token of a new app frame of ``user_id``."""
    user = emu.store.user(user_id)
    is_admin = user.is_admin if admin is None else admin
    _layout, pair = emu.store.create_layout(user_id, is_admin, expires_in)
    return Client(emu, pair.access_token)


class FakeClock:
    """A ``time.time`` stand-in for the emulator's limits: moves only when told."""

    def __init__(self, now: float = 1_700_000_040.0) -> None:  # a whole minute
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
