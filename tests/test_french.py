"""French articles: read by the French spaCy model with French rules, in one `parse` with English ones;
other languages stored, not geoparsed; the French words of nationality in all their forms."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import spacy

from geodata.evidence import cue_of
from geodata.extract import RULES
from geodata.spans import trim
from geodata.french import DEMONYMS_FILE, FRENCH, REGULAR, demonym_forms, forms, french_demonym
from geodata.gazetteer.wordlists import read_table
from geodata.language import SAMPLE_CHARS, SUPPORTED, language_of
from geodata.pipeline import Pipeline
from geodata.records import Document
from tests.conftest import require

FRENCH_TEXT = (
    "Les jihadistes ont bloqué les routes menant hors de Baghouz, dernier réduit du groupe dans l'est de la "
    "Syrie, près de la frontière irakienne. Des centaines de civils restent piégés sur les rives de "
    "l'Euphrate, selon une ONG. Les forces kurdes se sont regroupées à Deir ez-Zor. Le Royaume-Uni, la "
    "France et l'Allemagne ont salué l'avancée.")
FRENCH_PLACES = {"Baghouz": "Al-Baghuz Fawqani", "Syrie": "Syria", "irakienne": "Iraq", "Euphrate": "Euphrates",
                 "kurdes": "Kurdistan", "Deir ez-Zor": "Deir ez-Zor", "Royaume-Uni": "United Kingdom",
                 "France": "France", "Allemagne": "Germany"}
ENGLISH_TEXT = "Jihadists blocked the roads out of Baghouz, in eastern Syria, near the Iraqi border, officials said."
ENGLISH_REPORT = (
    "Officials in the eastern province said on Monday that the convoy had been stopped at a checkpoint "
    "for several hours before it was allowed to continue toward the border. Aid workers described long "
    "lines of trucks waiting in the heat, and said that families who had walked through the night were "
    "being given water, blankets and medical care. The governor told reporters that the roads would stay "
    "open as long as the weather held, but warned that the bridge over the river could not carry heavy "
    "vehicles much longer. Prices for bread and fuel have doubled since the fighting began, according to "
    "traders in the market, who said that shops were closing early because few customers could afford "
    "anything.")
FRENCH_SET = Path(__file__).resolve().parents[1] / "benchmarks" / "corpora" / "fr-news.jsonl"
GERMAN_TEXT = ("Die Dschihadisten haben die Straßen aus Baghouz blockiert. Die Stadt liegt im Osten Syriens, nahe "
               "der irakischen Grenze, sagten die Behörden am Montag.")


@pytest.fixture(scope="module")
def french_pipeline(settings, gazetteer, pipeline) -> Pipeline:
    require(importlib.util.find_spec(settings.model_fr) is not None,
            f"spaCy model {settings.model_fr} is not installed")
    require(hasattr(gazetteer, "in_language"), "the gazetteer has no French view (Gazetteer.in_language)")
    return pipeline


def test_a_french_paragraph_finds_its_places(french_pipeline) -> None:
    (parsed,) = french_pipeline.parse([Document("fr", FRENCH_TEXT)])
    assert parsed.language == "fr"
    found = {m.text: m.place.name for m in parsed.mentions if m.place is not None}
    assert found == FRENCH_PLACES
    kinds = {m.text: m.kind for m in parsed.mentions}
    assert kinds["irakienne"] == kinds["kurdes"] == "demonym" and kinds["Syrie"] == "toponym"
    assert [FRENCH_TEXT[s.start:s.end].split()[0] for s in parsed.sentences] == ["Les", "Des", "Les", "Le"]


def test_english_and_french_in_one_parse_keep_order_and_language(french_pipeline) -> None:
    documents = [Document("en-1", ENGLISH_TEXT), Document("fr-1", FRENCH_TEXT), Document("fr-2", FRENCH_TEXT),
                 Document("en-2", ENGLISH_TEXT, title="Civilians flee eastern Syria"),
                 Document("fr-3", ENGLISH_TEXT, language="fr")]  # declared: read as French whatever it looks like
    parsed = list(french_pipeline.parse(documents))
    assert [(p.document.id, p.language) for p in parsed] == [
        ("en-1", "en"), ("fr-1", "fr"), ("fr-2", "fr"), ("en-2", "en"), ("fr-3", "fr")]
    english = {m.text: m.place.name for m in parsed[0].mentions}
    assert english["Iraqi"] == "Iraq" and english["Syria"] == "Syria"
    assert parsed[1].mentions == parsed[2].mentions
    assert [m.text for m in parsed[3].title_mentions] == ["Syria"]


def test_a_german_article_is_kept_but_not_geoparsed(pipeline) -> None:
    (parsed,) = pipeline.parse([Document("de", GERMAN_TEXT, title="Baghouz: Zivilisten fliehen")])
    assert parsed.language == "de"
    assert parsed.mentions == [] and parsed.title_mentions == []
    assert len(parsed.sentences) == 2  # split, so the store keeps and searches its text
    assert parsed.to_json()["language"] == "de"


def test_the_language_is_read_from_the_opening_of_the_article() -> None:
    assert len(FRENCH_TEXT) < SAMPLE_CHARS < len(ENGLISH_REPORT)
    assert language_of(f"{FRENCH_TEXT} {ENGLISH_REPORT} {ENGLISH_REPORT}") == "fr"  # the French opening decides
    assert language_of(ENGLISH_REPORT, title="Baghouz : les civils fuient le dernier réduit") == "en"
    assert language_of(" ".join([GERMAN_TEXT] * 10)) == "de"
    with FRENCH_SET.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    articles = [(row.get("title"), "\n\n".join(r["text"] for r in rows[i:i + 4])) for i, row in enumerate(rows)]
    assert [language_of(text, title) for title, text in articles] == ["fr"] * len(rows)


def test_an_opening_of_names_alone_does_not_decide_the_language() -> None:
    """A header of names (towns, a byline) before the first sentence says little of the language: the sample
    reaches the sentences after it. On this article's first 300 characters, names only, lingua chooses
    English; on `SAMPLE_CHARS` of them, French."""
    names = ", ".join(["Baghouz", "Hajin", "Abu Kamal", "Raqqa", "Idlib", "Hama", "Homs", "Tal Abyad", "Kobani",
                       "Manbij", "Afrin", "Azaz", "Jarablus", "Qamishli", "Hasakah", "Palmyra", "Daraa", "Quneitra",
                       "Tartus", "Latakia", "Aleppo", "Damascus", "Suwayda", "Mayadin", "Sukhnah", "Tabqa",
                       "Shaddadi", "Markada", "Busayrah", "Dhiban", "Susah", "Sabkha", "Maadan", "Ghariba", "Kisrah",
                       "Tayyana"])
    assert 300 < len(names) < SAMPLE_CHARS - 150
    assert language_of(names[:300]) == "en"  # the names alone
    assert language_of(f"{names}. {FRENCH_TEXT}") == "fr"


def test_an_english_text_dense_in_foreign_names_is_read_as_english(pipeline) -> None:
    """lingua reads a short English text full of Spanish, Portuguese or Italian names as their language (0.5 to
    0.65); without its capitalised words it is English. Text written in those languages stays theirs."""
    for text in ("Violence has also surged in Tijuana and Ciudad Juarez.",
                 "Floods hit Porto Alegre, Canoas and Sao Leopoldo in Rio Grande do Sul.",
                 "Storms hit Lecce, Brindisi and Taranto in Puglia."):
        assert language_of(text) == "en", text
    parsed = next(pipeline.parse([Document("mx", "Violence has also surged in Tijuana and Ciudad Juarez.")]))
    assert {m.text: m.place.country for m in parsed.mentions} == {"Tijuana": "MX", "Ciudad Juarez": "MX"}
    assert language_of("El gobierno de México anunció el lunes nuevas medidas de seguridad en Culiacán y Tijuana.") \
        == "es"
    assert language_of("Il governo italiano ha annunciato nuove misure a Roma e Milano per la sicurezza.") == "it"
    assert language_of("Berlin, Hamburg, München und Köln meldeten am Montag neue Rekorde.") == "de"


def test_titles_are_parsed_only_when_there_is_one(pipeline) -> None:
    documents = [Document("a", ENGLISH_TEXT, title="Civilians flee eastern Syria"), Document("b", ENGLISH_TEXT),
                 Document("c", ENGLISH_TEXT, title="  "), Document("d", ENGLISH_TEXT, title="Iraq", spans=((0, 9),)),
                 Document("e", ENGLISH_TEXT, title="Civilians flee to Iraq")]
    parsed = list(pipeline.parse(documents))
    assert [p.document.id for p in parsed] == ["a", "b", "c", "d", "e"]
    assert [[m.text for m in p.title_mentions] for p in parsed] == [["Syria"], [], [], [], ["Iraq"]]
    assert parsed[1].mentions == parsed[2].mentions and {m.text for m in parsed[1].mentions} >= {"Syria", "Iraqi"}


def test_the_french_model_is_not_loaded_for_english_articles(settings, gazetteer) -> None:
    fresh = Pipeline(settings, gazetteer=gazetteer)
    parsed = list(fresh.parse([Document("en", ENGLISH_TEXT), Document("short", "Baghouz, Syria.")]))
    assert [p.language for p in parsed] == ["en", "en"]
    assert fresh.models_loaded == (settings.model,)


def test_the_component_reads_a_french_pipeline_in_french(settings, french_pipeline) -> None:
    nlp = spacy.load(settings.model_fr)
    nlp.add_pipe("geodata", config={"gazetteer_path": str(settings.gazetteer_path)})
    doc = nlp(FRENCH_TEXT)
    assert {s.text: s._.place.name for s in doc.spans["toponyms"]} == FRENCH_PLACES


def test_french_cue_words_say_a_name_is_no_place(settings, french_pipeline) -> None:
    text = "Selon le porte-parole Tchad, l'ouragan Irma a frappé Cuba, a dit M. Haïti à N'Djamena."
    doc = spacy.load(settings.model_fr)(text)
    said = {t.text: cue_of(doc, doc[t.i:t.i + 1], lambda name: False, FRENCH.cues) for t in doc}
    assert {name for name, cue in said.items() if cue} == {"Tchad", "Irma", "Haïti"}
    assert all(cue_of(doc, doc[t.i:t.i + 1], lambda name: False) is None for t in doc)  # no English cue fires
    (parsed,) = french_pipeline.parse([Document("cues", text, language="fr")])
    names = {m.text for m in parsed.mentions}
    assert "Cuba" in names and not names & {"Tchad", "Irma", "Haïti"}


def test_a_town_after_a_french_preposition_of_place_is_the_town(french_pipeline) -> None:
    """The French model reads "Grovetown" and "Winona" as MISC here. After "à" the name is a town's; after
    "de" ("la police de Winona") it says nothing, as in English."""
    text = "Il vit à Grovetown depuis dix ans, selon la police de Winona."
    (parsed,) = french_pipeline.parse([Document("loc", text, language="fr")])
    found = {m.text: m.place for m in parsed.mentions}
    assert set(found) == {"Grovetown"} and (found["Grovetown"].name, found["Grovetown"].admin1) == ("Grovetown", "GA")


def test_a_french_verb_or_word_for_a_kind_of_place_says_what_follows_is_a_place(french_pipeline) -> None:
    """"a repris Wad Madani": the French model reads a person; a verb whose object is a place says it is the
    town. "l'État d'Al-Jazira": the state of Sudan (Gezira), not the region across Syria and Iraq that
    also goes by Al-Jazira; the word "État" and "de" say a division."""
    text = ("L'armée soudanaise a repris Wad Madani, chef-lieu de l'État d'Al-Jazira, selon des habitants "
            "joints à Port-Soudan.")
    doc = spacy.load(french_pipeline.settings.model_fr)(text)
    assert [e.label_ for e in doc.ents if e.text == "Wad Madani"] == ["PER"]
    (parsed,) = french_pipeline.parse([Document("verbs", text, language="fr")])
    found = {m.text: m.place for m in parsed.mentions if m.place is not None}
    assert (found["Wad Madani"].name, found["Wad Madani"].country) == ("Wad Medani", "SD")
    assert (found["Al-Jazira"].name, found["Al-Jazira"].country) == ("Gezira", "SD")


def test_a_french_division_named_designator_first_is_the_division(french_pipeline) -> None:
    """"la région de Koursk": Kursk Oblast, though "Koursk" is only an alternate name of the city (the oblast
    has no French name): the division named after the town's main name, in which the town lies. "les
    régions de Donetsk et de Louhansk": the oblasts, not the cities, the list's second name too."""
    text = ("L'armée ukrainienne a lancé une incursion dans la région de Koursk, en Russie. Des combats ont "
            "éclaté dans les régions de Donetsk et de Louhansk.")
    (parsed,) = french_pipeline.parse([Document("regions", text, language="fr")])
    found = {m.text: m.place for m in parsed.mentions if m.place is not None}
    assert (found["région de Koursk"].name, found["région de Koursk"].feature_code) == ("Kursk Oblast", "ADM1")
    assert (found["Donetsk"].name, found["Louhansk"].name) == ("Donetsk Oblast", "Luhansk Oblast")  # the list too


