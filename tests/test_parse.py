"""The `parse` contract and the seed article's places, with the real spaCy model and gazetteer."""

import json

import pytest

from geodata.documents import read_bytes
from geodata.records import TITLE_SENTENCE
from geodata.resolve import IN_ARTICLE_TOWN, IN_PLACE_SAID, UNRESOLVED, distance_km
from geodata.spans import trim
from geodata.store import Store

from .conftest import SEED, run_cli

PLACE_KEYS = {"id", "name", "lat", "lon", "country", "feature", "geonameid"}
MENTION_KEYS = {"start", "end", "text", "sentence", "label", "kind", "confidence", "place"}


def parse_text(pipeline, text, **fields):
    doc = read_bytes("t.jsonl", json.dumps({"text": text, **fields}).encode()).documents[0]
    return next(pipeline.parse([doc]))


def test_cli_parse_seed(home, tmp_path):
    out = tmp_path / "out.jsonl"
    result = run_cli("parse", "--offline", str(SEED), "--out", str(out), home=home)
    assert result.returncode == 0, result.stderr
    (line,) = out.read_text().splitlines()
    record = json.loads(line)
    text = SEED.read_text().split("---\n", 2)[2]
    assert record["id"] == "afp-2019-02-17-baghouz"
    for m in record["mentions"]:
        assert set(m) >= MENTION_KEYS and text[m["start"]:m["end"]] == m["text"]
        assert 0.0 <= m["confidence"] <= 1.0 and m["kind"] in ("toponym", "demonym")
        if m["place"]:
            assert set(m["place"]) == PLACE_KEYS
    places = {m["place"]["name"]: m["place"] for m in record["mentions"] if m["place"]}
    for name in ("Syria", "Iraq", "Europe", "United Kingdom", "France", "Germany", "United States"):
        assert name in places, name
    assert places["Syria"]["geonameid"] == 163843
    baghouz = [m["place"] for m in record["mentions"] if m["text"] == "Baghouz"]
    assert len(baghouz) == 2 and all(distance_km(p["lat"], p["lon"], 34.48, 40.93) < 25 for p in baghouz)
    euphrates = [m["place"] for m in record["mentions"] if m["text"] in ("Euphrates", "Euphrates river")]
    assert euphrates and euphrates[0]["feature"].startswith("H.")
    surfaces = {m["text"] for m in record["mentions"] if m["place"]}
    assert not surfaces & {"Mustefa Bali", "Bali", "Sean Ryan", "Trump", "Donald Trump", "Twitter"}
    assert all("Bali" not in p["name"] for p in places.values())
    # The title is geoparsed as a sentence of its own: offsets into the title, sentence -1.
    title = 'Jihadists block roads out of the last IS "caliphate" pocket in Baghouz, Syria'
    assert [(m["text"], title[m["start"]:m["end"]], m["sentence"]) for m in record["title_mentions"]] == [
        ("Baghouz", "Baghouz", -1), ("Syria", "Syria", -1)]
    assert record["title_mentions"][1]["place"]["geonameid"] == 163843


def test_demonyms_are_marked_and_mapped(pipeline):
    parsed = parse_text(pipeline, "Syrian troops shelled the Iraqi border while European allies watched.")
    got = {m.text: (m.kind, m.place.name if m.place else None) for m in parsed.mentions}
    assert got["Syrian"] == ("demonym", "Syria")
    assert got["Iraqi"] == ("demonym", "Iraq")
    assert got["European"] == ("demonym", "Europe")


def test_qualifier_picks_the_right_paris(pipeline):
    parsed = parse_text(pipeline, "The storm hit Paris, Texas, on Monday.")
    (paris,) = [m for m in parsed.mentions if m.text == "Paris"]
    assert (paris.place.country, paris.place.admin1) == ("US", "TX")


def test_article_context_picks_the_nearby_namesake(pipeline):
    parsed = parse_text(pipeline, "Police in Springfield, the capital of Illinois, said the Illinois governor "
                                  "would visit Chicago and Peoria.")
    (springfield,) = [m for m in parsed.mentions if m.text == "Springfield"]
    assert (springfield.place.country, springfield.place.admin1) == ("US", "IL")


def test_one_unsure_place_is_not_the_whole_of_the_articles_context(pipeline):
    """A lone "Lakeview" (a dozen towns, none sure) read first as Ohio's does not make the article an Ohio
    one: less confidence than `Context.MIN_TOTAL` counts as that much, not as all the article's places.
    Chicago stays Chicago, not Willard, Ohio (called Chicago until 1917)."""
    parsed = parse_text(pipeline, "A water main blew on the corner of Lakeview and Harrison streets in Chicago.")
    (chicago,) = [m for m in parsed.mentions if m.text == "Chicago"]
    assert (chicago.place.name, chicago.place.admin1) == ("Chicago", "IL")
    assert "Harrison" not in [m.text for m in parsed.mentions]  # a list of streets


