"""The store's queries for the views and exports (a mixin of `Store`: it needs `self.conn`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Collection, Iterable, Sequence

import pandas as pd

from ..filters import Filters
from ..records import Place
from .aggregates import ARTICLES, aggregated_mentions, banded, has_aggregates
from .schema import KIND_SQL, PLACE_COLUMNS, PLAIN_MENTIONS, SENTENCE_SQL

MENTION_COLUMNS = {  # what `StoreReads.mentions` can read: the chosen mention (`c`), its article, sentence, place
    "mention_id": "c.id", "article_id": "c.article_id", "title": "a.title", "published": "a.published",
    "source": "a.source", "language": "a.language", "text": "c.text", "kind": "c.kind", "label": "c.label",
    "confidence": "c.confidence", "reason": "c.reason", "correction_id": "c.correction_id",
    "place_id": "c.eff_place_id", "place_name": "p.name", "lat": "p.lat", "lon": "p.lon", "country": "p.country",
    "feature_class": "p.feature_class", "feature_code": "p.feature_code", "geonameid": "p.geonameid",
    "place_kind": KIND_SQL, "sentence": SENTENCE_SQL, "sentence_start": "c.start - s.start",
    "sentence_end": 'c."end" - s.start', "start": "c.start", "end": 'c."end"', "sentence_index": "c.sentence",
}
_OF_PLACE = {"place_name", "lat", "lon", "country", "feature_class", "feature_code", "geonameid", "place_kind"}
"""The columns read from the place (`p`)."""


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
        """Whether the counts per place and article kept at write time (`place_articles`) answer these filters
        exactly."""
        return not corrected and filters.min_confidence == 0 and has_aggregates(self.conn)

    def _banded(self, filters: Filters, corrected: bool) -> bool:
        """Whether the counts per confidence band kept at write time (`aggregates.banded`) answer these filters
        exactly: no active correction, no condition on articles but their language, a floor from 0 to 1 (one
        between two bands' edges adds the mentions of one band, read from the index mentions_confidence)."""
        return (not corrected and not filters.picks_articles and 0 <= filters.min_confidence <= 1
                and has_aggregates(self.conn))

    def _mentions_from(self, tables: frozenset[str], corrected: bool | None = None, *, article: bool = False,
                       place: bool = False, source: str | None = None) -> str:
        """The mentions as corrected (`m`), their article (`a`) and place (`p`); while no correction is active,
        the stored mentions themselves (`PLAIN_MENTIONS`: the same rows, read several times faster). The article
        and the place are joined only when the filters' conditions read them (`tables`: `Filters.tables`) or the
        caller does (`article`, `place`): SQLite keeps an unused join in an aggregate, and without it the index
        `mentions_place_order` alone serves. `source`: other rows read as the mentions (`aggregates`)."""
        if source is None:
            corrected = self._corrected() if corrected is None else corrected
            source = "effective_mentions" if corrected else PLAIN_MENTIONS
        joins = ("JOIN articles a ON a.id = m.article_id" if article or "articles" in tables else "",
                 "LEFT JOIN places p ON p.id = m.eff_place_id" if place or "places" in tables else "")
        return f"FROM {source} m {' '.join(joins)}"

    def _banded_from(self, table: str, filters: Filters) -> str:
        """FROM a table of counts per band (`aggregates.banded`) read as the mentions `m` (with their language:
        read with `filters.banded_where()`, the articles are not joined)."""
        return self._mentions_from(filters.tables - {"articles"}, source=banded(table, filters))

    def _chosen(self, filters: Filters, where: str, params: list[object],
                per_place: int | None) -> tuple[str, list[object]]:
        """The matching mentions, or only each place's first `per_place` (by article, then offset), and the
        parameters of that SQL. Without active corrections nor conditions on articles but their language, those
        are read place by place from the index `mentions_place_order`, `per_place` at most each, rather than
        ranking every matching mention (the conditions on the place, `p`, are then the outer query's: tested
        once a place); with a language, only the places mentioned in it (from the counts per band, when they
        answer the filters) and the articles' language from their index (`aggregates.INDEXES`)."""
        columns = 'm.id, m.article_id, m.sentence, m.start, m."end", m.text, m.kind, m.label, m.confidence, ' \
                  "m.reason, m.correction_id, m.eff_place_id"
        corrected = self._corrected()
        if not per_place:
            return f"SELECT {columns} {self._mentions_from(filters.tables, corrected)} WHERE {where}", params
        if corrected or filters.picks_articles or (filters.languages and not self._banded(filters, corrected)):
            ranked = f"""SELECT m.id, ROW_NUMBER() OVER (PARTITION BY m.eff_place_id ORDER BY m.article_id, m.start,
                m.id) AS rank {self._mentions_from(filters.tables, corrected)} WHERE {where}"""
            return f"""SELECT {columns} FROM {"effective_mentions" if corrected else PLAIN_MENTIONS} m
                WHERE m.id IN (SELECT id FROM ({ranked}) WHERE rank <= {int(per_place)})""", params
        places, article = "places", ""
        if filters.languages:
            places = f"""(SELECT * FROM places WHERE id IN (SELECT place_id FROM place_bands
                WHERE language IN ({','.join('?' * len(filters.languages))})))"""
            params, article = [*filters.languages, *params], ARTICLES
        return f"""SELECT {columns} FROM {places} p JOIN {PLAIN_MENTIONS} m ON m.id IN (
                SELECT m.id FROM {PLAIN_MENTIONS} m {article} WHERE m.eff_place_id = p.id AND {where}
                ORDER BY m.article_id, m.start, m.id LIMIT {int(per_place)})""", params

    def mentions(self, filters: Filters = Filters(), limit: int | None = None, per_place: int | None = None,
                 name_key: str | None = None, columns: Sequence[str] = MENTION_COLUMNS) -> pd.DataFrame:
        """One row per mention: the place, the sentence (with the mention's offsets inside it) and the article,
        in article order. `per_place`: only each place's first mentions (what map popups show), chosen in SQL
        so that the sentences of the other mentions are never read. `name_key`: only the mentions of this
        normalised name. `columns`: only these of `MENTION_COLUMNS` (the place is not read unless asked)."""
        where, params = filters.where()
        if name_key is not None:
            where, params = f"{where} AND m.name_key = ?", [*params, name_key]
        selected = ", ".join(f'{MENTION_COLUMNS[c]} AS "{c}"' for c in columns)
        place = "LEFT JOIN places p ON p.id = c.eff_place_id" if _OF_PLACE.intersection(columns) else ""
        chosen, params = self._chosen(filters, where, params, per_place)
        sql = f"""WITH chosen AS ({chosen})
            SELECT {selected}
            FROM chosen c
            JOIN articles a ON a.id = c.article_id
            JOIN sentences s ON s.article_id = c.article_id AND s.idx = c.sentence
            {place}
            ORDER BY c.article_id, c.sentence >= 0, c.start, c.id"""
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._frame(sql, params)

    def totals(self, filters: Filters = Filters()) -> tuple[int, int]:
        """(mentions, articles) that match the filters (from the counts kept at write time when they can)."""
        where, params = filters.where()
        corrected = self._corrected()
        if self._banded(filters, corrected) and not filters.narrows_places:
            where = filters.banded_where()
            mentions, articles = (f"SELECT COALESCE(SUM(m.n), 0) {self._banded_from(table, filters)} WHERE {where}"
                                  for table in ("place_bands", "article_tops"))
            sql, params = f"SELECT ({mentions}), ({articles})", params * 2
        elif self._aggregated(filters, corrected):
            counted = self._mentions_from(filters.tables, source=aggregated_mentions(filters))
            per_article = f"SELECT m.article_id, SUM(m.n) AS n {counted} WHERE {where} GROUP BY m.article_id"
            sql = f"SELECT COALESCE(SUM(n), 0), COUNT(*) FROM ({per_article})"  # no COUNT DISTINCT
        else:
            sql = f"SELECT COUNT(*), COUNT(DISTINCT m.article_id) {self._mentions_from(filters.tables, corrected)} " \
                  f"WHERE {where}"
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
        if self._banded(filters, corrected) and not filters.narrows_places:  # the counts per date
            where = filters.banded_where()
            per_article = f"""SELECT m.published, SUM(m.n) AS n {self._banded_from('day_bands', filters)}
                WHERE {where} GROUP BY m.published"""
        elif aggregated and "articles" not in filters.tables:  # the counts carry their article's date
            counted = self._mentions_from(filters.tables, source=aggregated_mentions(filters))
            per_article = f"SELECT m.published, SUM(m.n) AS n {counted} WHERE {where} GROUP BY m.published"
        elif aggregated:  # the articles first, by the index articles_published (their rows, the text, unread)
            place = "LEFT JOIN places p ON p.id = m.eff_place_id" if "places" in filters.tables else ""
            counted = f"FROM articles a CROSS JOIN {aggregated_mentions(filters)} m ON m.article_id = a.id {place}"
            per_article = f"SELECT a.published, SUM(m.n) AS n {counted} WHERE {where} GROUP BY a.published"
        else:
            mentions = self._mentions_from(filters.tables, corrected, article=True)
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
        """One row per place with its number of mentions and articles, most mentioned first: from the counts per
        confidence band kept at write time without active corrections nor condition on articles but their language
        (`spellings` then in another order, the same set), else aggregated in SQL from the index
        `mentions_place_order` alone when no correction is active nor condition on articles."""
        where, params = filters.where()
        corrected = self._corrected()
        if self._banded(filters, corrected):
            where = filters.banded_where()

            def per_place(table: str, columns: str) -> str:
                return f"""SELECT m.eff_place_id AS place_id, {columns} {self._banded_from(table, filters)}
                    WHERE {where} GROUP BY m.eff_place_id"""
            counted = "SUM(m.n) AS mentions, SUM(m.confidence_sum) / SUM(m.n) AS confidence"
            grouped = f"""SELECT c.*, t.articles, s.spellings FROM ({per_place('place_bands', counted)}) c
                JOIN ({per_place('place_tops', 'SUM(m.n) AS articles')}) t ON t.place_id = c.place_id
                LEFT JOIN ({per_place('spelling_bands', 'GROUP_CONCAT(DISTINCT m.text) AS spellings')}) s
                    ON s.place_id = c.place_id"""
            params = params * 3
        else:
            grouped = f"""SELECT m.eff_place_id AS place_id, COUNT(*) AS mentions,
                    COUNT(DISTINCT m.article_id) AS articles, AVG(m.confidence) AS confidence,
                    GROUP_CONCAT(DISTINCT m.text) AS spellings
                {self._mentions_from(filters.tables, corrected)} WHERE {where} GROUP BY m.eff_place_id"""
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
                {self._mentions_from(filters.tables, place=True)} WHERE {where}
                GROUP BY m.name_key, m.eff_place_id HAVING AVG(m.confidence) < ?
                ORDER BY confidence, mentions DESC, name""",
            [*params, below],
        )

    def outlet_placements(self, at_least: float, outlets: Collection[str], outlet_of: Callable[[str | None], str | None]
                          ) -> list[tuple[str, str | None, str | None, str | None, str | None, float]]:
        """The placements of confidence `at_least` or more, as corrected, in the articles whose address is of one of
        `outlets` (`outlet_of`: the outlet of an address, `resolve.outlet.outlet_host`): (url, country, first-level
        division, feature class and code, confidence); what `resolve.outlet.OutletHomes` learns outlets from. Each
        stored address is read once, and only the chosen articles' mentions (`mentions_article`): an ingest of one
        paper's story into a store of many papers reads that paper's placements alone. (Not an SQL function: the
        connection is shared, and SQLite refuses to define one while another statement runs on it.)"""
        if not outlets:
            return []
        chosen = [article_id for article_id, url in self.conn.execute(
            "SELECT id, url FROM articles WHERE url IS NOT NULL") if isinstance(url, str) and outlet_of(url) in outlets]
        if not chosen:
            return []
        return self.conn.execute(
            f"""SELECT a.url, p.country, p.admin1, p.feature_class, p.feature_code, m.confidence
                {self._mentions_from(frozenset(), article=True, place=True)}
                WHERE m.article_id IN (SELECT value FROM json_each(?))
                  AND m.eff_place_id IS NOT NULL AND m.confidence >= ?""",
            (json.dumps(chosen), at_least)).fetchall()

    def place(self, place_id: str) -> Place | None:
        row = self.conn.execute(f"SELECT {PLACE_COLUMNS} FROM places WHERE id = ?", (place_id,)).fetchone()
        return Place(*row) if row else None

    def countries(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT p.country FROM mentions m JOIN places p ON p.id = m.place_id "
            "WHERE p.country IS NOT NULL ORDER BY 1")]

    def date_range(self) -> tuple[str | None, str | None]:
        return self.conn.execute("SELECT MIN(published), MAX(published) FROM articles").fetchone()
