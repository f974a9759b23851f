"""Search the store: places by the names the articles use or the gazetteer gives them, sentences by their
words (SQLite FTS5).

The sentence index is contentless (the text stays in `articles`; the index holds only its terms),
keyed by `article_id << 20 | sentence index` (the title's index -1 as 2**20 - 1), and kept in step with
every add and delete. A store
made before the index gets it filled the first time it is opened for writing.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from typing import Protocol

import pandas as pd

from ..gazetteer import normalize
from ..records import TITLE_SENTENCE, Place, Sentence
from .schema import SENTENCE_SQL

SENTENCE_BITS = 20  # up to ~1M sentences an article
SENTENCE_MASK = (1 << SENTENCE_BITS) - 1
SEARCH_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS sentence_index USING fts5(
    text, content='', tokenize='unicode61 remove_diacritics 2');
"""
_WORDS = re.compile(r"\w+")


class PlaceNames(Protocol):
    """What a search reads of a gazetteer (`geodata.gazetteer.Gazetteer`): the places a name, primary or
    alternate, is of (each with whether it is the primary name)."""

    def lookup(self, name: str) -> list[tuple[Place, bool]]: ...


def _key(article_id: int, index: int) -> int:
    return (article_id << SENTENCE_BITS) | (index & SENTENCE_MASK)


def index_sentences(conn: sqlite3.Connection, article_id: int, text: str, sentences: Sequence[Sentence],
                    title: str | None = None) -> None:
    """Index an article's sentences: of `text`, and of `title` for the title's sentence."""
    conn.executemany("INSERT INTO sentence_index (rowid, text) VALUES (?, ?)",
                     [(_key(article_id, s.index), (title or "" if s.index == TITLE_SENTENCE else text)[s.start:s.end])
                      for s in sentences])


def unindex_article(conn: sqlite3.Connection, article_id: int) -> None:
    """Take an article's sentences out of the index (a contentless index needs the text it indexed)."""
    rows = conn.execute(f"SELECT s.idx, {SENTENCE_SQL} FROM sentences s "
                        "JOIN articles a ON a.id = s.article_id WHERE s.article_id = ?", (article_id,)).fetchall()
    conn.executemany("INSERT INTO sentence_index (sentence_index, rowid, text) VALUES ('delete', ?, ?)",
                     [(_key(article_id, idx), text) for idx, text in rows])


def fill_index(conn: sqlite3.Connection) -> None:
    """Index every stored sentence once (a store made before search existed); a no-op afterwards."""
    if conn.execute("SELECT 1 FROM meta WHERE key = 'sentence_index'").fetchone():
        return
    conn.execute(f"INSERT INTO sentence_index (rowid, text) SELECT (s.article_id << ?) | (s.idx & ?), "
                 f"{SENTENCE_SQL} FROM sentences s JOIN articles a ON a.id = s.article_id",
                 (SENTENCE_BITS, SENTENCE_MASK))
    conn.execute("INSERT INTO meta (key, value) VALUES ('sentence_index', '1')")


def match_expression(query: str) -> str | None:
    """The user's words as an FTS5 query: every word required, the last one as a prefix. Quoting each
    word keeps FTS5 syntax (AND, NEAR, *, quotes, columns) in a query from being read as syntax."""
    words = _WORDS.findall(query)
    if not words:
        return None
    return " ".join(f'"{w}"' for w in words[:-1]) + (" " if len(words) > 1 else "") + f'"{words[-1]}"*'


_TARGETS = """WITH target(id) AS (SELECT id FROM places WHERE name = :name COLLATE NOCASE
        UNION SELECT value FROM json_each(:ids)),
    fix(scope, key) AS (SELECT scope, key FROM corrections WHERE undone_at IS NULL AND place_id IN target)"""
_NAMED = """(m.name_key = :key OR m.place_id IN target
    OR m.name_key IN (SELECT key FROM fix WHERE scope IN ('article', 'name'))
    OR m.place_id IN (SELECT key FROM fix WHERE scope = 'place')
    OR m.id IN (SELECT CAST(key AS INTEGER) FROM fix WHERE scope = 'mention'))"""
"""Mentions that may be of the place a query names, on the stored columns (so through the indexes): the
name, the place, and whatever a correction puts at that place (`_PLACED` then applies the corrections)."""
_PLACED = "m.eff_place_id IS NOT NULL AND (m.name_key = :key OR m.eff_place_id IN target)"
PLACE_WALK_FROM = 2000
"""Candidate mentions from which a place's are found by walking the articles newest first (stopping at the
limit) rather than sorting them all by date."""
RANK_BELOW = 5000
"""Sentences matching a query's words from which they come newest first (by when they were stored) rather
than ranked by relevance: ranking every match of a common word would read all of them."""
UNRANKED_NOTE = f"over {RANK_BELOW:,} sentences match: newest first; narrow the search to rank them"
"""What a search says (`attrs["note"]` of its result) when the sentences it lists by their words are unranked."""