def test_a_territorys_places_count_for_its_sovereigns_not_the_other_way_round(pipeline):
    """"Florida" next to Houston and "Puerto Rico" is the US state: Puerto Rico counts for the United States
    (`context.SOVEREIGNS`). Before, it was Puerto Rico's municipality of Florida, which GeoNames makes a
    first-level division."""
    parsed = parse_text(pipeline, "Hurricane Irma hit Florida after Harvey flooded Houston, and Maria struck "
                                  "Puerto Rico.")
    (florida,) = [m for m in parsed.mentions if m.text == "Florida"]
    assert (florida.place.country, florida.place.admin1, florida.place.feature_code) == ("US", "FL", "ADM1")
    (puerto_rico,) = [m for m in parsed.mentions if m.text == "Puerto Rico"]
    assert puerto_rico.place.country == "PR"


def test_a_name_mostly_read_as_a_body_is_no_place(pipeline):
    # spaCy reads "Hartmann" ORG, GPE, ORG here; no gazetteer place bears the name
    text = ("The Supreme Court this month denied an earlier request by Hartmann to delay his execution. "
            "So asks the court to delay the execution to allow Hartmann time to demonstrate that Ohio erred. "
            "Hartmann had asked for that stay.")
    surfaces = [m.text for m in parse_text(pipeline, text).mentions]
    assert "Ohio" in surfaces and "Hartmann" not in surfaces


def test_an_organisations_leading_name_must_fit_the_article(pipeline):
    text = "Workers held a forum on Wednesday night at Cora Kelly Elementary School in Alexandria, Virginia."
    found = {m.text: m for m in parse_text(pipeline, text).mentions}
    assert "Cora" not in found  # a village in Mexico, in an article about Virginia
    text = "The Gainesville Police Department said the suspect fled toward Atlanta, Georgia."
    found = {m.text: m for m in parse_text(pipeline, text).mentions}
    assert (found["Gainesville"].place.country, found["Gainesville"].place.admin1) == ("US", "GA")


def test_an_organisations_leading_name_is_read_after_its_article_and_before_a_capitalised_word(pipeline):
    """"the Beverly Hills Police Department": the NER's span opens with "the"; "the Bank of England" is
    named after England, not after a town called Bank."""
    text = "A spokesman for the Beverly Hills Police Department said the child was not hurt."
    assert [e.text for e in pipeline.nlp(text).ents] == ["the Beverly Hills Police Department"]
    found = {m.text: m for m in parse_text(pipeline, text).mentions}
    assert (found["Beverly Hills"].place.country, found["Beverly Hills"].place.admin1) == ("US", "CA")
    text = "She began her career at the Bank of England before moving to Frankfurt."
    assert "the Bank of England" in [e.text for e in pipeline.nlp(text).ents]
    found = {m.text: m for m in parse_text(pipeline, text).mentions}
    assert "Bank" not in found and found["England"].place.country == "GB"
    text = "He later worked at Derry’s Altnagelvin Hospital in Northern Ireland."
    assert "Derry’s Altnagelvin Hospital" in [e.text for e in pipeline.nlp(text).ents]
    assert parse_text(pipeline, text).mentions[0].place.country == "GB"  # "Derry", before the possessive
    text = "Patients from Derry are treated at the Northwest Cancer Centre in the city."
    assert "the Northwest Cancer Centre" in [e.text for e in pipeline.nlp(text).ents]
    assert "Northwest" not in {m.text for m in parse_text(pipeline, text).mentions}  # a compass word, no town
    text = "Few residents know the program, according to Metro Vancouver. The Marine Energy Wales Conference met."
    found = {m.text: m.place.country for m in parse_text(pipeline, text).mentions}
    assert found == {"Vancouver": "CA", "Wales": "GB"}  # a famous place inside, not Metro (Indonesia) nor Marine