def test_french_articles_are_trimmed_lower_case_only() -> None:
    for text, name in (("la Syrie", "Syrie"), ("l'Euphrate", "Euphrate"), ("des États-Unis", "États-Unis"),
                       ("de la Syrie", "Syrie"), ("Le Caire", "Le Caire"), ("La Haye", "La Haye")):
        start, end = trim(text, 0, len(text), FRENCH.leading)
        assert text[start:end] == name


def test_french_demonym_forms_over_the_whole_table(gazetteer) -> None:
    assert forms("syrien") == ("syrien", "syrienne", "syriens", "syriennes")
    assert forms("français") == ("francais", "francaise", "francais", "francaises")
    assert forms("kurde") == ("kurde", "kurde", "kurdes", "kurdes")
    assert forms("américain") == ("americain", "americaine", "americains", "americaines")
    assert forms("turc", "turque") == ("turc", "turque", "turcs", "turques")
    rows = read_table(DEMONYMS_FILE, 3)
    assert len(rows) > 100
    table = demonym_forms()
    for masculine, place, feminine in rows:
        for form in forms(masculine, None if feminine == REGULAR else feminine):
            assert table[form][1] == place, (masculine, form)  # no form of one row is taken by another
        geonameid, _ = table[forms(masculine)[0]]
        found = gazetteer.by_geonameid(geonameid) if geonameid else None
        assert found is not None or gazetteer.lookup(place), f"{masculine}: no gazetteer place {place!r}"
    for word, place in (("irakienne", "Iraq"), ("Syriens", "Syria"), ("syriennes", "Syria"),
                        ("américain", "United States"), ("kurdes", "Kurdistan"), ("françaises", "France"),
                        ("Turques", "Turkey")):
        assert french_demonym(word)[1] == place
    assert french_demonym("arabe") is None and french_demonym("jihadiste") is None


