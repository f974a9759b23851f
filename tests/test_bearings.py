"""Places the text puts at a distance and in a direction from another ("Mahas, a town about 300 km north of
Mogadishu"), or near it ("Rathbeggan, near Dunshaughlin"): read by the real spaCy models, resolved with the real
gazetteer."""

from __future__ import annotations

import html
import math
import re
from functools import lru_cache

import pytest
import spacy
from hypothesis import given, settings as examples
from hypothesis import strategies as st
from spacy.tokens import Doc

from geodata import export, maps
from geodata.bearings import bearing_after
from geodata.french import FRENCH
from geodata.records import CAPITAL, EARLIER, Document, Mention
from geodata.resolve import BEARING_CONFIDENCE, FAR_FROM_TEXT, IN_BEARING
from geodata.resolve.distance import destination, distance_km
from geodata.rules import ENGLISH
from geodata.store import Filters, Store
from tests.test_hostile import map_rows


@lru_cache(maxsize=2)
def model(name: str):
    return spacy.load(name)  # raises when the model is missing: a failure, never a skip


def mentions(pipeline, text: str, language: str = "en") -> list[Mention]:
    return list(pipeline.parse([Document("d", text, language=language)]))[0].mentions


def placed(found: list[Mention], name: str) -> Mention:
    return next(m for m in found if m.text == name)


def km_between(a: Mention, b: Mention) -> float:
    assert a.place is not None and b.place is not None
    return distance_km(a.place.lat, a.place.lon, b.place.lat, b.place.lon)


@pytest.mark.parametrize("km, degrees", [(300.0, 0.0), (15.0, 225.0), (60.0, 270.0), (999.0, 135.0)])
def test_the_destination_lies_at_the_distance_in_the_direction(km, degrees):
    lat, lon = destination(2.03711, 45.34375, km, degrees)
    assert distance_km(2.03711, 45.34375, lat, lon) == pytest.approx(km, rel=1e-6)
    north, east = lat - 2.03711, lon - 45.34375
    assert math.degrees(math.atan2(east, north)) % 360 == pytest.approx(degrees, abs=0.5)


def test_a_village_no_gazetteer_holds_is_put_where_the_text_says(pipeline):
    found = mentions(pipeline, "Fighters seized Mahas, a town about 300 km north of Mogadishu, on Sunday.")
    mahas, mogadishu = placed(found, "Mahas"), placed(found, "Mogadishu")
    assert mahas.place is not None and mahas.place.source == "bearing"
    assert km_between(mahas, mogadishu) == pytest.approx(300.0, abs=0.5)
    assert mahas.place.lat > mogadishu.place.lat + 2.6 and mahas.place.lon == pytest.approx(mogadishu.place.lon)
    assert mahas.place.country == "SO" and mahas.reason == IN_BEARING
    assert mahas.confidence == pytest.approx(BEARING_CONFIDENCE)  # set, not fitted: shipped as it is


def test_a_namesake_far_from_the_point_gives_way_to_it(pipeline):
    """The gazetteer holds a Tur in Romania and Tours in France; the text puts this one west of El Fasher, in Sudan."""
    found = mentions(pipeline, "Thousands fled Tur, some 60 kilometers to the west of El Fasher.")
    tur, fasher = placed(found, "Tur"), placed(found, "El Fasher")
    assert tur.place is not None and tur.place.country == "SD"
    assert km_between(tur, fasher) == pytest.approx(60.0, abs=0.5)
    assert tur.place.lon < fasher.place.lon


def test_the_gazetteer_place_about_there_is_kept(pipeline):
    found = mentions(pipeline, "Rebels took Sake, 25 kilometres west of Goma, on Friday.")
    sake = placed(found, "Sake")
    assert sake.place is not None and sake.place.id.startswith("gn:") and sake.place.country == "CD"
    assert sake.reason != IN_BEARING


def test_a_name_read_as_a_person_is_a_place_before_its_distance_and_direction(pipeline):
    """The NER reads Dereig (a camp no gazetteer holds) as a person's name; the words after it say where it lies.
    Zamzam, which the curated table holds, keeps its own point about there."""
    text = "The camp at Dereig, 15km south-west of El Fasher, was shelled."
    assert ("Dereig", "PERSON") in {(e.text, e.label_) for e in pipeline.nlp(text).ents}
    found = mentions(pipeline, text)
    dereig, fasher = placed(found, "Dereig"), placed(found, "El Fasher")
    assert km_between(dereig, fasher) == pytest.approx(15.0, abs=0.5)
    assert dereig.place is not None and dereig.place.lat < fasher.place.lat and dereig.place.lon < fasher.place.lon
    zamzam = placed(mentions(pipeline, text.replace("Dereig", "Zamzam")), "Zamzam")
    assert zamzam.place.source == "curated" and zamzam.reason != IN_BEARING