_RESULT = """
    SELECT a.id AS article_id, a.doc_id, a.title, a.published, a.language, """ + SENTENCE_SQL + """
        AS sentence, {mention} AS mention, p.id AS place_id, p.name AS place_name, p.lat, p.lon, p.country
"""
_PLACE_ROWS = """
    JOIN sentences s ON s.article_id = m.article_id AND s.idx = m.sentence
    LEFT JOIN places p ON p.id = m.eff_place_id
    WHERE {where} AND """ + _PLACED + """
    ORDER BY a.published DESC, a.id, m.start LIMIT :limit"""


def _place_mentions(conn: sqlite3.Connection, query: str, place_ids: Sequence[str], limit: int) -> pd.DataFrame:
    """Mentions of the place `query` names (by the articles' spelling or the place's name) or of `place_ids`
    (the places the gazetteer knows by that name), newest first.
    Few candidates are sorted by date; many are found walking the articles by date (index
    `articles_published`) until `limit` of them are: either way no scan of every mention."""
    params = {"name": query.strip(), "key": normalize(query), "ids": json.dumps(list(place_ids)), "limit": limit}
    many = conn.execute(f"{_TARGETS} SELECT COUNT(*) FROM (SELECT 1 FROM mentions m WHERE {_NAMED} LIMIT :cap)",
                        {**params, "cap": PLACE_WALK_FROM}).fetchone()[0] >= PLACE_WALK_FROM
    if many:
        source = "FROM articles a CROSS JOIN effective_mentions m ON m.article_id = a.id"  # articles outside
        where = _NAMED.replace("m.", "+m.")  # checked on each article's mentions, not looked up
    else:
        source = "FROM effective_mentions m JOIN articles a ON a.id = m.article_id"
        where = f"m.id IN (SELECT m.id FROM mentions m WHERE {_NAMED})"
    return pd.read_sql_query(_TARGETS + _RESULT.format(mention="m.text") + source + _PLACE_ROWS.format(where=where),
                             conn, params=params)


def _word_sentences(conn: sqlite3.Connection, expression: str, limit: int) -> tuple[pd.DataFrame, bool]:
    """Sentences holding the words of an FTS5 `expression`: the most relevant (bm25) when fewer than
    `RANK_BELOW` match, else the newest stored (one pass over the matches: a prefix is expanded once);
    and whether they are ranked."""
    newest = [r for r, in conn.execute("SELECT rowid FROM sentence_index WHERE sentence_index MATCH ? "
                                       "ORDER BY rowid DESC LIMIT ?", (expression, RANK_BELOW))]
    ranked = len(newest) < RANK_BELOW
    if ranked:
        hits = "SELECT rowid, bm25(sentence_index) AS rank FROM sentence_index WHERE sentence_index MATCH ? " \
               "ORDER BY rank LIMIT ?"
        params: list[object] = [expression, limit]
    else:
        hits = "SELECT value AS rowid, key AS rank FROM json_each(?)"
        params = [json.dumps(newest[:limit])]
    found = pd.read_sql_query(
        _RESULT.format(mention="NULL") + f"""
        FROM ({hits}) hit
        JOIN sentences s ON s.article_id = hit.rowid >> ? AND (s.idx & ?) = hit.rowid & ?
        JOIN articles a ON a.id = s.article_id
        LEFT JOIN places p ON 0
        ORDER BY hit.rank""", conn, params=[*params, SENTENCE_BITS, SENTENCE_MASK, SENTENCE_MASK])
    return found, ranked


def named_places(gazetteer: PlaceNames | None, query: str) -> list[str]:
    """Ids of the places `gazetteer` knows by `query`, by any of their names (none without a gazetteer)."""
    return [place.id for place, _ in gazetteer.lookup(query)] if gazetteer is not None and query.strip() else []


def search(conn: sqlite3.Connection, query: str, limit: int = 50,
           gazetteer: PlaceNames | None = None) -> pd.DataFrame:
    """Mentions of places named by `query` (the article's own spelling, the place's name, or any name
    `gazetteer` gives a place), newest first, then sentences holding its words that no such mention
    already gives (the most relevant, or the newest stored when over `RANK_BELOW` sentences hold them:
    `attrs["note"]` then says so); each row one sentence. The query is only ever a bound parameter."""
    places = _place_mentions(conn, query, named_places(gazetteer, query), limit)
    expression = match_expression(query)
    if expression is None or len(places) >= limit:
        return places
    words, ranked = _word_sentences(conn, expression, limit)
    seen = set(zip(places.article_id, places.sentence))
    words = words[[(a, s) not in seen for a, s in zip(words.article_id, words.sentence)]]
    if words.empty:
        return places
    found = pd.concat([places, words], ignore_index=True).head(limit)
    if not ranked:
        found.attrs["note"] = UNRANKED_NOTE
    return found
