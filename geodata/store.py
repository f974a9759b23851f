"""The SQLite store the dashboard and exports read: articles, sentences, mentions, places,
corrections. One transaction per article; an article already stored (same text) is skipped.

A foreign, damaged or read-only file is refused at open, and a write that fails (disk full,
read-only, locked too long) rolls back whole and raises `StoreError` saying what was not stored."""

from __future__ import annotations

import errno
import hashlib
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.request import pathname2url

import pandas as pd

from .gazetteer import normalize
from .gazetteer.db import PLACE_COLUMNS, place_row
from .filters import Filters
from .records import ParsedDocument, Place, kind_sql

SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 30
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
    added_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sentences (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    PRIMARY KEY (article_id, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS places ({", ".join(
    c.strip() + (" TEXT PRIMARY KEY" if c.strip() == "id" else "") for c in PLACE_COLUMNS.split(","))});
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
"""

KIND_SQL = kind_sql("p")


class StoreError(Exception):
    """The store file is unusable (foreign, corrupt, read-only) or a write to it failed."""

    def __init__(self, message: str, *, readonly: bool = False) -> None:
        super().__init__(message)
        self.readonly = readonly  # the file or its folder cannot be written


# What an SQLite error (by its name's prefix) means for the user.
_SQLITE_ERRORS = (
    ("SQLITE_READONLY", "the store file or its folder is read-only"),
    ("SQLITE_FULL", "the disk is full"),
    ("SQLITE_IOERR", "the disk refused the write (full, over quota or failing)"),
    ("SQLITE_BUSY", f"another program kept the store locked for over {BUSY_TIMEOUT_S} s"),
    ("SQLITE_LOCKED", f"another program kept the store locked for over {BUSY_TIMEOUT_S} s"),
    ("SQLITE_NOTADB", "it is not an SQLite database, or a damaged one"),
    ("SQLITE_CORRUPT", "the store file is damaged"),
    ("SQLITE_CANTOPEN", "the store file cannot be opened"),
)


def _why(exc: sqlite3.Error) -> str:
    """What an SQLite error means for the user."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    return next((why for prefix, why in _SQLITE_ERRORS if name.startswith(prefix)), "SQLite reported an error")


def _is_readonly(exc: BaseException) -> bool:
    return (getattr(exc, "sqlite_errorname", "") or "").startswith("SQLITE_READONLY")


def _is_storage_error(exc: BaseException) -> bool:
    """An error of the file or the disk, not of our SQL."""
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(
        exc, sqlite3.IntegrityError | sqlite3.ProgrammingError | sqlite3.InterfaceError)


@dataclass
class IngestReport:
    added: int = 0
    skipped: int = 0
    mentions: int = 0
    article_ids: list[int] = field(default_factory=list)

    def count(self, parsed: ParsedDocument, article_id: int | None) -> None:
        """Count one `Store.add` (None: the same text was stored already)."""
        if article_id is None:
            self.skipped += 1
        else:
            self.added += 1
            self.mentions += len(parsed.mentions)
            self.article_ids.append(article_id)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Store:
    def __init__(self, path: Path, *, readonly: bool = False):
        """Open (and create) the store; `readonly`: open an existing store for reading only, e.g. in a
        read-only folder, where nothing (no journal, no schema) may be written."""
        self.path = Path(path)
        self.readonly = readonly
        try:
            self.conn = self._connect_readonly() if readonly else self._connect()
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{self.path}: cannot open the store ({getattr(exc, 'strerror', None) or exc})",
                             readonly=isinstance(exc, PermissionError)) from exc
        try:
            self.conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
            self._check_ours()
            self._check_intact()
            if not readonly:
                self.conn.execute("PRAGMA foreign_keys=ON")
                self._prepare()
        except BaseException as exc:
            self.conn.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise StoreError(f"{self.path}: cannot use this file as the store: {_why(exc)} ({exc}); "
                                 "nothing was changed", readonly=_is_readonly(exc)) from exc
            raise

    @classmethod
    def for_viewing(cls, path: Path) -> Store:
        """The store for a reader that may also write (the dashboard): writable when it can be, else
        read-only (`readonly` is then True and writes raise `StoreError`)."""
        try:
            return cls(path)
        except StoreError as exc:
            if not exc.readonly or not Path(path).is_file():
                raise
            return cls(path, readonly=True)

    def _connect(self) -> sqlite3.Connection:
        if self.path.is_dir():
            raise IsADirectoryError(errno.EISDIR, "it is a folder, not a store file")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)

    def _connect_readonly(self) -> sqlite3.Connection:
        """`mode=ro`; where not even SQLite's shared-memory file can be made (a read-only folder), `immutable`."""
        if not self.path.is_file():
            raise StoreError(f"{self.path}: no store file here (ingest articles first)")
        uri = f"file:{pathname2url(str(self.path.resolve()))}"
        for options in ("mode=ro", "mode=ro&immutable=1"):
            conn = sqlite3.connect(f"{uri}?{options}", uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                   check_same_thread=False)
            try:
                conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                return conn
            except sqlite3.OperationalError:
                conn.close()
                if options.endswith("immutable=1"):
                    raise
        raise AssertionError("unreachable")

    def _check_ours(self) -> None:
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if tables and "articles" not in tables:
            raise StoreError(f"{self.path}: an SQLite file of another application "
                             f"(tables: {', '.join(sorted(tables))}); not touching it")

    def _check_intact(self) -> None:
        """Refuse a damaged file up front rather than fail on some later query (reads every page once)."""
        problem = self.conn.execute("PRAGMA quick_check(1)").fetchone()[0]
        if problem != "ok":
            raise StoreError(f"{self.path}: the store file is damaged ({problem.strip()}); not touching it: "
                             "restore a backup or move it away")

    def _prepare(self) -> None:
        """WAL mode, then every table in one transaction (a process opening a new store at the same moment
        sees none or all of them, never a half-made file it would take for another application's).
        Openers racing for a new file's first write may get SQLITE_BUSY without waiting (SQLite's
        deadlock avoidance): they try again until the busy timeout."""
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.executescript(f"BEGIN IMMEDIATE;\n{SCHEMA}\nCOMMIT;")
                return
            except sqlite3.OperationalError as exc:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                busy = (getattr(exc, "sqlite_errorname", "") or "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
                if not busy or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def _transaction(self, what: str) -> Iterator[None]:
        """One write transaction, all or nothing; a storage failure becomes a `StoreError` naming `what`."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            yield
            self.conn.execute("COMMIT")
        except BaseException as exc:
            if self.conn.in_transaction:  # SQLite itself rolls back on a full disk or an I/O error
                try:
                    self.conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the journal is rolled back when the file is next opened
            if _is_storage_error(exc):
                raise StoreError(f"{self.path}: {_why(exc)} ({exc}); {what} was not stored",
                                 readonly=_is_readonly(exc)) from exc
            raise

    # -- writing -------------------------------------------------------------------------------

    def _put_place(self, place: Place) -> None:
        self.conn.execute(f"INSERT OR REPLACE INTO places ({PLACE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                          place_row(place))

    def add(self, parsed: ParsedDocument) -> int | None:
        """Store one parsed article in one transaction; None if the same text is already stored."""
        doc = parsed.document
        digest = content_hash(doc.text)
        with self._transaction(f"article {doc.id!r}"):
            if self.conn.execute("SELECT 1 FROM articles WHERE content_hash = ?", (digest,)).fetchone():
                return None
            article_id = self.conn.execute(
                "INSERT INTO articles (doc_id, content_hash, title, published, source, origin, text, added_at) "
                "VALUES (?,?,?,?,?,?,?,?)",
                (doc.id, digest, doc.title, doc.published, doc.source, doc.origin, doc.text, time.time()),
            ).lastrowid
            self.conn.executemany('INSERT INTO sentences (article_id, idx, start, "end") VALUES (?,?,?,?)',
                                  [(article_id, s.index, s.start, s.end) for s in parsed.sentences])
            for m in parsed.mentions:
                if m.place is not None:
                    self._put_place(m.place)
            self.conn.executemany(
                'INSERT INTO mentions (article_id, sentence, start, "end", text, name_key, label, kind, confidence, '
                "place_id, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(article_id, m.sentence, m.start, m.end, m.text, normalize(m.text), m.label, m.kind, m.confidence,
                  m.place.id if m.place else None, m.reason) for m in parsed.mentions],
            )
        return article_id

    def add_all(self, parsed: Iterable[ParsedDocument]) -> IngestReport:
        report = IngestReport()
        for item in parsed:
            report.count(item, self.add(item))
        return report

    def has_text(self, text: str) -> bool:
        return self.conn.execute("SELECT 1 FROM articles WHERE content_hash = ?", (content_hash(text),)).fetchone() \
            is not None

    def correct(self, scope: str, key: str, place: Place) -> int:
        """Point a mention, every mention of a name, or every mention of a place at `place`."""
        if scope == "name":
            key = normalize(key)
        with self._transaction(f"the correction of {scope} {key!r}"):
            self._put_place(place)
            now = time.time()
            self.conn.execute("UPDATE corrections SET undone_at = ? WHERE scope = ? AND key = ? AND undone_at IS NULL",
                              (now, scope, key))
            cid = self.conn.execute(
                "INSERT INTO corrections (scope, key, place_id, created_at) VALUES (?,?,?,?)",
                (scope, key, place.id, now),
            ).lastrowid
        return cid

    def undo(self, correction_id: int) -> None:
        with self._transaction(f"the undo of correction {correction_id}"):
            self.conn.execute("UPDATE corrections SET undone_at = ? WHERE id = ? AND undone_at IS NULL",
                              (time.time(), correction_id))

    def delete_article(self, article_id: int) -> bool:
        """Remove one article with its sentences, mentions, the corrections of those mentions, and the
        places nothing refers to any more; False if there is no such article. One transaction."""
        with self._transaction(f"the deletion of article {article_id}"):
            if not self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone():
                return False
            self.conn.execute("DELETE FROM corrections WHERE scope = 'mention' AND key IN "
                              "(SELECT CAST(id AS TEXT) FROM mentions WHERE article_id = ?)", (article_id,))
            self.conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))  # sentences, mentions cascade
            self.conn.execute("DELETE FROM places WHERE id NOT IN (SELECT place_id FROM mentions "
                              "WHERE place_id IS NOT NULL) AND id NOT IN (SELECT place_id FROM corrections)")
        return True

    def check(self) -> list[str]:
        """What is inconsistent in the store (empty when all is well): SQLite's own integrity and foreign
        keys, mentions and sentences outside their article's text, corrections of missing mentions."""
        problems = [f"integrity: {row[0]}" for row in self.conn.execute("PRAGMA integrity_check")
                    if row[0] != "ok"]
        problems += [f"foreign key: {table} row {rowid} -> {parent}"
                     for table, rowid, parent, _ in self.conn.execute("PRAGMA foreign_key_check")]
        checks = {
            "mentions outside their article's text": """SELECT COUNT(*) FROM mentions m JOIN articles a
                ON a.id = m.article_id WHERE m.start < 0 OR m."end" > length(a.text) OR m.start >= m."end"
                OR substr(a.text, m.start + 1, m."end" - m.start) != m.text""",
            "mentions without their sentence": """SELECT COUNT(*) FROM mentions m LEFT JOIN sentences s
                ON s.article_id = m.article_id AND s.idx = m.sentence WHERE s.idx IS NULL""",
            "sentences outside their article's text": 'SELECT COUNT(*) FROM sentences s JOIN articles a '
                'ON a.id = s.article_id WHERE s.start < 0 OR s."end" > length(a.text) OR s.start > s."end"',
            "corrections of mentions that do not exist": """SELECT COUNT(*) FROM corrections c WHERE
                c.scope = 'mention' AND NOT EXISTS (SELECT 1 FROM mentions m WHERE CAST(m.id AS TEXT) = c.key)""",
        }
        for what, sql in checks.items():
            count = self.conn.execute(sql).fetchone()[0]
            if count:
                problems.append(f"{count} {what}")
        bad_hashes = sum(content_hash(text) != digest for digest, text in
                         self.conn.execute("SELECT content_hash, text FROM articles"))
        if bad_hashes:
            problems.append(f"{bad_hashes} articles whose content hash does not match their text")
        return problems

    @contextmanager
    def snapshot(self) -> Iterator[Store]:
        """Every read inside sees the store as it was at the first one (one read transaction), so the parts
        of an export agree while ingests run. For a connection of one thread (the CLI)."""
        self.conn.execute("BEGIN")
        try:
            self.conn.execute("SELECT COUNT(*) FROM articles").fetchone()  # the snapshot starts here
            yield self
        finally:
            self.conn.execute("ROLLBACK")

    # -- reading -------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        return {table: self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("articles", "mentions", "places", "corrections")}

    def _frame(self, sql: str, params: Iterable[object] = ()) -> pd.DataFrame:
        return pd.read_sql_query(sql, self.conn, params=list(params))

    def articles(self) -> pd.DataFrame:
        return self._frame("SELECT id, doc_id, title, published, source, origin, added_at, "
                           "(SELECT COUNT(*) FROM mentions m WHERE m.article_id = a.id) AS mentions "
                           "FROM articles a ORDER BY published, id")

    def article(self, article_id: int) -> dict | None:
        row = self.conn.execute("SELECT id, doc_id, title, published, source, origin, text FROM articles "
                                "WHERE id = ?", (article_id,)).fetchone()
        return dict(zip(("id", "doc_id", "title", "published", "source", "origin", "text"), row)) if row else None

    _MENTION_FROM = """
        FROM effective_mentions m
        JOIN articles a ON a.id = m.article_id
        LEFT JOIN places p ON p.id = m.eff_place_id"""

    def mentions(self, filters: Filters = Filters(), limit: int | None = None,
                 per_place: int | None = None) -> pd.DataFrame:
        """One row per mention: the place, the sentence (with the mention's offsets inside it) and the article,
        in article order. `per_place`: only each place's first mentions (what map popups show), chosen in SQL
        so that the sentences of the other mentions are never read."""
        where, params = filters.where()
        rank = "ROW_NUMBER() OVER (PARTITION BY m.eff_place_id ORDER BY m.article_id, m.start)" if per_place else "1"
        sql = f"""WITH chosen AS (
                SELECT m.id, m.article_id, m.sentence, m.start, m."end", m.text, m.kind, m.label, m.confidence,
                    m.correction_id, m.eff_place_id, {rank} AS rank
                {self._MENTION_FROM} WHERE {where})
            SELECT c.id AS mention_id, c.article_id, a.title, a.published, a.source, c.text, c.kind, c.label,
                c.confidence, c.correction_id, c.eff_place_id AS place_id, p.name AS place_name, p.lat, p.lon,
                p.country, p.feature_class, p.feature_code, p.geonameid, {KIND_SQL} AS place_kind,
                substr(a.text, s.start + 1, s."end" - s.start) AS sentence, c.start - s.start AS sentence_start,
                c."end" - s.start AS sentence_end, c.start, c."end"
            FROM chosen c
            JOIN articles a ON a.id = c.article_id
            JOIN sentences s ON s.article_id = c.article_id AND s.idx = c.sentence
            LEFT JOIN places p ON p.id = c.eff_place_id
            WHERE c.rank <= ? ORDER BY c.article_id, c.start"""
        params = [*params, per_place or 1]
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._frame(sql, params)

    def totals(self, filters: Filters = Filters()) -> tuple[int, int]:
        """(mentions, articles) that match the filters."""
        where, params = filters.where()
        return self.conn.execute(f"SELECT COUNT(*), COUNT(DISTINCT m.article_id) {self._MENTION_FROM} WHERE {where}",
                                 params).fetchone()

    def revision(self) -> tuple:
        """Changes whenever an article, a place or a correction is added or undone: a cache key for views."""
        return self.conn.execute(
            "SELECT (SELECT MAX(id) FROM articles), (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM places), "
            "(SELECT MAX(id) FROM corrections), (SELECT COUNT(*) FROM corrections WHERE undone_at IS NULL)").fetchone()

    def place_summary(self, filters: Filters = Filters()) -> pd.DataFrame:
        """One row per place with its number of mentions and articles (aggregated in SQL)."""
        where, params = filters.where()
        return self._frame(
            f"""SELECT m.eff_place_id AS place_id, p.name, p.lat, p.lon, p.country, p.feature_class,
                p.feature_code, p.geonameid, p.source, {KIND_SQL} AS kind, COUNT(*) AS mentions,
                COUNT(DISTINCT m.article_id) AS articles, AVG(m.confidence) AS confidence
                {self._MENTION_FROM} WHERE {where}
                GROUP BY m.eff_place_id ORDER BY mentions DESC, p.name""",
            params,
        )

    def article_mentions(self, article_id: int) -> pd.DataFrame:
        """All mentions of one article, resolved or not, for the article view."""
        return self._frame(
            f"""SELECT m.id AS mention_id, m.start, m."end", m.text, m.kind, m.confidence, m.reason,
                m.eff_place_id AS place_id, p.name AS place_name, p.country, {KIND_SQL} AS place_kind
                FROM effective_mentions m LEFT JOIN places p ON p.id = m.eff_place_id
                WHERE m.article_id = ? ORDER BY m.start""",
            (article_id,),
        )

    def corrections(self, active_only: bool = True) -> pd.DataFrame:
        cond = "WHERE c.undone_at IS NULL" if active_only else ""
        return self._frame(f"""SELECT c.id, c.scope, c.key, c.place_id, p.name AS place_name, p.lat, p.lon,
            c.created_at, c.undone_at FROM corrections c LEFT JOIN places p ON p.id = c.place_id {cond}
            ORDER BY c.created_at DESC""")

    def place(self, place_id: str) -> Place | None:
        row = self.conn.execute(f"SELECT {PLACE_COLUMNS} FROM places WHERE id = ?", (place_id,)).fetchone()
        return Place(*row) if row else None

    def countries(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT p.country FROM mentions m JOIN places p ON p.id = m.place_id "
            "WHERE p.country IS NOT NULL ORDER BY 1")]

    def date_range(self) -> tuple[str | None, str | None]:
        return self.conn.execute("SELECT MIN(published), MAX(published) FROM articles").fetchone()
