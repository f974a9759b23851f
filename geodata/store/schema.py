"""The store's tables and what SQLite's errors mean for its users."""

from __future__ import annotations

import sqlite3
from dataclasses import fields

from ..records import Place, kind_sql

SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 30
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL,
    content_hash TEXT NOT NULL UNIQUE,
    title TEXT,
    published TEXT,
    source TEXT,
    origin TEXT,
    text TEXT NOT NULL,
    added_at REAL NOT NULL,
    url TEXT                     -- canonical URL of a web article (stores made before it: see URL_COLUMN)
);
CREATE TABLE IF NOT EXISTS sentences (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    PRIMARY KEY (article_id, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS places (
    id TEXT PRIMARY KEY,
    name TEXT,
    lat REAL,
    lon REAL,
    country TEXT,
    feature_class TEXT,
    feature_code TEXT,
    admin1 TEXT,
    population INTEGER,
    geonameid INTEGER,
    source TEXT
);
CREATE TABLE IF NOT EXISTS mentions (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    sentence INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    name_key TEXT NOT NULL,
    label TEXT NOT NULL,
    kind TEXT NOT NULL,
    confidence REAL NOT NULL,
    place_id TEXT REFERENCES places (id),
    reason TEXT
);
CREATE INDEX IF NOT EXISTS mentions_article ON mentions (article_id);
CREATE INDEX IF NOT EXISTS mentions_place ON mentions (place_id);
CREATE INDEX IF NOT EXISTS mentions_name ON mentions (name_key);
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY,
    scope TEXT NOT NULL CHECK (scope IN ('mention', 'name', 'place')),
    key TEXT NOT NULL,           -- mention id, normalised name, or the parser's place id
    place_id TEXT NOT NULL REFERENCES places (id),
    created_at REAL NOT NULL,
    undone_at REAL
);
CREATE UNIQUE INDEX IF NOT EXISTS corrections_active ON corrections (scope, key) WHERE undone_at IS NULL;
CREATE VIEW IF NOT EXISTS effective_mentions AS
SELECT m.*, COALESCE(cm.place_id, cn.place_id, cp.place_id, m.place_id) AS eff_place_id,
       COALESCE(cm.id, cn.id, cp.id) AS correction_id
FROM mentions m
LEFT JOIN corrections cm ON cm.scope = 'mention' AND cm.key = CAST(m.id AS TEXT) AND cm.undone_at IS NULL
LEFT JOIN corrections cn ON cn.scope = 'name' AND cn.key = m.name_key AND cn.undone_at IS NULL
LEFT JOIN corrections cp ON cp.scope = 'place' AND cp.key = m.place_id AND cp.undone_at IS NULL;
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,        -- canonical feed URL
    title TEXT,
    etag TEXT,                   -- validators for the next conditional GET
    last_modified TEXT,
    added_at REAL NOT NULL,
    polled_at REAL,
    status TEXT                  -- what the last poll found
);
CREATE TABLE IF NOT EXISTS feed_items (
    url TEXT PRIMARY KEY,        -- canonical article URL, fetched once whatever feed lists it
    feed_url TEXT NOT NULL,
    seen_at REAL NOT NULL,
    outcome TEXT NOT NULL        -- 'stored', 'duplicate', or why it was refused
) WITHOUT ROWID;
"""

URL_COLUMN = ("ALTER TABLE articles ADD COLUMN url TEXT",
              "CREATE INDEX IF NOT EXISTS articles_url ON articles (url)")
"""The url column for a store made before it, and its index (run by `Store._prepare`)."""

KIND_SQL = kind_sql("p")


class StoreError(Exception):
    """The store file is unusable (foreign, corrupt, read-only) or a write to it failed."""

    def __init__(self, message: str, *, readonly: bool = False) -> None:
        super().__init__(message)
        self.readonly = readonly  # the file or its folder cannot be written


# What an SQLite error (by its name's prefix) means for the user.
SQLITE_ERRORS = (
    ("SQLITE_READONLY", "the store file or its folder is read-only"),
    ("SQLITE_FULL", "the disk is full"),
    ("SQLITE_IOERR", "the disk refused the write (full, over quota or failing)"),
    ("SQLITE_BUSY", f"another program kept the store locked for over {BUSY_TIMEOUT_S} s"),
    ("SQLITE_LOCKED", f"another program kept the store locked for over {BUSY_TIMEOUT_S} s"),
    ("SQLITE_NOTADB", "it is not an SQLite database, or a damaged one"),
    ("SQLITE_CORRUPT", "the store file is damaged"),
    ("SQLITE_CANTOPEN", "the store file cannot be opened"),
)


def why(exc: sqlite3.Error) -> str:
    """What an SQLite error means for the user."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    return next((why for prefix, why in SQLITE_ERRORS if name.startswith(prefix)), "SQLite reported an error")


def is_readonly(exc: BaseException) -> bool:
    return (getattr(exc, "sqlite_errorname", "") or "").startswith("SQLITE_READONLY")


def is_storage_error(exc: BaseException) -> bool:
    """An error of the file or the disk, not of our SQL."""
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(
        exc, sqlite3.IntegrityError | sqlite3.ProgrammingError | sqlite3.InterfaceError)


PLACE_COLUMNS = ", ".join(f.name for f in fields(Place))
"""The places table's columns, in the order of `Place`'s fields (a row reads back as `Place(*row)`)."""
PLACE_INSERT = f"INSERT OR REPLACE INTO places ({PLACE_COLUMNS}) VALUES ({', '.join('?' * len(fields(Place)))})"
