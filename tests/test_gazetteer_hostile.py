"""The gazetteer and the GeoNames importer against hostile files, on real files, real SQLite and the real
CLI in a subprocess: every problem is a one-line message or a FILE:LINE entry of the import report,
never a traceback, and reading a dump costs bounded memory."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from devtools.stress.faults import make_read_only, make_writable, permissions_enforced, without_permission_override
from devtools.stress.processes import Finished, Running, cli, cli_env
from geodata.gazetteer import GazetteerError, open_gazetteer
from geodata.gazetteer.dumps import MAX_LINE_BYTES
from geodata.gazetteer.geonames import import_dump

from .conftest import ROOT, copy_sqlite, require, run_cli
from .test_geonames_import import ROWS, tsv

MB = 1 << 20


def home_with(gazetteer, folder: Path) -> Path:
    """A data folder holding a consistent copy of the session gazetteer."""
    copy_sqlite(gazetteer.path, folder / "gazetteer.sqlite")
    return folder


def one_line_error(stderr: str) -> str:
    """The CLI's failure message, asserting it is one line and no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


FIELDS = {"geonameid": 0, "name": 1, "latitude": 4, "longitude": 5, "population": 14}  # GeoNames columns


def row(**changes: str) -> list[str]:
    """A valid GeoNames row (the first of ROWS) with some fields changed, by GeoNames column name."""
    fields = list(ROWS[0])
    for name, value in changes.items():
        fields[FIELDS[name]] = value
    return fields


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- opening the gazetteer -----------------------------------------------------------------------


def test_a_directory_where_the_gazetteer_file_belongs_is_refused_in_one_line(tmp_path):
    (tmp_path / "gazetteer.sqlite").mkdir()
    with pytest.raises(GazetteerError, match="is a directory, not a gazetteer file"):
        open_gazetteer(tmp_path / "gazetteer.sqlite")
    result = run_cli("gazetteer", "lookup", "Paris", home=tmp_path)
    assert result.returncode == 2
    assert "gazetteer.sqlite is a directory, not a gazetteer file" in one_line_error(result.stderr)


def test_a_data_folder_that_is_a_file_is_refused_in_one_line(tmp_path):
    (tmp_path / "home").write_text("not a folder")
    result = run_cli("gazetteer", "lookup", "Paris", home=tmp_path / "home")
    assert result.returncode == 2
    assert "is a file, not a folder" in one_line_error(result.stderr)


def test_a_gazetteer_in_a_folder_with_uri_characters_opens_read_only(tmp_path, gazetteer):
    home = home_with(gazetteer, tmp_path / "news?draft#2 100%")
    gaz = open_gazetteer(home / "gazetteer.sqlite", readonly=True)
    assert any(p.country == "SY" for p, _ in gaz.lookup("Damascus"))
    gaz.close()


@pytest.fixture
def read_only_home(tmp_path, gazetteer):
    """A data folder (0555) holding a built gazetteer (0444) that the CLI, run without root's power to
    ignore permissions, cannot change."""
    require(permissions_enforced(tmp_path), "file permissions cannot be enforced here")
    home = home_with(gazetteer, tmp_path / "ro-home")
    yield home
    make_writable(home)


def cli_read_only(*args: str, home: Path, tmp_path: Path) -> Finished:
    return cli(*args, home=home, log_dir=tmp_path / "logs", preexec_fn=without_permission_override)


def test_a_read_only_data_folder_serves_lookups_and_is_left_untouched(read_only_home, tmp_path):
    before = digest(read_only_home / "gazetteer.sqlite")
    make_read_only(read_only_home)
    result = cli_read_only("gazetteer", "lookup", "Damascus", home=read_only_home, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"name": "Damascus"' in result.stdout and '"country": "SY"' in result.stdout
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in read_only_home.iterdir()) == ["gazetteer.sqlite"]  # no -wal, no -shm
    assert digest(read_only_home / "gazetteer.sqlite") == before


def test_a_read_only_gazetteer_file_in_a_writable_folder_serves_lookups(read_only_home, tmp_path):
    make_read_only(read_only_home, files_only=True)
    result = cli_read_only("gazetteer", "lookup", "Damascus", home=read_only_home, tmp_path=tmp_path)
    assert result.returncode == 0 and '"name": "Damascus"' in result.stdout, result.stderr


def test_a_read_only_gazetteer_that_needs_a_rebuild_says_read_only(read_only_home, tmp_path):
    path = read_only_home / "gazetteer.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = 'stale' WHERE key = 'builtin_version'")
    conn.commit()
    conn.close()
    before = digest(path)
    make_read_only(read_only_home)
    result = cli_read_only("gazetteer", "lookup", "Damascus", home=read_only_home, tmp_path=tmp_path)
    assert result.returncode == 2
    message = one_line_error(result.stderr)
    assert "needs a (re)build" in message and "read-only" in message and "not a gazetteer" not in message
    assert digest(path) == before


