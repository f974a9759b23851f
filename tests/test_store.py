"""The SQLite store: idempotent ingest, filters, corrections that survive and can be undone."""

import pytest

from geodata.records import TITLE_SENTENCE, Place
from geodata.store import Filters, Store, StoreError

from .conftest import SEED, foreign_sqlite, run_cli


@pytest.fixture
def store(tmp_path, pipeline):
    store = Store(tmp_path / "store.sqlite")
    from geodata.documents import load_paths

    store.add_all(pipeline.parse(load_paths([SEED]).documents))
    return store


def test_cli_ingest_twice_changes_nothing(home, tmp_path):
    db = tmp_path / "s.sqlite"
    first = run_cli("ingest", str(SEED), "--db", str(db), home=home)
    assert first.returncode == 0, first.stderr
    assert "ingested 1 article" in first.stderr
    counts = Store(db).counts()
    second = run_cli("ingest", str(SEED), "--db", str(db), home=home)
    assert "ingested 0 article(s), 1 already stored" in second.stderr
    assert Store(db).counts() == counts and counts["articles"] == 1 and counts["mentions"] > 20


def test_sentences_and_offsets(store):
    rows = store.mentions()
    assert len(rows) > 20
    for row in rows.itertuples():
        assert row.sentence[row.sentence_start:row.sentence_end] == row.text
    baghouz = rows[rows.text == "Baghouz"]
    assert list(baghouz.sentence_index) == [TITLE_SENTENCE, 5, 14]  # the title first, then the text
    assert baghouz.iloc[0].title.startswith("Jihadists") and baghouz.iloc[0].sentence == baghouz.iloc[0].title


def test_place_summary_and_filters(store):
    summary = store.place_summary()
    syria = summary[summary.name == "Syria"].iloc[0]
    assert syria.kind == "country" and syria.mentions >= 6 and syria.articles == 1
    only_syria = store.place_summary(Filters(places=(syria.place_id,)))
    assert list(only_syria.name) == ["Syria"]
    no_demonyms = store.mentions(Filters(demonyms=False))
    assert "demonym" not in set(no_demonyms.kind) and "demonym" in set(store.mentions().kind)
    physical = store.place_summary(Filters(kinds=("physical feature",)))
    assert "Euphrates" in set(physical.name)
    assert store.place_summary(Filters(countries=("FR",))).name.tolist() == ["France"]
    assert store.place_summary(Filters(date_from="2019-02-18")).empty
    assert not store.place_summary(Filters(date_from="2019-02-17", date_to="2019-02-17")).empty



def test_first_mentions_per_place_totals_and_one_place(store):
    everything = store.mentions()
    first_two = store.mentions(per_place=2)
    expected = everything.groupby("place_id", sort=False).head(2)
    assert first_two.mention_id.tolist() == expected.mention_id.tolist()
    assert len(first_two) < len(everything) and first_two.groupby("place_id").size().max() == 2
    assert store.totals() == (len(everything), 1)
    no_demonyms = Filters(demonyms=False)
    assert store.totals(no_demonyms)[0] == len(store.mentions(no_demonyms)) < len(everything)
    syria = everything[everything.place_name == "Syria"].place_id.iloc[0]
    only_syria = store.mentions(no_demonyms.narrowed(syria))
    assert set(only_syria.place_name) == {"Syria"} and "demonym" not in set(only_syria.kind)
    assert Filters(places=("elsewhere",)).narrowed(syria) is None


def test_revision_changes_with_articles_and_corrections(store, pipeline):
    from geodata.documents import Document

    before = store.revision()
    assert store.revision() == before
    store.add_all(pipeline.parse([Document(id="x", text="Floods hit Lagos, Nigeria, on Monday.")]))
    added = store.revision()
    assert added != before
    fixed = Place("user:lagos", "Lagos (corrected)", 6.45, 3.39, "NG", "P", "PPL", source="user")
    cid = store.correct("name", "Lagos", fixed)
    corrected = store.revision()
    assert corrected != added
    store.undo(cid)
    assert store.revision() != corrected

