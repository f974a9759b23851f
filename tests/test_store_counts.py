"""The counts kept at write time (`geodata/store/aggregates.py`) equal the stored mentions counted anew in
plain SQL after adds, deletions, corrections and undos; a store made before them, or with counts of an
earlier version, gets them counted when it is opened, and its reads are the same. Real stores parsed by
the real spaCy model (`test_store_reads`'s)."""

from __future__ import annotations

import sqlite3

from geodata.records import Document, Mention, ParsedDocument, Place, Sentence
from geodata.store import Filters, Store
from geodata.store.aggregates import BANDS, COUNTS, TABLES
from tests.test_store_reads import assert_reads_match, parsed_store, query_plans, store  # noqa: F401 (fixtures)


BAND = "(" + " + ".join(f"(confidence >= {floor!r})" for floor in BANDS[1:]) + ")"
COUNTED = "FROM mentions m JOIN articles a ON a.id = m.article_id WHERE place_id IS NOT NULL"
RECOUNTED = {  # each aggregate table as counted from the stored mentions now, in plain SQL
    "place_articles": """SELECT place_id, article_id, SUM(kind != 'demonym'), SUM(kind = 'demonym'),
        ROUND(TOTAL(CASE WHEN kind != 'demonym' THEN confidence END), 9),
        ROUND(TOTAL(CASE WHEN kind = 'demonym' THEN confidence END), 9)
        FROM mentions WHERE place_id IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2""",
    "place_bands": f"""SELECT place_id, {BAND}, kind = 'demonym', language, COUNT(*), ROUND(TOTAL(confidence), 9)
        {COUNTED} GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4""",
    "place_tops": f"""SELECT place_id, top, demonyms, language, COUNT(*) FROM (
        SELECT place_id, article_id, language, MAX({BAND}) AS top, 1 AS demonyms {COUNTED} GROUP BY 1, 2
        UNION ALL SELECT place_id, article_id, language, MAX({BAND}), 0 {COUNTED} AND kind != 'demonym'
        GROUP BY 1, 2) GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4""",
    "article_tops": f"""SELECT top, demonyms, language, COUNT(*) FROM (
        SELECT article_id, language, MAX({BAND}) AS top, 1 AS demonyms {COUNTED} GROUP BY 1
        UNION ALL SELECT article_id, language, MAX({BAND}), 0 {COUNTED} AND kind != 'demonym' GROUP BY 1)
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
    "spelling_bands": f"""SELECT place_id, {BAND}, kind = 'demonym', m.text, language, COUNT(*) {COUNTED}
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5""",
    "day_bands": f"""SELECT ifnull(published, ''), {BAND}, kind = 'demonym', language, COUNT(*) {COUNTED}
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4""",
}
KEPT = {"place_articles": """SELECT place_id, article_id, others, demonyms, ROUND(others_confidence, 9),
    ROUND(demonyms_confidence, 9) FROM place_articles ORDER BY 1, 2""",
        "place_bands": """SELECT place_id, band, demonym, language, mentions, ROUND(confidence_sum, 9)
            FROM place_bands ORDER BY 1, 2, 3, 4""",
        "place_tops": "SELECT place_id, band, demonyms, language, articles FROM place_tops ORDER BY 1, 2, 3, 4",
        "article_tops": "SELECT band, demonyms, language, articles FROM article_tops ORDER BY 1, 2, 3",
        "spelling_bands": """SELECT place_id, band, demonym, text, language, mentions FROM spelling_bands
            ORDER BY 1, 2, 3, 4, 5""",
        "day_bands": "SELECT published, band, demonym, language, mentions FROM day_bands ORDER BY 1, 2, 3, 4"}


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
    assert store.conn.execute("SELECT COUNT(*) FROM spelling_bands WHERE text IN ('Zork', 'Lyonnais')").fetchone() \
        == (0,)


def test_a_store_made_before_the_counts_gets_them_when_opened(store: Store) -> None:
    expected = {table: store.conn.execute(sql).fetchall() for table, sql in KEPT.items()}
    store.close()
    conn = sqlite3.connect(store.path)
    conn.executescript("".join(f"DROP TABLE {table};" for table in TABLES))
    conn.execute("CREATE TABLE place_spellings (place_id TEXT)")  # the counts of an older version
    conn.close()
    reader = Store(store.path, readonly=True)  # read-only: nothing written, the mentions are read instead
    assert not reader.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'place_articles'").fetchone()
    assert_reads_match(reader)
    reader.close()
    migrated = Store(store.path)
    assert {table: migrated.conn.execute(sql).fetchall() for table, sql in KEPT.items()} == expected
    assert not migrated.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'place_spellings'").fetchone()
    assert_reads_match(migrated)
    migrated.close()


def test_a_store_with_counts_of_an_earlier_version_gets_them_counted_anew_when_opened(store: Store) -> None:
    """Counts per band made before they carried the articles' language (the language filter reads them) are not
    read (the mentions are, read-only), then counted anew when the store is opened for writing, with the indexes
    they read; the articles, mentions and corrections are kept."""
    store.undo(*store.correct_name("Harvey", None))
    expected = {table: store.conn.execute(sql).fetchall() for table, sql in KEPT.items()}
    stored = ("articles", "mentions", "corrections")
    kept = {table: store.conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in stored}
    store.close()
    conn = sqlite3.connect(store.path)
    for table, (keys, counts, _) in COUNTS.items():  # the same counts without the language, as they were
        old_keys = ", ".join(k for k in keys if k != "language")
        conn.executescript(f"""ALTER TABLE {table} RENAME TO counted;
            CREATE TABLE {table} AS SELECT {old_keys}, {', '.join(f'SUM({c}) AS {c}' for c in counts)} FROM counted
            GROUP BY {old_keys}; DROP TABLE counted;""")
    conn.executescript("DROP INDEX articles_language; DROP INDEX mentions_confidence;")
    conn.close()
    reader = Store(store.path, readonly=True)
    assert_reads_match(reader)
    plan, = query_plans(reader, lambda: reader.place_summary(Filters(languages=("fr",))))
    assert "place_bands" not in plan, plan
    reader.close()
    migrated = Store(store.path)
    assert {table: migrated.conn.execute(sql).fetchall() for table, sql in KEPT.items()} == expected
    assert {table: migrated.conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in stored} == kept
    assert {"articles_language", "mentions_confidence"} <= {r[0] for r in migrated.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert_reads_match(migrated)
    migrated.close()
