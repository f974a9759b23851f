"""What the map, tables and exports show: the `Filters` record, its SQL, and the checks of values
users type (dates, confidence) shared by the CLI and the dashboard."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import date

from .records import kind_sql

DATE_FORMAT_HINT = "YYYY-MM-DD (or YYYY-MM, YYYY)"
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class Filters:
    """What the map, tables and exports show. Empty collections mean 'all'."""

    places: tuple[str, ...] = ()
    articles: tuple[int, ...] = ()
    countries: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()  # ISO 639-1 codes of the articles
    min_confidence: float = 0.0
    date_from: str | None = None
    date_to: str | None = None
    demonyms: bool = True
    undated: bool = True  # articles with no date pass the date bounds

    def where(self, language: str = "a.language") -> tuple[str, list[object]]:
        """SQL conditions over `m` (effective_mentions), `p` (places) and `a` (articles); `language`: the column
        of the article's language (`m.language` for rows that carry it, the counts per band)."""
        clauses = ["m.eff_place_id IS NOT NULL", "m.confidence >= ?"]
        params: list[object] = [self.min_confidence]
        for column, values in (("m.eff_place_id", self.places), ("a.id", self.articles),
                               ("p.country", self.countries), (kind_sql("p"), self.kinds),
                               (language, self.languages)):
            if values:
                clauses.append(f"{column} IN ({','.join('?' * len(values))})")
                params.extend(values)
        bounds = []
        if self.date_from:
            bounds.append("a.published >= ?")
            params.append(self.date_from)
        if self.date_to:
            bounds.append("a.published <= ?")
            params.append(self.date_to + "\uffff")
        if bounds:
            dated = " AND ".join(bounds)
            clauses.append(f"(({dated}) OR a.published IS NULL)" if self.undated else dated)
        if not self.demonyms:
            clauses.append("m.kind != 'demonym'")
        return " AND ".join(clauses), params

    def banded_where(self) -> str:
        """`where`'s conditions over the counts per band (`store.aggregates`), whose rows `m` carry their
        article's language; the parameters are `where`'s."""
        return self.where(language="m.language")[0]

    @property
    def tables(self) -> frozenset[str]:
        """The tables besides the mentions that `where()` reads: "articles" (`a`: article ids, languages,
        dates), "places" (`p`: countries, kinds). A query joins only these."""
        tables = set()
        if self.articles or self.languages or self.date_from or self.date_to:
            tables.add("articles")
        if self.countries or self.kinds:
            tables.add("places")
        return frozenset(tables)

    @property
    def picks_articles(self) -> bool:
        """Whether some conditions read the articles beyond their language (ids, dates)."""
        return bool(self.articles or self.date_from or self.date_to)

    @property
    def narrows_places(self) -> bool:
        """Whether some places are left out whatever their mentions (place ids, countries, kinds)."""
        return bool(self.places) or "places" in self.tables

    def narrowed(self, place_id: str) -> Filters | None:
        """These filters restricted to one place; None when they leave that place out."""
        if self.places and place_id not in self.places:
            return None
        return replace(self, places=(place_id,))


def date_problem(label: str, value: str | None) -> str | None:
    """Why a date bound is unusable, or None if it is empty or a real date (or month, or year)."""
    if not value:
        return None
    found = _DATE_RE.match(value.strip())
    if found:
        year, month, day = (int(g) if g else 1 for g in found.groups())
        try:
            date(year, month, day)
            return None
        except ValueError:
            pass
    return f"{label}: “{value}” is not a date; use {DATE_FORMAT_HINT}"


def confidence_problem(value: float) -> str | None:
    """Why a minimum confidence is unusable (NaN, outside 0..1), or None."""
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        return f"minimum confidence {value!r} is not a number between 0 and 1"
    return None


def checked_dates(filters: Filters) -> tuple[Filters, list[str]]:
    """The filters with unusable date bounds dropped, and a message for each problem."""
    problems = []
    bounds = {}
    for name, label, value in (("date_from", "Published from", filters.date_from),
                               ("date_to", "Published to", filters.date_to)):
        value = (value or "").strip() or None
        problem = date_problem(label, value)
        if problem:
            problems.append(problem)
        bounds[name] = None if problem else value
    date_from, date_to = bounds["date_from"], bounds["date_to"]
    if date_from and date_to and date_from > date_to:
        problems.append(f"“Published from” ({date_from}) is after “Published to” ({date_to}): nothing can match")
    return replace(filters, date_from=date_from, date_to=date_to), problems
