"""The store's tables and what SQLite's errors mean for its users."""

from __future__ import annotations

import sqlite3
from dataclasses import fields

from ..records import TITLE_SENTENCE, Place, kind_sql

SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 30
CORRECTION_SCOPES = ("mention", "article", "name", "place")
"""What a correction applies to, the narrowest first (the first that applies to a mention wins)."""
CORRECTIONS_TABLE = """
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY,
    scope TEXT NOT NULL CHECK (scope IN ('mention', 'article', 'name', 'place')),
    key TEXT NOT NULL,           -- mention id, normalised name (scopes 'article' and 'name'), or the parser's place id
    article_id INTEGER REFERENCES articles (id) ON DELETE CASCADE,  -- scope 'article': the name in this article
    place_id TEXT REFERENCES places (id),  -- NULL: not a place (the mentions are hidden)
    created_at REAL NOT NULL,
    undone_at REAL,
    CHECK ((scope = 'article') = (article_id IS NOT NULL))
);"""
CORRECTIONS_INDEX = """CREATE UNIQUE INDEX IF NOT EXISTS corrections_active
    ON corrections (scope, key, ifnull(article_id, 0)) WHERE undone_at IS NULL;"""
EFFECTIVE_MENTIONS = """CREATE VIEW effective_mentions AS
SELECT m.id, m.article_id, m.sentence, m.start, m."end", m.text, m.name_key, m.label, m.kind, m.place_id,
       CASE WHEN c.id IS NULL THEN m.confidence ELSE 1.0 END AS confidence,
       CASE WHEN c.id IS NULL THEN m.reason WHEN c.place_id IS NULL THEN 'not a place (corrected)'
            ELSE 'placed by a correction' END AS reason,
       CASE WHEN c.id IS NULL THEN m.place_id ELSE c.place_id END AS eff_place_id,
       c.id AS correction_id
FROM mentions m
LEFT JOIN corrections cm ON cm.scope = 'mention' AND cm.key = CAST(m.id AS TEXT) AND cm.undone_at IS NULL
LEFT JOIN corrections ca ON ca.scope = 'article' AND ca.key = m.name_key AND ifnull(ca.article_id, 0) = m.article_id
    AND ca.undone_at IS NULL
LEFT JOIN corrections cn ON cn.scope = 'name' AND cn.key = m.name_key AND ifnull(cn.article_id, 0) = 0
    AND cn.undone_at IS NULL
LEFT JOIN corrections cp ON cp.scope = 'place' AND cp.key = m.place_id AND ifnull(cp.article_id, 0) = 0
    AND cp.undone_at IS NULL
LEFT JOIN corrections c ON c.id = COALESCE(cm.id, ca.id, cn.id, cp.id)"""
"""Mentions as the user corrected them, at read time (so a correction by name also covers articles added
later): the first active correction of the mention, of its name in its article, of its name, or of its
place wins. A corrected mention is certain (confidence 1), its reason the correction's (the resolver's
reason, such as a placement at the article's town, no longer holds); one corrected to no place (`place_id` NULL:
"not a place") has no `eff_place_id`, so every view, search and export leaves it out."""

PLAIN_MENTIONS = """(SELECT id, article_id, sentence, start, "end", text, name_key, label, kind, place_id, confidence,
    reason, place_id AS eff_place_id, NULL AS correction_id FROM mentions)"""
"""What `effective_mentions` equals while no correction is active, read without its four lookups a mention."""

