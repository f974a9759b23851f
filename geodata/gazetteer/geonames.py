"""Import GeoNames dumps (allCountries, a country file such as SY, cities500; zipped or not) and,
optionally, alternateNamesV2, streamed in batches. Re-running an import changes nothing; an
interrupted one keeps the batches it committed and completes when run again. A bad line is
reported (FILE:LINE) and skipped; see `dumps` for what reading a dump may cost."""

from __future__ import annotations

import reprlib
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from ..records import Place
from .db import Gazetteer, insert_places, storage_error
from .dumps import DumpError, dump_lines
from .normalize import normalize

T = TypeVar("T")
N = TypeVar("N", int, float)
SOURCE = "geonames"
BATCH = 5000
GEONAME_COLUMNS = 19
# alternateNamesV2 "languages" that are codes or links, not names.
SKIPPED_NAME_KINDS = {"link", "post", "iata", "icao", "faac", "wkdt", "unlc", "tcid", "fr_1793", "abbr"}
MAX_REPORTED_ERRORS = 20
MAX_SQLITE_INT = 2**63 - 1


@dataclass
class ImportReport:
    path: str
    places: int = 0
    names: int = 0
    lines: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0

    def error(self, line: int | None, message: str) -> None:
        """Record a problem at a line (None: the file as a whole)."""
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(f"{self.path}:{line}: {message}" if line is not None else f"{self.path}: {message}")

    def merge(self, other: ImportReport) -> None:
        self.names += other.names
        self.lines += other.lines
        self.errors += other.errors[:max(0, MAX_REPORTED_ERRORS - len(self.errors))]
        self.error_count += other.error_count

    def __str__(self) -> str:
        text = f"{self.path}: {self.lines:,} lines, {self.places:,} places, {self.names:,} names imported"
        if self.error_count:
            text += f"; {self.error_count} problem(s):\n  " + "\n  ".join(self.errors)
        return text


def _checked(value: N, low: float, high: float, what: str) -> N:
    """`value` if within [low, high] (so not NaN); ValueError names the field otherwise."""
    if not low <= value <= high:
        raise ValueError(f"{what} {reprlib.repr(value)} out of range")
    return value


def parse_geoname(fields: list[str]) -> tuple[Place, list[str]]:
    """A place and its other names from the 19 fields of a GeoNames row; ValueError if a value is wrong."""
    geonameid = _checked(int(fields[0]), 1, MAX_SQLITE_INT, "geonameid")
    if not fields[1].strip():
        raise ValueError("empty name")
    lat = _checked(float(fields[4]), -90, 90, "latitude")
    lon = _checked(float(fields[5]), -180, 180, "longitude")
    population = _checked(int(fields[14] or 0), 0, MAX_SQLITE_INT, "population")
    return (
        Place(f"gn:{geonameid}", fields[1], lat, lon, fields[8] or None, fields[6] or None, fields[7] or None,
              fields[10] or None, population, geonameid, SOURCE),
        [fields[2], *[n for n in fields[3].split(",") if n]],
    )


def _lines(report: ImportReport, path: Path, progress: bool) -> Iterator[tuple[int, str]]:
    """The dump's text lines, counted in the report; the skipped ones reported there."""
    for number, text, problem in dump_lines(path, progress=progress):
        report.lines += 1
        if problem:
            report.error(number, problem)
        else:
            yield number, text


def _commit_batches(gaz: Gazetteer, rows: Iterator[T], write: Callable[[list[T]], None]) -> None:
    """Run `write(batch)` per batch of rows, each batch in one transaction; when the dump breaks off
    (DumpError), the rows read before it are still written."""
    batch: list[T] = []
    try:
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                _transaction(gaz, write, batch)
                batch = []
    except DumpError:
        if batch:
            _transaction(gaz, write, batch)
        raise
    if batch:
        _transaction(gaz, write, batch)


