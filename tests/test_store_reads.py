"""The views' reads (place summary, popup sentences, totals, timeline) give the same rows in the same order
as straightforward SQL over `effective_mentions`, for every kind of filter, with and without active
corrections, and after adds, deletions, corrections and undos; they are read from the counts kept at write
time (`place_articles`, `place_spellings`) or the index of mentions by place when they can. Also: a search
with too many word matches says they are unranked (library, CLI, dashboard), and a read-only store of the old
schema reads its corrections. Real stores parsed by the real spaCy model."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from geodata import maps
from geodata.records import Document, Mention, ParsedDocument, Place, Sentence
from geodata.store import Filters, Store
from geodata.store.search import RANK_BELOW, UNRANKED_NOTE
from tests.conftest import SEED, copy_sqlite, run_cli
from tests.apptest import fresh_app, notices, ok
from tests.test_review import OLD_CORRECTIONS, placed

ARTICLES = [  # (title, published, text): places named in several articles, dates, one undated
    ("Floods in Houston", "2019-02-10", "Floods hit Houston, Texas, on Monday. Rescue teams from Dallas "
     "reached Houston. Officials in Texas said more rain was due."),
    ("Syria talks", "2019-02-12", "Talks on Syria opened in Geneva. Delegates from Damascus and Paris met in "
     "Geneva while fighting went on near Baghouz in Syria."),
    ("Storm season", "2019-03-01", "Hurricane Irma hit Florida after Harvey flooded Houston, and Maria struck "
     "Puerto Rico. French aid left Paris for Florida."),
    ("Undated", None, "Aid reached Oslo from Paris. Norwegian ships left Oslo for Syria."),
]
REFERENCE_FROM = """FROM effective_mentions m JOIN articles a ON a.id = m.article_id
    LEFT JOIN places p ON p.id = m.eff_place_id"""


@pytest.fixture(scope="session")
def parsed_store(tmp_path_factory: pytest.TempPathFactory, pipeline) -> Path:
    from geodata.documents import load_paths

    path = tmp_path_factory.mktemp("reads") / "store.sqlite"
    store = Store(path)
    store.add_all(pipeline.parse(load_paths([SEED]).documents))
    store.add_all(pipeline.parse([Document(id=t, title=t, published=d, text=x) for t, d, x in ARTICLES]))
    store.close()
    return path


@pytest.fixture
def store(parsed_store: Path, tmp_path: Path) -> Store:
    copy_sqlite(parsed_store, tmp_path / "store.sqlite")
    return Store(tmp_path / "store.sqlite")


def filter_cases(store: Store) -> list[Filters]:
    summary = store.place_summary()
    top = summary.place_id.iloc[0]
    country = summary.country.dropna().value_counts().index[0]
    return [Filters(), Filters(min_confidence=0.6), Filters(countries=(country,)), Filters(kinds=("country",)),
            Filters(kinds=("city", "country"), min_confidence=0.3), Filters(demonyms=False),
            Filters(date_from="2019-02-11", date_to="2019-03"), Filters(date_from="2019-02-11", undated=False),
            Filters(articles=(2, 4)), Filters(places=(top,)), Filters(countries=(country,), date_to="2019-02-28"),
            Filters(places=("nowhere",))]


def reference_summary(store: Store, filters: Filters) -> pd.DataFrame:
    where, params = filters.where()
    return pd.read_sql_query(
        f"""SELECT m.eff_place_id AS place_id, p.name, COUNT(*) AS mentions, COUNT(DISTINCT m.article_id) AS articles,
            AVG(m.confidence) AS confidence, GROUP_CONCAT(DISTINCT m.text) AS spellings {REFERENCE_FROM}
            WHERE {where} GROUP BY m.eff_place_id ORDER BY mentions DESC, p.name, m.eff_place_id""",
        store.conn, params=params)


def reference_mention_ids(store: Store, filters: Filters, per_place: int | None) -> list[int]:
    where, params = filters.where()
    rank = "ROW_NUMBER() OVER (PARTITION BY m.eff_place_id ORDER BY m.article_id, m.start, m.id)"
    rows = store.conn.execute(
        f"""SELECT id FROM (SELECT m.id, m.article_id, m.sentence, m.start, {rank} AS rank {REFERENCE_FROM}
            WHERE {where}) WHERE rank <= ? ORDER BY article_id, sentence >= 0, start, id""",
        [*params, per_place or 1 << 30]).fetchall()
    return [r[0] for r in rows]


def reference_totals(store: Store, filters: Filters) -> tuple[int, int]:
    where, params = filters.where()
    return tuple(store.conn.execute(f"SELECT COUNT(*), COUNT(DISTINCT m.article_id) {REFERENCE_FROM} WHERE {where}",
                                    params).fetchone())


def reference_days(store: Store, filters: Filters) -> list[tuple[str | None, int]]:
    where, params = filters.where()
    rows = store.conn.execute(f"SELECT a.published, COUNT(*) {REFERENCE_FROM} WHERE {where} GROUP BY a.id",
                              params).fetchall()
    days: dict[str | None, int] = {}
    for published, n in rows:
        day = published[:10] if published and len(published) >= 10 else None
        days[day] = days.get(day, 0) + n
    return sorted(days.items(), key=lambda kv: (kv[0] is not None, kv[0] or ""))


def assert_reads_match(store: Store) -> None:
    for filters in filter_cases(store):
        summary, expected = store.place_summary(filters), reference_summary(store, filters)
        assert summary.place_id.tolist() == expected.place_id.tolist(), filters
        assert summary.mentions.tolist() == expected.mentions.tolist(), filters
        assert summary.articles.tolist() == expected.articles.tolist(), filters
        assert summary.confidence.tolist() == pytest.approx(expected.confidence.tolist(), rel=1e-12), filters
        assert [set(s.split(",")) for s in summary.spellings] == [set(s.split(",")) for s in expected.spellings]
        for per_place in (None, 1, 2, maps.POPUP_SENTENCES):
            rows = store.mentions(filters, per_place=per_place)
            assert rows.mention_id.tolist() == reference_mention_ids(store, filters, per_place), (filters, per_place)
        assert tuple(store.totals(filters)) == reference_totals(store, filters), filters
        assert store.mentions_per_day(filters) == reference_days(store, filters), filters


def test_the_views_reads_equal_plain_sql_for_every_filter(store: Store) -> None:
    cases = filter_cases(store)
    assert all(not store.place_summary(f).empty for f in cases[:-1])  # the cases select something,
    assert len({tuple(store.place_summary(f).place_id) for f in cases}) >= len(cases) - 2  # mostly different
    assert len(store.mentions(per_place=1)) < len(store.mentions(per_place=2)) < len(store.mentions())
    assert_reads_match(store)


def test_the_views_reads_equal_plain_sql_with_active_corrections(store: Store) -> None:
    rows = store.mentions()
    houston = rows[rows.text == "Houston"].iloc[0]
    fixed = Place("user:houston", "Houston (corrected)", 29.76, -95.37, "US", "P", "PPL", source="user")
    store.correct("mention", str(int(houston.mention_id)), fixed)
    store.correct_name("Harvey", None)  # not a place
    store.correct_name("Paris", fixed, article_ids=[3])
    syria = rows[rows.place_name == "Syria"].place_id.iloc[0]
    store.correct("place", syria, Place("user:syria", "Syria (corrected)", 35.0, 38.0, "SY", "A", "PCLI",
                                        source="user"))
    assert placed(store, "Harvey") == set() and "Syria (corrected)" in set(store.place_summary().name)
    assert_reads_match(store)


def test_unfiltered_and_place_filters_are_read_from_the_index_alone(store: Store) -> None:
    """What makes a repaint fast on a big store: without a confidence floor the summary and the totals read
    the counts kept at write time (`place_articles`), with one they scan the index of mentions by place; neither
    reads the mentions table or the articles; the popups read that index a place at a time."""
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    for filters in (Filters(), Filters(countries=("US",)), Filters(min_confidence=0.8)):
        statements.clear()
        store.place_summary(filters)
        store.totals(filters)
        store.mentions(filters, per_place=maps.POPUP_SENTENCES)
        plans = [" | ".join(r[3] for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", ()))
                 for sql in statements if sql.lstrip().upper().startswith(("SELECT", "WITH")) and "?" not in sql]
        plans = [p for p in plans if "mentions" in p or "place_articles" in p]
        assert len(plans) == 3, statements
        summary, totals, popups = plans
        source = "mentions_place_order" if filters.min_confidence else "place_articles"
        for plan in (summary, totals):
            assert source in plan and "SEARCH a " not in plan, plan
            assert "SCAN mentions" not in plan and "SEARCH mentions USING INTEGER" not in plan, plan
        assert "CORRELATED LIST SUBQUERY" in popups and "INDEX mentions_place_order (place_id=?)" in popups, popups


# -- a word search over RANK_BELOW sentences ---------------------------------------------------------------

@pytest.fixture(scope="session")
def wordy_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Over RANK_BELOW sentences holding "convoy" (stored as they are, no place in them)."""
    path = tmp_path_factory.mktemp("wordy") / "store.sqlite"
    store = Store(path)
    for n in range(RANK_BELOW // 100 + 1):
        pieces = [f"The convoy {n}-{k} moved." for k in range(100)]
        starts = [sum(len(p) + 1 for p in pieces[:k]) for k in range(len(pieces))]
        sentences = [Sentence(k, start, start + len(p)) for k, (start, p) in enumerate(zip(starts, pieces))]
        store.add(ParsedDocument(Document(f"convoy-{n}", " ".join(pieces), f"Convoy {n}", f"2020-01-{n % 28 + 1:02d}"),
                                 sentences))
    store.close()
    return path


def test_a_search_over_rank_below_sentences_says_they_are_newest_first(wordy_store: Path, home: Path) -> None:
    store = Store(wordy_store, readonly=True)
    found = store.search("convoy")
    assert len(found) == 50 and found.attrs["note"] == UNRANKED_NOTE and "5,000" in UNRANKED_NOTE
    assert found.article_id.tolist() == sorted(found.article_id, reverse=True)  # the newest stored first
    assert "note" not in store.search("convoy 7-3").attrs  # few matches: ranked, nothing to say
    result = run_cli("search", "convoy", "--db", str(wordy_store), "--limit", "3", home=home)
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 3
    assert UNRANKED_NOTE in result.stderr
    quiet = run_cli("search", "convoy 7-3", "--db", str(wordy_store), home=home)
    assert quiet.returncode == 0 and UNRANKED_NOTE not in quiet.stderr


def test_the_search_box_says_the_results_are_unranked(make_home, wordy_store: Path) -> None:  # noqa: F811
    make_home(wordy_store)
    at = ok(fresh_app(q="convoy"))
    assert f"{UNRANKED_NOTE[0].upper()}{UNRANKED_NOTE[1:]}." in notices(at, "note")
    at.text_input(key="search_q").input("convoy 7-3")
    ok(at)
    assert not [n for n in notices(at, "note") if "newest first" in n]


# -- a read-only store of the old schema ---------------------------------------------------------

def test_a_read_only_store_of_the_old_schema_reads_its_corrections(store: Store) -> None:
    store.close()
    conn = sqlite3.connect(store.path)
    conn.executescript(OLD_CORRECTIONS)
    conn.close()
    before = store.path.read_bytes()
    reader = Store(store.path, readonly=True)
    old = reader.corrections(active_only=False).set_index("key")
    assert list(old.place_id) == ["user:old", "user:old"] and old.article_id.isna().all()
    assert old.loc["houston", "name"] == "Houston" and old.loc["maria", "undone_at"] == 2.0
    assert list(reader.corrections().key) == ["houston"]
    assert set(reader.mentions().set_index("text").loc[["Houston"]].place_name) == {"Old fix"}
    assert not reader.doubtful_names(Filters(), below=1.0).empty
    assert "Old fix" in set(reader.place_summary().name)
    reader.close()
    assert store.path.read_bytes() == before  # nothing written
    columns = ["id", "scope", "key", "place_id", "name", "undone_at"]
    migrated = Store(store.path).corrections(active_only=False)  # the same rows once migrated
    assert migrated[columns].equals(old.reset_index()[columns])


# -- the counts kept at write time (geodata/store/aggregates.py) ------------------------------------------

RECOUNTED = {  # each aggregate table as counted from the stored mentions now
    "place_articles": """SELECT place_id, article_id, SUM(kind != 'demonym'), SUM(kind = 'demonym'),
        ROUND(TOTAL(CASE WHEN kind != 'demonym' THEN confidence END), 9),
        ROUND(TOTAL(CASE WHEN kind = 'demonym' THEN confidence END), 9)
        FROM mentions WHERE place_id IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2""",
    "place_spellings": """SELECT place_id, kind = 'demonym', text, COUNT(*) FROM mentions WHERE place_id IS NOT NULL
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
}
KEPT = {"place_articles": """SELECT place_id, article_id, others, demonyms, ROUND(others_confidence, 9),
    ROUND(demonyms_confidence, 9) FROM place_articles ORDER BY 1, 2""",
        "place_spellings": "SELECT place_id, demonym, text, mentions FROM place_spellings ORDER BY 1, 2, 3"}


def assert_counts_kept(store: Store) -> None:
    for table, sql in RECOUNTED.items():
        assert store.conn.execute(KEPT[table]).fetchall() == store.conn.execute(sql).fetchall(), table


def demonym_article(store: Store) -> ParsedDocument:
    """An article with a demonym and two spellings of a place already stored, and a place of its own."""
    row = store.place_summary().iloc[0]
    known = Place(row.place_id, row["name"], row.lat, row.lon, row.country, row.feature_class, row.feature_code)
    new = Place("test:lyon", "Lyon", 45.76, 4.84, "FR", "P", "PPLA")
    text = "Lyonnais crews met Zork crews. Lyon and Zork agreed."
    mentions = [Mention(0, 8, "Lyonnais", 0, "NORP", "demonym", 0.5, new),
                Mention(19, 23, "Zork", 0, "GPE", "toponym", 0.7, known),
                Mention(31, 35, "Lyon", 1, "GPE", "toponym", 0.9, new),
                Mention(40, 44, "Zork", 1, "GPE", "toponym", 0.2, known)]
    return ParsedDocument(Document("demonyms", text, "Zork news", "2019-02-12"),
                          [Sentence(0, 0, 30), Sentence(1, 31, len(text))], mentions)


def test_the_counts_kept_follow_adds_deletions_and_corrections(store: Store) -> None:
    """Place summary, totals and timeline read from the counts equal plain SQL after each kind of write."""
    assert_counts_kept(store)
    added = store.add(demonym_article(store))
    assert_counts_kept(store)
    assert "Zork" in store.place_summary().set_index("place_id").loc[store.place_summary().place_id.iloc[0]].spellings
    assert_reads_match(store)
    assert store.delete_article(2)
    assert_counts_kept(store)
    assert_reads_match(store)
    ids = store.correct_name("Lyon", None)  # not a place: the reads fall back to the mentions, still exact
    assert_reads_match(store)
    store.undo(*ids)
    assert_reads_match(store)
    assert store.delete_article(added)
    assert_counts_kept(store)
    assert_reads_match(store)
    assert store.conn.execute("SELECT COUNT(*) FROM place_spellings WHERE text IN ('Zork', 'Lyonnais')").fetchone() \
        == (0,)


def test_a_store_made_before_the_counts_gets_them_when_opened(store: Store) -> None:
    expected = {table: store.conn.execute(sql).fetchall() for table, sql in KEPT.items()}
    store.close()
    conn = sqlite3.connect(store.path)
    conn.executescript("DROP TABLE place_articles; DROP TABLE place_spellings;")
    conn.close()
    reader = Store(store.path, readonly=True)  # read-only: nothing written, the mentions are read instead
    assert not reader.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'place_articles'").fetchone()
    assert_reads_match(reader)
    reader.close()
    migrated = Store(store.path)
    assert {table: migrated.conn.execute(sql).fetchall() for table, sql in KEPT.items()} == expected
    assert_reads_match(migrated)
    migrated.close()
