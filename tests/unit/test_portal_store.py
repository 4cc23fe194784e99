"""The emulated portal's SQLite store: users, layouts, token rotation, options, flags."""

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