def test_a_place_name_no_gazetteer_place_bears_gives_the_famous_places_inside_it(pipeline):
    """"Greece Italy" (a comma missing), "Nazi Germany": the NER's one place is read as the famous places in
    it; a name some expansion finds stays whole ("South Los Angeles")."""
    for text, expected in [
            ("It could create employment in countries such as Cyprus, Greece Italy or Spain, the group said.",
             {"Cyprus": "CY", "Greece": "GR", "Italy": "IT", "Spain": "ES"}),
            ("Comparisons between Russia and Nazi Germany are heard in the British parliament these days.",
             {"Russia": "RU", "Germany": "DE", "British": "GB"})]:
        assert {"Greece Italy", "Nazi Germany"} & {e.text for e in pipeline.nlp(text).ents if e.label_ == "GPE"}
        assert {m.text: m.place.country for m in parse_text(pipeline, text).mentions} == expected
    whole = [m.text for m in parse_text(pipeline, "He moved to South Los Angeles in 1990 with his family.").mentions]
    assert whole == ["South Los Angeles"]
    street = "The old library stood on the corner of Frenchmen Street, near the river in New Orleans."
    found = {m.text: m.place for m in parse_text(pipeline, street).mentions}
    assert found["Frenchmen Street"].name == "New Orleans" and "Frenchmen" not in found  # in the town, not France


def test_spans_without_a_capital_are_no_names(pipeline):
    parsed = parse_text(pipeline, "She opened her new beach boutique in Clacton on Thursday.")
    assert [m.text for m in parsed.mentions] == ["Clacton"]  # spaCy tags "new beach" GPE


def spans_of(text, *names):
    return [[text.index(n), text.index(n) + len(n)] for n in names]


def test_county_words_after_names_make_them_counties(pipeline):
    text = "Home sales fell in Jackson and Barrow counties, and in Hall County, officials said."
    parsed = parse_text(pipeline, text, spans=spans_of(text, "Barrow", "Hall"))
    barrow, hall = parsed.mentions
    assert (barrow.place.name, barrow.place.feature_code, barrow.place.admin1) == ("Barrow County", "ADM2", "GA")
    assert hall.place.name == "Hall County" and hall.place.feature_code == "ADM2"
    text = "Deputies from Avoyelles arrested a man on Monday."
    (avoyelles,) = parse_text(pipeline, text, spans=spans_of(text, "Avoyelles")).mentions
    assert avoyelles.place.name == "Avoyelles Parish" and avoyelles.place.admin1 == "LA"


def test_a_dateline_in_capitals_names_a_place(pipeline):
    text = ("TORRINGTON — A fire destroyed the roof of a house on Main Street on Monday.\n"
            "March 29, 2009 PATASKALA -- City officials say the road will close. The FBI - not the police - came.")
    found = {m.text: m for m in parse_text(pipeline, text).mentions}
    assert found["TORRINGTON"].place.name == "Torrington" and found["PATASKALA"].place.name == "Pataskala"
    assert "FBI" not in found  # capitals before a dash in the middle of a sentence: no dateline
    found = {m.text: m for m in parse_text(pipeline, "ST. PAUL - Lawmakers met on Monday.").mentions}
    assert list(found) == ["ST. PAUL"]  # the whole name, not the NER's pieces "ST" and "PAUL"
    wire = "PLEASANTON, Calif.--(BUSINESS WIRE)--DeltaTrak, a leader in cold chain management, said today."
    found = {m.text: m.place for m in parse_text(pipeline, wire).mentions}
    assert found["PLEASANTON"].name == "Pleasanton" and found["Calif"].name == "California"


def test_names_cut_by_hyphens_and_dashes_are_read_whole(pipeline):
    """"U.S.-led": the abbreviation is a token of its own; "Gilgit-Baltistan", which the NER cuts to
    "Gilgit" (ORG), and "Batesburg-Leesville", which it cuts to "Batesburg", are taken whole."""
    text = "Israel and other nations in the U.S.-led coalition have fought IS in Iraq."
    assert "United States" in {m.place.name for m in parse_text(pipeline, text).mentions if m.place}
    text = ("If the reason for fixing them is to make the tourism industry of Gilgit-Baltistan attractive, the "
            "economists would call it a subsidy. Officials in Batesburg-Leesville said the road would close.")
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert (found["Gilgit-Baltistan"].feature, found["Gilgit-Baltistan"].country) == ("A.ADM1", "PK")
    assert (found["Batesburg-Leesville"].name, found["Batesburg-Leesville"].admin1) == ("Batesburg-Leesville", "SC")


def test_a_name_the_ner_cut_before_its_last_words_is_read_whole(pipeline):
    """The NER reads "U.S." of "the U.S. Virgin Islands" (the United States): the capitalised words after
    it complete a gazetteer place's main name, so the name is read whole."""
    text = "Tickets are sold in 44 states, Washington, D.C., and the U.S. Virgin Islands. Players can add it."
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert "U.S" not in found and (found["U.S. Virgin Islands"].country, found["U.S. Virgin Islands"].feature) == (
        "VI", "A.PCLI")