def test_corrections_apply_to_the_name_survive_reopen_and_undo(store, tmp_path, pipeline):
    fixed = Place("user:test", "Baghuz (corrected)", 34.46, 40.95, "SY", "P", "PPL", source="user")
    cid = store.correct("name", "Baghouz", fixed)
    reopened = Store(store.path)
    rows = reopened.mentions()
    assert set(rows[rows.text == "Baghouz"].place_name) == {"Baghuz (corrected)"}
    # a later article with the same name gets the correction too
    from geodata.documents import read_bytes

    later = read_bytes("later.txt", b"Fighting continued in Baghouz, near the Iraqi border.").documents
    reopened.add_all(pipeline.parse(later))
    rows = reopened.mentions()
    assert set(rows[rows.text == "Baghouz"].place_name) == {"Baghuz (corrected)"}
    assert len(rows[rows.text == "Baghouz"]) == 4  # the seed's title, its text twice, the later article
    reopened.undo(cid)
    rows = reopened.mentions()
    assert "Baghuz (corrected)" not in set(rows.place_name)


def test_mention_correction_beats_name_correction(store):
    rows = store.mentions()
    first = rows[rows.text == "Syria"].iloc[0]
    store.correct("name", "Syria", Place("user:a", "A", 1, 1, source="user"))
    store.correct("mention", str(first.mention_id), Place("user:b", "B", 2, 2, source="user"))
    rows = store.mentions()
    by_id = dict(zip(rows.mention_id, rows.place_name))
    assert by_id[first.mention_id] == "B"
    assert set(rows[rows.text == "Syria"].place_name) == {"A", "B"}


def test_foreign_sqlite_is_refused_untouched(tmp_path):
    path = tmp_path / "other.sqlite"
    before = foreign_sqlite(path)
    with pytest.raises(StoreError, match="another application"):
        Store(path)
    assert path.read_bytes() == before


def test_an_export_snapshot_does_not_see_an_ingest_that_lands_during_it(store, pipeline, tmp_path):
    from geodata.documents import read_bytes
    from geodata.export import view

    writer = Store(store.path)  # another process's connection, as a concurrent CLI ingest has
    extra = read_bytes("more.jsonl", b'{"text": "Talks resumed in Oslo and then in Geneva."}').documents
    with store.snapshot():
        places_before, _ = view(store, Filters())
        assert writer.add_all(pipeline.parse(extra)).added == 1  # commits while the export reads
        places_during, mentions_during = view(store, Filters())
        assert set(places_during.name) == set(places_before.name)
        assert "Oslo" not in set(mentions_during.place_name)
    assert "Oslo" in set(store.place_summary().name)  # and the next export sees it
    assert store.check() == [] and writer.check() == []


def test_undated_articles_pass_date_bounds_unless_left_out(store, pipeline):
    from geodata.documents import read_bytes

    undated = read_bytes("u.jsonl", b'{"text": "Aid reached Oslo on Monday."}').documents
    assert store.add_all(pipeline.parse(undated)).added == 1
    later = Filters(date_from="2019-03-01")  # after the seed's date
    assert "Oslo" in set(store.place_summary(later).name)
    assert "Syria" not in set(store.place_summary(later).name)
    assert store.place_summary(Filters(date_from="2019-03-01", undated=False)).empty
    assert "Oslo" not in set(store.place_summary(Filters(date_to="2019-02-20", undated=False)).name)


def test_search_finds_places_by_the_articles_spelling_and_sentences_by_their_words(store):
    text = store.article(1)["text"]
    sentences_with_name = {s for s in store.mentions().sentence if "Baghouz" in s}
    found = store.search("Baghouz", limit=100)
    placed = found[found.mention.notna()]
    assert set(placed.place_name) == {"Al-Baghuz Fawqani"} and set(placed.mention) == {"Baghouz"}
    # Every sentence holding the word is found, also where the geoparser linked no place to it.
    holding = {s.strip() for s in found.sentence}
    assert holding >= {s.strip() for s in sentences_with_name}
    assert (text + store.article(1)["title"]).count("Baghouz") >= len(found) >= len(placed)  # the title too
    words = store.search("civilians insi")  # every word, the last one as a prefix
    assert len(words) >= 2 and all("civilians" in s and "inside" in s for s in words.sentence)
    for hostile in ['" OR NEAR(a b) *', "{{ 7*7 }}", "", "AND", "sentence:x"]:
        store.search(hostile)  # never an FTS syntax error


def test_the_search_index_follows_deletes_and_is_rebuilt_for_an_older_store(store):
    import sqlite3

    conn = sqlite3.connect(store.path)
    conn.execute("INSERT INTO sentence_index (sentence_index) VALUES ('delete-all')")
    conn.execute("DELETE FROM meta WHERE key = 'sentence_index'")  # as a store made before search
    conn.commit()
    conn.close()
    reopened = Store(store.path)
    assert not reopened.search("civilians").empty
    reopened.delete_article(1)
    assert reopened.search("civilians").empty and reopened.check() == []
