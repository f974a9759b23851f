"""Search the store: places by the names the articles use, sentences by their words (SQLite FTS5).

The sentence index is contentless (the text stays in `articles`; the index holds only its terms),
keyed by `article_id << 20 | sentence index`, and kept in step with every add and delete. A store
made before the index gets it filled the first time it is opened for writing.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

import pandas as pd

from ..gazetteer import normalize
from ..records import Sentence

SENTENCE_BITS = 20  # up to ~1M sentences an article
SEARCH_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS sentence_index USING fts5(
    text, content='', tokenize='unicode61 remove_diacritics 2');
"""
_WORDS = re.compile(r"\w+")


def _key(article_id: int, index: int) -> int:
    return (article_id << SENTENCE_BITS) | index


def index_sentences(conn: sqlite3.Connection, article_id: int, text: str, sentences: Sequence[Sentence]) -> None:
    conn.executemany("INSERT INTO sentence_index (rowid, text) VALUES (?, ?)",
                     [(_key(article_id, s.index), text[s.start:s.end]) for s in sentences])


def unindex_article(conn: sqlite3.Connection, article_id: int) -> None:
    """Take an article's sentences out of the index (a contentless index needs the text it indexed)."""
    rows = conn.execute('SELECT s.idx, substr(a.text, s.start + 1, s."end" - s.start) FROM sentences s '
                        "JOIN articles a ON a.id = s.article_id WHERE s.article_id = ?", (article_id,)).fetchall()
    conn.executemany("INSERT INTO sentence_index (sentence_index, rowid, text) VALUES ('delete', ?, ?)",
                     [(_key(article_id, idx), text) for idx, text in rows])


def fill_index(conn: sqlite3.Connection) -> None:
    """Index every stored sentence once (a store made before search existed); a no-op afterwards."""
    if conn.execute("SELECT 1 FROM meta WHERE key = 'sentence_index'").fetchone():
        return
    conn.execute("INSERT INTO sentence_index (rowid, text) SELECT (s.article_id << ?) | s.idx, "
                 'substr(a.text, s.start + 1, s."end" - s.start) FROM sentences s '
                 "JOIN articles a ON a.id = s.article_id", (SENTENCE_BITS,))
    conn.execute("INSERT INTO meta (key, value) VALUES ('sentence_index', '1')")


def match_expression(query: str) -> str | None:
    """The user's words as an FTS5 query: every word required, the last one as a prefix. Quoting each
    word keeps FTS5 syntax (AND, NEAR, *, quotes, columns) in a query from being read as syntax."""
    words = _WORDS.findall(query)
    if not words:
        return None
    return " ".join(f'"{w}"' for w in words[:-1]) + (" " if len(words) > 1 else "") + f'"{words[-1]}"*'


_RESULT = """
    SELECT a.id AS article_id, a.doc_id, a.title, a.published, substr(a.text, s.start + 1, s."end" - s.start)
        AS sentence, {mention} AS mention, p.id AS place_id, p.name AS place_name, p.lat, p.lon, p.country
"""


def search(conn: sqlite3.Connection, query: str, limit: int = 50) -> pd.DataFrame:
    """Mentions of places named by `query` (the article's own spelling, or the place's name), then
    sentences holding its words that no such mention already gives; each row one sentence."""
    key = normalize(query)
    places = pd.read_sql_query(
        _RESULT.format(mention="m.text") + """
        FROM effective_mentions m JOIN articles a ON a.id = m.article_id
        JOIN sentences s ON s.article_id = m.article_id AND s.idx = m.sentence
        LEFT JOIN places p ON p.id = m.eff_place_id
        WHERE m.eff_place_id IS NOT NULL AND (m.name_key = ? OR m.eff_place_id IN
            (SELECT id FROM places WHERE name = ? COLLATE NOCASE))
        ORDER BY a.published DESC, a.id, m.start LIMIT ?""", conn, params=[key, query.strip(), limit])
    expression = match_expression(query)
    if expression is None or len(places) >= limit:
        return places
    words = pd.read_sql_query(
        _RESULT.format(mention="NULL") + """
        FROM (SELECT rowid, bm25(sentence_index) AS rank FROM sentence_index WHERE sentence_index MATCH ?
              ORDER BY rank LIMIT ?) hit
        JOIN sentences s ON s.article_id = hit.rowid >> ? AND s.idx = hit.rowid & ?
        JOIN articles a ON a.id = s.article_id
        LEFT JOIN places p ON 0
        ORDER BY hit.rank""", conn, params=[expression, limit, SENTENCE_BITS, (1 << SENTENCE_BITS) - 1])
    seen = set(zip(places.article_id, places.sentence))
    words = words[[(a, s) not in seen for a, s in zip(words.article_id, words.sentence)]]
    return pd.concat([places, words], ignore_index=True).head(limit) if not words.empty else places
