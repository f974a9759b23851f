"""The online geocoder's answers in the gazetteer: the `geocode_cache` table and the places its hits add.

Every answer, hit or miss, is kept under (provider, normalised query, country context) with the
request sent and the raw reply. A hit is also an ordinary place (`source="geocoder:<provider>"`)
indexed under the name asked, so later runs find it offline through `Gazetteer.lookup`. Answers
that ship with the repo (`data/geocoded.jsonl`) are loaded the same way when the gazetteer is built.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..records import Place
from .normalize import normalize
from .places import add_name, insert_places
from .sources import DATA_DIR

SHIPPED_CACHE = DATA_DIR / "geocoded.jsonl"
CACHE_COLUMNS = "provider, query, context, request, place_id, raw, fetched_at"


@dataclass(frozen=True)
class CachedAnswer:
    """What the cache knows of one query: the place's id (None for a miss) and when it was asked."""

    place_id: str | None
    fetched_at: float


@dataclass(frozen=True)
class GeocodeAnswer:
    """One answer of an online geocoder as the cache keeps it; `place` None is a miss."""

    provider: str
    query: str  # the normalised name
    context: str  # the country codes the query was restricted to, sorted ("IQ,SY"); '' for none
    request: str  # the request actually sent
    place: Place | None
    raw: str  # the provider's raw answer (JSON)
    fetched_at: float

    def row(self) -> tuple:
        place_id = self.place.id if self.place is not None else None
        return (self.provider, self.query, self.context, self.request, place_id, self.raw, self.fetched_at)


def _write(conn: sqlite3.Connection, answer: GeocodeAnswer, *, replace: bool) -> None:
    verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
    conn.execute(f"{verb} INTO geocode_cache ({CACHE_COLUMNS}) VALUES (?,?,?,?,?,?,?)", answer.row())


def cached_answer(conn: sqlite3.Connection, provider: str, query: str, context: str) -> CachedAnswer | None:
    """The cached answer of `provider` to the normalised `query` in `context`; None if never asked."""
    row = conn.execute(
        "SELECT place_id, fetched_at FROM geocode_cache WHERE provider = ? AND query = ? AND context = ?",
        (provider, query, context),
    ).fetchone()
    return CachedAnswer(row[0], row[1]) if row else None


def remember_answer(conn: sqlite3.Connection, answer: GeocodeAnswer, name: str) -> None:
    """Cache `answer` (replacing an earlier one) and add its place, indexed under `name` and the
    query even when it was already there under other names: all of it or nothing."""
    conn.execute("SAVEPOINT geocode")
    try:
        if answer.place is not None:
            insert_places(conn, [(answer.place, [name])])
            add_name(conn, answer.query, answer.place.id)
        _write(conn, answer, replace=True)
        conn.execute("RELEASE geocode")
    except BaseException:
        conn.execute("ROLLBACK TO geocode")
        conn.execute("RELEASE geocode")
        raise


def load_shipped_cache(conn: sqlite3.Connection, path: Path = SHIPPED_CACHE) -> int:
    """Previously geocoded names that ship with the repo: cache rows plus their places (an answer
    already cached is kept). Returns the number of entries."""
    if not path.exists():
        return 0
    count = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        place = Place(**entry["place"])
        insert_places(conn, [(place, [entry["query"], *entry.get("names", [])])])
        _write(conn, GeocodeAnswer(entry["provider"], normalize(entry["query"]), entry.get("context", ""),
                                   entry.get("request", entry["query"]), place, json.dumps(entry.get("raw")),
                                   entry.get("fetched_at", 0.0)), replace=False)
        count += 1
    return count


def reattach_cached_names(conn: sqlite3.Connection) -> None:
    """Index every cached hit's place under its query again (a rebuild deletes the names of the
    built-in places, among them those the geocoder attached)."""
    conn.execute("INSERT OR IGNORE INTO names (name, place_id, is_primary) SELECT c.query, c.place_id, 0 "
                 "FROM geocode_cache c JOIN places p ON p.id = c.place_id")
