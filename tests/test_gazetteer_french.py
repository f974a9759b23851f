"""French names in the gazetteer (issue 18): found by the French view `in_language("fr")`, never by
the base (English) lookup; checked over whole tables (CLDR through Babel, `data/names_fr.csv`)."""

import json
import sqlite3

import pytest

from geodata.gazetteer import GazetteerError, open_gazetteer
from geodata.gazetteer.languages import cldr_territories, country_ids, place_ref, region_ids
from geodata.gazetteer.sources import read_csv
from geodata.resolve.features import rank_alone

from .conftest import copy_sqlite, run_cli

# CLDR territory codes that are none of our places, and why.
NOT_OURS = {
    "AC": "Ascension: part of Saint Helena (SH) in ISO 3166 and GeoNames",
    "CP": "Clipperton: an uninhabited French atoll without an ISO 3166 code",
    "CQ": "Sark: part of Guernsey (GG)",
    "DG": "Diego Garcia: part of the British Indian Ocean Territory (IO)",
    "EA": "Ceuta and Melilla: Spanish cities (ES), found by their own names",
    "IC": "Canary Islands: a Spanish division (ES), found by its own name",
    "TA": "Tristan da Cunha: part of Saint Helena (SH)",
    "EU": "European Union: a union of states, not a place on the map",
    "EZ": "eurozone: a currency area",
    "UN": "United Nations: an organisation",
    "QO": "outlying Oceania: a statistical remainder, not a region anyone names",
    "XA": "pseudo-locale code", "XB": "pseudo-locale code", "ZZ": "unknown region",
    "001": "the world: no point on the map",
    "019": "the Americas: two continents, no single place of ours",
    "053": "Australasia: no place of ours (Australia and New Zealand are found by name)",
    "057": "Micronesia the region: the name is the country's (FM) in French too",
}
# Countries that do not rank first under their CLDR French name without context, and why.
NOT_FIRST: dict[str, str] = {}
# Names of `data/names_fr.csv` that do not rank first without context, and why.
CURATED_NOT_FIRST = {
    "Mexico": "Mexico City's French name is the country's English name; the country ranks first without context",
    "Tigré": "Tigray's French name, written without its accent, is the Tigris's ('Tigre'); the river ranks first",
    "Tombouctou": "the region has the city's name; a same-named division ranks first without context, as Gao does",
    "Genève": "the canton has the city's name; a same-named division ranks first without context, as Gao does",
}


@pytest.fixture(scope="module")
def french(gazetteer):
    return gazetteer.in_language("fr")


def first(gaz, name: str) -> str | None:
    ranked = rank_alone(gaz, name)
    return ranked[0].place.id if ranked else None


def test_issue_names_are_found_first_in_french(gazetteer, french):
    want = {"Syrie": "SY", "Allemagne": "DE", "Royaume-Uni": "GB", "Irak": "IQ", "Tchad": "TD", "Liban": "LB",
            "Chine": "CN", "Maurice": "MU"}
    ids = country_ids()
    for name, iso in want.items():
        assert first(french, name) == ids[iso], name
    assert first(french, "Euphrate") == "cur:euphrates:STM"
    assert first(french, "bande de Gaza") == "gn:281132" and first(french, "Cisjordanie") == "gn:285153"
    assert first(french, "mer Rouge") == "gn:350155" and first(french, "Darfour") == "cur:darfur:RGN"
    assert not gazetteer.lookup("Syrie") and not gazetteer.lookup("Euphrate")  # English text: unchanged


def test_every_cldr_country_and_region_is_found_first_under_its_french_name(french):
    ids = {**country_ids(), **region_ids()}
    territories = cldr_territories("fr")
    assert set(territories) - set(ids) == set(NOT_OURS), "every CLDR code is ours or justified in NOT_OURS"
    failures = [f"{code} {name!r}: {first(french, name)} first, not {ids[code]}"
                for code, name in territories.items()
                if code in ids and code not in NOT_FIRST and first(french, name) != ids[code]]
    assert not failures, "\n".join(failures)
    assert sum(1 for code in territories if code in country_ids()) >= 245


