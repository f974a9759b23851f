"""What the scenarios look at afterwards: file digests, consistent SQLite copies and queries, a store's
problems and contents, a gazetteer's state."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_sqlite(src: Path, dst: Path) -> Path:
    """A consistent copy of a live SQLite file (its WAL included)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    source, target = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return dst


def query(path: Path, sql: str, params: Sequence[object] = ()) -> list[tuple]:
    """Rows from a short-lived read-only connection; [] while the file or table does not exist yet."""
    if not path.exists():
        return []
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error:
        return []
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def count(path: Path, sql: str) -> int:
    rows = query(path, sql)
    return rows[0][0] if rows else 0


def store_problems(path: Path, *, mentions_everywhere: bool = False) -> list[str]:
    """Everything wrong with a store file; [] for a consistent one. The store's own `Store.check()`
    (integrity, foreign keys, offsets within the text, corrections of missing mentions, content hashes),
    opened read-only, then what it does not look at: every article has sentences, every mention lies inside
    its sentence, and with `mentions_everywhere` (every article is known to name places) every article
    has mentions (one without lost them)."""
    from geodata.store import Store, StoreError

    try:
        store = Store(path, readonly=True)
    except StoreError as exc:
        return [f"cannot open the store: {exc}"]
    try:
        problems = store.check()
    finally:
        store.close()
    extra = {
        "article without sentences": "SELECT a.doc_id FROM articles a WHERE NOT EXISTS "
                                     "(SELECT 1 FROM sentences s WHERE s.article_id = a.id)",
        "mention outside its sentence": 'SELECT m.id FROM mentions m JOIN sentences s ON s.article_id = m.article_id '
                                        'AND s.idx = m.sentence WHERE m.start < s.start OR m."end" > s."end"',
    }
    if mentions_everywhere:
        extra["article without mentions"] = ("SELECT a.doc_id FROM articles a WHERE NOT EXISTS "
                                             "(SELECT 1 FROM mentions m WHERE m.article_id = a.id)")
    for what, sql in extra.items():
        problems += [f"{what}: {row}" for row in query(path, sql)[:5]]
    return problems


def store_contents(path: Path) -> dict[str, tuple]:
    """doc_id -> (text, sentences, mentions) for comparing two stores."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        out = {}
        for article_id, doc_id, text in conn.execute("SELECT id, doc_id, text FROM articles"):
            sentences = conn.execute('SELECT idx, start, "end" FROM sentences WHERE article_id = ? ORDER BY idx',
                                     (article_id,)).fetchall()
            mentions = conn.execute('SELECT start, "end", text, kind, place_id FROM mentions WHERE article_id = ? '
                                    "ORDER BY start", (article_id,)).fetchall()
            out[doc_id] = (text, tuple(sentences), tuple(mentions))
        return out
    finally:
        conn.close()


def gazetteer_state(path: Path, *, thorough: bool = True) -> dict[str, object]:
    """Places, names, GeoNames places, the built-in version and integrity of a gazetteer file
    (`thorough`: integrity_check, indexes included; else quick_check)."""
    if not path.exists():
        return {"exists": False}
    conn = sqlite3.connect(path, timeout=30)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        check = "PRAGMA integrity_check" if thorough else "PRAGMA quick_check"
        state: dict[str, object] = {"exists": True, "integrity": conn.execute(check).fetchone()[0]}
        if {"places", "names", "meta"} <= tables:
            state["places"] = conn.execute("SELECT COUNT(*) FROM places").fetchone()[0]
            state["names"] = conn.execute("SELECT COUNT(*) FROM names").fetchone()[0]
            state["geonames"] = conn.execute("SELECT COUNT(*) FROM places WHERE source = 'geonames'").fetchone()[0]
            row = conn.execute("SELECT value FROM meta WHERE key = 'builtin_version'").fetchone()
            state["version"] = row[0] if row else None
        return state
    finally:
        conn.close()


def wal_bytes(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return wal.stat().st_size if wal.exists() else 0
