"""What the rest of an article says about a mention's candidates: the share of its other places in
each country and first-level division, where they lie, and a qualifier after the name."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..gazetteer import Gazetteer, normalize
from ..gazetteer.importance import importance
from ..gazetteer.sources import read_csv
from ..records import COUNTRY_CODES, PLACE_READINGS, Candidate, Place
from .distance import within_km
from .expand import DIVISION_KINDS, Options, Query, family, find
from .features import Scored, confidence


# Where the words after "Paris, " stop naming a state or country: a comma, a semicolon, a bracket
# ("COLUMBUS, Ohio (AP)"), a dash, or a full stop after a word that ends the sentence ("in Columbus,
# Ohio. Notre Dame"; not the one of "W. Va.").
LISTED_NEXT = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+)[A-Z]")  # another name of a list
QUALIFIER_END = re.compile(r"[,;:()\[\]\n\u2014\u2013]|(?<=\w{3})\.\s+(?=[A-Z])")


# A place in a territory counts for its sovereign's places too ("Puerto Rico" for the US state of Florida,
# next to Houston: not for Puerto Rico's municipality of Florida), not the other way round: a story on the
# United States is no evidence for a municipality of Puerto Rico. Territory -> the country it belongs to
# (ISO 3166 codes; facts in the gazetteer's `data/territories.csv`, beside `countries.csv`).
SOVEREIGNS = {row["territory"]: row["sovereign"] for row in read_csv("territories.csv")}


def sovereign(country: str) -> str:
    """The country a territory belongs to ("PR": "US"); a country itself otherwise."""
    return SOVEREIGNS.get(country, country)


@dataclass(frozen=True)
class Vote:
    """One mention's reading in an earlier pass, as context for the others."""

    key: str  # the name's family (`expand.family`): mentions of one name do not vote for each other
    country: str | None
    admin1: str | None
    lat: float
    lon: float
    weight: float
    point: bool  # a place small enough for distances to mean something


Division = tuple[str, str]  # (country, admin1)


class Spread:
    """Where each name of an article could lie, before any is settled: its candidates' first-level
    divisions (`of`), and for each name the support the other names give each division (`support`)."""

    def __init__(self, divisions: dict[str, frozenset[Division]]):
        self.divisions = divisions  # name's family -> the divisions some candidate of it lies in
        self._support: dict[str, dict[Division, float]] = {}

    @classmethod
    def of(cls, cands: Sequence[Candidate], options: Sequence[Options]) -> Spread:
        spread: dict[str, set[Division]] = {}
        for cand, opts in zip(cands, options):
            divisions = spread.setdefault(family(normalize(cand.text)), set())
            divisions.update((p.country, p.admin1) for p, _ in opts if p.country and p.admin1)
        return cls({key: frozenset(d) for key, d in spread.items() if d})

    def support(self, key: str) -> dict[Division, float]:
        """Division -> the share of the names other than `key` that could lie in it, each counted as one over
        the number of divisions it could lie in (a name found in every state says little); once per name."""
        key = family(key)
        support = self._support.get(key)
        if support is None:
            support = self._support[key] = {}
            others = [divisions for other, divisions in self.divisions.items() if other != key]
            for divisions in others:
                for division in divisions:
                    support[division] = support.get(division, 0.0) + 1.0 / len(divisions) / len(others)
        return support


# A sea, river or region across borders agrees with an article about places within this distance of its
# point (Upper Mesopotamia, "Al-Jazira", with a story on Syria, not one on Sudan's Gezira); an ocean or a
# continent with any article.
REGION_KM = 2000.0
WORLDWIDE = {"OCN", "CONT"}

# The least total of confidence the article's other places are weighed out of (a share's denominator).
MIN_TOTAL = 0.5


@dataclass(frozen=True)
class Others:
    """The votes of an article's names other than one, summed once: in all, by country and by (country,
    first-level division), and those of small places (`Vote.point`). Each sum adds the votes in their
    order, so the context terms come out the same to the last bit."""

    total: float
    countries: dict[str, float]  # a territory's votes count for its sovereign too (`sovereign`)
    divisions: dict[tuple[str, str | None], float]
    points: list[Vote]
    points_total: float
    named: list[Vote]  # the votes of the article's names (not the outlet's), each where its place is

    def share(self, weight: float, *, points: bool = False) -> float:
        """`weight` as a share of the votes (`points`: of the small places' votes), out of `MIN_TOTAL` at
        least: one unsure reading is not the whole of the article's context (a lone "Lakeview" read as
        Ohio's would otherwise make Chicago Willard, Ohio, once called Chicago)."""
        return weight / max(self.points_total if points else self.total, MIN_TOTAL)

    @classmethod
    def of(cls, votes: list[Vote]) -> Others:
        countries: dict[str, float] = {}
        divisions: dict[tuple[str, str | None], float] = {}
        for v in votes:
            if v.country:
                for country in dict.fromkeys((v.country, sovereign(v.country))):
                    countries[country] = countries.get(country, 0) + v.weight
                division = v.country, v.admin1
                divisions[division] = divisions.get(division, 0) + v.weight
        points = [v for v in votes if v.point]
        return cls(sum(v.weight for v in votes), countries, divisions, points, sum(v.weight for v in points),
                   [v for v in votes if v.key and v.country])

    def nearest_country(self, lat: float, lon: float, km: float) -> float:
        """The votes of the one country whose places, among the article's, within `km` of a point weigh most."""
        near: dict[str, float] = {}
        for v in self.named:
            if within_km(lat, lon, v.lat, v.lon, km):
                near[v.country] = near.get(v.country, 0.0) + v.weight  # type: ignore[index]
        return max(near.values(), default=0.0)


