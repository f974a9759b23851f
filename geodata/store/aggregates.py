"""Counts of the stored mentions kept at write time, so that a repaint of a big store need not read every
mention. They count the stored mentions as parsed (`mentions.place_id`, confidence >= 0), so they answer the
views only while no correction is active (`StoreReads`):

- per place and article (`place_articles`): the filters on articles (dates, language), without a confidence
  floor;
- per confidence band (`BANDS`: the floors the dashboard's slider steps through) and article language, small
  tables that answer every filter on places, mentions and the articles' language, any floor included (one
  between two bands' edges with the mentions of one band, read from an index: `banded`): per place
  (`place_bands`, and `place_tops` for its articles), per place and spelling (`spelling_bands`), per
  publication date (`day_bands`) and for the articles of all places (`article_tops`)."""

from __future__ import annotations

import bisect
import sqlite3

from ..filters import Filters

BANDS = tuple(round(k / 20, 2) for k in range(21))
"""The confidence floors 0, 0.05, ..., 1 (the dashboard's slider steps): a mention is counted in the band of the
highest floor it reaches, so a floor in `BANDS` is answered exactly by the counts of the bands from its own up.
The SQL reads each floor as a literal (`repr`), the same number as Python's (tested)."""

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
CREATE TABLE IF NOT EXISTS place_bands (
    place_id TEXT NOT NULL,
    band INTEGER NOT NULL,       -- index in BANDS of the highest floor the mentions' confidence reaches
    demonym INTEGER NOT NULL,    -- 1: mentions of kind 'demonym'
    language TEXT NOT NULL,      -- their articles' (in every table below: the language filter reads it)
    mentions INTEGER NOT NULL,   -- rows at 0 are deleted (in every table below)
    confidence_sum REAL NOT NULL,
    PRIMARY KEY (place_id, band, demonym, language)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS place_tops (
    place_id TEXT NOT NULL,
    band INTEGER NOT NULL,       -- the band of the place's most confident mention in the article
    demonyms INTEGER NOT NULL,   -- 1: of all its mentions there, 0: of those that are not demonyms
    language TEXT NOT NULL,
    articles INTEGER NOT NULL,
    PRIMARY KEY (place_id, band, demonyms, language)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS article_tops (
    band INTEGER NOT NULL,       -- the band of the article's most confident placed mention
    demonyms INTEGER NOT NULL,
    language TEXT NOT NULL,
    articles INTEGER NOT NULL,
    PRIMARY KEY (band, demonyms, language)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS spelling_bands (
    place_id TEXT NOT NULL,
    band INTEGER NOT NULL,
    demonym INTEGER NOT NULL,
    text TEXT NOT NULL,          -- how the mentions are spelt
    language TEXT NOT NULL,
    mentions INTEGER NOT NULL,
    PRIMARY KEY (place_id, band, demonym, text, language)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS day_bands (
    published TEXT NOT NULL,     -- the articles' (never changed), '' for none
    band INTEGER NOT NULL,
    demonym INTEGER NOT NULL,
    language TEXT NOT NULL,
    mentions INTEGER NOT NULL,
    PRIMARY KEY (published, band, demonym, language)
) WITHOUT ROWID;
DROP TABLE IF EXISTS place_spellings  -- (place, spelling) counts without bands: spelling_bands replaces them"""
TABLES = ("place_articles", "place_bands", "place_tops", "article_tops", "spelling_bands", "day_bands")

_COUNTED = "m.place_id IS NOT NULL AND m.confidence >= 0"
_BAND = "(" + " + ".join(f"(m.confidence >= {floor!r})" for floor in BANDS[1:]) + ")"
INDEXES = ("CREATE INDEX IF NOT EXISTS articles_language ON articles (id, language, published)",
           "CREATE INDEX IF NOT EXISTS mentions_confidence ON mentions (confidence, place_id, article_id, kind, text)")
"""What the counts read of an article without its row (the language is stored after the text: reading it from
the row reads the whole article), and the mentions of one band (`banded`) without the table."""
ARTICLES = "CROSS JOIN articles a INDEXED BY articles_language ON a.id = m.article_id"
"""The article `a` of each mention `m`, from that index."""
_MENTIONS = f"FROM mentions m {ARTICLES} WHERE {_COUNTED} AND {{where}}"
_PER_PLACE_ARTICLE = f"""SELECT m.place_id, m.article_id, a.published, SUM(m.kind != 'demonym'),
    SUM(m.kind = 'demonym'), TOTAL(CASE WHEN m.kind != 'demonym' THEN m.confidence END),
    TOTAL(CASE WHEN m.kind = 'demonym' THEN m.confidence END)
    {_MENTIONS} GROUP BY m.place_id, m.article_id"""


def _tops(per: str) -> str:
    """Articles by the band of their most confident mention (of a place when `per` is "m.place_id, "), counting
    demonyms or not, and their language."""
    return f"""SELECT {per}top, demonyms, language, COUNT(*) FROM (
        SELECT {per}m.article_id, a.language, MAX({_BAND}) AS top, 1 AS demonyms {_MENTIONS}
            GROUP BY {per}m.article_id
        UNION ALL SELECT {per}m.article_id, a.language, MAX({_BAND}), 0 {_MENTIONS} AND m.kind != 'demonym'
            GROUP BY {per}m.article_id) m GROUP BY {per}top, demonyms, language"""


COUNTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    # table: (its key columns, its counts, the SELECT of both for the mentions of `{where}`)
    "place_bands": (("place_id", "band", "demonym", "language"), ("mentions", "confidence_sum"),
                    f"""SELECT m.place_id, {_BAND}, m.kind = 'demonym', a.language, COUNT(*), TOTAL(m.confidence)
                    {_MENTIONS} GROUP BY 1, 2, 3, 4"""),
    "place_tops": (("place_id", "band", "demonyms", "language"), ("articles",), _tops("m.place_id, ")),
    "article_tops": (("band", "demonyms", "language"), ("articles",), _tops("")),
    "spelling_bands": (("place_id", "band", "demonym", "text", "language"), ("mentions",),
                       f"""SELECT m.place_id, {_BAND}, m.kind = 'demonym', m.text, a.language, COUNT(*) {_MENTIONS}
                       GROUP BY 1, 2, 3, 4, 5"""),
    "day_bands": (("published", "band", "demonym", "language"), ("mentions",),
                  f"""SELECT ifnull(a.published, ''), {_BAND}, m.kind = 'demonym', a.language, COUNT(*) {_MENTIONS}
                  GROUP BY 1, 2, 3, 4"""),
}
_ARTICLE = "m.article_id = :article"


def _current(conn: sqlite3.Connection) -> set[str]:
    """The tables of counts the store keeps as this version makes them (the tables per band: with a language)."""
    return {row[0] for row in conn.execute(
        f"""SELECT sqlite_master.name FROM sqlite_master, pragma_table_info(sqlite_master.name) c
        WHERE sqlite_master.type = 'table' AND sqlite_master.name IN ({','.join('?' * len(TABLES))})
        AND c.name = CASE sqlite_master.name WHEN 'place_articles' THEN 'article_id' ELSE 'language' END""",
        TABLES)}


def has_aggregates(conn: sqlite3.Connection) -> bool:
    """Whether the store keeps every table of counts as this version makes them (they are made in one
    transaction)."""
    return len(_current(conn)) == len(TABLES)


def create_aggregates(conn: sqlite3.Connection) -> None:
    """Inside the caller's transaction: the index of articles they read, and the tables, each filled from the
    stored mentions when it is new (a store made before it: 1.5M mentions in about a minute); one made by an
    earlier version (the tables per band without the language) is counted anew."""
    for index in INDEXES:
        conn.execute(index)
    missing = [t for t in TABLES if t not in _current(conn)]
    if not missing:
        return
    for table in missing:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in AGGREGATES_SCHEMA.split(";"):  # not executescript: it would commit the transaction
        conn.execute(statement)
    for table in missing:
        if table == "place_articles":
            conn.execute(f"INSERT INTO place_articles {_PER_PLACE_ARTICLE.format(where='1')}")
        else:
            keys, counts, select = COUNTS[table]
            conn.execute(f"INSERT INTO {table} ({', '.join(keys + counts)}) {select.format(where='1')}")


def count_article(conn: sqlite3.Connection, article_id: int) -> None:
    """Add a newly stored article's mentions to the counts (inside the caller's transaction)."""
    conn.execute(f"INSERT INTO place_articles {_PER_PLACE_ARTICLE.format(where=_ARTICLE)}", {"article": article_id})
    for table, (keys, counts, select) in COUNTS.items():
        added = ", ".join(f"{c} = {c} + excluded.{c}" for c in counts)
        conn.execute(f"""INSERT INTO {table} ({', '.join(keys + counts)}) {select.format(where=_ARTICLE)}
            ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {added}""", {"article": article_id})


def uncount_article(conn: sqlite3.Connection, article_id: int) -> None:
    """Take an article's mentions out of the counts before it is deleted (its `place_articles` rows go with it:
    a foreign key cascade)."""
    for table, (keys, counts, select) in COUNTS.items():
        names = [f"k{i}" for i in range(len(keys))] + [f"c{i}" for i in range(len(counts))]
        conn.execute(f"""WITH d ({', '.join(names)}) AS ({select.format(where=_ARTICLE)})
            UPDATE {table} AS s SET {', '.join(f'{c} = s.{c} - d.c{i}' for i, c in enumerate(counts))} FROM d
            WHERE {' AND '.join(f's.{k} = d.k{i}' for i, k in enumerate(keys))}""", {"article": article_id})
        conn.execute(f"DELETE FROM {table} WHERE {counts[0]} <= 0")


# -- the counts as rows `m` that `Filters.where()` reads like mentions ----------------------------------------

_FLOOR = "(CASE band " + " ".join(f"WHEN {k} THEN {floor!r}" for k, floor in enumerate(BANDS)) + " END)"
"""A band's floor: the `confidence` of its rows, so that `m.confidence >= floor` keeps the bands from it up."""


def aggregated_mentions(filters: Filters) -> str:
    """`place_articles` as rows `m`: `eff_place_id`, `article_id`, `published`, `n` (the mentions the filters
    count: demonyms only while they are shown) and `confidence_sum`. The conditions on a mention's confidence
    and kind hold for every row (`confidence` 0, `kind` 'toponym'): read only without a confidence floor, the
    demonyms' toggle applied to `n`."""
    n, confidence = (("others + demonyms", "others_confidence + demonyms_confidence") if filters.demonyms
                     else ("others", "others_confidence"))
    return f"""(SELECT place_id AS eff_place_id, article_id, published, {n} AS n, {confidence} AS confidence_sum,
        0.0 AS confidence, 'toponym' AS kind FROM place_articles WHERE {n} > 0)"""


_OWN = {"place_bands": ("confidence_sum", "m.confidence"), "spelling_bands": ("text", "m.text"),
        "day_bands": ("published", "ifnull(a.published, '')")}
"""The column a table of counts per mention has besides the others (`banded`), and its value for one mention."""


def banded(table: str, filters: Filters) -> str:
    """A table of counts per band as rows `m`, read with `Filters.banded_where()`: `n` (the count),
    `confidence` (the band's floor), `kind` ('demonym' or not), `eff_place_id` (true for the tables of all
    places), `language` and the table's own column (`_OWN`). The tables of articles (`place_tops`,
    `article_tops`) count them with or without demonyms as the filters do. A floor between two bands' edges
    keeps the bands above it, and the rows of `_below_edge` add what lies between the floor and that edge."""
    place = "1" if table in ("article_tops", "day_bands") else "place_id"
    own = f"{_OWN[table][0]}, " if table in _OWN else ""
    if table in ("place_tops", "article_tops"):
        n, kind, where = "articles", "'toponym'", f" WHERE demonyms = {int(filters.demonyms)}"
    else:
        n, kind, where = "mentions", "(CASE demonym WHEN 1 THEN 'demonym' ELSE 'toponym' END)", ""
    rows = f"""SELECT {place} AS eff_place_id, {own}{n} AS n, {_FLOOR} AS confidence, {kind} AS kind, language
        FROM {table}{where}"""
    edge = bisect.bisect_left(BANDS, filters.min_confidence)
    if filters.min_confidence in BANDS or not 0 < edge < len(BANDS):
        return f"({rows})"
    return f"({rows} UNION ALL {_below_edge(table, filters, BANDS[edge - 1], BANDS[edge])})"


def _below_edge(table: str, filters: Filters, low: float, high: float) -> str:
    """The counted mentions of confidence in [`low`, `high`) (one band, read from the index mentions_confidence;
    those below the floor but by a hair left out: the caller's condition keeps the floor exactly, whatever number
    SQLite reads for a literal) as rows of `banded(table)`, one a mention; for the tables of articles, one per
    article (and place) whose most confident mention there is in that band, `confidence` its confidence. The
    articles are read (from their index) only for a language filter or the dates."""
    shown = "" if filters.demonyms else " AND {m}.kind != 'demonym'"
    low = max(low, filters.min_confidence - 1e-9)
    article = filters.languages or table == "day_bands"
    mentions = f"""FROM mentions m INDEXED BY mentions_confidence {ARTICLES if article else ''}
        WHERE m.place_id IS NOT NULL
        AND m.confidence >= {low!r} AND m.confidence < {high!r}{shown.format(m='m')}"""  # (not `_COUNTED`: its
    # bound `confidence >= 0` would be the one the index is read from)
    language = "a.language" if filters.languages else "NULL"
    if table in ("place_tops", "article_tops"):
        place, same = (("m.place_id", "o.place_id = m.place_id") if table == "place_tops"
                       else ("1", "o.place_id IS NOT NULL"))
        return f"""SELECT {place} AS eff_place_id, 1 AS n, MAX(m.confidence) AS confidence, 'toponym' AS kind,
            {language} {mentions} GROUP BY {place}, m.article_id HAVING NOT EXISTS (SELECT 1 FROM mentions o
            WHERE o.article_id = m.article_id AND {same} AND o.confidence >= {high!r}{shown.format(m='o')})"""
    place = "1" if table == "day_bands" else "m.place_id"
    own = f"{_OWN[table][1]}, " if table in _OWN else ""
    return f"SELECT {place}, {own}1, m.confidence, m.kind, {language} {mentions}"
