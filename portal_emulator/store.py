"""The emulated portal's state, kept in SQLite so it survives page reloads and restarts.

One :class:`Store` is shared by every request thread; a lock serialises access to the single
connection (SQLite writes are serialised anyway, and the emulator's load is small).
The token and option code here is what the REST emulator builds on, so it knows nothing
about HTTP or the portal page.
"""

from __future__ import annotations

import itertools
import json
import random
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .model import appdata, crmfields, dealparts, dictionaries, seed, tasks, timeline

# Bump when a table changes: an older file is wiped and reseeded (emulator state is disposable).
SCHEMA_VERSION = 2

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS departments (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL,
    parent_id INTEGER,
    head_id   INTEGER
);
CREATE TABLE IF NOT EXISTS users (
    id            INTEGER PRIMARY KEY,
    active        INTEGER NOT NULL DEFAULT 1,
    name          TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    email         TEXT NOT NULL,
    work_position TEXT NOT NULL DEFAULT '',
    departments   TEXT NOT NULL DEFAULT '[]',  -- JSON list of department ids (UF_DEPARTMENT)
    is_admin      INTEGER NOT NULL DEFAULT 0,
    profile       TEXT NOT NULL DEFAULT '{}'   -- JSON: gender, birthday, phones, city, ...
);
CREATE TABLE IF NOT EXISTS layouts (
    app_sid    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    is_admin   INTEGER NOT NULL,
    expires_in INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    access_token  TEXT PRIMARY KEY,
    refresh_token TEXT NOT NULL UNIQUE,
    user_id       INTEGER NOT NULL,
    app_sid       TEXT NOT NULL,
    issued_at     REAL NOT NULL,
    expires_at    REAL NOT NULL,
    revoked       INTEGER NOT NULL DEFAULT 0,  -- access token no longer accepted
    refresh_used  INTEGER NOT NULL DEFAULT 0   -- refresh token already exchanged
);
CREATE TABLE IF NOT EXISTS user_options (
    user_id INTEGER NOT NULL,
    name    TEXT NOT NULL,
    value   TEXT NOT NULL,  -- JSON
    PRIMARY KEY (user_id, name)
);
CREATE TABLE IF NOT EXISTS app_options (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL  -- JSON
);
CREATE TABLE IF NOT EXISTS user_install (
    user_id   INTEGER PRIMARY KEY,
    installed INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS portal (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS event_handlers (
    id             INTEGER PRIMARY KEY,
    event          TEXT NOT NULL,     -- upper case, as event.get shows it
    handler        TEXT NOT NULL,
    auth_type      INTEGER NOT NULL,  -- 0: the user who triggered the event
    event_type     TEXT NOT NULL,     -- online | offline
    auth_connector TEXT NOT NULL DEFAULT '',
    options        TEXT NOT NULL DEFAULT ''
);
"""
    + crmfields.crm_items_ddl()
    + tasks.tasks_ddl()
    + dictionaries.dictionaries_ddl()
    + dealparts.dealparts_ddl()
    + timeline.timeline_ddl()
    + appdata.DDL
)

_TABLES = (
    "departments",
    "users",
    "layouts",
    "tokens",
    "user_options",
    "app_options",
    "user_install",
    "portal",
    "event_handlers",
    "crm_items",
    "tasks",
    *(dictionary.table for dictionary in dictionaries.DICTIONARIES),
    *dealparts.TABLES,
    *timeline.TABLES,
    *appdata.TABLES,
)


class InvalidGrant(Exception):
    """A refresh token that is unknown, already exchanged, or belongs to another layout."""


@dataclass(frozen=True)
class User:
    id: int
    active: bool
    name: str
    last_name: str
    email: str
    work_position: str
    departments: list[int]
    is_admin: bool
    profile: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def full_name(self) -> str:
        return f"{self.name} {self.last_name}"

    @property
    def initials(self) -> str:
        return (self.name[:1] + self.last_name[:1]).upper()


@dataclass(frozen=True)
class Layout:
    """One rendering of an app frame on the portal page (the real portal's AppLayout)."""

    app_sid: str
    user_id: int
    is_admin: bool
    expires_in: int


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int  # seconds, as AUTH_EXPIRES on the wire


@dataclass(frozen=True)
class TokenCheck:
    """Result of looking up an access token: status is "valid", "expired" or "invalid"."""

    status: str
    user_id: int | None = None
    app_sid: str | None = None


def new_token() -> str:
    # Bitrix24 OAuth tokens are 70 characters of hex-ish text.
    return secrets.token_hex(35)


def new_sid() -> str:
    return secrets.token_hex(16)


class Store:
    def __init__(self, path: str, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        # Lifetime of newly issued tokens when set (REST emulator's token_ttl), else per layout.
        self.token_ttl: int | None = None
        with self._lock:
            # An emulator's state need not survive a power cut; skipping fsyncs keeps tests fast.
            self._conn.execute("PRAGMA synchronous=OFF")
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                self._drop_everything()
            self._conn.executescript(_SCHEMA)
            self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self._seed()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- helpers ---------------------------------------------------------------------------

    def _tx(self):
        """A transaction under the lock: ``with self._tx() as db: db.execute(...)``."""
        return _Transaction(self._lock, self._conn)

    def _drop_everything(self) -> None:
        tables = self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        for row in tables:
            self._conn.execute(f'DROP TABLE IF EXISTS "{row[0]}"')  # names from the file itself

    def _seed(self) -> None:
        """The seeded directory (every open; existing rows win) and, once, the CRM and tasks."""
        people = seed.users()
        with self._tx() as db:
            db.executemany(
                "INSERT OR IGNORE INTO departments (id, name, parent_id, head_id) VALUES (?,?,?,?)",
                seed.departments(),
            )
            db.executemany(
                "INSERT OR IGNORE INTO users (id, active, name, last_name, email, work_position,"
                " departments, is_admin, profile) VALUES (?,?,?,?,?,?,?,?,?)",
                [_user_row(person) for person in people],
            )
            db.execute(
                "INSERT OR IGNORE INTO portal (key, value) VALUES ('member_id', ?)", (new_sid(),)
            )
            db.execute("INSERT OR IGNORE INTO portal (key, value) VALUES ('installed', 'Y')")
            seeded = db.execute("SELECT 1 FROM portal WHERE key='crm_seeded'").fetchone()
            if not seeded:
                _insert_crm(db, seed.crm_items())
                db.execute("INSERT INTO portal (key, value) VALUES ('crm_seeded', 'Y')")
            if not db.execute("SELECT 1 FROM portal WHERE key='tasks_seeded'").fetchone():
                _insert_rows(db, "tasks", _TASK_COLUMNS, seed.tasks())
                db.execute("INSERT INTO portal (key, value) VALUES ('tasks_seeded', 'Y')")
            if not db.execute("SELECT 1 FROM portal WHERE key='dictionaries_seeded'").fetchone():
                _seed_dictionaries(db)
                db.execute("INSERT INTO portal (key, value) VALUES ('dictionaries_seeded', 'Y')")
            if not db.execute("SELECT 1 FROM portal WHERE key='dealparts_seeded'").fetchone():
                _insert_rows(
                    db,
                    "crm_product_rows",
                    _PRODUCT_ROW_COLUMNS,
                    dealparts.seed_product_rows(seed.crm_items()),
                )
                db.execute("INSERT INTO portal (key, value) VALUES ('dealparts_seeded', 'Y')")
            if not db.execute("SELECT 1 FROM portal WHERE key='timeline_seeded'").fetchone():
                for table, rows in (
                    ("crm_activities", timeline.seed_activities()),
                    ("crm_timeline_comments", timeline.seed_comments()),
                ):
                    known = frozenset(field.column for field in timeline.TABLES[table])
                    _insert_rows(db, table, known, rows)
                db.execute("INSERT INTO portal (key, value) VALUES ('timeline_seeded', 'Y')")

    def reset(self) -> None:
        """Wipe everything (options, flags, tokens, layouts, CRM, events) and reseed."""
        with self._tx() as db:
            for table in _TABLES:
                db.execute(f"DELETE FROM {table}")  # fixed table names, not input
        self._seed()

    # -- queries for the REST emulator -------------------------------------------------------

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Rows of one read query (the REST methods build their own SQL)."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def transaction(self):
        """``with store.transaction() as db:`` — several writes, all or nothing."""
        return self._tx()

    def seed_deals(self, count: int) -> tuple[int, int]:
        """Add ``count`` generated deals (benchmarks); returns the first and last new id."""
        if count <= 0:
            raise ValueError("count must be positive")
        staff = seed.staff_ids()
        with self._tx() as db:
            first = _allocate_ids(db, crmfields.DEAL, count)
            _insert_crm(db, seed.bulk_deals(first, count, staff))
        return first, first + count - 1

    def count_items(self, entity_type_id: int) -> int:
        with self._lock:
            return self._conn.execute(
                "SELECT COUNT(*) FROM crm_items WHERE entity_type_id=?", (entity_type_id,)
            ).fetchone()[0]

    def item_ids(self, entity_type_id: int) -> list[int]:
        """The ids of every CRM item of one type, ascending."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id FROM crm_items WHERE entity_type_id=? ORDER BY id", (entity_type_id,)
            ).fetchall()
        return [row[0] for row in rows]

    def insert_item(self, entity_type_id: int, values: Mapping[str, Any]) -> int:
        """Add one CRM item (``values``: column -> value) under the next id of its type; an
        id is never used twice, even after a delete. Untitled items get "<Type> #<id>"."""
        with self._tx() as db:
            item_id = _allocate_ids(db, entity_type_id, 1)
            _insert_crm(db, [_new_item(entity_type_id, item_id, values)])
        return item_id

    def churn_items(
        self, entity_type_id: int, added: int, deleted: int, rng: random.Random
    ) -> tuple[list[int], list[int]]:
        """Add ``added`` items (copies of random ones, new ids) and delete ``deleted`` random
        items that existed before; returns the new ids and the deleted ids."""
        with self._tx() as db:
            ids = [
                row[0]
                for row in db.execute(
                    "SELECT id FROM crm_items WHERE entity_type_id=? ORDER BY id",
                    (entity_type_id,),
                )
            ]
            gone = sorted(rng.sample(ids, min(deleted, len(ids))))
            new_ids: list[int] = []
            if ids and added > 0:
                first = _allocate_ids(db, entity_type_id, added)
                new_ids = list(range(first, first + added))
                copies = []
                for item_id in new_ids:
                    source = db.execute(
                        "SELECT * FROM crm_items WHERE entity_type_id=? AND id=?",
                        (entity_type_id, rng.choice(ids)),
                    ).fetchone()
                    copy = {**dict(source), "title": None}  # a fresh "<Type> #<id>" title
                    copies.append(_new_item(entity_type_id, item_id, copy))
                _insert_crm(db, copies)
            db.executemany(
                "DELETE FROM crm_items WHERE entity_type_id=? AND id=?",
                [(entity_type_id, item_id) for item_id in gone],
            )
        return new_ids, gone

    # -- portal ----------------------------------------------------------------------------

    def member_id(self) -> str:
        with self._lock:
            row = self._conn.execute("SELECT value FROM portal WHERE key='member_id'").fetchone()
        return row["value"]

    # -- users -----------------------------------------------------------------------------

    def users(self) -> list[User]:
        with self._lock:
            rows = self._conn.execute("SELECT * FROM users ORDER BY id").fetchall()
        return [_user(row) for row in rows]

    def user(self, user_id: int) -> User | None:
        with self._lock:
            row = self._conn.execute("SELECT * FROM users WHERE id=?", (user_id,)).fetchone()
        return _user(row) if row else None

    # -- layouts and tokens ----------------------------------------------------------------

    def create_layout(
        self, user_id: int, is_admin: bool, expires_in: int
    ) -> tuple[Layout, TokenPair]:
        """Register a new app frame and issue its first token pair."""
        layout = Layout(new_sid(), user_id, is_admin, expires_in)
        with self._tx() as db:
            db.execute(
                "INSERT INTO layouts (app_sid, user_id, is_admin, expires_in, created_at)"
                " VALUES (?,?,?,?,?)",
                (layout.app_sid, user_id, int(is_admin), expires_in, self._clock()),
            )
            pair = self._issue(db, user_id, layout.app_sid, expires_in)
        return layout, pair

    def layout(self, app_sid: str) -> Layout | None:
        with self._lock:
            row = self._conn.execute("SELECT * FROM layouts WHERE app_sid=?", (app_sid,)).fetchone()
        if row is None:
            return None
        return Layout(row["app_sid"], row["user_id"], bool(row["is_admin"]), row["expires_in"])

    def issue_tokens(self, user_id: int, app_sid: str, expires_in: int) -> TokenPair:
        with self._tx() as db:
            return self._issue(db, user_id, app_sid, expires_in)

    def _issue(self, db: sqlite3.Connection, user_id: int, app_sid: str, expires_in: int):
        now = self._clock()
        if self.token_ttl is not None:
            expires_in = self.token_ttl
        pair = TokenPair(new_token(), new_token(), expires_in)
        db.execute(
            "INSERT INTO tokens (access_token, refresh_token, user_id, app_sid, issued_at,"
            " expires_at) VALUES (?,?,?,?,?,?)",
            (pair.access_token, pair.refresh_token, user_id, app_sid, now, now + expires_in),
        )
        return pair

    def refresh_tokens(
        self, refresh_token: str, *, app_sid: str | None = None, expires_in: int | None = None
    ) -> TokenPair:
        """Exchange a refresh token for a new pair; the old pair stops working.

        A refresh token works once (OAuth rotation), so two concurrent refreshes with the
        same token fail for the second caller — exactly what clients must coalesce around.
        """
        with self._tx() as db:
            row = db.execute(
                "SELECT * FROM tokens WHERE refresh_token=?", (refresh_token,)
            ).fetchone()
            if row is None or row["refresh_used"]:
                raise InvalidGrant("refresh token is unknown or was already used")
            if app_sid is not None and row["app_sid"] != app_sid:
                raise InvalidGrant("refresh token belongs to another application frame")
            lifetime = expires_in if expires_in is not None else self._lifetime(db, row)
            db.execute(
                "UPDATE tokens SET revoked=1, refresh_used=1 WHERE access_token=?",
                (row["access_token"],),
            )
            return self._issue(db, row["user_id"], row["app_sid"], lifetime)

    def _lifetime(self, db: sqlite3.Connection, row: sqlite3.Row) -> int:
        layout = db.execute(
            "SELECT expires_in FROM layouts WHERE app_sid=?", (row["app_sid"],)
        ).fetchone()
        if layout is not None:
            return layout["expires_in"]
        return max(1, round(row["expires_at"] - row["issued_at"]))

    def check_access_token(self, access_token: str) -> TokenCheck:
        with self._lock:
            row = self._conn.execute(
                "SELECT * FROM tokens WHERE access_token=?", (access_token,)
            ).fetchone()
        if row is None:
            return TokenCheck("invalid")
        # Expired first: a request sent with a token that has run out while another one
        # refreshed it meanwhile hears "expired_token" (and refreshes), not "unknown".
        if row["expires_at"] <= self._clock():
            return TokenCheck("expired", row["user_id"], row["app_sid"])
        if row["revoked"]:
            return TokenCheck("invalid")
        return TokenCheck("valid", row["user_id"], row["app_sid"])

    def expire_access_tokens(self) -> int:
        """Make every live access token expired now (refresh tokens keep working)."""
        now = self._clock()
        with self._tx() as db:
            cursor = db.execute(
                "UPDATE tokens SET expires_at=? WHERE revoked=0 AND expires_at > ?", (now, now)
            )
            return cursor.rowcount

    # -- options ---------------------------------------------------------------------------

    def user_options(self, user_id: int) -> dict[str, Any]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT name, value FROM user_options WHERE user_id=? ORDER BY rowid", (user_id,)
            ).fetchall()
        return {row["name"]: json.loads(row["value"]) for row in rows}

    def set_user_option(self, user_id: int, name: str, value: Any) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO user_options (user_id, name, value) VALUES (?,?,?)"
                " ON CONFLICT (user_id, name) DO UPDATE SET value=excluded.value",
                (user_id, name, json.dumps(value)),
            )

    def app_options(self) -> dict[str, Any]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT name, value FROM app_options ORDER BY rowid"
            ).fetchall()
        return {row["name"]: json.loads(row["value"]) for row in rows}

    def set_app_options(self, options: Iterable[tuple[str, Any]]) -> dict[str, Any]:
        """Save several options at once; returns all app options after the update."""
        with self._tx() as db:
            db.executemany(
                "INSERT INTO app_options (name, value) VALUES (?,?)"
                " ON CONFLICT (name) DO UPDATE SET value=excluded.value",
                [(name, json.dumps(value)) for name, value in options],
            )
        return self.app_options()

    # -- install flags ---------------------------------------------------------------------

    def user_installed(self, user_id: int) -> bool:
        """Whether this user's app has sent setInstall (so FIRST_RUN is over)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT installed FROM user_install WHERE user_id=?", (user_id,)
            ).fetchone()
        return bool(row and row["installed"])

    def set_user_installed(self, user_id: int, installed: bool) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO user_install (user_id, installed) VALUES (?,?)"
                " ON CONFLICT (user_id) DO UPDATE SET installed=excluded.installed",
                (user_id, int(installed)),
            )

    def app_installed(self) -> str:
        """The app's "installed" flag, "Y" or "N"; "N" puts the app frame in install mode."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM portal WHERE key='installed'").fetchone()
        return row["value"] if row else "Y"

    def set_app_installed(self, value: str) -> None:
        if value not in ("Y", "N"):
            raise ValueError(f"installed flag must be 'Y' or 'N', got {value!r}")
        with self._tx() as db:
            db.execute(
                "INSERT INTO portal (key, value) VALUES ('installed', ?)"
                " ON CONFLICT (key) DO UPDATE SET value=excluded.value",
                (value,),
            )

    # -- inspection ------------------------------------------------------------------------

    def dump_state(self) -> dict[str, Any]:
        """Options and flags for tests; never tokens."""
        with self._lock:
            install_rows = self._conn.execute(
                "SELECT user_id, installed FROM user_install ORDER BY user_id"
            ).fetchall()
            option_users = self._conn.execute(
                "SELECT DISTINCT user_id FROM user_options ORDER BY user_id"
            ).fetchall()
            layouts = self._conn.execute("SELECT COUNT(*) FROM layouts").fetchone()[0]
        return {
            "installed": self.app_installed(),
            "app_options": self.app_options(),
            "user_options": {
                str(row["user_id"]): self.user_options(row["user_id"]) for row in option_users
            },
            "user_install": {str(row["user_id"]): bool(row["installed"]) for row in install_rows},
            "layouts": layouts,
        }


class _Transaction:
    """Holds the store lock and wraps the body in BEGIN/COMMIT (ROLLBACK on error)."""

    def __init__(self, lock: threading.RLock, conn: sqlite3.Connection) -> None:
        self._lock = lock
        self._conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self._lock.acquire()
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._lock.release()
            raise
        return self._conn

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self._conn.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._lock.release()


def _user(row: sqlite3.Row) -> User:
    return User(
        id=row["id"],
        active=bool(row["active"]),
        name=row["name"],
        last_name=row["last_name"],
        email=row["email"],
        work_position=row["work_position"],
        departments=json.loads(row["departments"]),
        is_admin=bool(row["is_admin"]),
        profile=json.loads(row["profile"]),
    )


_USER_COLUMNS = (
    "id",
    "active",
    "name",
    "last_name",
    "email",
    "work_position",
    "departments",
    "is_admin",
)


def _user_row(person: dict[str, Any]) -> tuple:
    profile = {key: value for key, value in person.items() if key not in _USER_COLUMNS}
    return (
        person["id"],
        int(person["active"]),
        person["name"],
        person["last_name"],
        person["email"],
        person["work_position"],
        json.dumps(person["departments"]),
        int(person["is_admin"]),
        json.dumps(profile),
    )


def _allocate_ids(db: sqlite3.Connection, entity_type_id: int, count: int) -> int:
    """The first of ``count`` fresh ids of one CRM type: above every id it ever had."""
    key = f"crm_last_id:{entity_type_id}"
    last = db.execute("SELECT value FROM portal WHERE key=?", (key,)).fetchone()
    highest = db.execute(
        "SELECT COALESCE(MAX(id), 0) FROM crm_items WHERE entity_type_id=?", (entity_type_id,)
    ).fetchone()[0]
    first = max(highest, int(last[0]) if last else 0) + 1
    db.execute(
        "INSERT INTO portal (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value=excluded.value",
        (key, str(first + count - 1)),
    )
    return first


def _new_item(entity_type_id: int, item_id: int, values: Mapping[str, Any]) -> dict[str, Any]:
    row = {**values, "entity_type_id": entity_type_id, "id": item_id}
    if entity_type_id != crmfields.CONTACT and not row.get("title"):
        row["title"] = f"{crmfields.ENTITY_NAMES[entity_type_id]} #{item_id}"
    return row


_CRM_COLUMNS = frozenset(["entity_type_id", *crmfields.all_columns()])
_TASK_COLUMNS = frozenset(field.column for field in tasks.FIELDS)
_PRODUCT_ROW_COLUMNS = frozenset(value.column for value in dealparts.PRODUCT_ROW)


def _insert_crm(db: sqlite3.Connection, rows: Iterable[Mapping[str, Any]]) -> None:
    _insert_rows(db, "crm_items", _CRM_COLUMNS, rows)


def _seed_dictionaries(db: sqlite3.Connection) -> None:
    seeded = (
        (dictionaries.STATUS, dictionaries.status_rows()),
        (dictionaries.CATEGORY, dictionaries.category_rows()),
        (dictionaries.CURRENCY, dictionaries.currency_rows()),
    )
    for dictionary, rows in seeded:
        known = frozenset(column.column for column in dictionary.columns)
        _insert_rows(db, dictionary.table, known, rows)


def _insert_rows(
    db: sqlite3.Connection, table: str, known: frozenset[str], rows: Iterable[Mapping[str, Any]]
) -> None:
    """Insert rows given as column -> value dicts (missing columns are NULL); consecutive
    rows with the same columns go in one ``executemany``. ``table`` is a name from this
    module, the columns are checked against ``known`` (the schema)."""
    for columns, group in itertools.groupby(rows, key=lambda row: tuple(row)):
        unknown = set(columns) - known
        if unknown:
            raise ValueError(f"not {table} columns: {sorted(unknown)}")
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)})"  # checked against the schema
            f" VALUES ({', '.join('?' * len(columns))})"
        )
        db.executemany(sql, (tuple(row.values()) for row in group))