SCHEMA = f"""
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
    url TEXT,                    -- canonical URL of a web article (stores made before it: see URL_COLUMN)
    language TEXT NOT NULL DEFAULT 'en'  -- ISO 639-1 code it was read in (stores made before it: LANGUAGE_COLUMN)
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
DROP INDEX IF EXISTS mentions_place;  -- (place_id): the next one serves its queries
CREATE INDEX IF NOT EXISTS mentions_place_order ON mentions (place_id, article_id, start, confidence, kind, text);
-- ^ a place's mentions in article order, with what the views filter and count: read without the table
CREATE INDEX IF NOT EXISTS mentions_name ON mentions (name_key);
CREATE INDEX IF NOT EXISTS articles_published ON articles (published DESC, id);  -- search: newest first
{CORRECTIONS_TABLE}
{CORRECTIONS_INDEX}
{EFFECTIVE_MENTIONS.replace('CREATE VIEW', 'CREATE VIEW IF NOT EXISTS', 1)};
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

def migrate_corrections(conn: sqlite3.Connection) -> None:
    """Inside the caller's transaction, bring a store's corrections up to this version: a table made before
    "not a place" and corrections of a name in one article is rebuilt with its rows (SQLite cannot relax a
    column's constraints in place), and the `effective_mentions` view is made anew when its text differs."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(corrections)")}
    view = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'effective_mentions'").fetchone()
    if "article_id" in columns and view is not None and view[0] == EFFECTIVE_MENTIONS:
        return
    conn.execute("DROP VIEW IF EXISTS effective_mentions")
    if "article_id" not in columns:
        conn.execute("ALTER TABLE corrections RENAME TO corrections_old")
        conn.execute(CORRECTIONS_TABLE)
        conn.execute("INSERT INTO corrections (id, scope, key, place_id, created_at, undone_at) "
                     "SELECT id, scope, key, place_id, created_at, undone_at FROM corrections_old")
        conn.execute("DROP TABLE corrections_old")  # and its index
        conn.execute(CORRECTIONS_INDEX)
    conn.execute(EFFECTIVE_MENTIONS)


def read_as_migrated(conn: sqlite3.Connection) -> None:
    """A read-only store whose corrections are older than this version, read as `migrate_corrections` would
    make them, without writing to the file: temporary views, which the connection finds before the file's own
    table and view (the corrections of a store made before corrections of a name in one article all have
    no `article_id`)."""
    view = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'effective_mentions'").fetchone()
    if not has_column(conn, "corrections", "article_id"):
        conn.execute("CREATE TEMP VIEW corrections AS SELECT *, NULL AS article_id FROM main.corrections")
    elif view is not None and view[0] == EFFECTIVE_MENTIONS:
        return
    conn.execute(EFFECTIVE_MENTIONS.replace("CREATE VIEW", "CREATE TEMP VIEW", 1))


URL_COLUMN = ("ALTER TABLE articles ADD COLUMN url TEXT",
              "CREATE INDEX IF NOT EXISTS articles_url ON articles (url)")
"""The url column for a store made before it, and its index (run by `Store._prepare`)."""

LANGUAGE_COLUMN = "ALTER TABLE articles ADD COLUMN language TEXT NOT NULL DEFAULT 'en'"
"""The language column for a store made before it: its articles were all read as English."""
ENGLISH_ARTICLES = "CREATE TEMP VIEW articles AS SELECT *, 'en' AS language FROM main.articles"
"""A read-only store made before the language column, read as if it had it: a temporary view that the
connection's queries find before the table (SQLite looks in `temp` first), nothing written to the file."""


def has_column(conn: sqlite3.Connection, table: str, column: str) -> bool:
    return any(row[1] == column for row in conn.execute(f"PRAGMA table_info({table})"))


KIND_SQL = kind_sql("p")


def source_sql(sentence: str, article: str = "a") -> str:
    """The text a sentence (or a mention, by its sentence index `sentence`) is cut from: the article's title
    for the title's sentence (`TITLE_SENTENCE`: offsets into the title), else the article's text."""
    return f"(CASE WHEN {sentence} = {TITLE_SENTENCE} THEN {article}.title ELSE {article}.text END)"


SENTENCE_SQL = f'substr({source_sql("s.idx")}, s.start + 1, s."end" - s.start)'
"""A sentence row `s` of article `a` as text."""


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
