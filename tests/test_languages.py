"""Each article's language: declared in the loaders (and `--language`), stored with the article (and
migrated into stores made before), filtered on in SQL, the CLI and the dashboard, carried by the exports,
said once per article that is not geoparsed; and French sentences found by their words."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from geodata import export
from geodata.documents import declare_language, load_paths, read_bytes
from geodata.language import SUPPORTED, LanguageError
from geodata.records import Document, ParsedDocument
from geodata.store import Filters, IngestReport, Store
from tests.conftest import copy_sqlite, run_cli
from tests.apptest import INGEST_TIMEOUT, fresh_app, ok, table_names, widget

FR = {"id": "afp-fr", "title": "Combats près de la frontière irakienne", "published": "2019-02-18",
      "language": "fr", "text": "Les jihadistes ont bloqué les routes menant hors de Baghouz, dans l'est de la Syrie, "
                                "près de la frontière irakienne. Des ministres se sont réunis à Paris puis à Berlin."}
EN = {"id": "wire-en", "title": "Talks in Cairo", "published": "2019-02-19", "language": "en",
      "text": "Ministers met in Cairo on Monday, then flew to Amman for more talks."}
DE = {"id": "dpa-de", "title": "Neue Maßnahmen", "published": "2019-02-20", "language": "de",
      "text": "Die Regierung hat am Montag neue Maßnahmen beschlossen, berichtete die Zeitung am Abend."}
GERMAN = "Die Minister trafen sich am Montag in Kairo und reisten dann gemeinsam nach Amman weiter."
NOT_GEOPARSED = "language de: not geoparsed (stored, searchable; declare `language: en` to read it as English)"


def recorded(pipeline, documents: list[Document]) -> list[ParsedDocument]:
    """The records the store is given for articles in their declared languages: sentences and mentions
    of their English reading (so these tests of the store, filters and exports do not hang on the French
    model, which the pipeline's tests cover), no mention for a language not geoparsed."""
    parsed = pipeline.parse(declare_language(documents, "en"))
    return [ParsedDocument(doc, p.sentences, p.mentions if doc.language in SUPPORTED else [],
                           p.title_mentions if doc.language in SUPPORTED else [], doc.language)
            for doc, p in zip(documents, parsed)]


@pytest.fixture(scope="session")
def mixed_store(tmp_path_factory: pytest.TempPathFactory, pipeline) -> Path:
    """A store of one French, one English and one German article, parsed once."""
    path = tmp_path_factory.mktemp("languages") / "store.sqlite"
    docs = read_bytes("mixed.jsonl", "\n".join(json.dumps(d) for d in (FR, EN, DE)).encode()).documents
    store = Store(path)
    report = store.add_all(recorded(pipeline, docs))
    store.close()
    assert report.added == 3
    return path


@pytest.fixture
def store(mixed_store: Path, tmp_path: Path):
    db = Store(copy_sqlite(mixed_store, tmp_path / "store.sqlite"))
    yield db
    db.close()


# -- loaders -----------------------------------------------------------------------------------

def test_the_loaders_read_a_declared_language(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: Une dépêche\nlanguage: FR\n---\nÀ Damas, mardi.\n")
    (tmp_path / "b.jsonl").write_text(json.dumps({"text": "In Cairo.", "language": "en-GB"}) + "\n"
                                      + json.dumps({"text": "In Amman."}) + "\n")
    (tmp_path / "c.csv").write_text("text,lang\nIn Berlin.,de\nIn Rome.,\n")
    loaded = load_paths([tmp_path])
    assert not loaded.errors and not loaded.notes
    assert [d.language for d in loaded.documents] == ["fr", "en", None, "de", None]


def test_a_bad_language_is_a_note_naming_file_and_line_and_the_article_still_loads(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: Une dépêche\nlanguage: français\n---\nÀ Damas, mardi.\n")
    (tmp_path / "b.jsonl").write_text(json.dumps({"text": "In Cairo."}) + "\n"
                                      + json.dumps({"text": "In Amman.", "language": 7}) + "\n")
    (tmp_path / "c.csv").write_text("text,language\nIn Berlin.,de\nIn Rome.,xx1\n")
    loaded = load_paths([tmp_path])
    assert not loaded.errors
    assert len(loaded.documents) == 5 and [d.language for d in loaded.documents] == [None, None, None, "de", None]
    notes = sorted(str(n) for n in loaded.notes)
    assert notes[0].startswith(f"{tmp_path / 'a.md'}:3: language 'français' is not a two-letter ISO 639-1 code")
    assert notes[1].startswith(f"{tmp_path / 'b.jsonl'}:2: `language` must be a string")
    assert notes[2].startswith(f"{tmp_path / 'c.csv'}:3: language 'xx1' is not")
    assert all(n.endswith("the article's language is detected instead") for n in notes)


def test_a_declared_language_for_every_document() -> None:
    docs = read_bytes("a.jsonl", b'{"text": "In Cairo.", "language": "de"}\n{"text": "In Amman."}\n').documents
    assert [d.language for d in declare_language(docs, "FR")] == ["fr", "fr"]
    assert [d.language for d in declare_language(docs, None)] == ["de", None]
    with pytest.raises(LanguageError, match="not a two-letter"):
        declare_language(docs, "french")


def test_cli_language_option_is_checked(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Ministers met in Cairo.")
    for command in ("parse", "ingest"):
        result = run_cli(command, str(tmp_path / "a.txt"), "--language", "klingon", home=tmp_path / "home")
        assert result.returncode == 2, result.stderr
        assert "error: --language: language 'klingon' is not a two-letter ISO 639-1 code" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "home" / "store.sqlite").exists()


# -- the store ---------------------------------------------------------------------------------

def test_the_store_keeps_each_articles_language(store: Store) -> None:
    articles = store.articles().set_index("doc_id")
    assert articles.language.to_dict() == {"afp-fr": "fr", "wire-en": "en", "dpa-de": "de"}
    assert store.article(int(articles.id["afp-fr"]))["language"] == "fr"
    mentions = store.mentions()
    assert set(mentions.language) == {"fr", "en"}  # the German article is stored, not geoparsed
    assert (mentions.language == "fr").sum() == (mentions.article_id == articles.id["afp-fr"]).sum() > 0


def test_the_ingest_report_says_once_per_article_not_geoparsed(mixed_store: Path, pipeline, tmp_path: Path) -> None:
    docs = read_bytes("mixed.jsonl", "\n".join(json.dumps(d) for d in (FR, DE)).encode()).documents
    parsed = recorded(pipeline, docs)
    store = Store(tmp_path / "store.sqlite")
    report = store.add_all(parsed)
    assert report.added == 2 and report.notes == [f"mixed.jsonl:2: {NOT_GEOPARSED}"]
    again = store.add_all(parsed)  # already stored: nothing said again
    assert again.skipped == 2 and again.notes == []
    assert IngestReport().notes == []


def old_store(mixed_store: Path, path: Path) -> Path:
    """A store file as made before articles had a language: the same rows, no `language` column (nor the
    index of articles' languages that came after it)."""
    copy_sqlite(mixed_store, path)
    conn = sqlite3.connect(path)
    conn.execute("DROP INDEX articles_language")
    conn.execute("ALTER TABLE articles DROP COLUMN language")
    conn.commit()
    conn.close()
    return path


def test_an_old_store_is_read_as_english_read_only_and_migrated_when_written(mixed_store: Path,
                                                                            tmp_path: Path) -> None:
    path = old_store(mixed_store, tmp_path / "old.sqlite")
    before = path.read_bytes()
    reader = Store(path, readonly=True)
    assert set(reader.articles().language) == {"en"} and set(reader.mentions().language) == {"en"}
    assert len(reader.mentions(Filters(languages=("en",)))) == len(reader.mentions()) > 0
    assert reader.mentions(Filters(languages=("fr",))).empty
    reader.close()
    assert path.read_bytes() == before  # nothing written to a store opened read-only

    writer = Store(path)
    columns = {row[1]: row for row in writer.conn.execute("PRAGMA table_info(articles)")}
    assert columns["language"][3] == 1  # NOT NULL
    assert set(writer.articles().language) == {"en"}
    assert writer.check() == []
    writer.close()


# -- filters and exports -----------------------------------------------------------------------

def test_the_language_filter_in_sql(store: Store) -> None:
    french = store.mentions(Filters(languages=("fr",)))
    english = store.mentions(Filters(languages=("en",)))
    assert set(french.title) == {FR["title"]} and set(english.title) == {EN["title"]}
    assert set(store.mentions(Filters(languages=("fr",)), per_place=1).title) == {FR["title"]}  # the popups' rows
    assert store.totals(Filters(languages=("fr", "en"))) == (len(french) + len(english), 2)
    assert store.totals(Filters(languages=("de",))) == (0, 0)
    assert set(store.place_summary(Filters(languages=("en",))).name) == set(english.place_name)


def test_csv_and_geojson_carry_the_language(store: Store) -> None:
    mentions = store.mentions()
    rows = list(csv.DictReader(io.StringIO(export.csv_text(mentions))))
    assert {(r["title"], r["language"]) for r in rows} == {(FR["title"], "fr"), (EN["title"], "en")}
    features = export.geojson(mentions)["features"]
    assert {(f["properties"]["title"], f["properties"]["language"]) for f in features} == {
        (FR["title"], "fr"), (EN["title"], "en")}


def test_cli_export_by_language(mixed_store: Path, tmp_path: Path) -> None:
    db = copy_sqlite(mixed_store, tmp_path / "store.sqlite")
    result = run_cli("export", "--db", str(db), "--csv", str(tmp_path / "fr.csv"), "--language", "FR",
                     home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader((tmp_path / "fr.csv").open()))
    assert rows and {(r["title"], r["language"]) for r in rows} == {(FR["title"], "fr")}
    result = run_cli("export", "--db", str(db), "--csv", str(tmp_path / "x.csv"), "--language", "french",
                     home=tmp_path / "home")
    assert result.returncode == 2 and "--language: language 'french' is not a two-letter" in result.stderr
    assert not (tmp_path / "x.csv").exists()


# -- search ------------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["frontiere", "FRONTIÈRE", "syrie", "jihadistes bloqué", "réunis à Par"])
def test_french_sentences_are_found_by_their_words(store: Store, query: str) -> None:
    found = store.search(query)
    assert any("frontière irakienne" in s or "réunis à Paris" in s for s in found.sentence), found.sentence.tolist()
    assert set(found.article_id) == {int(store.articles().set_index("doc_id").id["afp-fr"])}
    assert set(found.language) == {"fr"}


def test_an_article_not_geoparsed_is_searchable(store: Store) -> None:
    found = store.search("Maßnahmen beschlossen")
    assert list(found.title) == [DE["title"]] and list(found.language) == ["de"] and found.place_id.isna().all()


# -- the dashboard -----------------------------------------------------------------------------

def test_dashboard_language_filter_in_the_url(make_home, mixed_store: Path) -> None:  # noqa: F811
    home = make_home(mixed_store)
    reference = Store(home / "store.sqlite")
    french = set(reference.place_summary(Filters(languages=("fr",))).name)
    english = set(reference.place_summary(Filters(languages=("en",))).name)
    reference.close()
    assert french and english and french != english

    at = ok(fresh_app(lang="fr"))
    languages = widget(at.sidebar.multiselect, "Languages")
    assert languages.value == ["fr"]
    assert set(languages.options) == {"French (fr)", "English (en)", "German (de)"}
    assert table_names(at) == french

    widget(at.sidebar.multiselect, "Languages").set_value(["en"])
    ok(at)
    assert at.query_params["lang"] == "en" and table_names(at) == english

    widget(at.sidebar.button, "Clear filters").click()
    ok(at)
    assert "lang" not in at.query_params and table_names(at) == french | english

    at = ok(fresh_app(lang="xx"))
    assert widget(at.sidebar.multiselect, "Languages").value == []
    assert any("language xx" in h.value for h in at.sidebar.get("html"))


def test_dashboard_article_view_shows_the_language(make_home, mixed_store: Path) -> None:  # noqa: F811
    home = make_home(mixed_store)
    ids = Store(home / "store.sqlite").articles().set_index("doc_id").id
    page = "\n".join(h.value for h in ok(fresh_app(tab="Article", doc=str(ids["afp-fr"]))).get("html"))
    assert "French (fr)" in page
    page = "\n".join(h.value for h in ok(fresh_app(tab="Article", doc=str(ids["dpa-de"]))).get("html"))
    assert "German (de), not geoparsed" in page


def test_dashboard_adds_articles_in_the_language_chosen(make_home, mixed_store: Path) -> None:  # noqa: F811
    home = make_home(mixed_store)
    at = ok(fresh_app(tab="Add articles"))
    choice = widget(at.selectbox, "Language")
    assert choice.options == ["detect", "English", "French"] and choice.value is None
    at.text_area[0].input(GERMAN)
    choice.set_value("en")
    widget(at.button, "Geoparse and add").click()
    ok(at, INGEST_TIMEOUT)
    store = Store(home / "store.sqlite")
    assert store.articles().set_index("doc_id").language.get("pasted") == "en"  # German read as English
    store.close()


def test_cli_ingest_reads_every_document_in_the_language_given(home: Path, tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(json.dumps({"id": "de", "text": GERMAN, "language": "de"}) + "\n")
    db = tmp_path / "store.sqlite"
    result = run_cli("ingest", str(tmp_path / "a.jsonl"), "--language", "en", "--db", str(db), home=home)
    assert result.returncode == 0, result.stderr
    assert "not geoparsed" not in result.stderr
    store = Store(db)
    assert list(store.articles().language) == ["en"]
    store.close()