def test_every_mention_of_the_name_shares_the_point(pipeline):
    text = ("Les combattants ont pris Boulkessi, à 40 km au nord-est de Bamako, dimanche. Les habitants de Boulkessi "
            "ont fui.")
    found = [m for m in mentions(pipeline, text, "fr") if m.text == "Boulkessi"]
    assert len(found) == 2 and found[0].place == found[1].place
    bamako = placed(mentions(pipeline, text, "fr"), "Bamako")
    assert km_between(found[0], bamako) == pytest.approx(40.0, abs=0.5)


def test_a_place_near_a_town_no_gazetteer_place_of_its_name_lies_near_is_put_at_the_town(pipeline):
    found = mentions(pipeline, "The family fled Tur, near El Fasher, in April.")
    tur, fasher = placed(found, "Tur"), placed(found, "El Fasher")
    assert tur.place == fasher.place and tur.reason == IN_BEARING  # not the Romanian village
    assert tur.confidence == pytest.approx(BEARING_CONFIDENCE)


def test_a_town_the_news_calls_near_another_keeps_its_place(pipeline):
    """"near" is loose: Bakhmut lies 66 km from Donetsk, and the gazetteer's Bakhmut is the one meant."""
    bakhmut = placed(mentions(pipeline, "Shelling hit Bakhmut, near Donetsk, overnight."), "Bakhmut")
    assert bakhmut.place is not None and bakhmut.place.id.startswith("gn:") and bakhmut.reason != IN_BEARING


@pytest.mark.parametrize("text, name, anchor, language", [
    ("Clashes hit the Tishrin Dam, east of Aleppo, on Monday.", "Tishrin Dam", "Aleppo", "en"),
    ("Clashes hit the Tishrin Dam, to the north-east of Aleppo, on Monday.", "Tishrin Dam", "Aleppo", "en"),
    ("Des combats ont eu lieu au barrage de Tichrine, à l'est d'Alep, lundi.", "Tichrine", "Alep", "fr"),
])
def test_a_direction_without_a_distance_is_read_as_a_side(text, name, anchor, language, settings):
    doc = model(settings.model if language == "en" else settings.model_fr)(text)
    start = text.index(name)
    bearing = bearing_after(doc.char_span(start, start + len(name)), ENGLISH if language == "en" else FRENCH)
    assert bearing is not None and bearing.side and bearing.km == 0 and bearing.degrees is None
    assert not bearing.measured and text[bearing.anchor_start:bearing.anchor_end] == anchor


def test_a_place_on_a_side_of_a_town_is_put_there_only_when_nothing_else_places_it(pipeline):
    """"the Tishrin Dam, east of Aleppo": no source holds the dam, and the article's town is in Lebanon; the dam
    is put at Aleppo. "Tikrit, north of Baghdad" keeps the gazetteer's Tikrit, 170 km from Baghdad: with no
    distance, any place the resolver found may lie on that side."""
    story = ("BEIRUT (Reuters) - An Israeli strike hit the southern Lebanese town of Nabatieh. In Syria, Kurdish-led "
             "forces clashed with Turkish-backed fighters at the Tishrin Dam, east of Aleppo.")
    found = mentions(pipeline, story)
    dam, aleppo = placed(found, "Tishrin Dam"), placed(found, "Aleppo")
    assert dam.place == aleppo.place and dam.reason == IN_BEARING
    tikrit = placed(mentions(pipeline, "Fighting went on in Tikrit, north of Baghdad, and in Samarra."), "Tikrit")
    assert tikrit.place is not None and tikrit.place.id.startswith("gn:") and tikrit.reason != IN_BEARING
    assert all(m.place is None for m in mentions(pipeline, "John Smith, north of Boston, said no.")
               if m.text == "John Smith")


def test_near_a_name_resolved_to_its_division_measures_from_the_town_of_the_name(pipeline):
    """"près de Ménaka": resolution places Ménaka at its region (its town, of 14,000, is too small to stand for
    the bare name, as Mopti's does), whose point is no place to measure from; the town of the name among its
    candidates is."""
    found = mentions(pipeline, "Des renforts ont été envoyés depuis Tidermène, près de Ménaka, dans l'est du Mali.",
                     "fr")
    tidermene, menaka = placed(found, "Tidermène"), placed(found, "Ménaka")
    assert menaka.place is not None and menaka.place.feature_class == "A"
    assert tidermene.place is not None and (tidermene.place.feature_class, tidermene.place.name) == ("P", "Ménaka")
    assert tidermene.reason == IN_BEARING


