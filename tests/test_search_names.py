"""The search finds a place by any of its gazetteer names, not only by the spelling the articles use (issue 15):
a real store of the seed ingested through the real pipeline, the real gazetteer, the real CLI."""

from __future__ import annotations

import json

import pytest

from geodata.store import Store

from .apptest import fresh_app, html_text, notices, ok
from .conftest import SEED, run_cli

BAGHUZ = "cache:al-baghuz-fawqani"


@pytest.fixture
def store(tmp_path, pipeline):
    from geodata.documents import load_paths

    store = Store(tmp_path / "store.sqlite")
    store.add_all(pipeline.parse(load_paths([SEED]).documents))
    return store


def placed(found) -> set[str]:
    return set(found[found.mention.notna()].place_id)


@pytest.mark.parametrize("name, place_id", [("Baghuz", BAGHUZ), ("Syrian Arab Republic", "gn:163843")])
def test_a_place_is_found_by_an_alternate_gazetteer_name_the_articles_do_not_use(store, gazetteer, name, place_id):
    # The names are the gazetteer's own alternate names of places the seed mentions, under other spellings.
    assert any(place.id == place_id and not primary for place, primary in gazetteer.lookup(name))
    assert name.casefold() not in (store.article(1)["text"] + store.article(1)["title"]).casefold()
    assert store.search(name).empty  # without the gazetteer: only the articles' spelling and the words
    found = store.search(name, gazetteer=gazetteer)
    mentions = found[found.mention.notna()]
    assert placed(found) == {place_id} and len(mentions) >= 1
    every = store.mentions()
    assert set(mentions.sentence) == set(every[every.place_id == place_id].sentence)  # all of them, none else


def test_the_issues_sentence_is_found_by_its_words_with_no_mention(store, gazetteer):
    found = store.search("civilians they hold hostage", gazetteer=gazetteer)
    assert len(found) == 1 and found.mention.isna().all() and found.place_id.isna().all()
    assert "Baghouz with a number of civilians they hold hostage" in found.sentence.iloc[0]
    by_name = store.search("Baghouz", limit=100, gazetteer=gazetteer)
    sentence = by_name[by_name.sentence.str.contains("IS is confined to", regex=False)]
    assert len(sentence) == 1 and sentence.mention.isna().all()  # the geoparser missed it there: words find it
    assert placed(by_name) == {BAGHUZ}


def test_a_hostile_query_is_a_parameter_not_sql_or_fts(store, gazetteer):
    for hostile in ['" OR NEAR(a b) *', "%", "Baghuz' OR 1=1 --", "'); DROP TABLE mentions; --", "Syria*", "AND"]:
        found = store.search(hostile, gazetteer=gazetteer)  # never an SQL or FTS syntax error
        assert BAGHUZ not in placed(found)
    assert store.counts()["mentions"] > 20


def test_cli_search_finds_the_place_by_the_articles_spelling_and_by_a_gazetteer_name(home, tmp_path):
    db = tmp_path / "s.sqlite"
    assert run_cli("ingest", str(SEED), "--db", str(db), home=home).returncode == 0
    for query in ("Baghouz", "Baghuz"):
        done = run_cli("search", query, "--db", str(db), home=home)
        assert done.returncode == 0, done.stderr
        rows = [json.loads(line) for line in done.stdout.splitlines()]
        assert rows and all({"article_id", "title", "sentence", "mention", "place"} <= row.keys() for row in rows)
        with_place = [row for row in rows if row["mention"] is not None]
        assert with_place and {row["place"]["id"] for row in with_place} == {BAGHUZ}
        assert all(row["place"] is None for row in rows if row["mention"] is None)


def test_the_app_search_box_finds_a_place_by_a_gazetteer_name(seeded) -> None:
    at = ok(fresh_app(q="Baghuz"))  # a name of the place the seed article never writes
    assert any("found for “Baghuz”" in n for n in notices(at, "note")), notices(at, "note")
    results = html_text(at)
    assert "Al-Baghuz Fawqani</a>" in results and "selected=cache%3Aal-baghuz-fawqani" in results
