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


def spans_of(text, *names):
    return [[text.index(n), text.index(n) + len(n)] for n in names]


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


def test_a_demonym_after_a_word_that_names_a_longer_place(pipeline):
    """"Western Australians" are Western Australia's people; "New Londoners" are no Londoners, and which New
    London's the demonym does not say (it had been London, England, at 0.96); "Iraqi Kurds" are two readings; "Young
    Americans" are no people of Young America, a village."""
    text = ("Western Australians voted on Saturday. New Londoners asked why the mayor resigned. Iraqi Kurds fled. "
            "Young Americans danced.")
    got = {m.text: (m.kind, m.place.name if m.place else None) for m in parse_text(pipeline, text).mentions}
    assert got["Western Australians"] == ("demonym", "Western Australia")
    assert not any("Londoners" in name for name in got)
    assert (got["Iraqi"], got["Kurds"]) == (("demonym", "Iraq"), ("demonym", "Kurdistan"))
    assert got["Americans"] == ("demonym", "United States")


def test_qualifier_picks_the_right_paris(pipeline):
    parsed = parse_text(pipeline, "The storm hit Paris, Texas, on Monday.")
    (paris,) = [m for m in parsed.mentions if m.text == "Paris"]
    assert (paris.place.country, paris.place.admin1) == ("US", "TX")


def test_article_context_picks_the_nearby_namesake(pipeline):
    parsed = parse_text(pipeline, "Police in Springfield, the capital of Illinois, said the Illinois governor "
                                  "would visit Chicago and Peoria.")
    (springfield,) = [m for m in parsed.mentions if m.text == "Springfield"]
    assert (springfield.place.country, springfield.place.admin1) == ("US", "IL")


def test_a_famous_citys_council_in_a_namesake_town_is_that_towns(pipeline):
    """"Dublin City Council" in a story on Dublin, Ohio is the Ohio town's council, not Ireland's capital city,
    which the name finds first in the gazetteer."""
    parsed = parse_text(pipeline, "Dublin City Council voted on Monday to widen Bridge Street. Dublin is a suburb "
                                  "of Columbus, Ohio, and the widening will cost the city $2 million.")
    by_text = {m.text: m.place for m in parsed.mentions}
    assert (by_text["Dublin"].country, by_text["Dublin"].admin1) == ("US", "OH")
    assert by_text["Dublin City"].id == by_text["Dublin"].id


def test_a_name_a_dateline_reads_as_a_town_is_that_town_throughout(pipeline):
    """A local paper's dateline "MALTA -" names a town; "in Malta" later in the same story is that town too, not
    the country the bare name finds first (one article, one place per name). Which town, the text does not say
    (Malta, Illinois is meant; the gazetteer ranks Brazil's first): only that both mentions are the one town."""
    parsed = parse_text(pipeline, "MALTA – About 5,000 books are stacked near the entrance of the Kishwaukee "
                                  "College library. The sale is at Route 38 and Malta Road in Malta.")
    dateline, *_, bare = [m.place for m in parsed.mentions if m.text.lower() == "malta"]
    assert dateline.feature_class == "P" and bare.id == dateline.id


def test_a_bare_name_is_the_county_the_article_names_by_it(pipeline):
    """"DeKalb" after "DeKalb County" in a story on metro Atlanta is the Georgia county, not DeKalb, Illinois,
    the biggest town of the name."""
    parsed = parse_text(pipeline, "DeKalb County commissioners approved a new budget on Tuesday. The vote means "
                                  "DeKalb will hire 40 more officers, Decatur and Atlanta officials said.")
    (dekalb,) = [m.place for m in parsed.mentions if m.text == "DeKalb"]
    assert (dekalb.name, dekalb.admin1, dekalb.feature) == ("DeKalb County", "GA", "A.ADM2")


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


def test_the_country_of_the_outlets_domain_counts_as_a_place_of_the_article(pipeline):
    """The same sentence from a paper under .co.uk is about Suffolk, England; from a .com one, with no
    other place to go by, the resolver keeps its reading (Suffolk, Virginia). The address comes with the
    article (`url`) and is all that differs."""
    text = "Officials in Suffolk said the road would reopen on Monday."
    british = parse_text(pipeline, text, url="https://www.bbc.co.uk/news/uk-england-suffolk-1").mentions[0].place
    plain = parse_text(pipeline, text, url="https://www.example.com/news/1").mentions[0].place
    assert (british.country, british.admin1) == ("GB", "ENG") and plain.country == "US"


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


def test_a_lone_word_no_gazetteer_place_bears_lies_in_the_articles_town_only_where_the_text_says_so(pipeline):
    """"a machinist in Earlsheaton": a hamlet no source holds, placed at the article's town; "power UConn",
    read as a place by the NER, is no place, and a lone word the text does not call one stays unplaced."""
    # not "near Dewsbury": test_bearings
    text = "She works as a trouser machinist in Earlsheaton. Dewsbury police said so."
    hamlet = {m.text: m for m in parse_text(pipeline, text).mentions}["Earlsheaton"]
    assert (hamlet.place.name, hamlet.reason) == ("Dewsbury", IN_ARTICLE_TOWN)
    text = "The game saw perennial power UConn beat Louisville in Hartford on Sunday. Hartford fans cheered."
    team = {m.text: m for m in parse_text(pipeline, text).mentions}["UConn"]
    assert (team.place, team.reason) == (None, UNRESOLVED)


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