def test_a_famous_name_inside_a_body_is_read_with_the_words_of_its_town_before_it(pipeline):
    """"New London Police Department": London is famous, but the body is New London's. A word of direction
    alone does not extend it ("North Arlington" is as often a part of Arlington as the town)."""
    text = ("He looked back at his two years leading the New London Police Department. The files include a "
            "section of the New London Code of Ordinances.")
    found = [(m.text, m.place.country) for m in parse_text(pipeline, text).mentions]
    assert found == [("New London", "US"), ("New London", "US")]  # the NER read two bodies


def test_the_country_of_the_outlets_domain_counts_as_a_place_of_the_article(pipeline):
    """The same sentence from a paper under .co.uk is about Suffolk, England; from a .com one, with no
    other place to go by, the resolver keeps its reading (Suffolk, Virginia). The address comes with the
    article (`url`) and is all that differs."""
    text = "Officials in Suffolk said the road would reopen on Monday."
    british = parse_text(pipeline, text, url="https://www.bbc.co.uk/news/uk-england-suffolk-1").mentions[0].place
    plain = parse_text(pipeline, text, url="https://www.example.com/news/1").mentions[0].place
    assert (british.country, british.admin1) == ("GB", "ENG") and plain.country == "US"


def test_a_residents_town_after_a_comma_and_of(pipeline):
    """"Sears, 41, of Grovetown": the NER reads Grovetown as a body; after a comma, "of" says where the
    person lives. Without the comma it says so only after a person's name ("Jodi Mahler of Bellmore",
    tests/test_news_forms.py); after anything else it says little ("A map of Bellmore")."""
    found = {m.text: m.place for m in parse_text(pipeline, "Sears, 41, of Grovetown, was charged.").mentions}
    assert (found["Grovetown"].name, found["Grovetown"].admin1) == ("Grovetown", "GA")
    for text in ("A map of Bellmore was sold.", "The Friends of Bellmore appeared as guests on an episode."):
        assert "Bellmore" not in {m.text for m in parse_text(pipeline, text).mentions}


def test_a_party_tag_names_the_state_or_town_a_politician_represents(pipeline):
    text = ("Senate Tax Chairman Tom Bakk, DFL-Cook, spoke for Minnesota schools. Rep. Earl Pomeroy, D-N.D., "
            "and State Rep. Jay Roberts (R-Ocilla) disagreed. The B-52 and the I-95 are no tags.")
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert (found["Cook"].name, found["Cook"].admin1) == ("Cook", "MN")
    assert found["N.D"].name == "North Dakota" and (found["Ocilla"].name, found["Ocilla"].admin1) == ("Ocilla", "GA")
    assert not {"52", "95"} & set(found)


def test_every_name_of_a_list_closed_by_counties_is_one(pipeline):
    text = ("The population of Douglas, Sarpy and Lancaster counties grew. "
            "Small Hitchcock and Hayes counties in southwest Nebraska gained people.")
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    for name in ("Sarpy", "Lancaster", "Hitchcock", "Hayes"):  # "Hitchcock" though the NER reads a person
        assert (found[name].name, found[name].feature_code, found[name].admin1) == (f"{name} County", "ADM2", "NE")
    assert "Small Hitchcock" not in found and "Small" not in found
    text = "The offices serve Navarro, Henderson and Ellis counties."  # the plural closing the sentence
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert {name: found[name].name for name in ("Navarro", "Henderson", "Ellis")} == {
        "Navarro": "Navarro County", "Henderson": "Henderson County", "Ellis": "Ellis County"}


def test_every_name_of_a_list_closed_by_regions_or_provinces_is_a_first_level_division(pipeline):
    """"the Donetsk and Luhansk regions": the oblasts, though the NER reads people and the bare names are
    cities (Donetsk of Russia's Rostov Oblast among Russian places); a division that bears the bare name
    is one too ("North West and Limpopo provinces": South Africa's, not Cameroon's North-West Region)."""
    text = ("Russia claims to have annexed the Donetsk and Luhansk regions, as well as parts of Kherson and "
            "Zaporizhzhia regions.")
    assert {e.label_ for e in pipeline.nlp(text).ents if e.text in ("Kherson", "Zaporizhzhia")} == {"PERSON"}
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    for name in ("Donetsk", "Luhansk", "Kherson", "Zaporizhzhia"):
        assert (found[name].name, found[name].feature_code, found[name].country) == (f"{name} Oblast", "ADM1", "UA")
    text = "Mines in the North West and Limpopo provinces of South Africa closed."
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert (found["North West"].country, found["North West"].feature_code) == ("ZA", "ADM1")
    assert (found["Limpopo"].country, found["Limpopo"].feature_code) == ("ZA", "ADM1")


