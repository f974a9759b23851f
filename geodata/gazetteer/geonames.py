"""Import GeoNames dumps (allCountries, a country file such as SY, cities500; zipped or not) and,
optionally, alternateNamesV2, streamed in batches. Re-running an import changes nothing; an
interrupted one keeps the batches it committed and completes when run again."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from tqdm import tqdm

from ..records import Place
from .db import Gazetteer, insert_places
from .normalize import normalize

SOURCE = "geonames"
BATCH = 5000
GEONAME_COLUMNS = 19
# alternateNamesV2 "languages" that are codes or links, not names.
SKIPPED_NAME_KINDS = {"link", "post", "iata", "icao", "faac", "wkdt", "unlc", "tcid", "fr_1793", "abbr"}
MAX_REPORTED_ERRORS = 20


@dataclass
class ImportReport:
    path: str
    places: int = 0
    names: int = 0
    lines: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0

    def error(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(f"{self.path}:{line}: {message}")

    def __str__(self) -> str:
        text = f"{self.path}: {self.lines:,} lines, {self.places:,} places, {self.names:,} names imported"
        if self.error_count:
            text += f"; {self.error_count} bad line(s):\n  " + "\n  ".join(self.errors)
        return text


class DumpError(Exception):
    """The file is not a GeoNames dump we can read."""


@contextmanager
def open_dump(path: Path) -> Iterator[tuple[IO[str], int]]:
    """The dump's text stream and its size in bytes (for progress), from a .zip or a .txt."""
    if not path.exists():
        raise DumpError(f"{path}: no such file")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [i for i in archive.infolist() if i.filename.endswith(".txt")
                       and not i.filename.lower().startswith(("readme", "iso-languagecodes"))]
            preferred = [i for i in members if Path(i.filename).stem == path.stem]
            if not (preferred or members):
                raise DumpError(f"{path}: no .txt dump inside the zip")
            info = (preferred or members)[0]
            with archive.open(info) as raw:
                yield io.TextIOWrapper(raw, encoding="utf-8", newline="\n"), info.file_size
    else:
        with open(path, encoding="utf-8", newline="\n") as handle:
            yield handle, path.stat().st_size


def parse_geoname(fields: list[str]) -> tuple[Place, list[str]]:
    geonameid = int(fields[0])
    return (
        Place(f"gn:{geonameid}", fields[1], float(fields[4]), float(fields[5]), fields[8] or None, fields[6] or None,
              fields[7] or None, fields[10] or None, int(fields[14] or 0), geonameid, SOURCE),
        [fields[2], *[n for n in fields[3].split(",") if n]],
    )


def _lines(handle: IO[str], size: int, label: str, progress: bool) -> Iterator[tuple[int, str]]:
    with tqdm(total=size, unit="B", unit_scale=True, desc=label, disable=not progress) as bar:
        for number, line in enumerate(handle, start=1):
            bar.update(len(line.encode("utf-8")))
            yield number, line.rstrip("\n")


def _commit_batches(gaz: Gazetteer, rows: Iterator, write) -> None:
    """Run `write(batch)` per batch of rows, each batch in one transaction."""
    batch: list = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            _transaction(gaz, write, batch)
            batch = []
    if batch:
        _transaction(gaz, write, batch)


def _transaction(gaz: Gazetteer, write, batch: list) -> None:
    gaz.conn.execute("BEGIN IMMEDIATE")
    try:
        write(batch)
        gaz.conn.execute("COMMIT")
    except BaseException:
        gaz.conn.execute("ROLLBACK")
        raise


def import_geonames(gaz: Gazetteer, path: Path, progress: bool = True) -> ImportReport:
    report = ImportReport(str(path))

    def rows() -> Iterator[tuple[Place, list[str]]]:
        with open_dump(path) as (handle, size):
            for number, line in _lines(handle, size, path.name, progress):
                report.lines += 1
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
        report.places += insert_places(gaz.conn, batch, replace=True)

    _commit_batches(gaz, rows(), write)
    gaz.clear_cache()
    return report


def import_alternate_names(gaz: Gazetteer, path: Path, progress: bool = True) -> ImportReport:
    """Names from alternateNamesV2 for places already in the gazetteer."""
    report = ImportReport(str(path))

    def rows() -> Iterator[tuple[str, str]]:
        with open_dump(path) as (handle, size):
            for number, line in _lines(handle, size, path.name, progress):
                report.lines += 1
                fields = line.split("\t")
                if len(fields) < 4 or not fields[1].isdigit():
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

    _commit_batches(gaz, rows(), write)
    gaz.clear_cache()
    return report


def import_dump(gaz: Gazetteer, path: Path, *, alternate_names: Path | None = None,
                progress: bool = True) -> ImportReport:
    """Import a geoname dump, then its alternate names if given; one combined report."""
    try:
        report = import_geonames(gaz, path, progress)
        if alternate_names is not None:
            extra = import_alternate_names(gaz, alternate_names, progress)
            report.names += extra.names
            report.lines += extra.lines
            report.errors += extra.errors
            report.error_count += extra.error_count
    except DumpError as exc:
        report = ImportReport(str(path))
        report.error(0, str(exc))
    except (UnicodeDecodeError, zipfile.BadZipFile) as exc:
        report = ImportReport(str(path))
        report.error(0, f"unreadable ({exc})")
    return report
