"""Build the gazetteer on first use, and rebuild its built-in part when its sources change."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from ..records import Place
from .db import BUILTIN_SOURCES, SCHEMA, SCHEMA_VERSION, Gazetteer, GazetteerError, connect, insert_places
from .normalize import normalize
from .sources import DATA_DIR, builtin_places, data_files, source_versions

SHIPPED_CACHE = DATA_DIR / "geocoded.jsonl"
Progress = Callable[[str], None]


def builtin_version() -> str:
    """A fingerprint of the schema, the source packages and the curated files."""
    digest = hashlib.sha256(f"schema={SCHEMA_VERSION};{sorted(source_versions().items())}".encode())
    for path in data_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _check_foreign(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse to touch a SQLite file that is not ours, or not SQLite at all."""
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise GazetteerError(f"{path}: not a gazetteer database ({exc}); move it away or set GEODATA_HOME") from exc
    if tables and "places" not in tables:
        raise GazetteerError(f"{path}: an SQLite file of another application (tables: {', '.join(sorted(tables))})")
    try:
        problem = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        problem = str(exc)
    if problem != "ok":
        raise GazetteerError(f"{path}: the gazetteer file is damaged ({problem.strip()}); delete it and run "
                             "`python -m geodata gazetteer build` to build it again")


def _stored_version(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = 'builtin_version'").fetchone()
    return row[0] if row else None


def load_shipped_cache(conn: sqlite3.Connection, path: Path = SHIPPED_CACHE) -> int:
    """Previously geocoded names that ship with the repo: cache rows plus their places."""
    if not path.exists():
        return 0
    count = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        place = Place(**entry["place"])
        insert_places(conn, [(place, [entry["query"], *entry.get("names", [])])])
        conn.execute(
            "INSERT OR IGNORE INTO geocode_cache (provider, query, context, request, place_id, raw, fetched_at) "
            "VALUES (?,?,?,?,?,?,?)",
            (entry["provider"], normalize(entry["query"]), entry.get("context", ""),
             entry.get("request", entry["query"]),
             place.id, json.dumps(entry.get("raw")), entry.get("fetched_at", 0.0)),
        )
        count += 1
    return count


def conn_path(conn: sqlite3.Connection) -> str:
    return conn.execute("PRAGMA database_list").fetchone()[2]


def rebuild(conn: sqlite3.Connection, version: str, progress: Progress) -> None:
    """Replace the built-in places in one transaction: a crash leaves the previous build intact."""
    started = time.monotonic()
    conn.execute("BEGIN IMMEDIATE")  # one builder at a time; a waiting one then finds it built
    if _stored_version(conn) == version:
        conn.execute("ROLLBACK")
        return
    progress(f"gazetteer: building {conn_path(conn)} (first use or sources changed)...")
    try:
        marks = ",".join("?" * len(BUILTIN_SOURCES))
        conn.execute(f"DELETE FROM names WHERE place_id IN (SELECT id FROM places WHERE source IN ({marks}))",
                     BUILTIN_SOURCES)
        conn.execute(f"DELETE FROM places WHERE source IN ({marks})", BUILTIN_SOURCES)
        count = insert_places(conn, builtin_places())
        shipped = load_shipped_cache(conn)
        # names the geocoder attached to built-in places were deleted with them: attach them again
        conn.execute("INSERT OR IGNORE INTO names (name, place_id, is_primary) SELECT c.query, c.place_id, 0 "
                     "FROM geocode_cache c JOIN places p ON p.id = c.place_id")
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('builtin_version', ?)", (version,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    progress(f"gazetteer: {count:,} places built, {shipped} cached geocodes, {time.monotonic() - started:.1f} s")


def open_gazetteer(path: Path, *, progress: Progress = lambda message: None, readonly: bool = False) -> Gazetteer:
    """Open the gazetteer at `path`, building it first if it is missing or out of date."""
    if readonly:
        if not path.exists():
            raise GazetteerError(f"{path}: no gazetteer yet; run `python -m geodata gazetteer build`")
        return Gazetteer(connect(path, readonly=True), path)
    conn = connect(path)
    _check_foreign(conn, path)
    conn.execute("PRAGMA journal_mode=WAL")  # readers never block the geocoder's writes
    conn.executescript(SCHEMA)
    version = builtin_version()
    if _stored_version(conn) != version:
        rebuild(conn, version, progress)
    return Gazetteer(conn, path)
