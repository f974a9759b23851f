"""The GeoNames dump importer, on small files written here in the real GeoNames formats."""

import sqlite3
import zipfile

import pytest

from geodata.gazetteer import open_gazetteer
from geodata.gazetteer.geonames import import_dump

from .conftest import run_cli

# geonameid, name, asciiname, alternatenames, lat, lon, class, code, country, cc2, admin1, admin2, admin3,
# admin4, population, elevation, dem, timezone, modification date
ROWS = [
    ["99000001", "Qaryat Testīyah", "Qaryat Testiyah", "Testiyah,Tastiya", "34.9", "40.5", "P", "PPL", "SY", "",
     "07", "", "", "", "1200", "", "210", "Asia/Damascus", "2020-01-01"],
    ["99000002", "Jabal Testi", "Jabal Testi", "", "35.1", "39.9", "T", "MT", "SY", "", "07", "", "", "", "0", "",
     "600", "Asia/Damascus", "2020-01-01"],
]
ALTERNATES = [
    ["1", "99000001", "en", "Testiyah Village", "1", "", "", "", "", ""],
    ["2", "99000001", "link", "https://en.wikipedia.org/wiki/Testiyah", "", "", "", "", "", ""],
    ["3", "99000002", "iata", "JTX", "", "", "", "", "", ""],
]


def tsv(rows):
    return "".join("\t".join(r) + "\n" for r in rows)


@pytest.fixture
def gaz(tmp_path, gazetteer):
    """A private copy of the session gazetteer."""
    path = tmp_path / "gazetteer.sqlite"
    src = sqlite3.connect(gazetteer.path)
    dst = sqlite3.connect(path)
    src.backup(dst)
    dst.close()
    return open_gazetteer(path)


def test_import_zip_with_alternate_names_is_idempotent(tmp_path, gaz):
    dump = tmp_path / "SY.zip"
    with zipfile.ZipFile(dump, "w") as archive:
        archive.writestr("SY.txt", tsv(ROWS))
        archive.writestr("readme.txt", "GeoNames readme")
    alternates = tmp_path / "alternateNamesV2.txt"
    alternates.write_text(tsv(ALTERNATES), encoding="utf-8")
    report = import_dump(gaz, dump, alternate_names=alternates, progress=False)
    assert (report.places, report.error_count) == (2, 0)
    (village,) = [p for p, _ in gaz.lookup("Tastiya")]
    assert (village.geonameid, village.feature, village.source, village.population) == (99000001, "P.PPL",
                                                                                          "geonames", 1200)
    assert village.name == "Qaryat Testiyah"  # shown without the romanisation's macron (`romanised.py`)
    assert ("gn:99000001", True) in {(p.id, primary) for p, primary in gaz.lookup("Qaryat Testīyah")}
    assert [p.id for p, _ in gaz.lookup("Testiyah Village")] == ["gn:99000001"]
    assert gaz.lookup("JTX") == [] and gaz.lookup("https://en.wikipedia.org/wiki/Testiyah") == []
    counts = gaz.conn.execute("SELECT (SELECT COUNT(*) FROM places), (SELECT COUNT(*) FROM names)").fetchone()
    import_dump(gaz, dump, alternate_names=alternates, progress=False)
    assert gaz.conn.execute("SELECT (SELECT COUNT(*) FROM places), (SELECT COUNT(*) FROM names)").fetchone() == counts


def test_import_overrides_the_builtin_record_of_the_same_place(tmp_path, gaz):
    aleppo = gaz.by_geonameid(170063)
    row = ["170063", "Aleppo", "Aleppo", "Halab", str(aleppo.lat), str(aleppo.lon), "P", "PPLA", "SY", "", "09",
           "", "", "", "2098210", "", "390", "Asia/Damascus", "2020-01-01"]
    dump = tmp_path / "cities500.txt"
    dump.write_text(tsv([row]), encoding="utf-8")
    import_dump(gaz, dump, progress=False)
    assert gaz.by_geonameid(170063).feature == "P.PPLA"


def test_import_keeps_the_name_a_place_is_shown_by(tmp_path, gaz):
    """A dump names Kharkiv Oblast "Kharkivs'ka Oblast'" and South Kivu "Sud-Kivu": the English names chosen for the
    news stay (`divisions.py`, `display_names.csv`), the dump's record and name are added, and a second import
    changes nothing."""
    rows = [["706482", "Kharkivs'ka Oblast'", "Kharkivs'ka Oblast'", "", "49.5", "36.5", "A", "ADM1", "UA", "", "07",
             "", "", "", "2633108", "", "150", "Europe/Kyiv", "2020-01-01"],
            ["205413", "Sud-Kivu", "Sud-Kivu", "", "-3.0", "28.0", "A", "ADM1", "CD", "", "12", "", "", "",
             "5772000", "", "1500", "Africa/Lubumbashi", "2020-01-01"]]
    dump = tmp_path / "admin1.txt"
    dump.write_text(tsv(rows), encoding="utf-8")
    for _ in range(2):
        import_dump(gaz, dump, progress=False)
        kharkiv, kivu = gaz.by_geonameid(706482), gaz.by_geonameid(205413)
        assert (kharkiv.name, kharkiv.population, kharkiv.source) == ("Kharkiv Oblast", 2633108, "geonames")
        assert (kivu.name, kivu.lat, kivu.population) == ("South Kivu", -3.0, 5772000)
        assert kharkiv.id in {p.id for p, _ in gaz.lookup("Kharkivs'ka Oblast'")}


def test_bad_lines_are_reported_with_line_numbers(tmp_path, gaz):
    dump = tmp_path / "XX.txt"
    dump.write_text(tsv(ROWS[:1]) + "garbage line\n" + tsv([ROWS[1][:4] + ["north"] + ROWS[1][5:]]), encoding="utf-8")
    report = import_dump(gaz, dump, progress=False)
    assert report.places == 1
    assert report.errors[0].startswith(f"{dump}:2: 1 columns, expected 19")
    assert report.errors[1].startswith(f"{dump}:3: bad value")


def test_cli_import(tmp_path, home, gaz):
    dump = tmp_path / "SY.txt"
    dump.write_text(tsv(ROWS), encoding="utf-8")
    result = run_cli("gazetteer", "import", str(dump), "--quiet", home=gaz.path.parent)
    assert result.returncode == 0, result.stderr
    assert "2 places" in result.stderr
    found = run_cli("gazetteer", "lookup", "Jabal Testi", home=gaz.path.parent)
    assert '"geonameid": 99000002' in found.stdout
    missing = run_cli("gazetteer", "import", str(tmp_path / "nope.zip"), "--quiet", home=gaz.path.parent)
    assert missing.returncode != 0 and "no such file" in missing.stderr
