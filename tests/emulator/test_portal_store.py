"""The emulated portal's SQLite store: users, layouts, token rotation, options, flags."""

import random

import pytest

from portal_emulator.store import InvalidGrant, Store


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "portal.sqlite3")


@pytest.fixture
def store(db_path, clock):
    store = Store(db_path, clock=clock)
    yield store
    store.close()


def test_seeded_directory_has_an_admin_and_departments(store):
    users = store.users()
    assert len(users) >= 6
    alex = store.user(1)
    assert alex.is_admin and alex.full_name == "Alex Morgan" and alex.initials == "AM"
    assert alex.departments == [1]
    assert not store.user(2).is_admin
    assert store.user(999) is None


def test_layout_issues_a_realistic_token_pair(store):
    layout, pair = store.create_layout(user_id=2, is_admin=False, expires_in=3600)
    assert len(layout.app_sid) == 32 and int(layout.app_sid, 16) >= 0
    assert len(pair.access_token) == 70 and len(pair.refresh_token) == 70
    assert pair.access_token != pair.refresh_token
    assert pair.expires_in == 3600
    assert store.layout(layout.app_sid) == layout
    check = store.check_access_token(pair.access_token)
    assert (check.status, check.user_id, check.app_sid) == ("valid", 2, layout.app_sid)


def test_refresh_rotates_the_pair(store):
    layout, old = store.create_layout(1, True, 600)
    new = store.refresh_tokens(old.refresh_token, app_sid=layout.app_sid)
    assert new.access_token != old.access_token
    assert new.refresh_token != old.refresh_token
    assert new.expires_in == 600  # the layout's lifetime
    assert store.check_access_token(old.access_token).status == "invalid"
    assert store.check_access_token(new.access_token).status == "valid"


def test_a_used_refresh_token_is_rejected(store):
    layout, old = store.create_layout(1, True, 600)
    store.refresh_tokens(old.refresh_token)
    with pytest.raises(InvalidGrant):
        store.refresh_tokens(old.refresh_token)


def test_unknown_or_foreign_refresh_tokens_are_rejected(store):
    with pytest.raises(InvalidGrant):
        store.refresh_tokens("nope")
    _, pair = store.create_layout(1, True, 600)
    other, _ = store.create_layout(2, False, 600)
    with pytest.raises(InvalidGrant):
        store.refresh_tokens(pair.refresh_token, app_sid=other.app_sid)


def test_access_tokens_expire(store, clock):
    _, pair = store.create_layout(1, True, 10)
    clock.now += 9
    assert store.check_access_token(pair.access_token).status == "valid"
    clock.now += 1
    assert store.check_access_token(pair.access_token).status == "expired"
    assert store.check_access_token("unknown").status == "invalid"


def test_options_persist_across_reopen(db_path, store):
    store.set_user_option(1, "theme", {"dark": True, "sizes": [1, 2]})
    store.set_user_option(1, "theme", "light")
    store.set_user_option(2, "count", 3)
    assert store.set_app_options([("mode", "a"), ("limit", None)]) == {"mode": "a", "limit": None}
    store.close()

    reopened = Store(db_path)
    try:
        assert reopened.user_options(1) == {"theme": "light"}
        assert reopened.user_options(2) == {"count": 3}
        assert reopened.user_options(3) == {}
        assert reopened.app_options() == {"mode": "a", "limit": None}
    finally:
        reopened.close()


def test_install_flags(db_path, store):
    assert store.user_installed(1) is False  # FIRST_RUN until setInstall
    store.set_user_installed(1, True)
    assert store.user_installed(1) is True
    assert store.user_installed(2) is False
    assert store.app_installed() == "Y"
    store.set_app_installed("N")
    store.close()

    reopened = Store(db_path)
    try:
        assert reopened.user_installed(1) is True
        assert reopened.app_installed() == "N"
        with pytest.raises(ValueError):
            reopened.set_app_installed("maybe")
    finally:
        reopened.close()


def test_member_id_is_stable_until_reset(db_path, store):
    member_id = store.member_id()
    assert len(member_id) == 32
    assert store.member_id() == member_id
    store.reset()
    assert store.member_id() != member_id


def test_reset_wipes_state_and_reseeds(store):
    layout, pair = store.create_layout(1, True, 600)
    store.set_user_option(1, "a", 1)
    store.set_app_options([("b", 2)])
    store.set_user_installed(1, True)
    store.set_app_installed("N")
    store.reset()
    assert store.layout(layout.app_sid) is None
    assert store.check_access_token(pair.access_token).status == "invalid"
    assert store.dump_state() == {
        "installed": "Y",
        "app_options": {},
        "user_options": {},
        "user_install": {},
        "layouts": 0,
    }
    assert store.user(1).is_admin


def test_dump_state_never_contains_tokens(store):
    _, pair = store.create_layout(1, True, 600)
    store.set_user_option(1, "x", "y")
    text = repr(store.dump_state())
    assert pair.access_token not in text and pair.refresh_token not in text
    assert store.dump_state()["user_options"] == {"1": {"x": "y"}}


# -- what the REST emulator builds on ---------------------------------------------------------


