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
from dataclasses import astuple, dataclass, field
from pathlib import Path
from urllib.request import pathname2url

import pandas as pd

from ..filters import Filters
from ..gazetteer import normalize
from ..language import SUPPORTED
from ..records import TITLE_SENTENCE, ParsedDocument, Place, Sentence
from .aggregates import count_article, create_aggregates, uncount_article
from .reads import StoreReads
from .search import SEARCH_SCHEMA, PlaceNames, fill_index, index_sentences, search, unindex_article
from .schema import (BUSY_TIMEOUT_S, CORRECTION_SCOPES, ENGLISH_ARTICLES, LANGUAGE_COLUMN, PLACE_INSERT, SCHEMA,
                     URL_COLUMN, StoreError, has_column, is_readonly, is_storage_error, migrate_corrections,
                     read_as_migrated, source_sql, why)

__all__ = ["Filters", "IngestReport", "Store", "StoreError", "content_hash"]


@dataclass
class IngestReport:
    added: int = 0
    skipped: int = 0
    mentions: int = 0
    article_ids: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # one per article stored but not geoparsed (its language)

    def count(self, parsed: ParsedDocument, article_id: int | None) -> None:
        """Count one `Store.add` (None: the same text was stored already)."""
        if article_id is None:
            self.skipped += 1
        else:
            self.added += 1
            self.mentions += len(parsed.mentions) + len(parsed.title_mentions)
            self.article_ids.append(article_id)
            if parsed.language not in SUPPORTED:
                self.notes.append(not_geoparsed(parsed))


