"""Build the gazetteer on first use, and rebuild its built-in part when its sources change."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .cache import load_shipped_cache, reattach_cached_names
from .db import (BUILTIN_SOURCES, SCHEMA, SCHEMA_VERSION, Gazetteer, GazetteerError, connect, has_languages,
                 storage_error, upgrade_names)
from .languages import language_names
from .places import insert_language_names, insert_places, mark_main_names, show_as
from .sources import builtin_places, data_files, display_names, everyday_names, source_versions

Progress = Callable[[str], None]


def builtin_version() -> str:
    """A fingerprint of the schema, the source packages, the curated files and the code that builds from
    them (this package's modules: a change to how a division is named rebuilds like a change to a table)."""
    digest = hashlib.sha256(f"schema={SCHEMA_VERSION};{sorted(source_versions().items())}".encode())
    for path in [*sorted(Path(__file__).parent.glob("*.py")), *data_files()]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _check_foreign(conn: sqlite3.Connection, path: Path, *, thorough: bool = True) -> None:
    """Refuse to touch a SQLite file that is not ours, or not SQLite at all (`thorough`: nor a damaged one)."""
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        if (getattr(exc, "sqlite_errorname", "") or "").startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
            raise GazetteerError(f"{path}: not a gazetteer database ({exc}); move it away or set GEODATA_HOME") from exc
        raise storage_error(path, exc, "cannot read it") from exc
    if tables and "places" not in tables:
        raise GazetteerError(f"{path}: an SQLite file of another application (tables: {', '.join(sorted(tables))})")
    if not thorough:
        return
    try:
        problem = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        problem = str(exc)
    if problem != "ok":
        raise GazetteerError(f"{path}: the gazetteer file is damaged ({problem.strip()}); delete it and run "
                             "`python -m geodata gazetteer build` to build it again")


def _stored_version(conn: sqlite3.Connection) -> str | None:
    """The fingerprint the file was built with; None when it was never built (no `meta` table yet)."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'builtin_version'").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


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
        upgrade_names(conn)
        marks = ",".join("?" * len(BUILTIN_SOURCES))
        conn.execute(f"DELETE FROM names WHERE place_id IN (SELECT id FROM places WHERE source IN ({marks}))",
                     BUILTIN_SOURCES)
        conn.execute(f"DELETE FROM places WHERE source IN ({marks})", BUILTIN_SOURCES)
        conn.execute("DELETE FROM names WHERE language != ''")  # all built in (`languages.py`)
        count = insert_places(conn, builtin_places())
        mark_main_names(conn, everyday_names())
        show_as(conn, display_names())
        insert_language_names(conn, language_names())
        shipped = load_shipped_cache(conn)
        reattach_cached_names(conn)  # names the geocoder attached to built-in places went with them
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('builtin_version', ?)", (version,))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back already (disk full)
            conn.execute("ROLLBACK")
        raise
    progress(f"gazetteer: {count:,} places built, {shipped} cached geocodes, {time.monotonic() - started:.1f} s")


def _check_path(path: Path) -> None:
    """Refuse what cannot be a gazetteer file before SQLite sees it (a folder, a pipe)."""
    if path.is_dir():
        raise GazetteerError(f"{path} is a directory, not a gazetteer file; move it away or set GEODATA_HOME")
    if path.exists() and not path.is_file():
        raise GazetteerError(f"{path} is not a regular file, so not a gazetteer file; move it away or set GEODATA_HOME")
    if path.parent.exists() and not path.parent.is_dir():
        raise GazetteerError(f"{path.parent} is a file, not a folder for the gazetteer; set GEODATA_HOME to a folder")


def _writable(path: Path) -> bool:
    """Whether this process may change the file and create its journal beside it (a missing folder
    counts as writable: it is created)."""
    folder = path.parent
    if not folder.exists():
        return True
    return os.access(folder, os.W_OK | os.X_OK) and (not path.exists() or os.access(path, os.W_OK))


READ_ONLY_HINT = "make it writable or set GEODATA_HOME to a writable folder"


@contextmanager
def _closed_on_error(conn: sqlite3.Connection, path: Path, doing: str) -> Iterator[None]:
    """Close `conn` when the block fails; an SQLite error becomes a GazetteerError saying `doing`."""
    try:
        yield
    except sqlite3.Error as exc:
        conn.close()
        raise storage_error(path, exc, doing) from exc
    except BaseException:
        conn.close()
        raise


def _open_read_only(path: Path, *, requested: bool) -> Gazetteer:
    """The gazetteer opened read-only: asked for (`requested`, Dask workers: as it is, checked lightly),
    or because the file or its folder is read-only (then it must be complete and up to date)."""
    if not path.exists():
        if requested:
            raise GazetteerError(f"{path}: no gazetteer yet; run `python -m geodata gazetteer build`")
        raise GazetteerError(f"{path}: no gazetteer yet, and its folder is read-only so it cannot be built there; "
                             f"{READ_ONLY_HINT}")
    try:
        conn = connect(path, readonly=True)
    except sqlite3.Error as exc:
        raise storage_error(path, exc, "cannot open it") from exc
    with _closed_on_error(conn, path, "cannot read it"):
        _check_foreign(conn, path, thorough=not requested)
        if not requested and _stored_version(conn) != builtin_version():
            raise GazetteerError(f"{path}: the gazetteer needs a (re)build (first use or sources changed) but the "
                                 f"file or its folder is read-only; {READ_ONLY_HINT}")
        if not has_languages(conn):
            raise GazetteerError(f"{path}: built by an older version (names without languages); run "
                                 "`python -m geodata gazetteer build` first")
    return Gazetteer(conn, path)


def _open_writable(path: Path, progress: Progress) -> Gazetteer:
    """Open the gazetteer for writing, creating or rebuilding its built-in part when needed."""
    try:
        conn = connect(path)
    except OSError as exc:
        raise GazetteerError(f"{path.parent}: cannot create the data folder ({exc.strerror or exc})") from exc
    except sqlite3.Error as exc:
        raise storage_error(path, exc, "cannot open it") from exc
    with _closed_on_error(conn, path, "cannot build the gazetteer"):
        _check_foreign(conn, path)
        conn.execute("PRAGMA journal_mode=WAL")  # readers never block the geocoder's writes
        conn.executescript(SCHEMA)
        version = builtin_version()
        if _stored_version(conn) != version:
            rebuild(conn, version, progress)
    return Gazetteer(conn, path)


def open_gazetteer(path: Path, *, progress: Progress = lambda message: None, readonly: bool = False) -> Gazetteer:
    """Open the gazetteer at `path`, building it first if it is missing or out of date.

    `readonly`: open it as it is, never build it (Dask workers). A gazetteer whose file or folder is
    read-only is opened read-only too, when it is up to date; otherwise GazetteerError says why."""
    try:
        _check_path(path)
        writable = _writable(path)
    except OSError as exc:  # e.g. a folder on the way that this user may not enter
        raise GazetteerError(f"{path}: cannot reach it ({exc.strerror or exc})") from exc
    if readonly or not writable:
        return _open_read_only(path, requested=readonly)
    return _open_writable(path, progress)