def test_a_name_without_its_generic_word_is_never_a_bare_compass_word(pipeline):
    text = "A man was attacked in River North, Chicago police said, in the 400 block of North State Street."
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert found["Chicago"].admin1 == "IL"
    assert all(place is None or place.country == "US" for place in found.values())  # not Cameroon's North Region


def test_a_state_named_alone_before_counties_is_where_they_lie(pipeline):
    text = "Its jobless rate is near the middle of Indiana counties, 42nd of the state's 92 counties."
    (indiana,) = parse_text(pipeline, text, spans=spans_of(text, "Indiana")).mentions
    assert (indiana.place.name, indiana.place.feature_code) == ("Indiana", "ADM1")


def test_a_body_named_after_a_county_is_placed_in_it(pipeline):
    text = "He was booked into the Titus County Jail in Texas and arraigned at the Henderson County Jail."
    found = {m.text: m for m in parse_text(pipeline, text).mentions}
    titus, henderson = found["Titus County Jail"], found["Henderson"]
    assert (titus.place.name, titus.place.admin1) == ("Titus County", "TX") and titus.confidence == 0.4
    # a famous name inside (Henderson, Nevada) is read on its own, as the county said after it
    assert (henderson.place.name, henderson.place.admin1) == ("Henderson County", "TX")
    # a county inside a name the NER reads as a person's: no person's name holds one
    text = "The right of way, according to Anderson County Sheriff Greg Taylor in Texas, was clear."
    assert ("Anderson County Sheriff", "PERSON") in [(e.text, e.label_) for e in pipeline.nlp(text).ents]
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert (found["Anderson County"].name, found["Anderson County"].admin1) == ("Anderson County", "TX")


def test_newspaper_abbreviations_and_parts_of_places(pipeline):
    text = "He grew up in Loudon Co. near Charleston, W. Va., and moved to South Los Angeles."
    parsed = parse_text(pipeline, text, spans=spans_of(text, "Loudon Co.", "W. Va.", "South Los Angeles"))
    loudon, wva, south_la = parsed.mentions
    assert (loudon.place.name, loudon.place.feature_code) == ("Loudon County", "ADM2")
    assert wva.place.name == "West Virginia"
    assert distance_km(south_la.place.lat, south_la.place.lon, 34.05, -118.24) < 30


def test_no_village_stands_in_for_a_part_or_an_abbreviation(pipeline):
    text = "Aides in the West Wing met officials from N.B. on Monday."
    parsed = parse_text(pipeline, text, spans=spans_of(text, "West Wing", "N.B."))
    wing, nb = parsed.mentions
    assert wing.place is None  # not the village of Wing, England
    assert nb.place is None or nb.place.country == "CA"  # New Brunswick, or nothing; not a Slovak village


def test_a_building_unknown_to_the_gazetteer_is_placed_at_the_town_it_is_named_after(pipeline):
    text = "Crowds gathered at Manila Cathedral in the Philippines; a man from 420 Memphis St. in Alexandria was hurt."
    cathedral, street = parse_text(pipeline, text, spans=spans_of(text, "Manila Cathedral", "Memphis St.")).mentions
    assert cathedral.place.name == "Manila" and cathedral.confidence == pytest.approx(0.4)  # near, not at
    assert street.place is None  # streets are named after other towns (and this article names no town)


def test_a_street_no_gazetteer_holds_is_placed_at_the_town_the_article_names_most(pipeline):
    text = ("The parade left Press Street in New Orleans on Sunday. New Orleans police closed Royal Street, "
            "and crowds from Baton Rouge joined them.")
    spans = spans_of(text, "Press Street", "New Orleans", "Baton Rouge")
    street, *_ = parse_text(pipeline, text, spans=spans).mentions
    assert (street.place.name, street.place.admin1) == ("New Orleans", "LA")
    assert street.reason == IN_ARTICLE_TOWN and street.confidence < 0.8  # in the town, or near it: doubtful
    text = "Refugees crossed Press Street in Syria and Iraq."  # no town in the article: no place
    (street,) = parse_text(pipeline, text, spans=spans_of(text, "Press Street")).mentions
    assert street.place is None and street.reason == UNRESOLVED