class Context:
    """The article as read so far: one vote per mention from the rankings of an earlier pass (none
    in the first pass), weighted by that reading's confidence, and one for where its outlet is (`outlet.py`:
    its home division, else its domain's country), if known; and, from the start, where each name's
    candidates lie (`Spread`)."""

    COUNTRY_WEIGHT = 2.0
    ADMIN1_WEIGHT = 1.2
    NEAR_WEIGHT = 0.8
    NEAR_KM = 300.0
    SHARED_WEIGHT = 1.0
    OUTLET_WEIGHT = 1.0  # the outlet's home or country (`outlet.py`) counts as one sure place of the article

    def __init__(self, gazetteer: Gazetteer | None, text: str, ranked: Sequence[list[Scored]] = (),
                 cands: Sequence[Candidate] = (), spread: Spread | None = None,
                 outlet: tuple[str, str | None] | None = None, answers: dict[str, Place | None] | None = None):
        self.gazetteer = gazetteer  # None: no qualifier lookups (the settled article only answers `fits`)
        self.text = text
        self.outlet = outlet  # where the outlet is: (country, its home division or None)
        # the online geocoder's answers, by name, filled as it is asked (`Resolver.resolve`)
        self.answers: dict[str, Place | None] = {} if answers is None else answers
        self.spread = spread or Spread({})
        self._terms: dict[tuple[str, str], tuple[float, float, float, float]] = {}  # (place id, name) -> terms
        self._by_key: dict[str, Others] = {}  # name -> the other names' votes
        self.votes: list[Vote] = []
        # the names the NER reads as a place somewhere in the article (GPE, LOC; a given span)
        self.place_names = frozenset(family(normalize(c.text)) for c in cands if c.label in PLACE_READINGS)
        self.person_names = frozenset(normalize(c.text) for c in cands if c.label == "PERSON")  # read as a person
        for cand, scored in zip(cands, ranked):
            if scored:
                top = scored[0].place
                code = top.feature_code or ""
                self.votes.append(Vote(family(normalize(cand.text)), top.country, top.admin1, top.lat, top.lon,
                                       confidence(scored, cand), code not in COUNTRY_CODES | {"CONT"}))
        if outlet is not None:  # (country, division or None); no name's vote, so it counts for every mention
            self.votes.append(Vote("", *outlet, 0.0, 0.0, self.OUTLET_WEIGHT, False))

    def names_others(self, key: str) -> bool:
        """Whether the article names places other than `key` (where its outlet is counts as one)."""
        return bool(self._others(key).total)

    def countries(self) -> list[str]:
        weights: Counter[str] = Counter()
        for v in self.votes:
            if v.country:
                weights[v.country] += v.weight
        return [c for c, _ in weights.most_common(3)]

    def terms(self, place: Place, cand: Candidate, key: str) -> tuple[float, float, float, float, float]:
        """The features the article gives a candidate (`key`: the mention's normalised text):
        qualifier, country_share, admin1_share, proximity, shared_division."""
        terms = self._terms.get((place.id, key))
        if terms is None:  # the same name and place recur: long articles were quadratic
            terms = self._terms[place.id, key] = (*self._context_terms(place, key), self.shared_division(place, key))
        return (self.qualifier(place, cand), *terms)

    def shared_division(self, place: Place, key: str) -> float:
        """The support of the article's other names for `place`'s first-level division (`Spread.support`):
        "Alexandria", "Douglas County" and "Nelson" together point to Minnesota before any is settled."""
        if not (place.country and place.admin1) or (place.feature_code or "") in COUNTRY_CODES:
            return 0.0
        return self.SHARED_WEIGHT * self.spread.support(key).get((place.country, place.admin1), 0.0)

    def _others(self, key: str) -> Others:
        """The votes of the article's names other than `key`, summed once per name."""
        key = family(key)
        others = self._by_key.get(key)
        if others is None:
            others = self._by_key[key] = Others.of([v for v in self.votes if v.key != key])
        return others

    def country_share(self, country: str | None, key: str) -> float | None:
        """The weight of the article's other places in `country`, as a share; None with no other place."""
        others = self._others(key)
        if not others.total:
            return None
        return others.share(others.countries.get(country, 0) if country else 0)

    def fits(self, place: Place, key: str) -> bool:
        """Whether `place` lies in a country the article's other places are in (or there are none)."""
        share = self.country_share(place.country, key)
        return share is None or share > 0.0

    def _context_terms(self, place: Place, key: str) -> tuple[float, float, float]:
        """The article's other places' agreement with `place`: country, division, nearness. A sea or
        region across borders (a curated place with no country) agrees with an article about its parts: its
        country share is half that of the country most named near it (`REGION_KM`; an ocean's or a
        continent's, half the largest country's)."""
        others = self._others(key)
        country = admin1 = near = 0.0
        if not others.total:
            return country, admin1, near
        if place.country:
            country = self.COUNTRY_WEIGHT * self.country_share(place.country, key)
            if place.admin1:
                admin1 = self.ADMIN1_WEIGHT * others.share(others.divisions.get((place.country, place.admin1), 0))
        elif place.source == "curated" and (place.feature_code or "") in WORLDWIDE:
            country = 0.5 * self.COUNTRY_WEIGHT * others.share(max(others.countries.values(), default=0.0))
        elif place.source == "curated":
            country = 0.5 * self.COUNTRY_WEIGHT * others.share(others.nearest_country(place.lat, place.lon, REGION_KM))
        if others.points and (place.feature_code or "") not in COUNTRY_CODES | {"CONT"}:
            weight = sum(v.weight for v in others.points if within_km(place.lat, place.lon, v.lat, v.lon, self.NEAR_KM))
            near = self.NEAR_WEIGHT * others.share(weight, points=True)
        return country, admin1, near

    def _qualifier_word(self, cand: Candidate, *, closed: bool = False) -> str | None:
        """The capitalised words after a comma after a mention ("Texas" of "Paris, Texas"), if any; `closed`:
        only if no other capitalised name follows them after a comma or "and" (not a list: "Saipan, Guam,
        Alaska")."""
        tail = self.text[cand.end: cand.end + 60]
        if not tail.startswith(", ") or self.gazetteer is None:
            return None
        word = QUALIFIER_END.split(tail[2:], maxsplit=1)[0].strip()
        if closed and LISTED_NEXT.match(tail[2 + len(word):]):
            return None
        return word if word and word[0].isupper() else None

    def container(self, cand: Candidate, options: Options) -> Place | None:
        """The state or country a comma after a mention names, closing the name ("Grantville, Pennsylvania,
        on"), if the words there name one; of several, one a candidate lies in first ("Georgia" after a US
        town), then the biggest. Without such a comma, the country the text says it lies in a part of."""
        if self.gazetteer is None:
            return None
        word = self._qualifier_word(cand, closed=True)
        if word is None:
            return self.country_within(cand)
        found = [p for p, _ in self.gazetteer.lookup(word) if (p.feature_code or "") in COUNTRY_CODES | {"ADM1"}]
        countries = {p.country for p, _ in options}
        return max(found, key=lambda p: (p.country in countries, importance(p)), default=None)

    def country_within(self, cand: Candidate) -> Place | None:
        """The country or division the text says a mention lies in a part of (`Candidate.within`: "Mahas in central
        Somalia", "Pont-Sonde in the Artibonite region"), if the words name one."""
        if cand.within is None or self.gazetteer is None:
            return None
        if cand.within.rsplit(" ", 1)[-1].lower() in DIVISION_KINDS:  # a division's name and its word
            return next((p for p, _ in find(self.gazetteer, Query.of(cand.within)).options
                         if (p.feature_code or "") in ("ADM1", "ADM2")), None)
        found = self.gazetteer.lookup(cand.within)
        if any(primary and p.source == "curated" and not p.country for p, primary in found):
            return None  # "the Red Sea port of Assab": a sea's or a cross-border region's name, no one country's
        return next((p for p, _ in found if (p.feature_code or "") in COUNTRY_CODES), None) or next(
            (p for p, primary in found
             if primary and p.country and (p.feature_code == "ADM1" or p.source == "curated")),
            None)  # "the Darfur town of Tur": a region of one country

    def qualifier(self, place: Place, cand: Candidate) -> float:
        """'Paris, Texas': the words after a comma name the place's state or country."""
        word = self._qualifier_word(cand)
        if word is None or self.gazetteer is None:
            return 0.0
        for container, _ in self.gazetteer.lookup(word):
            if container.country != place.country or container.id == place.id:
                continue
            if container.feature_code in COUNTRY_CODES:
                return 1.5
            if container.feature_code == "ADM1" and container.admin1 == place.admin1:
                return 3.0
        return 0.0