def test_an_import_into_a_read_only_gazetteer_says_read_only(read_only_home, tmp_path):
    dump = tmp_path / "SY.txt"
    dump.write_text(tsv(ROWS), encoding="utf-8")
    make_read_only(read_only_home)
    result = cli_read_only("gazetteer", "import", str(dump), "--quiet", home=read_only_home, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "cannot import into it: the gazetteer file or its folder is read-only" in one_line_error(result.stderr)


def test_no_gazetteer_in_a_read_only_folder_says_it_cannot_be_built_there(tmp_path):
    require(permissions_enforced(tmp_path), "file permissions cannot be enforced here")
    home = tmp_path / "empty-ro"
    home.mkdir()
    home.chmod(0o555)
    try:
        result = cli_read_only("gazetteer", "lookup", "Paris", home=home, tmp_path=tmp_path)
    finally:
        home.chmod(0o755)
    assert result.returncode == 2
    assert "folder is read-only so it cannot be built there" in one_line_error(result.stderr)


# -- importing GeoNames dumps --------------------------------------------------------------------

PEAK_PROBE = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
              "print('peak-rss-kb', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
              "sys.exit(code)")


def import_with_peak(dump: Path, home: Path, tmp_path: Path) -> tuple[Finished, float]:
    """`python -m geodata gazetteer import DUMP` and its peak resident memory in MB (ru_maxrss of the
    only child of a probe process, so no other process's peak is counted)."""
    argv = [sys.executable, "-c", PEAK_PROBE, sys.executable, "-m", "geodata", "gazetteer", "import", str(dump),
            "--quiet"]
    done = Running(argv, cli_env(home), tmp_path / "logs").finish(timeout=120)
    peak_kb = int(done.stderr.rsplit("peak-rss-kb", 1)[1].split()[0])
    return done, peak_kb / 1024


