"""Counts of the stored mentions kept at write time, so that a repaint of a big store need not read every
mention: per place and article (`place_articles`) and per place and spelling (`place_spellings`). They
count the stored mentions as parsed (`mentions.place_id`, confidence >= 0), so they answer the views only
while no correction is active and no confidence floor is set (`StoreReads._aggregated`)."""

from __future__ import annotations

import sqlite3

from ..filters import Filters

AGGREGATES_SCHEMA = """
CREATE TABLE IF NOT EXISTS place_articles (
    place_id TEXT NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    published TEXT,              -- the article's (never changed): the timeline is counted without the articles
    others INTEGER NOT NULL,     -- mentions of the place in the article that are not demonyms
    demonyms INTEGER NOT NULL,   -- and those that are (kind 'demonym')
    others_confidence REAL NOT NULL,    -- the sum of their confidences
    demonyms_confidence REAL NOT NULL,
    PRIMARY KEY (article_id, place_id)  -- an article's rows together: the cascade of its deletion
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS place_articles_place ON place_articles
    (place_id, article_id, others, demonyms, others_confidence, demonyms_confidence, published);
CREATE TABLE IF NOT EXISTS place_spellings (
    place_id TEXT NOT NULL,
    demonym INTEGER NOT NULL,    -- 1: mentions of kind 'demonym'
    text TEXT NOT NULL,
    mentions INTEGER NOT NULL,   -- how many stored mentions of the place are spelt so (rows at 0 are deleted)
    PRIMARY KEY (place_id, demonym, text)
) WITHOUT ROWID"""

_COUNTED = "m.place_id IS NOT NULL AND m.confidence >= 0"
_PER_PLACE_ARTICLE = f"""SELECT m.place_id, m.article_id, a.published, SUM(m.kind != 'demonym'),
    SUM(m.kind = 'demonym'), TOTAL(CASE WHEN m.kind != 'demonym' THEN m.confidence END),
    TOTAL(CASE WHEN m.kind = 'demonym' THEN m.confidence END)
    FROM mentions m JOIN articles a ON a.id = m.article_id WHERE {_COUNTED} AND {{where}}
    GROUP BY m.place_id, m.article_id"""
_PER_SPELLING = f"""SELECT m.place_id, m.kind = 'demonym' AS demonym, m.text, COUNT(*) AS n FROM mentions m
    WHERE {_COUNTED} AND {{where}} GROUP BY m.place_id, m.kind = 'demonym', m.text"""


def has_aggregates(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'place_spellings'").fetchone() \
        is not None


def create_aggregates(conn: sqlite3.Connection) -> None:
    """Inside the caller's transaction: the tables, filled from the stored mentions when they are new (a store
    made before them: 1.5M mentions in under a minute)."""
    if has_aggregates(conn):
        return
    for statement in AGGREGATES_SCHEMA.split(";"):  # not executescript: it would commit the transaction
        conn.execute(statement)
    conn.execute(f"INSERT INTO place_articles {_PER_PLACE_ARTICLE.format(where='1')}")
    conn.execute(f"INSERT INTO place_spellings {_PER_SPELLING.format(where='1')}")


def count_article(conn: sqlite3.Connection, article_id: int) -> None:
    """Add a newly stored article's mentions to the counts (inside the caller's transaction)."""
    conn.execute(f"INSERT INTO place_articles {_PER_PLACE_ARTICLE.format(where='m.article_id = ?')}", (article_id,))
    conn.execute(f"""INSERT INTO place_spellings {_PER_SPELLING.format(where='m.article_id = ?')}
        ON CONFLICT (place_id, demonym, text) DO UPDATE SET mentions = mentions + excluded.mentions""",
                 (article_id,))


def uncount_article(conn: sqlite3.Connection, article_id: int) -> None:
    """Take an article's mentions out of the spellings' counts before it is deleted (its `place_articles` rows
    go with it: a foreign key cascade)."""
    conn.execute(f"""UPDATE place_spellings AS s SET mentions = s.mentions - d.n
        FROM ({_PER_SPELLING.format(where='m.article_id = ?')}) AS d
        WHERE s.place_id = d.place_id AND s.demonym = d.demonym AND s.text = d.text""", (article_id,))
    conn.execute("DELETE FROM place_spellings WHERE mentions <= 0")


def aggregated_mentions(filters: Filters) -> str:
    """`place_articles` as rows `m` that `Filters.where()` reads like mentions: `eff_place_id`, `article_id`,
    `published`, `n` (the mentions the filters count: demonyms only while they are shown) and
    `confidence_sum`. The conditions on a mention's confidence and kind hold for every row (`confidence` 0,
    `kind` 'toponym'): the aggregates are read only without a confidence floor, and the demonyms' toggle is
    applied to `n`."""
    n, confidence = (("others + demonyms", "others_confidence + demonyms_confidence") if filters.demonyms
                     else ("others", "others_confidence"))
    return f"""(SELECT place_id AS eff_place_id, article_id, published, {n} AS n, {confidence} AS confidence_sum,
        0.0 AS confidence, 'toponym' AS kind FROM place_articles WHERE {n} > 0)"""


def spellings_sql(filters: Filters) -> str:
    """Each place's spellings, comma-separated (`place_id`, `spellings`), as the filters count them."""
    demonyms = "" if filters.demonyms else "WHERE demonym = 0"
    return (f"SELECT place_id, GROUP_CONCAT(DISTINCT text) AS spellings FROM place_spellings {demonyms} "
            "GROUP BY place_id")