def test_near_a_country_says_too_little_to_move_a_town(pipeline):
    """"near the Iraqi border": a country's point is no place to measure from."""
    baghouz = placed(mentions(pipeline, "Jihadists blocked the roads out of Baghouz, near the Iraqi border, officials "
                                        "said."), "Baghouz")
    assert baghouz.place is not None and baghouz.place.country == "SY" and baghouz.reason != IN_BEARING


def test_near_a_town_makes_no_person_a_place(pipeline):
    assert [m.text for m in mentions(pipeline, "John Smith, near Boston, said he would stay.")] == ["Boston"]


def test_the_explanation_says_where_the_text_puts_it(pipeline, settings):
    from geodata.pipeline import Pipeline

    explaining = Pipeline(settings, gazetteer=pipeline.geoparser.gazetteer, explain=True)
    dereig = placed(mentions(explaining, "The camp at Dereig, 15km south-west of El Fasher, was shelled."), "Dereig")
    assert dereig.explanation is not None and "15 km south-west of El Fasher" in dereig.explanation["why"]


@pytest.mark.parametrize("text", [
    "Rebels took Mahas, about 300 km north of the border, on Sunday.",  # no place named after "of"
    "Rebels took Mahas, 300 km north of the district on Sunday.",  # a word for a kind, but no town and no name
    "Rebels took Mahas, 1e309 km north of Mogadishu, on Sunday.",  # no finite distance
    "Rebels took Mahas, nan km north of Mogadishu, on Sunday.",
    "Rebels took Mahas, 5,000 km north of Mogadishu, on Sunday.",  # farther than any village is placed from a town
    "Rebels took Mahas, 300 km from home, on Sunday.",  # no place after "from"
    "Rebels took Mahas, one of the towns north of Mogadishu.",  # a number's word, no distance
    "Rebels took Mahas, where 300 fighters went north of Mogadishu.",  # no unit
    "Rebels took Mahas; 300 km north of Mogadishu lies Dhusamareb.",  # no comma after the name
])
def test_words_that_give_no_distance_and_direction_give_no_bearing(text, settings):
    doc = model(settings.model)(text)
    start = text.index("Mahas")
    assert bearing_after(doc.char_span(start, start + len("Mahas")), ENGLISH) is None


@pytest.mark.parametrize("text, name, km, degrees, anchor", [
    ("Minova, 40 km (25 miles) southwest of Goma, was calm.", "Minova", 40.0, 225.0, "Goma"),
    ("The village of Boulkessi, 12 miles north east of Mondoro, near the border.", "Boulkessi", 12 * 1.609344, 45.0,
     "Mondoro"),
    ("Thousands fled Tawila, some 60 kilometers to the west of El Fasher.", "Tawila", 60.0, 270.0, "El Fasher"),
    ("Rebels took Mahas, 1,000 km north of Mogadishu.", "Mahas", 1000.0, 0.0, "Mogadishu"),  # figures grouped
    ("He lived at Rathbeggan, near Dunshaughlin, for years.", "Rathbeggan", 0.0, None, "Dunshaughlin"),
    ("Shells hit Bucha, a town on the outskirts of Kyiv.", "Bucha", 0.0, None, "Kyiv"),
    ("Minova, 40 km west of the provincial capital, Goma, was calm.", "Minova", 40.0, 270.0, "Goma"),
    ("Rebels took Mahas, 300 km from Mogadishu, on Sunday.", "Mahas", 300.0, None, "Mogadishu"),  # no direction
    ("Shells hit Kibati, 20 kilometres (12 miles) from Goma.", "Kibati", 20.0, None, "Goma"),
    ("Rebels took Mahas, 90 km north of the town of Beledweyne.", "Mahas", 90.0, 0.0, "Beledweyne"),
    ("The crash was in Lakeville, five miles north of Mansfield.", "Lakeville", 5 * 1.609344, 0.0, "Mansfield"),
])
def test_the_distance_the_direction_and_the_other_place_are_read(text, name, km, degrees, anchor, settings):
    doc = model(settings.model)(text)
    start = text.index(name)
    bearing = bearing_after(doc.char_span(start, start + len(name)), ENGLISH)
    assert bearing is not None and bearing.km == pytest.approx(km) and bearing.degrees == degrees
    assert text[bearing.anchor_start:bearing.anchor_end] == anchor


