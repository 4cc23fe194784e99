"""The emulated portal's side of the UI commands, over real HTTP (no browser): the pickers'
directory, the layouts openApplication opens, the device knob."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from portal_emulator.pickers import directory
from portal_emulator.scenario import ScenarioError, parse_scenario
from portal_emulator.server import start_emulator
from portal_emulator.store import Store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def emu(tmp_path_factory):
    emulator = start_emulator(root=ROOT, db_path=tmp_path_factory.mktemp("db") / "portal.sqlite3")
    yield emulator
    emulator.stop()


def fetch(url, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def page_config(emu, **knobs) -> dict:
    with urllib.request.urlopen(emu.portal_url(**knobs), timeout=10) as response:
        page = response.read().decode()
    match = re.search(r'<script type="application/json" id="portal-config">(.*?)</script>', page)
    return json.loads(match.group(1))


def test_directory_answers_in_the_reply_shapes_of_the_pickers(emu):
    status, data = fetch(emu.portal_origin + "/portal/api/directory")
    assert status == 200
    store = emu.store
    active = [u for u in store.users() if u.active]
    assert [u["id"] for u in data["users"]] == [str(u.id) for u in active]
    first = data["users"][0]
    assert set(first) == {"id", "name", "photo", "position", "url", "sub", "sup"}
    assert first["name"] == active[0].full_name
    assert first["url"] == f"/company/personal/user/{active[0].id}/"
    codes = {a["id"]: a for a in data["access"]}
    assert {"AU", "G2", "CR", f"U{active[0].id}", "D1", "DR1"} <= set(codes)
    assert codes["AU"]["provider"] == "other" and codes["DR1"]["provider"] == "intranet"
    crm = data["crm"]
    assert set(crm) == {"lead", "deal", "contact", "company", "quote"}
    assert len(crm["deal"]) == store.count_items(2) > 0
    deal = next(d for d in crm["deal"] if d["id"] == "D_1")
    assert deal["type"] == deal["place"] == "deal" and deal["url"] == "/crm/deal/details/1/"
    assert deal["title"] == store.fetch("SELECT title FROM crm_items WHERE entity_type_id=2"
                                        " AND id=1")[0]["title"]  # fmt: skip
    assert all(c["id"].startswith("C_") and c["title"] for c in crm["contact"])
    assert crm["quote"] == []


def test_directory_is_for_the_portal_page_only(emu):
    status, data = fetch(
        emu.portal_origin + "/portal/api/directory", headers={"Origin": emu.app_origin}
    )
    assert status == 403 and data["error"] == "FORBIDDEN_ORIGIN"
    status, data = fetch(emu.portal_origin + "/portal/api/directory", body={})
    assert status == 405


def test_open_application_gets_a_layout_of_its_own(emu):
    opener = page_config(emu, admin=0, user=3)
    status, opened = fetch(
        emu.portal_origin + "/portal/api/layout", body={"app_sid": opener["appSid"]}
    )
    assert status == 200
    assert opened["appSid"] != opener["appSid"]
    assert opened["auth"]["AUTH_ID"] != opener["auth"]["AUTH_ID"]
    layout = emu.store.layout(opened["appSid"])
    assert layout.user_id == 3 and layout.is_admin is False  # the opener's user and rights
    check = emu.store.check_access_token(opened["auth"]["AUTH_ID"])
    assert check.status == "valid" and check.app_sid == opened["appSid"]
    status, error = fetch(emu.portal_origin + "/portal/api/layout", body={"app_sid": "nope"})
    assert status == 404 and error["error"] == "LAYOUT_NOT_FOUND"


def test_device_knob(emu):
    assert parse_scenario("device=MOBILE").device == "mobile"
    assert parse_scenario("").device == "desktop"
    with pytest.raises(ScenarioError, match="device"):
        parse_scenario("device=tablet")
    assert page_config(emu, device="mobile")["device"] == "mobile"


def test_directory_without_crm_rows_still_lists_every_type(tmp_path):
    store = Store(str(tmp_path / "portal.sqlite3"))
    try:
        with store.transaction() as db:
            db.execute("DELETE FROM crm_items")
        data = directory(store)
        assert all(items == [] for items in data["crm"].values())
        assert data["users"]
    finally:
        store.close()


def test_the_portal_page_is_native_es_modules_from_one_entry(emu):
    with urllib.request.urlopen(emu.portal_url(), timeout=10) as response:
        page = response.read().decode()
    assert re.findall(r"<script[^>]*src=[^>]*>", page) == [
        '<script type="module" src="/portal/static/portal.js">'
    ]
    assert 'id="dialogs"' in page
    seen, todo = set(), ["portal.js"]
    while todo:  # every module the entry imports, and theirs: served, no build step
        name = todo.pop()
        seen.add(name)
        with urllib.request.urlopen(f"{emu.portal_origin}/portal/static/{name}") as response:
            assert response.headers["Content-Type"].startswith("text/javascript")
            source = response.read().decode()
        imports = re.findall(r"^import .* from '\./([\w-]+\.js)';$", source, re.M)
        todo += [module for module in imports if module not in seen]
    static = Path(__file__).resolve().parents[2] / "portal_emulator" / "static"
    scripts = {p.name for p in static.glob("*.js")} - {"dev-client.js"}  # the app's, not the page's
    assert seen == scripts
