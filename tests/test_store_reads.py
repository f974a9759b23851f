"""The views' reads (place summary, popup sentences, totals, timeline) give the same rows in the same order
as straightforward SQL over `effective_mentions`, for every kind of filter, with and without active
corrections; they are read from the counts kept at write time (`geodata/store/aggregates.py`, whose
upkeep `test_store_counts` checks) or the index of mentions by place when they can. Also: a search
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
from geodata.store.aggregates import BANDS
from geodata.store.reads import MENTION_COLUMNS
from geodata.store.schema import PLAIN_MENTIONS
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
    store.add(french_article(store))
    store.close()
    return path


def french_article(store: Store) -> ParsedDocument:
    """An article read in French: a demonym and the two most mentioned places, confidences on both sides of the
    floors the filter cases try."""
    first, second = (store.place(place_id) for place_id in store.place_summary().place_id[:2])
    text = "Des équipes parisiennes ont rejoint Houston. Houston et Genève ont signé."
    mentions = [Mention(start, start + len(name), name, int(start > 44), "GPE", kind, confidence, place)
                for name, start, kind, confidence, place in (("parisiennes", 12, "demonym", 0.86, second),
                                                             ("Houston", 36, "toponym", 0.66, first),
                                                             ("Houston", 45, "toponym", 0.84, first),
                                                             ("Genève", 56, "toponym", 0.31, second))]
    return ParsedDocument(Document("nouvelles", text, "Nouvelles", "2019-02-13"),
                          [Sentence(0, 0, 44), Sentence(1, 45, len(text))], mentions, language="fr")


@pytest.fixture
def store(parsed_store: Path, tmp_path: Path) -> Store:
    copy_sqlite(parsed_store, tmp_path / "store.sqlite")
    return Store(tmp_path / "store.sqlite")


def filter_cases(store: Store) -> list[Filters]:
    summary = store.place_summary()
    top = summary.place_id.iloc[0]
    country = summary.country.dropna().value_counts().index[0]
    return [Filters(), Filters(min_confidence=0.6), Filters(countries=(country,)), Filters(kinds=("country",)),
            Filters(kinds=("populated place", "country"), min_confidence=0.5), Filters(demonyms=False),
            Filters(min_confidence=0.652), Filters(min_confidence=0.55, demonyms=False),
            Filters(countries=(country,), min_confidence=0.8),
            Filters(date_from="2019-02-11", date_to="2019-03"), Filters(date_from="2019-02-11", undated=False),
            Filters(articles=(2, 4)), Filters(places=(top,)), Filters(countries=(country,), date_to="2019-02-28"),
            Filters(languages=("fr",)), Filters(languages=("en",), min_confidence=0.65),
            Filters(languages=("fr",), min_confidence=0.652, demonyms=False), Filters(min_confidence=0.83),
            Filters(languages=("en", "fr"), countries=(country,), min_confidence=0.3141),
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
    summaries = [store.place_summary(f) for f in cases]
    assert len({tuple(zip(s.place_id, s.mentions)) for s in summaries}) >= len(cases) - 2  # mostly different
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


def query_plans(store: Store, read) -> list[str]:
    """The query plans of what `read()` runs (one string each), but for the checks of corrections and tables."""
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    read()
    store.conn.set_trace_callback(None)
    plans = [" | ".join(r[3] for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
             for sql in statements if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
    return [p for p in plans if "corrections" not in p and "sqlite_master" not in p]


BAND_READS = ("SEARCH m USING COVERING INDEX mentions_confidence (confidence>? AND confidence<?)",
              "SEARCH o USING COVERING INDEX mentions_place_order (place_id=? AND article_id=?)",
              "SEARCH o USING INDEX mentions_article (article_id=?)",
              "SEARCH a USING COVERING INDEX articles_language (id=?")
"""What the counts per band read besides their tables for a floor between two bands' edges (how each read
starts): the mentions of one band, whether their article (and place) has a more confident one, their article's
language and date."""
ROW_ALIASES = ("o", "a", "mentions", "articles")  # (`m` is also the counts' rows: "SCAN m" is theirs)


def test_a_repaint_reads_the_counts_per_band_not_the_mentions(store: Store) -> None:
    """What makes a repaint fast on a big store: without active corrections nor conditions on articles but their
    language, the summary reads the counts per confidence band kept at write time (any floor, any condition on
    places), and so do the totals and the timeline without conditions on places (with one and no floor, the
    counts per place and article); none reads the mentions, but the mentions of one band by the index
    mentions_confidence for a floor between two bands' edges (`BAND_READS`), and none reads an article's row;
    the popups read the index of mentions by place a place at a time (and the articles' language from their
    index)."""
    tables = ("place_bands", "place_tops", "spelling_bands", "article_tops", "day_bands", "place_articles")
    for filters in (Filters(), Filters(countries=("US",)), Filters(min_confidence=0.8),
                    Filters(min_confidence=0.45, demonyms=False, kinds=("country",)), Filters(languages=("fr",)),
                    Filters(min_confidence=0.652), Filters(min_confidence=0.83, languages=("en",), demonyms=False),
                    Filters(min_confidence=0.401, countries=("US",))):
        reads = {"summary": lambda: store.place_summary(filters), "totals": lambda: store.totals(filters),
                 "timeline": lambda: store.mentions_per_day(filters)}
        for name, read in reads.items():
            plan, = query_plans(store, read)
            if name == "summary":
                expected = {"place_bands", "place_tops", "spelling_bands"}
            elif not filters.narrows_places:
                expected = {"place_bands", "article_tops"} if name == "totals" else {"day_bands"}
            elif not filters.min_confidence:
                expected = {"place_articles"}
            else:
                continue  # a floor and conditions on places: the index of mentions by place
            assert {t for t in tables if t in plan} == expected, (name, filters, plan)
            reads_of_rows = [p for p in plan.split(" | ") if p.startswith(("SEARCH m ", "SCAN m USING"))
                             or p.split(" ")[0] in ("SCAN", "SEARCH") and p.split(" ")[1] in ROW_ALIASES]
            allowed = BAND_READS if filters.min_confidence not in BANDS else ()
            assert all(p.startswith(allowed) for p in reads_of_rows), (name, filters, plan)
            assert (BAND_READS[0] in plan) == (filters.min_confidence not in BANDS), (name, filters, plan)
        popups, = query_plans(store, lambda: store.mentions(filters, per_place=maps.POPUP_SENTENCES))
        assert "CORRELATED LIST SUBQUERY" in popups and "INDEX mentions_place_order (place_id=?)" in popups, popups
        assert ("INDEX articles_language (id=?" in popups) == bool(filters.languages), popups
    summary, = query_plans(store, lambda: store.place_summary(Filters(min_confidence=0.8, date_from="2019-02-11")))
    assert "mentions_place_order" in summary and "place_bands" not in summary, summary  # no band answers dates


def test_the_bands_floors_are_the_same_numbers_in_sql() -> None:
    """The counts per band are exact only if SQLite reads each floor's literal as Python's float."""
    conn = sqlite3.connect(":memory:")
    assert all(conn.execute(f"SELECT {floor!r} = ?", (floor,)).fetchone()[0] for floor in BANDS)
    assert BANDS[0] == 0 and BANDS[16] == 0.8 and len(set(BANDS)) == 21


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


# -- what a query joins, what the popups read -------------------------------------------------------------------

def test_the_filters_say_which_tables_their_conditions_read(store: Store) -> None:
    """`Filters.tables` names every table `where()` reads besides the mentions: the conditions run with only
    those joined (SQLite refuses a column of a table not joined), and the tables are named only when needed."""
    joins = {"articles": "JOIN articles a ON a.id = m.article_id",
             "places": "LEFT JOIN places p ON p.id = m.eff_place_id"}
    more = [Filters(languages=("en",)), Filters(date_to="2019"), Filters(kinds=("site",))]
    for filters in filter_cases(store) + more:
        where, params = filters.where()
        joined = " ".join(joins[t] for t in sorted(filters.tables))
        store.conn.execute(f"SELECT COUNT(*) FROM {PLAIN_MENTIONS} m {joined} WHERE {where}", params).fetchone()
        for table in filters.tables:
            others = " ".join(joins[t] for t in sorted(filters.tables - {table}))
            with pytest.raises(sqlite3.OperationalError, match="no such column"):
                store.conn.execute(f"SELECT COUNT(*) FROM {PLAIN_MENTIONS} m {others} WHERE {where}", params)
    assert Filters().tables == frozenset() and not Filters().narrows_places
    assert Filters(places=("x",)).narrows_places and Filters(places=("x",)).tables == frozenset()
    assert Filters(countries=("US",), date_from="2019").tables == {"articles", "places"}


def test_the_popups_rows_hold_only_what_they_show(store: Store) -> None:
    """`columns=maps.POPUP_COLUMNS`: the same rows and values as the full read, for every filter (the popups'
    snippets alike), with and without corrections; the places are then not joined to the mentions."""
    for filters in filter_cases(store):
        full = store.mentions(filters, per_place=maps.POPUP_SENTENCES)
        popups = store.mentions(filters, per_place=maps.POPUP_SENTENCES, columns=maps.POPUP_COLUMNS)
        assert list(popups.columns) == list(maps.POPUP_COLUMNS)
        assert popups.equals(full[list(maps.POPUP_COLUMNS)]), filters
        assert maps.snippets_by_place(popups) == maps.snippets_by_place(full)
    assert list(store.mentions(limit=0).columns) == list(MENTION_COLUMNS)
    plan, = query_plans(store, lambda: store.mentions(per_place=maps.POPUP_SENTENCES, columns=maps.POPUP_COLUMNS))
    assert "LEFT-JOIN" not in plan, plan
    store.correct_name("Harvey", None)
    corrected = store.mentions(per_place=2, columns=maps.POPUP_COLUMNS)
    assert corrected.equals(store.mentions(per_place=2)[list(maps.POPUP_COLUMNS)]) and "Harvey" not in \
        " ".join(store.mentions(per_place=2).text)
