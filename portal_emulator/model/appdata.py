"""The tables of what an app keeps in the portal and sends through it: app storage
(``entity.*``), widget placements (``placement.*``), notifications (``im.notify.*``) and task
comments (``task.commentitem.*``). Pure: DDL text and table names for the store."""

from __future__ import annotations

DDL = """
CREATE TABLE IF NOT EXISTS app_entities (
    id     INTEGER PRIMARY KEY,
    app    TEXT NOT NULL,            -- the app's code: each app sees only its own storages
    code   TEXT NOT NULL,            -- ENTITY
    name   TEXT NOT NULL,
    access TEXT NOT NULL DEFAULT '{}',  -- JSON {"U1": "X", "AU": "R"}
    UNIQUE (app, code)
);
CREATE TABLE IF NOT EXISTS app_entity_properties (
    entity_id INTEGER NOT NULL,
    code      TEXT NOT NULL,         -- PROPERTY
    name      TEXT NOT NULL,
    type      TEXT NOT NULL,         -- S | N | F
    sort      INTEGER NOT NULL,
    PRIMARY KEY (entity_id, code)
);
CREATE TABLE IF NOT EXISTS app_entity_records (
    id        INTEGER PRIMARY KEY,
    entity_id INTEGER NOT NULL,
    kind      TEXT NOT NULL,         -- item | section
    fields    TEXT NOT NULL          -- JSON: the record as entity.item.get/section.get show it
);
CREATE TABLE IF NOT EXISTS placements (
    id          INTEGER PRIMARY KEY,
    app         TEXT NOT NULL,
    placement   TEXT NOT NULL,
    handler     TEXT NOT NULL,
    user_id     INTEGER NOT NULL DEFAULT 0,
    title       TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    group_name  TEXT NOT NULL DEFAULT '',
    options     TEXT NOT NULL DEFAULT '[]',  -- JSON
    lang_all    TEXT NOT NULL DEFAULT '{}'   -- JSON
);
CREATE TABLE IF NOT EXISTS notifications (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,      -- system | personal
    user_id      INTEGER NOT NULL,   -- who receives it
    from_user_id INTEGER NOT NULL,   -- who sent it (personal notifications show them)
    message      TEXT NOT NULL,
    message_out  TEXT NOT NULL DEFAULT '',
    tag          TEXT NOT NULL DEFAULT '',
    sub_tag      TEXT NOT NULL DEFAULT '',
    attach       TEXT NOT NULL DEFAULT '',  -- JSON, as sent
    sent_at      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS task_comments (
    id        INTEGER PRIMARY KEY,
    task_id   INTEGER NOT NULL,
    author_id INTEGER NOT NULL,
    post_date TEXT NOT NULL,
    message   TEXT NOT NULL
);
"""

TABLES = (
    "app_entities",
    "app_entity_properties",
    "app_entity_records",
    "placements",
    "notifications",
    "task_comments",
)
