"""The store's queries for the views and exports (a mixin of `Store`: it needs `self.conn`)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable

import pandas as pd

from ..filters import Filters
from ..records import Place
from .aggregates import aggregated_mentions, has_aggregates, spellings_sql
from .schema import KIND_SQL, PLACE_COLUMNS, PLAIN_MENTIONS, SENTENCE_SQL

_ARTICLE_COLUMN = re.compile(r"\ba\.")
_PLACE_COLUMN = re.compile(r"\bp\.")
"""SQL conditions on a column of the article (`a`), of the place (`p`)."""


class StoreReads:
    conn: sqlite3.Connection

    def counts(self) -> dict[str, int]:
        return {table: self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("articles", "mentions", "places", "corrections")}

    def _frame(self, sql: str, params: Iterable[object] = ()) -> pd.DataFrame:
        return pd.read_sql_query(sql, self.conn, params=list(params))

    def articles(self) -> pd.DataFrame:
        return self._frame("SELECT id, doc_id, title, published, source, origin, url, language, added_at, "
                           "(SELECT COUNT(*) FROM mentions m WHERE m.article_id = a.id) AS mentions "
                           "FROM articles a ORDER BY published, id")

    def article(self, article_id: int) -> dict | None:
        columns = ("id", "doc_id", "title", "published", "source", "origin", "url", "language", "text")
        row = self.conn.execute(f"SELECT {', '.join(columns)} FROM articles WHERE id = ?", (article_id,)).fetchone()
        return dict(zip(columns, row)) if row else None

    def _corrected(self) -> bool:
        """Whether a correction is active (reads then go through `effective_mentions`)."""
        return self.conn.execute("SELECT 1 FROM corrections WHERE undone_at IS NULL LIMIT 1").fetchone() is not None

    def _aggregated(self, filters: Filters, corrected: bool) -> bool:
        """Whether the counts kept at write time (`aggregates`) answer these filters exactly."""
        return not corrected and filters.min_confidence == 0 and has_aggregates(self.conn)

    def _mentions_from(self, where: str, corrected: bool | None = None, *, article: bool = False,
                       place: bool = False, source: str | None = None) -> str:
        """The mentions as corrected (`m`), their article (`a`) and place (`p`); while no correction is active,
        the stored mentions themselves (`PLAIN_MENTIONS`: the same rows, read several times faster). The article
        and the place are joined only when the conditions `where` name them or the caller reads them (`article`,
        `place`): SQLite keeps an unused join in an aggregate, and without it the index `mentions_place_order`
        alone serves. `source`: other rows read as the mentions (`aggregates.aggregated_mentions`)."""
        if source is None:
            corrected = self._corrected() if corrected is None else corrected
            source = "effective_mentions" if corrected else PLAIN_MENTIONS
        joins = ("JOIN articles a ON a.id = m.article_id" if article or _ARTICLE_COLUMN.search(where) else "",
                 "LEFT JOIN places p ON p.id = m.eff_place_id" if place or _PLACE_COLUMN.search(where) else "")
        return f"FROM {source} m {' '.join(joins)}"

    def _chosen(self, where: str, per_place: int | None) -> str:
        """The matching mentions, or only each place's first `per_place` (by article, then offset). Without
        active corrections nor conditions on articles, those are read place by place from the index
        `mentions_place_order`, `per_place` at most each, rather than ranking every matching mention (the
        conditions on the place, `p`, are then the outer query's: tested once a place)."""
        columns = 'm.id, m.article_id, m.sentence, m.start, m."end", m.text, m.kind, m.label, m.confidence, ' \
                  "m.correction_id, m.eff_place_id"
        corrected = self._corrected()
        if not per_place:
            return f"SELECT {columns} {self._mentions_from(where, corrected)} WHERE {where}"
        if corrected or _ARTICLE_COLUMN.search(where):
            return f"""SELECT {columns} FROM (SELECT m.*, ROW_NUMBER() OVER (PARTITION BY m.eff_place_id
                ORDER BY m.article_id, m.start, m.id) AS rank {self._mentions_from(where, corrected)} WHERE {where}) m
                WHERE m.rank <= {int(per_place)}"""
        return f"""SELECT {columns} FROM places p JOIN {PLAIN_MENTIONS} m ON m.id IN (
                SELECT m.id FROM {PLAIN_MENTIONS} m WHERE m.eff_place_id = p.id AND {where}
                ORDER BY m.article_id, m.start, m.id LIMIT {int(per_place)})"""

    def mentions(self, filters: Filters = Filters(), limit: int | None = None,
                 per_place: int | None = None, name_key: str | None = None) -> pd.DataFrame:
        """One row per mention: the place, the sentence (with the mention's offsets inside it) and the article,
        in article order. `per_place`: only each place's first mentions (what map popups show), chosen in SQL
        so that the sentences of the other mentions are never read. `name_key`: only the mentions of this
        normalised name."""
        where, params = filters.where()
        if name_key is not None:
            where, params = f"{where} AND m.name_key = ?", [*params, name_key]
        sql = f"""WITH chosen AS ({self._chosen(where, per_place)})
            SELECT c.id AS mention_id, c.article_id, a.title, a.published, a.source, a.language, c.text, c.kind,
                c.label, c.confidence, c.correction_id, c.eff_place_id AS place_id, p.name AS place_name, p.lat, p.lon,
                p.country, p.feature_class, p.feature_code, p.geonameid, {KIND_SQL} AS place_kind,
                {SENTENCE_SQL} AS sentence, c.start - s.start AS sentence_start,
                c."end" - s.start AS sentence_end, c.start, c."end", c.sentence AS sentence_index
            FROM chosen c
            JOIN articles a ON a.id = c.article_id
            JOIN sentences s ON s.article_id = c.article_id AND s.idx = c.sentence
            LEFT JOIN places p ON p.id = c.eff_place_id
            ORDER BY c.article_id, c.sentence >= 0, c.start, c.id"""
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._frame(sql, params)

    def totals(self, filters: Filters = Filters()) -> tuple[int, int]:
        """(mentions, articles) that match the filters (from the counts kept at write time when they can)."""
        where, params = filters.where()
        corrected = self._corrected()
        if self._aggregated(filters, corrected):
            counted = self._mentions_from(where, source=aggregated_mentions(filters))
            per_article = f"SELECT m.article_id, SUM(m.n) AS n {counted} WHERE {where} GROUP BY m.article_id"
            sql = f"SELECT COALESCE(SUM(n), 0), COUNT(*) FROM ({per_article})"  # no COUNT DISTINCT
        else:
            sql = f"SELECT COUNT(*), COUNT(DISTINCT m.article_id) {self._mentions_from(where, corrected)} WHERE {where}"
        return self.conn.execute(sql, params).fetchone()

    def mentions_per_day(self, filters: Filters = Filters()) -> list[tuple[str | None, int]]:
        """(day, mentions) for the mentions that match the filters, counted in SQL by their article's day
        ("2019-02-17": `published` when it starts with a real date), in day order; the day None counts the
        mentions with none (undated articles, dates without a day). Feeds `geodata.timeline`. Counted per article,
        then per date, then per day: the day of a date is worked out once, not once per mention (2x faster on 1M);
        from the counts kept at write time (`aggregates`) when they answer the filters."""
        where, params = filters.where()
        day = "substr(published, 1, 10)"
        corrected = self._corrected()
        aggregated = self._aggregated(filters, corrected)
        if aggregated and not _ARTICLE_COLUMN.search(where):  # the counts carry their article's date
            counted = self._mentions_from(where, source=aggregated_mentions(filters))
            per_article = f"SELECT m.published, SUM(m.n) AS n {counted} WHERE {where} GROUP BY m.published"
        elif aggregated:  # the articles first, by the index articles_published (their rows, the text, unread)
            place = "LEFT JOIN places p ON p.id = m.eff_place_id" if _PLACE_COLUMN.search(where) else ""
            counted = f"FROM articles a CROSS JOIN {aggregated_mentions(filters)} m ON m.article_id = a.id {place}"
            per_article = f"SELECT a.published, SUM(m.n) AS n {counted} WHERE {where} GROUP BY a.published"
        else:
            mentions = self._mentions_from(where, corrected, article=True)
            per_article = f"SELECT a.published, COUNT(*) AS n {mentions} WHERE {where} GROUP BY a.id"
        return self.conn.execute(
            f"""SELECT CASE WHEN date({day}, '+0 days') = {day} AND {day} >= '0001' THEN {day} END AS day, SUM(n)
            FROM (SELECT published, SUM(n) AS n FROM ({per_article}) GROUP BY published)
            GROUP BY day ORDER BY day""", params).fetchall()

    def revision(self) -> tuple:
        """Changes whenever an article, a place or a correction is added or undone: a cache key for views."""
        return self.conn.execute(
            "SELECT (SELECT MAX(id) FROM articles), (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM places), "
            "(SELECT MAX(id) FROM corrections), (SELECT COUNT(*) FROM corrections WHERE undone_at IS NULL)").fetchone()

    def place_summary(self, filters: Filters = Filters()) -> pd.DataFrame:
        """One row per place with its number of mentions and articles, most mentioned first: from the counts kept
        at write time without active corrections, confidence floor nor condition on articles (`spellings` then in
        another order, the same set), else aggregated in SQL from the index `mentions_place_order` alone when no
        correction is active nor condition on articles."""
        where, params = filters.where()
        corrected = self._corrected()
        if self._aggregated(filters, corrected) and not _ARTICLE_COLUMN.search(where):
            grouped = f"""SELECT c.*, s.spellings FROM (SELECT m.eff_place_id AS place_id, SUM(m.n) AS mentions,
                    COUNT(*) AS articles, SUM(m.confidence_sum) / SUM(m.n) AS confidence
                {self._mentions_from(where, source=aggregated_mentions(filters))} WHERE {where}
                GROUP BY m.eff_place_id) c LEFT JOIN ({spellings_sql(filters)}) s ON s.place_id = c.place_id"""
        else:
            grouped = f"""SELECT m.eff_place_id AS place_id, COUNT(*) AS mentions,
                    COUNT(DISTINCT m.article_id) AS articles, AVG(m.confidence) AS confidence,
                    GROUP_CONCAT(DISTINCT m.text) AS spellings
                {self._mentions_from(where, corrected)} WHERE {where} GROUP BY m.eff_place_id"""
        return self._frame(
            f"""SELECT g.place_id, p.name, p.lat, p.lon, p.country, p.feature_class, p.feature_code, p.geonameid,
                p.source, {KIND_SQL} AS kind, g.mentions, g.articles, g.confidence, g.spellings
            FROM ({grouped}) g LEFT JOIN places p ON p.id = g.place_id ORDER BY g.mentions DESC, p.name, g.place_id""",
            params,
        )

    def article_mentions(self, article_id: int) -> pd.DataFrame:
        """All mentions of one article, resolved or not, for the article view (`sentence`: the title's
        mentions have `TITLE_SENTENCE`, offsets into the title)."""
        return self._frame(
            f"""SELECT m.id AS mention_id, m.sentence, m.start, m."end", m.text, m.kind, m.confidence, m.reason,
                m.eff_place_id AS place_id, p.name AS place_name, p.country, {KIND_SQL} AS place_kind
                FROM effective_mentions m LEFT JOIN places p ON p.id = m.eff_place_id
                WHERE m.article_id = ? ORDER BY m.start""",
            (article_id,),
        )

    def corrections(self, active_only: bool = True) -> pd.DataFrame:
        """The corrections, newest first, with what the user needs to recognise them (one query): `name`, the
        spelling the articles use (or the corrected place's name for scope "place", with `name_country`),
        `article_title` for a mention or a name in one article, and the new place (none: not a place)."""
        cond = "WHERE c.undone_at IS NULL" if active_only else ""
        return self._frame(f"""SELECT c.id, c.scope, c.key, c.article_id, c.place_id, p.name AS place_name,
            p.country AS place_country, p.lat, p.lon, c.created_at, c.undone_at,
            CASE c.scope
                WHEN 'mention' THEN (SELECT text FROM mentions WHERE id = CAST(c.key AS INTEGER))
                WHEN 'place' THEN (SELECT name FROM places WHERE id = c.key)
                ELSE (SELECT text FROM mentions WHERE name_key = c.key GROUP BY text ORDER BY COUNT(*) DESC, text
                      LIMIT 1) END AS name,
            CASE WHEN c.scope = 'place' THEN (SELECT country FROM places WHERE id = c.key) END AS name_country,
            COALESCE(a.title, a.doc_id) AS article_title
            FROM corrections c LEFT JOIN places p ON p.id = c.place_id
            LEFT JOIN articles a ON a.id = CASE c.scope WHEN 'article' THEN c.article_id
                WHEN 'mention' THEN (SELECT article_id FROM mentions WHERE id = CAST(c.key AS INTEGER)) END
            {cond} ORDER BY c.created_at DESC, c.id DESC""")

    def doubtful_names(self, filters: Filters, below: float) -> pd.DataFrame:
        """The review queue: one row per name and the place it is put at, among the mentions that match the
        filters, when their mean confidence is below `below`; lowest confidence, then most mentions first.
        `article_ids`: the articles of those mentions, comma-separated."""
        where, params = filters.where()
        return self._frame(
            f"""SELECT m.name_key, MIN(m.text) AS name, GROUP_CONCAT(DISTINCT m.text) AS spellings,
                m.eff_place_id AS place_id, p.name AS place_name, p.country, p.lat, p.lon, {KIND_SQL} AS kind,
                COUNT(*) AS mentions, COUNT(DISTINCT m.article_id) AS articles,
                GROUP_CONCAT(DISTINCT m.article_id) AS article_ids, AVG(m.confidence) AS confidence
                {self._mentions_from(where, place=True)} WHERE {where}
                GROUP BY m.name_key, m.eff_place_id HAVING AVG(m.confidence) < ?
                ORDER BY confidence, mentions DESC, name""",
            [*params, below],
        )

    def place(self, place_id: str) -> Place | None:
        row = self.conn.execute(f"SELECT {PLACE_COLUMNS} FROM places WHERE id = ?", (place_id,)).fetchone()
        return Place(*row) if row else None

    def countries(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT p.country FROM mentions m JOIN places p ON p.id = m.place_id "
            "WHERE p.country IS NOT NULL ORDER BY 1")]

    def date_range(self) -> tuple[str | None, str | None]:
        return self.conn.execute("SELECT MIN(published), MAX(published) FROM articles").fetchone()
