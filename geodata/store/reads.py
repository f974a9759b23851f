"""The store's queries for the views and exports (a mixin of `Store`: it needs `self.conn`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import pandas as pd

from ..filters import Filters
from ..records import Place
from .schema import KIND_SQL, PLACE_COLUMNS


class StoreReads:
    conn: sqlite3.Connection

    def counts(self) -> dict[str, int]:
        return {table: self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("articles", "mentions", "places", "corrections")}

    def _frame(self, sql: str, params: Iterable[object] = ()) -> pd.DataFrame:
        return pd.read_sql_query(sql, self.conn, params=list(params))

    def articles(self) -> pd.DataFrame:
        return self._frame("SELECT id, doc_id, title, published, source, origin, url, added_at, "
                           "(SELECT COUNT(*) FROM mentions m WHERE m.article_id = a.id) AS mentions "
                           "FROM articles a ORDER BY published, id")

    def article(self, article_id: int) -> dict | None:
        columns = ("id", "doc_id", "title", "published", "source", "origin", "url", "text")
        row = self.conn.execute(f"SELECT {', '.join(columns)} FROM articles WHERE id = ?", (article_id,)).fetchone()
        return dict(zip(columns, row)) if row else None

    _MENTION_FROM = """
        FROM effective_mentions m
        JOIN articles a ON a.id = m.article_id
        LEFT JOIN places p ON p.id = m.eff_place_id"""

    def mentions(self, filters: Filters = Filters(), limit: int | None = None,
                 per_place: int | None = None) -> pd.DataFrame:
        """One row per mention: the place, the sentence (with the mention's offsets inside it) and the article,
        in article order. `per_place`: only each place's first mentions (what map popups show), chosen in SQL
        so that the sentences of the other mentions are never read."""
        where, params = filters.where()
        rank = "ROW_NUMBER() OVER (PARTITION BY m.eff_place_id ORDER BY m.article_id, m.start)" if per_place else "1"
        sql = f"""WITH chosen AS (
                SELECT m.id, m.article_id, m.sentence, m.start, m."end", m.text, m.kind, m.label, m.confidence,
                    m.correction_id, m.eff_place_id, {rank} AS rank
                {self._MENTION_FROM} WHERE {where})
            SELECT c.id AS mention_id, c.article_id, a.title, a.published, a.source, c.text, c.kind, c.label,
                c.confidence, c.correction_id, c.eff_place_id AS place_id, p.name AS place_name, p.lat, p.lon,
                p.country, p.feature_class, p.feature_code, p.geonameid, {KIND_SQL} AS place_kind,
                substr(a.text, s.start + 1, s."end" - s.start) AS sentence, c.start - s.start AS sentence_start,
                c."end" - s.start AS sentence_end, c.start, c."end"
            FROM chosen c
            JOIN articles a ON a.id = c.article_id
            JOIN sentences s ON s.article_id = c.article_id AND s.idx = c.sentence
            LEFT JOIN places p ON p.id = c.eff_place_id
            WHERE c.rank <= ? ORDER BY c.article_id, c.start"""
        params = [*params, per_place or 1]
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._frame(sql, params)

    def totals(self, filters: Filters = Filters()) -> tuple[int, int]:
        """(mentions, articles) that match the filters."""
        where, params = filters.where()
        return self.conn.execute(f"SELECT COUNT(*), COUNT(DISTINCT m.article_id) {self._MENTION_FROM} WHERE {where}",
                                 params).fetchone()

    def revision(self) -> tuple:
        """Changes whenever an article, a place or a correction is added or undone: a cache key for views."""
        return self.conn.execute(
            "SELECT (SELECT MAX(id) FROM articles), (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM places), "
            "(SELECT MAX(id) FROM corrections), (SELECT COUNT(*) FROM corrections WHERE undone_at IS NULL)").fetchone()

    def place_summary(self, filters: Filters = Filters()) -> pd.DataFrame:
        """One row per place with its number of mentions and articles (aggregated in SQL)."""
        where, params = filters.where()
        return self._frame(
            f"""SELECT m.eff_place_id AS place_id, p.name, p.lat, p.lon, p.country, p.feature_class,
                p.feature_code, p.geonameid, p.source, {KIND_SQL} AS kind, COUNT(*) AS mentions,
                COUNT(DISTINCT m.article_id) AS articles, AVG(m.confidence) AS confidence,
                GROUP_CONCAT(DISTINCT m.text) AS spellings
                {self._MENTION_FROM} WHERE {where}
                GROUP BY m.eff_place_id ORDER BY mentions DESC, p.name""",
            params,
        )

    def article_mentions(self, article_id: int) -> pd.DataFrame:
        """All mentions of one article, resolved or not, for the article view."""
        return self._frame(
            f"""SELECT m.id AS mention_id, m.start, m."end", m.text, m.kind, m.confidence, m.reason,
                m.eff_place_id AS place_id, p.name AS place_name, p.country, {KIND_SQL} AS place_kind
                FROM effective_mentions m LEFT JOIN places p ON p.id = m.eff_place_id
                WHERE m.article_id = ? ORDER BY m.start""",
            (article_id,),
        )

    def corrections(self, active_only: bool = True) -> pd.DataFrame:
        cond = "WHERE c.undone_at IS NULL" if active_only else ""
        return self._frame(f"""SELECT c.id, c.scope, c.key, c.place_id, p.name AS place_name, p.lat, p.lon,
            c.created_at, c.undone_at FROM corrections c LEFT JOIN places p ON p.id = c.place_id {cond}
            ORDER BY c.created_at DESC""")

    def place(self, place_id: str) -> Place | None:
        row = self.conn.execute(f"SELECT {PLACE_COLUMNS} FROM places WHERE id = ?", (place_id,)).fetchone()
        return Place(*row) if row else None

    def countries(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT p.country FROM mentions m JOIN places p ON p.id = m.place_id "
            "WHERE p.country IS NOT NULL ORDER BY 1")]

    def date_range(self) -> tuple[str | None, str | None]:
        return self.conn.execute("SELECT MIN(published), MAX(published) FROM articles").fetchone()