def zip_with_long_line(path: Path, megabytes: int) -> Path:
    """SY.zip: a valid row, one line of `megabytes` MB of 'a' (streamed; deflate packs it ~1000x), a valid row."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("SY.txt", "w") as member:
        member.write(tsv(ROWS[:1]).encode())
        for _ in range(megabytes):
            member.write(b"a" * MB)
        member.write(b"\n" + tsv(ROWS[1:]).encode())
    return path


def test_an_enormous_line_in_a_zip_is_skipped_in_bounded_memory_and_the_rest_imported(tmp_path, gazetteer):
    home = home_with(gazetteer, tmp_path / "home")
    small = tmp_path / "small" / "SY.zip"
    small.parent.mkdir()
    with zipfile.ZipFile(small, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("SY.txt", tsv(ROWS))
    baseline, baseline_mb = import_with_peak(small, home, tmp_path)
    assert baseline.returncode == 0, baseline.stderr
    dump = zip_with_long_line(tmp_path / "SY.zip", 200)
    assert dump.stat().st_size < 2 * MB
    done, peak_mb = import_with_peak(dump, home, tmp_path)
    assert peak_mb - baseline_mb < 150, f"peak {peak_mb:.0f} MB against {baseline_mb:.0f} MB for a small dump"
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"{dump}:2: line longer than {MAX_LINE_BYTES:,} bytes; skipped" in done.stderr
    assert "3 lines, 2 places" in done.stderr
    found = run_cli("gazetteer", "lookup", "Jabal Testi", home=home)
    assert '"geonameid": 99000002' in found.stdout  # the row after the long line


def test_a_zip_member_over_the_size_cap_or_expanding_like_a_bomb_is_refused_by_name(tmp_path, gazetteer):
    home = home_with(gazetteer, tmp_path / "home")
    dump = tmp_path / "SY.zip"
    with zipfile.ZipFile(dump, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("SY.txt", tsv(ROWS) * 500)
    capped = run_cli("gazetteer", "import", str(dump), "--quiet", home=home, env={"GEODATA_MAX_DUMP_BYTES": "1000"})
    assert capped.returncode == 1 and "Traceback" not in capped.stderr
    assert f"{dump}: member 'SY.txt' refused: " in capped.stderr and "over the 1,000-byte limit" in capped.stderr
    # a bomb: the central directory and local header declare 3 GB for a few hundred compressed bytes
    data = bytearray(dump.read_bytes())
    entry = data.index(b"PK\x01\x02")
    data[entry + 24:entry + 28] = data[22:26] = struct.pack("<I", 3_000_000_000)
    bomb = tmp_path / "bomb" / "SY.zip"
    bomb.parent.mkdir()
    bomb.write_bytes(bytes(data))
    refused = run_cli("gazetteer", "import", str(bomb), "--quiet", home=home)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert f"{bomb}: member 'SY.txt' refused: 3,000,000,000 bytes from " in refused.stderr
    assert "a zip bomb?" in refused.stderr and "0 places" in refused.stderr


@pytest.fixture
def gaz(tmp_path, gazetteer):
    gaz = open_gazetteer(home_with(gazetteer, tmp_path / "gaz") / "gazetteer.sqlite")
    yield gaz
    gaz.close()


def test_hostile_rows_are_reported_by_line_and_the_good_ones_imported(tmp_path, gaz):
    good = tsv(ROWS[:1]).encode()
    lines = [
        b"\xef\xbb\xbf" + good,                                      # 1: a byte-order mark, then a good row
        tsv([row(latitude="nan")]).encode(),                         # 2
        tsv([row(longitude="inf")]).encode(),                        # 3
        tsv([row(geonameid="9" * 30)]).encode(),                     # 4: over SQLite's integers
        tsv([row(population="9" * 30)]).encode(),                    # 5
        tsv([row(latitude="95")]).encode(),                          # 6
        tsv([row(name="")]).encode(),                                # 7
        b"99000009\tNul\x00Town" + b"\t" * 17 + b"\n",               # 8: a NUL byte
        b"99000010\t\xff\xfe Town" + b"\t" * 17 + b"\n",             # 9: not UTF-8
        b"only\tthree\tcolumns\n",                                   # 10
        tsv(ROWS[1:]).encode(),                                      # 11: good
    ]
    dump = tmp_path / "XX.txt"
    dump.write_bytes(b"".join(lines))
    report = import_dump(gaz, dump, progress=False)
    assert (report.lines, report.places, report.error_count) == (11, 2, 9)
    expected = ["2: bad value (latitude nan out of range)", "3: bad value (longitude inf out of range)",
                "4: bad value (geonameid", "5: bad value (population", "6: bad value (latitude 95.0 out of range)",
                "7: bad value (empty name)", "8: NUL byte", "9: invalid UTF-8 at byte 10",
                "10: 3 columns, expected 19"]
    for error, start in zip(report.errors, expected, strict=True):
        assert error.startswith(f"{dump}:{start}"), error
    assert [p.id for p, _ in gaz.lookup("Qaryat Testiyah")] == ["gn:99000001"]


@pytest.mark.parametrize("name, content, message", [
    ("SY.zip", b"PK\x03\x04 but not really a zip archive", "not a zip archive"),
    ("empty.zip", b"", "not a zip archive"),
    ("empty.txt", b"", "empty: no lines to import"),
    ("docs.zip", None, "no .txt dump inside the zip"),
])
def test_files_that_are_no_dump_are_reported_in_one_entry(tmp_path, gaz, name, content, message):
    dump = tmp_path / name
    if content is None:
        with zipfile.ZipFile(dump, "w") as archive:
            archive.writestr("readme.txt", "GeoNames readme")
    else:
        dump.write_bytes(content)
    report = import_dump(gaz, dump, progress=False)
    assert (report.places, report.error_count) == (0, 1)
    assert report.errors[0].startswith(f"{dump}: {message}")


def test_a_directory_given_as_dump_is_reported_not_raised(tmp_path, gaz):
    report = import_dump(gaz, tmp_path, alternate_names=tmp_path / "missing.txt", progress=False)
    assert report.errors == [f"{tmp_path}: a directory, not a dump file", f"{tmp_path / 'missing.txt'}: no such file"]


def test_a_zip_damaged_mid_way_keeps_the_rows_read_before_and_names_the_line(tmp_path, gaz):
    rows = [row(geonameid=str(99100000 + i), name=f"Damaged Test {i}") for i in range(3000)]
    dump = tmp_path / "SY.zip"
    with zipfile.ZipFile(dump, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("SY.txt", tsv(rows))
    data = bytearray(dump.read_bytes())
    end = data.index(b"PK\x01\x02")
    data[end - 200:end - 100] = bytes(100)  # damage the end of the compressed stream
    dump.write_bytes(bytes(data))
    report = import_dump(gaz, dump, progress=False)
    assert report.error_count == 1 and 0 < report.places == report.lines < 3000, report
    assert report.errors[0].startswith(f"{dump}:{report.lines + 1}: unreadable after line {report.lines:,} (")
    assert gaz.lookup("Damaged Test 0") and not gaz.lookup("Damaged Test 2999")


def test_the_cli_reports_hostile_dumps_without_a_traceback(tmp_path, gaz):
    dump = tmp_path / "SY.zip"
    dump.write_text(tsv(ROWS), encoding="utf-8")  # a text dump named .zip
    result = run_cli("gazetteer", "import", str(dump), "--quiet", home=gaz.path.parent)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{dump}: not a zip archive" in result.stderr
    nan = tmp_path / "nan.txt"
    nan.write_text(tsv([row(latitude="nan")]), encoding="utf-8")
    result = run_cli("gazetteer", "import", str(nan), "--quiet", home=gaz.path.parent)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{nan}:1: bad value (latitude nan out of range)" in result.stderr



def test_a_reader_that_leaves_early_gets_no_traceback(home):
    """`gazetteer lookup ... | head -1`: the reader closes the pipe after one line; the CLI stops quietly."""
    names = ["Garden City"] * 300  # about 600 KB of JSON lines: more than a pipe holds
    env = {**os.environ, "GEODATA_HOME": str(home), "GEODATA_OFFLINE": "1"}
    with subprocess.Popen([sys.executable, "-m", "geodata", "gazetteer", "lookup", *names], cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as cli_run:
        first = cli_run.stdout.readline()
        cli_run.stdout.close()
        stderr = cli_run.stderr.read().decode()
        assert cli_run.wait(timeout=300) == 0, stderr
    assert json.loads(first)["query"] == "Garden City"
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