def test_a_street_no_gazetteer_holds_lies_in_the_place_a_possessive_before_it_names(pipeline):
    """"Tbilisi's Rustaveli Avenue": in Tbilisi, though the article names Batumi more; without the
    possessive the same avenue goes to the town the article names most."""
    towns = " Crowds also marched in Batumi, and Batumi police closed the port."
    owned = {m.text: m for m in parse_text(pipeline, "Protesters gathered on Tbilisi's Rustaveli Avenue." + towns)
             .mentions}["Rustaveli Avenue"]
    assert (owned.place.name, owned.reason) == ("Tbilisi", IN_PLACE_SAID)
    alone = {m.text: m for m in parse_text(pipeline, "Protesters gathered on Rustaveli Avenue near Tbilisi." + towns)
             .mentions}["Rustaveli Avenue"]
    assert (alone.place.name, alone.reason) == ("Batumi", IN_ARTICLE_TOWN)


def test_a_town_outside_the_state_a_comma_after_it_names_gives_way_to_the_state(pipeline):
    """"born in Grantville, Pennsylvania": no source holds that Grantville, and the one in Georgia was chosen;
    the state the text puts it in is the place now (doubtful). Not a list ("Saipan, Guam, Alaska"), nor a
    country before another ("the U.S., Canada")."""
    text = "Martha was born in Grantville, Pennsylvania, on November 4, 1913."
    town = {m.text: m for m in parse_text(pipeline, text).mentions}["Grantville"]
    assert (town.place.name, town.reason) == ("Pennsylvania", IN_PLACE_SAID) and town.confidence < 0.8
    text = "Trips to Saipan, Guam, Alaska and Florida, and talks with the U.S., Canada and Mexico."
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert (found["Saipan"].name, found["U.S"].name) == ("Saipan", "United States")


def test_a_word_for_a_division_after_a_name_makes_it_the_division(pipeline):
    """"in Donetsk region": Donetsk Oblast of Ukraine, not Donetsk of Russia's Rostov Oblast, which the bare
    name finds among Russian places; the word is part of the mention. Not after a country ("U.S. county")
    nor after a name that already has its word ("Anderson County district clerk")."""
    text = ("Ukrainian drones struck an airbase in Engels, Saratov region, while Russian troops pressed toward "
            "Kostiantynivka in Donetsk region.")
    assert "Donetsk region" not in [e.text for e in pipeline.nlp(text).ents]
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert (found["Donetsk region"].name, found["Donetsk region"].country) == ("Donetsk Oblast", "UA")
    assert found["Saratov region"].name == "Saratov Oblast"
    river = {m.text: m.place for m in parse_text(pipeline, "Officials said the Jordan river was low.").mentions}
    assert (river["Jordan river"].name, river["Jordan river"].feature_class) == ("Jordan River", "H")  # any kind
    text = "New Jersey became the first Northern state to apologize."  # a compass word is no name
    assert {m.text for m in parse_text(pipeline, text).mentions} == {"New Jersey"}
    texts = {"U.S": "It was the 12th fastest-growing U.S. county last year.",
             "Anderson County": "The indictment came from the Anderson County district clerk in Texas."}
    for name, text in texts.items():
        assert name in [m.text for m in parse_text(pipeline, text).mentions]


def test_a_preposition_of_place_reads_past_a_compass_word(pipeline):
    """"in northern Shan State": the NER reads a person; the preposition before the compass word says a
    place, and the state is found without its designator."""
    text = "Myanmar's military junta lost control of Lashio in northern Shan State to an ethnic armed group."
    assert [e.label_ for e in pipeline.nlp(text).ents if e.text == "Shan State"] == ["PERSON"]
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert (found["Shan State"].name, found["Shan State"].feature_code) == ("Shan", "ADM1")


def test_a_name_the_ner_cut_before_a_particle_is_read_whole(pipeline):
    """"Rio Grande do Sul": the NER stops at "Rio Grande" (a city of that state); the lower-case particle
    and the capitalised word after it are read too ("Mato Grosso do Sul", "Ciudad del Este")."""
    text = "Heavy rains in Brazil's Rio Grande do Sul state flooded Porto Alegre and Canoas."
    assert "Rio Grande" in [e.text for e in pipeline.nlp(text).ents]
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert (found["Rio Grande do Sul state"].name, found["Rio Grande do Sul state"].feature_code) == (
        "Rio Grande do Sul", "ADM1")
    assert "Rio Grande" not in found


def test_a_country_or_capital_opening_a_sentence_is_a_place_where_the_ner_read_nothing(pipeline):
    """"Kyiv did not comment.": a capitalised first word is weak evidence, but a country's or a capital's
    name is a place there; not a region's ("Pool operators", Pool of the Congo) nor a common word."""
    text = "Shelling in Donetsk killed five people, the authorities said. Kyiv did not comment."
    assert "Kyiv" not in [e.text for e in pipeline.nlp(text).ents]
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert found["Kyiv"].country == "UA" and found["Donetsk"].country == "UA"
    text = "Pool operators look to prevent another drowning. Sound simple? The council met in Richmond, Virginia."
    assert set({m.text for m in parse_text(pipeline, text).mentions}) == {"Richmond", "Virginia"}