def not_geoparsed(parsed: ParsedDocument) -> str:
    """What is said once of an article stored in a language that is not geoparsed."""
    doc = parsed.document
    return (f"{doc.origin or doc.url or doc.id}: language {parsed.language}: not geoparsed (stored, searchable; "
            f"declare `language: en` to read it as English)")


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Store(StoreReads):
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
            if readonly:
                read_as_migrated(self.conn)
                if not has_column(self.conn, "articles", "language"):
                    self.conn.execute(ENGLISH_ARTICLES)
            if not readonly:
                self.conn.execute("PRAGMA foreign_keys=ON")
                self._prepare()
        except BaseException as exc:
            self.conn.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise StoreError(f"{self.path}: cannot use this file as the store: {why(exc)} ({exc}); "
                                 "nothing was changed", readonly=is_readonly(exc)) from exc
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
                self.conn.executescript(f"BEGIN IMMEDIATE;\n{SCHEMA}\n{SEARCH_SCHEMA}\nCOMMIT;")
                self._migrate()
                return
            except sqlite3.OperationalError as exc:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                busy = (getattr(exc, "sqlite_errorname", "") or "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
                if not busy or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _migrate(self) -> None:
        """What a store made by an earlier version lacks, in one transaction: `articles.url` (and its
        index), `articles.language`, the sentences' search index, corrections of a name in one article and
        "not a place", the mention counts of `aggregates`."""
        self.conn.execute("BEGIN IMMEDIATE")
        if not has_column(self.conn, "articles", "language"):
            self.conn.execute(LANGUAGE_COLUMN)
        if not has_column(self.conn, "articles", "url"):
            self.conn.execute(URL_COLUMN[0])
        self.conn.execute(URL_COLUMN[1])
        fill_index(self.conn)
        migrate_corrections(self.conn)
        create_aggregates(self.conn)
        self.conn.execute("COMMIT")

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
            if is_storage_error(exc):
                raise StoreError(f"{self.path}: {why(exc)} ({exc}); {what} was not stored",
                                 readonly=is_readonly(exc)) from exc
            raise

    # -- writing -------------------------------------------------------------------------------

    def _put_place(self, place: Place) -> None:
        self.conn.execute(PLACE_INSERT, astuple(place))

    def add(self, parsed: ParsedDocument) -> int | None:
        """Store one parsed article in one transaction; None if the same text is already stored."""
        doc = parsed.document
        digest = content_hash(doc.text)
        with self._transaction(f"article {doc.id!r}"):
            if self.conn.execute("SELECT 1 FROM articles WHERE content_hash = ?", (digest,)).fetchone():
                return None
            article_id = self.conn.execute(
                "INSERT INTO articles (doc_id, content_hash, title, published, source, origin, text, added_at, url, "
                "language) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (doc.id, digest, doc.title, doc.published, doc.source, doc.origin, doc.text, time.time(), doc.url,
                 parsed.language),
            ).lastrowid
            # the title is a sentence too (TITLE_SENTENCE, offsets into the title), with its mentions
            sentences = [*parsed.sentences, *([Sentence(TITLE_SENTENCE, 0, len(doc.title))] if doc.title else [])]
            mentions = [*parsed.mentions, *parsed.title_mentions]
            self.conn.executemany('INSERT INTO sentences (article_id, idx, start, "end") VALUES (?,?,?,?)',
                                  [(article_id, s.index, s.start, s.end) for s in sentences])
            index_sentences(self.conn, article_id, doc.text, sentences, doc.title)
            for m in mentions:
                if m.place is not None:
                    self._put_place(m.place)
            self.conn.executemany(
                'INSERT INTO mentions (article_id, sentence, start, "end", text, name_key, label, kind, confidence, '
                "place_id, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(article_id, m.sentence, m.start, m.end, m.text, normalize(m.text), m.label, m.kind, m.confidence,
                  m.place.id if m.place else None, m.reason) for m in mentions],
            )
            count_article(self.conn, article_id)
        return article_id

    def add_all(self, parsed: Iterable[ParsedDocument]) -> IngestReport:
        report = IngestReport()
        for item in parsed:
            report.count(item, self.add(item))
        return report

    def has_text(self, text: str) -> bool:
        return self.conn.execute("SELECT 1 FROM articles WHERE content_hash = ?", (content_hash(text),)).fetchone() \
            is not None

    def correct(self, scope: str, key: str, place: Place | None, article_id: int | None = None) -> int:
        """Point a mention (`key`: its id), a name in one article (scope "article", with `article_id`), every
        mention of a name, or every mention of a place (`key`: its id) at `place`; None: "not a place", which
        hides those mentions. A correction of the same thing made before is undone."""
        return self._correct([(scope, key, article_id)], place, f"the correction of {scope} {key!r}")[0]

    def correct_name(self, name: str, place: Place | None, article_ids: Iterable[int] | None = None) -> list[int]:
        """Point every mention of `name` at `place` (None: not a place): in these articles, or everywhere
        (also in articles added later) when `article_ids` is None. One transaction; the corrections' ids."""
        targets = ([("name", name, None)] if article_ids is None
                   else [("article", name, int(a)) for a in dict.fromkeys(article_ids)])
        return self._correct(targets, place, f"the correction of {name!r}")

    def _correct(self, targets: list[tuple[str, str, int | None]], place: Place | None, what: str) -> list[int]:
        """Record one correction per (scope, key, article id) target, all in one transaction."""
        for scope, _, article_id in targets:
            if scope not in CORRECTION_SCOPES or (scope == "article") != (article_id is not None):
                raise ValueError(f"not a correction: scope {scope!r} with article {article_id!r}")
        ids = []
        with self._transaction(what):
            if place is not None:
                self._put_place(place)
            now = time.time()
            for scope, key, article_id in targets:
                key = normalize(key) if scope in ("name", "article") else key
                self.conn.execute("UPDATE corrections SET undone_at = ? WHERE scope = ? AND key = ? "
                                  "AND ifnull(article_id, 0) = ? AND undone_at IS NULL",
                                  (now, scope, key, article_id or 0))
                ids.append(self.conn.execute(
                    "INSERT INTO corrections (scope, key, article_id, place_id, created_at) VALUES (?,?,?,?,?)",
                    (scope, key, article_id, place.id if place else None, now)).lastrowid)
        return ids

    def undo(self, *correction_ids: int) -> None:
        """Undo corrections (one transaction); the mentions read as before them."""
        with self._transaction(f"the undo of correction {', '.join(map(str, correction_ids))}"):
            now = time.time()
            self.conn.executemany("UPDATE corrections SET undone_at = ? WHERE id = ? AND undone_at IS NULL",
                                  [(now, int(cid)) for cid in correction_ids])

    def delete_article(self, article_id: int) -> bool:
        """Remove one article with its sentences, mentions, the corrections of those mentions and of names in
        it (a foreign key cascade), and the places nothing refers to any more; False if there is no such
        article. One transaction."""
        with self._transaction(f"the deletion of article {article_id}"):
            if not self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone():
                return False
            self.conn.execute("DELETE FROM corrections WHERE scope = 'mention' AND key IN "
                              "(SELECT CAST(id AS TEXT) FROM mentions WHERE article_id = ?)", (article_id,))
            unindex_article(self.conn, article_id)
            uncount_article(self.conn, article_id)  # its place_articles rows go with it (a cascade)
            self.conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))  # sentences, mentions cascade
            self.conn.execute("DELETE FROM places WHERE id NOT IN (SELECT place_id FROM mentions "
                              "WHERE place_id IS NOT NULL) AND id NOT IN (SELECT place_id FROM corrections "
                              "WHERE place_id IS NOT NULL)")
        return True

    def check(self) -> list[str]:
        """What is inconsistent in the store (empty when all is well): SQLite's own integrity and foreign
        keys, mentions and sentences outside their article's text, corrections of missing mentions."""
        problems = [f"integrity: {row[0]}" for row in self.conn.execute("PRAGMA integrity_check")
                    if row[0] != "ok"]
        problems += [f"foreign key: {table} row {rowid} -> {parent}"
                     for table, rowid, parent, _ in self.conn.execute("PRAGMA foreign_key_check")]
        checks = {
            "mentions outside their article's text": f"""SELECT COUNT(*) FROM mentions m JOIN articles a
                ON a.id = m.article_id WHERE m.start < 0 OR m."end" > length({source_sql("m.sentence")})
                OR m.start >= m."end"
                OR substr({source_sql("m.sentence")}, m.start + 1, m."end" - m.start) != m.text""",
            "mentions without their sentence": """SELECT COUNT(*) FROM mentions m LEFT JOIN sentences s
                ON s.article_id = m.article_id AND s.idx = m.sentence WHERE s.idx IS NULL""",
            "sentences outside their article's text": 'SELECT COUNT(*) FROM sentences s JOIN articles a '
                f'ON a.id = s.article_id WHERE s.start < 0 OR s."end" > length({source_sql("s.idx")}) '
                'OR s.start > s."end"',
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

    def search(self, query: str, limit: int = 50, gazetteer: PlaceNames | None = None) -> pd.DataFrame:
        """Sentences about the places a query names (also by any of their names in `gazetteer`), then sentences
        holding its words (`search.search`)."""
        return search(self.conn, query, limit, gazetteer)

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