@pytest.mark.parametrize("text, km, direction, degrees", [
    ("Sévaré, à 12 kilomètres à l'est de Mopti, a été attaquée.", 12.0, "est", 90.0),
    ("Sévaré, à 2,5 km au sud-ouest de Mopti, a été attaquée.", 2.5, "sud-ouest", 225.0),  # a decimal comma
    ("Sévaré, à 12 kilomètres au nord de la ville de Mopti, a été attaquée.", 12.0, "nord", 0.0),
    ("Sévaré, à 12 km au sud de la capitale régionale, Mopti, a été attaquée.", 12.0, "sud", 180.0),
    ("Sévaré, à une trentaine de kilomètres au nord de Mopti, a été attaquée.", 30.0, "nord", 0.0),  # about 30
    ("Sévaré, à cinq kilomètres à l'est de Mopti, a été attaquée.", 5.0, "est", 90.0),
])
def test_french_distances_and_directions_are_read(text, km, direction, degrees, settings):
    doc = model(settings.model_fr)(text)
    bearing = bearing_after(doc.char_span(0, len("Sévaré")), FRENCH)
    assert bearing is not None and (bearing.km, bearing.degrees, bearing.direction) == (km, degrees, direction)
    assert text[bearing.anchor_start:bearing.anchor_end] == "Mopti"


@pytest.mark.parametrize("text, rules, language", [
    ("Rebels took Mahas, about 300 km north of the capital, on Sunday.", ENGLISH, "en"),
    ("Rebels took Mahas, about 300 km north of the capital city on Sunday.", ENGLISH, "en"),
    ("Rebels took Mahas, 300 km north of the capital on Sunday.", ENGLISH, "en"),  # "on" is no word of its kind
    ("Les rebelles ont pris Mahas, à 300 km au nord de la capitale, dimanche.", FRENCH, "fr"),
])
def test_the_capital_named_by_no_name_is_read(text, rules, language, settings):
    doc = model(settings.model if language == "en" else settings.model_fr)(text)
    start = text.index("Mahas")
    bearing = bearing_after(doc.char_span(start, start + len("Mahas")), rules)
    assert bearing is not None and bearing.refers == CAPITAL and bearing.km == 300.0 and bearing.degrees == 0.0
    assert text[bearing.anchor_start:bearing.anchor_end] == rules.capital


@pytest.mark.parametrize("text, name, rules, language", [
    ("Fighting raged in El Fasher. Dereig, some 15 km south of the town, was shelled.", "Dereig", ENGLISH, "en"),
    ("Fighting raged in El Fasher. Dereig, some 15 km south of there, was shelled.", "Dereig", ENGLISH, "en"),
    ("Les combats ont repris à Goma. Kibati, à une quinzaine de kilomètres au nord de là, a été bombardée.",
     "Kibati", FRENCH, "fr"),
])
def test_a_word_for_the_town_named_before_is_read(text, name, rules, language, settings):
    doc = model(settings.model if language == "en" else settings.model_fr)(text)
    start = text.index(name)
    bearing = bearing_after(doc.char_span(start, start + len(name)), rules)
    assert bearing is not None and bearing.refers == EARLIER and bearing.measured


def test_a_place_measured_from_the_town_named_before_is_put_from_it(pipeline):
    """"15 km south of the town": the last town named before the name, past a country named after it."""
    found = mentions(pipeline, "Fighting raged in El Fasher, Sudan. Mornei, some 15 km south of the town, was "
                               "shelled on Monday.")
    mornei, fasher = placed(found, "Mornei"), placed(found, "El Fasher")
    assert mornei.place is not None and mornei.place.source == "bearing"
    assert km_between(mornei, fasher) == pytest.approx(15.0, abs=0.5) and mornei.place.lat < fasher.place.lat
    found = mentions(pipeline, "Les combats ont repris à Goma. Kibati, à une quinzaine de kilomètres au nord de là, "
                               "a été bombardée.", "fr")
    kibati, goma = placed(found, "Kibati"), placed(found, "Goma")
    assert kibati.place is not None and kibati.place.source == "bearing"
    assert km_between(kibati, goma) == pytest.approx(15.0, abs=0.5) and kibati.place.lat > goma.place.lat
    alone = mentions(pipeline, "Mornei, some 15 km south of the town, was shelled on Monday.")  # no town before
    assert all(m.place is None or m.place.source != "bearing" for m in alone)