def test_a_word_for_a_kind_of_place_and_of_say_a_place_and_its_kind(pipeline):
    """"the town of Menaka": a place, whatever the NER read, and the town rather than the region the NER's
    label would pick; "off Hodeidah", "north of Tessalit": prepositions of place too."""
    text = "Fighting continued north of Tessalit and in the town of Menaka, in Mali. Ships burned off Hodeidah in Yemen."
    found = {m.text: m.place for m in parse_text(pipeline, text).mentions}
    assert (found["Menaka"].name, found["Menaka"].feature_class) == ("Ménaka", "P")
    assert found["Tessalit"].country == "ML" and found["Hodeidah"].country == "YE"
    text = "Residents of Christchurch and Dunedin felt the quake in New Zealand."  # and the list it opens
    assert [e.label_ for e in pipeline.nlp(text).ents if e.text == "Dunedin"] == ["PERSON"]
    assert {m.text: m.place.country for m in parse_text(pipeline, text).mentions}["Dunedin"] == "NZ"
    text = "Russian forces shelled villages in the region of Kherson."  # the oblast named after the city
    assert {m.text: m.place.name for m in parse_text(pipeline, text).mentions}["Kherson"] == "Kherson Oblast"
    text = "Russia annexed the regions of Donetsk and Luhansk."  # each name of the list the word opens
    found = {m.text: m.place.name for m in parse_text(pipeline, text).mentions}
    assert (found["Donetsk"], found["Luhansk"]) == ("Donetsk Oblast", "Luhansk Oblast")


def test_a_place_named_in_a_streets_name_is_the_streets_namesake(pipeline):
    """"Hungerford St." (the NER's body) and "Berlin Ave." (outside its entities) are streets of the article's
    town, not Hungerford, England nor Berlin: the street is the mention, and no vote for England."""
    text = ("Officers rammed the door at 44-46 Hungerford St., Hartford police said. A car was stolen on "
            "12 Berlin Ave. in Southington, Connecticut.")
    found = {m.text: m for m in parse_text(pipeline, text).mentions}
    assert "Hungerford" not in found and "Berlin" not in found
    assert found["Hungerford St"].place.country == "US" and found["Berlin Ave"].place.country == "US"
    assert (found["Hartford"].place.country, found["Hartford"].place.admin1) == ("US", "CT")


def test_a_lone_word_no_gazetteer_place_bears_lies_in_the_articles_town_only_where_the_text_says_so(pipeline):
    """"a machinist in Earlsheaton": a hamlet no source holds, placed at the article's town; "power UConn",
    read as a place by the NER, is no place, and a lone word the text does not call one stays unplaced."""
    text = "She works as a trouser machinist in Earlsheaton. Dewsbury police said so."  # not "near Dewsbury": test_bearings
    hamlet = {m.text: m for m in parse_text(pipeline, text).mentions}["Earlsheaton"]
    assert (hamlet.place.name, hamlet.reason) == ("Dewsbury", IN_ARTICLE_TOWN)
    text = "The game saw perennial power UConn beat Louisville in Hartford on Sunday. Hartford fans cheered."
    team = {m.text: m for m in parse_text(pipeline, text).mentions}["UConn"]
    assert (team.place, team.reason) == (None, UNRESOLVED)


def test_a_minor_places_old_name_is_no_sure_match(pipeline):
    text = "He spoke with Jeremy Watson, 30, of Ten Mile, who said his family had moved from Lyon."
    ten_mile, lyon = parse_text(pipeline, text, spans=spans_of(text, "Ten Mile", "Lyon")).mentions
    assert ten_mile.place.name != "Ten Mile" and ten_mile.confidence < lyon.confidence  # an alternate name only
    assert lyon.place.name == "Lyon" and lyon.confidence > 0.9


def test_compass_words_and_capitals_name_no_faraway_region_or_village(pipeline):
    text = "Russia warned the West on Monday, Moscow said, as officials in WA and at the CHU in Montpellier waited."
    west, wa, chu = parse_text(pipeline, text, spans=spans_of(text, "West", "WA", "CHU")).mentions
    assert west.place is None or west.place.country in ("RU", "FR")  # not Cameroon's West Region
    assert wa.place is None and chu.place is None  # not Wa, Ghana, nor Chũ, Vietnam