def test_every_language_geoparsed_has_its_rules_and_model(settings) -> None:
    assert set(RULES) == set(SUPPORTED)
    assert {settings.model_for(code) for code in SUPPORTED} == {settings.model, settings.model_fr}


def test_a_french_town_the_words_after_its_comma_call_a_town(french_pipeline) -> None:
    """"Ménaka, la capitale de la région": the town, not the region named after it, which the name alone
    finds first."""
    text = "Les jihadistes ont attaqué Ménaka, la capitale de la région, selon des sources locales."
    (parsed,) = french_pipeline.parse([Document("apposed", text, language="fr")])
    found = {m.text: m.place for m in parsed.mentions if m.place is not None}
    assert (found["Ménaka"].country, found["Ménaka"].feature_class) == ("ML", "P")
    text = "L'armée a repris Wad Madani, la capitale de l'État d'Al-Jazira."  # "État" alone, read LOC: no place
    (parsed,) = french_pipeline.parse([Document("state", text, language="fr")])
    assert {m.text for m in parsed.mentions} == {"Wad Madani", "Al-Jazira"}
    text = "Les combattants ont pris Sake, une localité située à l'ouest de Goma."
    (parsed,) = french_pipeline.parse([Document("apposed", text, language="fr")])
    assert [m.place.country for m in parsed.mentions if m.text == "Sake"] == ["CD"]
    (parsed,) = french_pipeline.parse([Document("alone", "Les jihadistes ont attaqué Ménaka.", language="fr")])
    assert [m.place.feature_class for m in parsed.mentions if m.text == "Ménaka"] == ["A"]