def test_a_place_measured_from_the_capital_is_put_from_the_article_country_capital(pipeline):
    found = mentions(pipeline, "Somali troops retook Mahas, a town about 300 km north of the capital, on Monday, "
                               "elders in Somalia said. Officials in Kenya and Somalia confirmed it.")
    mahas = placed(found, "Mahas")
    assert mahas.place is not None and mahas.place.source == "bearing" and mahas.place.country == "SO"
    mogadishu = pipeline.geoparser.gazetteer.capital("SO")
    assert mogadishu is not None and mogadishu.name == "Mogadishu"
    assert distance_km(mahas.place.lat, mahas.place.lon, mogadishu.lat, mogadishu.lon) == pytest.approx(300.0, abs=0.5)
    assert mahas.place.lat > mogadishu.lat + 2.6


def test_a_place_measured_from_the_capital_of_no_country_is_not_put_there(pipeline):
    found = mentions(pipeline, "Rebels took Mahas, about 300 km north of the capital, on Sunday.")
    assert all(m.place is None or m.place.source != "bearing" for m in found)


def test_a_place_a_short_distance_from_a_town_is_put_at_the_town(pipeline):
    """No direction: the town is no farther off than the distance the text gives."""
    found = mentions(pipeline, "Shelling hit Bunagana, 12 km from Goma, as rebels advanced on Goma.")
    bunagana, goma = placed(found, "Bunagana"), placed(found, "Goma")
    assert bunagana.place == goma.place and bunagana.reason == IN_BEARING


def test_a_long_distance_without_a_direction_leaves_only_places_about_that_far(pipeline):
    """Nowhere to put it, but the only Mahas the gazetteer holds lies in Jordan, 3,000 km off: no placement. A big
    town keeps its place whatever distance the text gives: the text is more likely wrong than the gazetteer."""
    found = mentions(pipeline, "Fighters seized the town of Mahas, 300 km from Mogadishu, on Sunday.")
    mahas = placed(found, "Mahas")
    assert mahas.place is None and mahas.reason == FAR_FROM_TEXT
    bryansk = placed(mentions(pipeline, "The drone hit Bryansk, 100 km from the capital, Moscow said."), "Bryansk")
    assert bryansk.place is not None and bryansk.place.id.startswith("gn:") and bryansk.place.country == "RU"
    found = mentions(pipeline, "Fighters seized the town of Beledweyne, 300 km from Mogadishu, on Sunday.")
    beledweyne = placed(found, "Beledweyne")
    assert beledweyne.place is not None and beledweyne.place.id.startswith("gn:") and beledweyne.place.country == "SO"


def test_french_distance_without_a_direction_is_read(settings):
    text = "Kibati, à 20 km de Goma, a été bombardée."
    bearing = bearing_after(model(settings.model_fr)(text).char_span(0, len("Kibati")), FRENCH)
    assert bearing is not None and bearing.km == 20.0 and bearing.degrees is None and not bearing.measured
    assert text[bearing.anchor_start:bearing.anchor_end] == "Goma"


@pytest.mark.parametrize("text", [
    "Jean Bosco, who lives 5 km north of Goma, said the town was calm.",  # a person's whereabouts
    "Meanwhile, 40 km south of Kherson, shelling went on.",  # a lone opening word no town bears
    "Murray, 40 km from Glasgow, won 6-3 6-4.",  # a distance alone is no sign of a place
])
def test_people_and_opening_words_before_a_distance_are_no_places(pipeline, text):
    name = text.split(",")[0]
    assert all(m.text != name or m.place is None for m in mentions(pipeline, text))


def test_a_qualified_capital_is_not_the_countrys(settings):
    """"the provincial capital", "the state capital": some capital, not the country's; nothing to measure from."""
    for text in ("Rebels took Minova, 40 km west of the provincial capital, on Friday.",
                 "Fighters attacked Konduga, 35 km south of the state capital, on Sunday."):
        doc = model(settings.model)(text)
        name = text.split()[2].rstrip(",")
        start = text.index(name)
        assert bearing_after(doc.char_span(start, start + len(name)), ENGLISH) is None, text