def test_seeded_directory_and_crm(store):
    users = store.users()
    assert len(users) == 130 and [u.id for u in users] == list(range(1, 131))
    assert [u.full_name for u in users[:6]] == [
        "Alex Morgan",
        "Maria Lopez",
        "James Chen",
        "Olga Ivanova",
        "Daniel Novak",
        "Priya Sharma",
    ]
    assert sum(not u.active for u in users) == 5
    assert users[0].profile["gender"] == "M" and users[0].profile["city"]
    departments = store.fetch("SELECT id, name, parent_id FROM departments ORDER BY id")
    assert [tuple(row) for row in departments][:2] == [(1, "Acme Corp", None), (2, "Sales", 1)]
    assert len(departments) == 9
    counts = dict(
        tuple(row)
        for row in store.fetch(
            "SELECT entity_type_id, COUNT(*) FROM crm_items GROUP BY entity_type_id"
        )
    )
    assert counts == {1: 60, 2: 150, 3: 80, 4: 30, 1032: 8}  # 1032: the "Projects" smart process


def test_seed_is_deterministic(tmp_path, clock):
    first, second = Store(str(tmp_path / "a.db"), clock=clock), Store(str(tmp_path / "b.db"))
    try:
        query = "SELECT * FROM crm_items ORDER BY entity_type_id, id"
        assert [tuple(r) for r in first.fetch(query)] == [tuple(r) for r in second.fetch(query)]
        assert first.users() == second.users()
    finally:
        first.close()
        second.close()


def test_crm_is_seeded_once(db_path, clock):
    store = Store(db_path, clock=clock)
    with store.transaction() as db:
        db.execute("DELETE FROM crm_items WHERE entity_type_id=2")
    store.close()
    reopened = Store(db_path, clock=clock)
    assert reopened.count_items(2) == 0  # a restart does not bring deleted deals back
    reopened.reset()
    assert reopened.count_items(2) == 150
    reopened.close()


def test_tasks_are_seeded_once_and_reset(store):
    assert store.fetch("SELECT COUNT(*) FROM tasks")[0][0] == 80
    with store.transaction() as db:
        db.execute("DELETE FROM tasks WHERE id > 10")
    store.reset()
    assert store.fetch("SELECT COUNT(*) FROM tasks")[0][0] == 80


def test_seed_deals_appends(store):
    assert store.seed_deals(500) == (151, 650)
    assert store.count_items(2) == 650
    with pytest.raises(ValueError):
        store.seed_deals(0)


def test_item_ids_are_never_reused(store):
    assert store.item_ids(4)[-3:] == [28, 29, 30]
    first = store.insert_item(4, {"company_type": "CUSTOMER"})
    assert first == 31
    row = store.fetch("SELECT title, company_type FROM crm_items WHERE entity_type_id=4 AND id=31")
    assert tuple(row[0]) == ("Company #31", "CUSTOMER")
    with store.transaction() as db:
        db.execute("DELETE FROM crm_items WHERE entity_type_id=4 AND id=31")
    assert store.insert_item(4, {"title": "Named"}) == 32
    assert store.seed_deals(2) == (151, 152)
    assert store.insert_item(2, {}) == 153
    with pytest.raises(ValueError, match="not crm_items columns"):
        store.insert_item(2, {"title; DROP TABLE users": "x"})


def test_churn_adds_copies_and_deletes_existing_items(store):
    before = store.item_ids(2)
    added, deleted = store.churn_items(2, 3, 5, random.Random(7))
    assert added == [151, 152, 153] and len(deleted) == 5 and set(deleted) <= set(before)
    after = store.item_ids(2)
    assert after == sorted((set(before) - set(deleted)) | set(added))
    titles = store.fetch("SELECT title FROM crm_items WHERE entity_type_id=2 AND id >= 151")
    assert [row[0] for row in titles] == ["Deal #151", "Deal #152", "Deal #153"]
    # the same seed churns the same way
    store.reset()
    assert store.churn_items(2, 3, 5, random.Random(7)) == (added, deleted)
    assert store.churn_items(1, 0, 1000, random.Random(7))[1] == list(range(1, 61))
    assert store.churn_items(1, 2, 0, random.Random(7)) == ([], [])  # nothing left to copy


def test_an_older_schema_is_replaced(db_path, clock):
    import sqlite3

    old = sqlite3.connect(db_path)
    old.executescript(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); PRAGMA user_version=1;"
    )
    old.close()
    store = Store(db_path, clock=clock)
    assert store.user(1).full_name == "Alex Morgan" and store.count_items(2) == 150
    store.close()


def test_token_ttl_and_expiring_every_token(store, clock):
    store.token_ttl = 5
    layout, pair = store.create_layout(1, True, 3600)
    assert pair.expires_in == 5
    assert store.refresh_tokens(pair.refresh_token, app_sid=layout.app_sid).expires_in == 5
    store.token_ttl = None
    _, other = store.create_layout(2, False, 3600)
    assert other.expires_in == 3600
    assert store.expire_access_tokens() == 2  # the refreshed pair and the other one
    assert store.check_access_token(other.access_token).status == "expired"
    assert store.refresh_tokens(other.refresh_token).expires_in == 3600