def test_a_generic_word_rules_out_other_kinds_named_alike(pipeline):
    text = "Anglers waded into Big Creek while a barge sailed up the James River."
    parsed = parse_text(pipeline, text, spans=spans_of(text, "Big Creek", "James River"))
    for m in parsed.mentions:  # towns once called so must not stand in for a creek or a river
        assert m.place is None or m.place.feature_class == "H", (m.text, m.place)


def test_gold_spans_skip_detection(pipeline):
    text = "Rain fell on Lyon and on Marseille."
    parsed = parse_text(pipeline, text, spans=[[13, 17]])
    assert [(m.start, m.end, m.label, m.place.country) for m in parsed.mentions] == [(13, 17, "GOLD", "FR")]


def test_the_title_is_a_sentence_resolved_with_the_text(pipeline):
    text = "Diehard jihadists blocked roads out of the pocket on Sunday.\nCivilians fled towards Iraq."
    title = "Last IS pocket in Baghouz, Syria, under fire"
    titled, plain = parse_text(pipeline, text, title=title), parse_text(pipeline, text)
    got = [(title[m.start:m.end], m.text, m.sentence, m.place and m.place.country) for m in titled.title_mentions]
    assert got == [("Baghouz", "Baghouz", TITLE_SENTENCE, "SY"), ("Syria", "Syria", TITLE_SENTENCE, "SY")]
    baghouz = titled.title_mentions[0].place
    assert distance_km(baghouz.lat, baghouz.lon, 34.48, 40.93) < 25
    # The text's mentions and sentences keep their offsets and numbers; the title adds none to them.
    assert [(m.start, m.end, m.sentence, m.text) for m in titled.mentions] == \
        [(m.start, m.end, m.sentence, m.text) for m in plain.mentions]
    assert titled.sentences == plain.sentences and plain.title_mentions == []
    assert titled.to_json()["title_mentions"][0]["sentence"] == TITLE_SENTENCE
    # Gold spans say what to resolve: the title is not geoparsed then.
    assert parse_text(pipeline, text, title=title, spans=[[84, 88]]).title_mentions == []


def test_the_title_is_stored_as_a_sentence_of_its_article(pipeline, tmp_path):
    title = "Last IS pocket in Baghouz, Syria, under fire"
    store = Store(tmp_path / "store.sqlite")
    article = store.add(parse_text(pipeline, "Protesters in Damascus wrote slogans on a wall.", title=title))
    assert store.check() == []
    rows = store.mentions()
    in_title = rows[rows.sentence_index == TITLE_SENTENCE]
    assert list(in_title.text) == ["Baghouz", "Syria"] and set(in_title.sentence) == {title}
    assert [title[int(a):int(b)] for a, b in zip(in_title.sentence_start, in_title.sentence_end)] == \
        ["Baghouz", "Syria"]
    assert list(rows.text) == ["Baghouz", "Syria", "Damascus"]  # the title first, as in the article
    marks = store.article_mentions(article)
    assert list(marks[marks.sentence == TITLE_SENTENCE].text) == ["Baghouz", "Syria"]
    assert list(store.search("under fire").sentence) == [title]  # its words are searchable
    assert store.delete_article(article) and store.check() == []
    assert store.conn.execute("SELECT COUNT(*) FROM sentence_index WHERE sentence_index MATCH 'fire'"
                              ).fetchone() == (0,)
    store.close()


def test_unresolved_mentions_are_kept_with_a_reason(pipeline):
    parsed = parse_text(pipeline, "Refugees reached Zqxwvtown in Syria on Monday.", spans=[[17, 26]])
    (m,) = parsed.mentions
    assert m.place is None and m.reason and m.confidence == 0.0


def test_trim_drops_article_and_possessive():
    text = "the Netherlands's ports"
    assert text[slice(*trim(text, 0, 17))] == "Netherlands"


def test_cli_parse_jsonl_order_and_ids(home, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(d) for d in [
        {"id": "x", "text": "Damascus is in Syria."}, {"doc_id": "y", "text": "Nothing here."},
        {"text": "Kabul, Afghanistan."}]))
    result = run_cli("parse", str(src), home=home)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["x", "y", "3"]
    assert rows[1]["mentions"] == []


def test_cli_bad_input_is_a_message_not_a_traceback(home, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "Paris."}\n{oops\n')
    result = run_cli("parse", str(bad), home=home)
    assert result.returncode == 1
    assert f"{bad}:2: broken JSON" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stdout.splitlines()) == 1
    missing = run_cli("parse", str(tmp_path / "none.txt"), home=home)
    assert missing.returncode == 2 and "no such file" in missing.stderr and "Traceback" not in missing.stderr