def _transaction(gaz: Gazetteer, write: Callable[[list[T]], None], batch: list[T]) -> None:
    """One batch, all or nothing; an SQLite failure (read-only, disk full) becomes a GazetteerError."""
    try:
        gaz.conn.execute("BEGIN IMMEDIATE")
        try:
            write(batch)
            gaz.conn.execute("COMMIT")
        except BaseException:
            if gaz.conn.in_transaction:
                gaz.conn.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        raise storage_error(gaz.path, exc, "cannot import into it") from exc


def _run(gaz: Gazetteer, report: ImportReport, rows: Iterator[T], write: Callable[[list[T]], None]) -> None:
    """Commit the rows in batches; a dump that breaks off keeps the batches before and is reported."""
    try:
        _commit_batches(gaz, rows, write)
    except DumpError as exc:
        report.error(exc.line, str(exc))
    else:
        if not report.lines:
            report.error(None, "empty: no lines to import")
    finally:
        gaz.clear_cache()


def _keeping_shown_names(conn: sqlite3.Connection, batch: list[tuple[Place, list[str]]]
                         ) -> list[tuple[Place, list[str]]]:
    """A place already in the gazetteer keeps the name it is shown by (a division's English name,
    `display_names.csv`: chosen for the news) when the dump refines its record; the dump's name becomes one of
    its other names. So a second import of the same dump changes nothing."""
    marks = ",".join("?" * len(batch))
    shown = dict(conn.execute(f"SELECT id, name FROM places WHERE id IN ({marks})", [place.id for place, _ in batch]))
    return [(replace(place, name=shown[place.id]), [place.name, *names]) if place.id in shown else (place, names)
            for place, names in batch]


def import_geonames(gaz: Gazetteer, path: Path, progress: bool = True) -> ImportReport:
    """Places from a GeoNames dump (allCountries, a country file, cities500)."""
    report = ImportReport(str(path))

    def rows() -> Iterator[tuple[Place, list[str]]]:
        for number, line in _lines(report, path, progress):
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != GEONAME_COLUMNS:
                report.error(number, f"{len(fields)} columns, expected {GEONAME_COLUMNS} (not a GeoNames dump?)")
                continue
            try:
                yield parse_geoname(fields)
            except ValueError as exc:
                report.error(number, f"bad value ({exc})")

    def write(batch: list[tuple[Place, list[str]]]) -> None:
        report.places += insert_places(gaz.conn, _keeping_shown_names(gaz.conn, batch), replace=True)

    _run(gaz, report, rows(), write)
    return report


def import_alternate_names(gaz: Gazetteer, path: Path, progress: bool = True) -> ImportReport:
    """Names from alternateNamesV2 for places already in the gazetteer."""
    report = ImportReport(str(path))

    def rows() -> Iterator[tuple[str, str]]:
        for number, line in _lines(report, path, progress):
            fields = line.split("\t")
            if len(fields) < 4 or not (fields[1].isascii() and fields[1].isdigit()):
                report.error(number, "expected alternateNameId, geonameid, language, name, ...")
                continue
            if fields[2] in SKIPPED_NAME_KINDS or (len(fields) > 7 and fields[7] == "1"):
                continue  # codes, links and historic names
            key = normalize(fields[3])
            if key:
                yield key, f"gn:{fields[1]}"

    def write(batch: list[tuple[str, str]]) -> None:
        before = gaz.conn.total_changes
        gaz.conn.executemany(
            "INSERT OR IGNORE INTO names (name, place_id, is_primary) SELECT ?, id, 0 FROM places WHERE id = ?", batch)
        report.names += gaz.conn.total_changes - before

    _run(gaz, report, rows(), write)
    return report


def import_dump(gaz: Gazetteer, path: Path, *, alternate_names: Path | None = None,
                progress: bool = True) -> ImportReport:
    """Import a geoname dump, then its alternate names if given; one combined report.

    Bad lines and unreadable files are reported, never raised; a gazetteer that cannot be written
    raises GazetteerError."""
    report = import_geonames(gaz, path, progress)
    if alternate_names is not None:
        report.merge(import_alternate_names(gaz, alternate_names, progress))
    return report