def test_curated_french_names_point_at_places_and_rank_first(gazetteer, french):
    rows = read_csv("names_fr.csv")
    assert len(rows) >= 100
    missing = [row for row in rows + read_csv("regions_cldr.csv") if gazetteer.get(place_ref(row["place"])) is None]
    assert not missing, f"no such place: {missing}"
    failures = [f"{row['name']!r}: {first(french, row['name'])} first, not {place_ref(row['place'])}"
                for row in rows if row["name"] not in CURATED_NOT_FIRST
                and first(french, row["name"]) != place_ref(row["place"])]
    assert not failures, "\n".join(failures)
    for name in CURATED_NOT_FIRST:  # still found, as a main name
        wanted = next(place_ref(row["place"]) for row in rows if row["name"] == name)
        assert (wanted, True) in {(p.id, primary) for p, primary in french.lookup(name)}


def test_no_french_only_name_is_found_by_the_base_lookup(gazetteer):
    french_only = gazetteer.conn.execute(
        "SELECT f.name, f.place_id FROM names f WHERE f.language = 'fr' AND NOT EXISTS "
        "(SELECT 1 FROM names e WHERE e.name = f.name AND e.place_id = f.place_id AND e.language = '')").fetchall()
    assert len(french_only) >= 200
    found = [(key, place_id) for key, place_id in french_only
             if place_id in {p.id for p, _ in gazetteer.lookup(key)}]
    assert not found, found
    assert "cur:tigris:STM" not in {p.id for p, _ in gazetteer.lookup("Tigre")}
    assert "gn:1814991" not in {p.id for p, _ in gazetteer.lookup("Chine")}


def test_french_view_is_one_object_per_language_on_the_same_connection(gazetteer, french):
    assert gazetteer.in_language("FR") is french and french.conn is gazetteer.conn
    assert gazetteer.in_language("") is gazetteer and french.in_language("") is gazetteer
    assert "gn:163843" in {p.id for p in french.search("Syri")}
    assert "gn:163843" not in {p.id for p in gazetteer.search("Syrie")}
    assert french.has_name("Allemagne") and not gazetteer.has_name("Allemagne")
    # a place found in English and French names keeps the English name's standing: one row per place
    ids = [p.id for p, _ in french.lookup("Tombouctou")]
    assert len(ids) == len(set(ids)) and "gn:2449067" in ids


def _as_schema_2(path):
    """Turn a copy of the gazetteer into one built by schema 2 (names without languages)."""
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE names_v2 (name TEXT NOT NULL, place_id TEXT NOT NULL REFERENCES places (id) ON DELETE CASCADE,
                               is_primary INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (name, place_id)) WITHOUT ROWID;
        INSERT INTO names_v2 SELECT name, place_id, is_primary FROM names WHERE language = '';
        DROP TABLE names;
        ALTER TABLE names_v2 RENAME TO names;
        CREATE INDEX names_place ON names (place_id);
        INSERT INTO places (id, name, lat, lon, source) VALUES ('gn:1', 'Imported', 1, 2, 'geonames');
        INSERT INTO names VALUES ('imported', 'gn:1', 1);
        UPDATE meta SET value = 'schema 2' WHERE key = 'builtin_version';
    """)
    conn.commit()
    conn.close()


def test_an_old_gazetteer_is_upgraded_and_keeps_imported_and_geocoded_places(tmp_path, gazetteer):
    path = copy_sqlite(gazetteer.path, tmp_path / "g.sqlite")
    _as_schema_2(path)
    with pytest.raises(GazetteerError, match="older version"):
        open_gazetteer(path, readonly=True)
    messages = []
    gaz = open_gazetteer(path, progress=messages.append)
    assert any("building" in m for m in messages)
    assert [p.name for p, _ in gaz.lookup("Imported")] == ["Imported"]
    assert gaz.lookup("Baghouz")[0][0].source.startswith("geocoder:")
    assert first(gaz.in_language("fr"), "Syrie") == "gn:163843" and not gaz.lookup("Syrie")
    gaz.close()


def test_cli_lookup_ranks_with_the_french_names(home):
    done = run_cli("gazetteer", "lookup", "Syrie", "--language", "fr", "--limit", "1", home=home)
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    assert json.loads(line)["name"] == "Syria" and json.loads(line)["primary"] is True
    english = run_cli("gazetteer", "lookup", "Syrie", home=home)
    assert english.returncode == 0 and english.stdout == ""