def test_the_capital_is_the_country_the_article_places_the_name_in_not_the_outlets(pipeline):
    """The outlet's country (the UK) is no place of the article; a name placed in a country the article names
    measures from that country's capital (Afgoye in Somalia, in a story mostly on Ethiopia)."""
    found = list(pipeline.parse([Document("d", "Militants attacked Mahas, 300 km north of the capital, on Tuesday, "
                                               "Somali officials said.", url="https://www.bbc.co.uk/news/1")]))[0]
    mahas = placed(found.mentions, "Mahas")
    assert mahas.place is not None and mahas.place.country == "SO" and mahas.place.source == "bearing"
    story = ("Ethiopia and Eritrea signed a deal in Asmara. Fighting in Somalia continued: Al-Shabaab attacked Afgoye, "
             "30 km west of the capital, on Monday. Ethiopian troops in Baidoa and officials in Addis Ababa said.")
    afgoye = placed(mentions(pipeline, story), "Afgoye")
    assert afgoye.place is not None and afgoye.place.country == "SO" and afgoye.place.id.startswith("gn:")


def test_a_lone_opening_word_is_a_place_before_its_distance_and_direction(pipeline):
    """No NER entity and a common word as its lower case ("sake"): only the distance and direction say it is one."""
    found = mentions(pipeline, "Sake, 25 kilometres west of Goma, fell to the rebels on Tuesday.")
    sake = placed(found, "Sake")
    assert sake.place is not None and sake.place.country == "CD"
    assert km_between(sake, placed(found, "Goma")) < 40


def test_a_place_named_by_the_article_comes_out_literal_in_the_map_and_the_exports(pipeline, tmp_path):
    """The point's place takes its name from the article's text: hostile, so shown only as data."""
    text = "Rebels took Ma$x^2$has, 30 km north of Mogadishu. Ma$x^2$has fell."
    (parsed,) = pipeline.parse([Document("h", text, title="t")])
    named = placed(parsed.mentions, "Ma$x^2$has")
    assert named.place is not None and named.place.name == "Ma$x^2$has" and named.place.source == "bearing"
    store = Store(tmp_path / "store.sqlite")
    assert store.add(parsed) is not None
    places, mentions = export.view(store, Filters())
    page = maps.build_map(places, mentions, None).get_root().render()
    cells = [html.unescape(re.sub(r"<[^>]+>", "", cell)) for row in map_rows(page) for cell in row
             if isinstance(cell, str)]
    assert any("Ma$x^2$has" in cell for cell in cells)  # the markers' data, decoded as the browser does
    features = export.geojson(mentions)["features"]
    assert "Ma$x^2$has" in {f["properties"]["place_name"] for f in features}
    assert "Ma$x^2$has" in export.csv_text(mentions)


# A bearing's words with some replaced by others, some of them hostile ("1e309", "nan", a right-to-left mark):
# no sequence raises, and what is read is a finite distance within the bound and a name inside the text.
SKELETON = [",", "a", "town", "about", "300", "km", "(", "186", "miles", ")", "to", "the", "north", "-", "east", "of",
            "the", "El", "Fasher", ",", "officials", "said"]
WORDS = ["1,200", "2,5", "1e309", "nan", "-5", "0", "miles", "north", "northeast", "of", "near", "outskirts", "(",
         ")", "Mogadishu", ",", "ﬁ", "\u202e", "près", "de", "nord-est", "à", "km"]
VOCAB = spacy.blank("en").vocab  # the lexical attributes ("is_lower", "like_num") of English words


@examples(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(SKELETON) - 1), st.sampled_from([None, *WORDS])), max_size=6),
       st.integers(1, len(SKELETON)))
def test_any_words_after_a_name_read_safely(changes, length):
    words = SKELETON[:length]
    for i, word in changes:
        words = words[:i] + words[i + 1:] if word is None else [*words[:i], word, *words[i + 1:]]
    doc = Doc(VOCAB, words=["Mahas", *words])
    for rules in (ENGLISH, FRENCH):
        bearing = bearing_after(doc[0:1], rules)
        if bearing is not None:
            assert math.isfinite(bearing.km) and 0 <= bearing.km <= 1000 * 1.609344
            assert 0 < bearing.anchor_start < bearing.anchor_end <= len(doc.text)
            anchor = doc.text[bearing.anchor_start:bearing.anchor_end]
            words = {*rules.apposed, *rules.there}  # a word for the capital or a town named before
            assert anchor[0].isupper() if bearing.refers is None else anchor.lower() in words


def test_the_unchanged_skeleton_reads_as_a_bearing():
    bearing = bearing_after(Doc(VOCAB, words=["Mahas", *SKELETON])[0:1], ENGLISH)
    assert bearing is not None and (bearing.km, bearing.degrees) == (300.0, 45.0)
