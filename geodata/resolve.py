"""Choose a place for each toponym candidate, with a confidence in [0, 1].

Each gazetteer candidate gets a score from evidence a reader would use:
- what kind of place the name usually means (`gazetteer.importance`: countries and regions before a
  village that shares the name; more populous places first),
- whether the match is on the place's main name or on an alternate one,
- fit of the feature type to spaCy's label (LOC: rivers, seas, regions; GPE: states, towns),
- a qualifier right after the name ("Paris, Texas"),
- agreement with the article's other places: same country, nearby.
The article's context comes from a first pass; the second pass rescores every mention with it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from .gazetteer import Gazetteer, normalize
from .gazetteer.importance import importance, is_strong
from .records import COUNTRY_CODES, GAZETTEER_LABEL, Candidate, Mention, Place

# Generic words a mention may carry that the gazetteer's names lack ("Euphrates river"), with the
# GeoNames feature classes they allow: "Kish River" is not the town of Kish. None: any class.
GENERIC_SUFFIXES: dict[str, str] = {
    "river": "H", "creek": "H", "lake": "H", "sea": "H", "bay": "H", "reservoir": "H",
    "mountains": "T", "mountain": "T", "valley": "T", "desert": "T", "island": "T", "islands": "T",
    "province": "A", "governorate": "A", "county": "A", "parish": "A", "state": "A", "district": "A",
    "region": "AL", "city": "PA", "town": "P", "township": "PA", "village": "P"}
GENERIC_PREFIXES: dict[str, str | None] = {
    "al ": None, "el ": None, "lake ": "H", "river ": "H", "mount ": "T", "city of ": "PA", "port of ": "PS",
    "province of ": "A", "state of ": "A"}
# Part of a place for the place ("South Los Angeles", "W. Columbia", "East Cambridgeshire"), when the
# rest names a place big enough to have parts (not "West Wing" for the village of Wing).
DIRECTIONS = ("north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
              "n", "s", "e", "w")
PARTS_POPULATION = 20_000
# Last words of street names, which are often named after some other town.
STREET_WORDS = {"street", "st", "avenue", "ave", "road", "rd", "drive", "dr", "boulevard", "blvd", "lane", "ln",
                "way", "highway", "hwy", "route", "place", "pl", "terrace", "parkway", "pike"}
# The confidence of a building or body placed at the town it is named after: near, not at, the place.
NAMED_AFTER_CONFIDENCE = 0.4
ABBREVIATION = re.compile(r"(?:[A-Z]\.\s?){1,3}|[A-Z]{2,4}")
# Words after a name that make it a US county or parish ("Hall County"), and their plurals, which close
# a list of names ("Douglas, Sarpy and Lancaster counties").
DIVISIONS = {"County": "counties", "Parish": "parishes"}
PLURAL_DIVISIONS = {plural: word for word, plural in DIVISIONS.items()}
LIST_WORDS = {",", "and", "or", "&"}

Fallback = Callable[[str, Sequence[str]], Place | None]


@dataclass(frozen=True)
class Scored:
    place: Place
    score: float
    primary: bool = True  # matched on the place's main name


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


# A match on an alternate name ("Liverpool" for a town once called so) counts less than the main name.
ALTERNATE_NAME_PENALTY = -0.6

LABEL_FIT = {
    "LOC": {"H": 0.8, "T": 0.8, "L": 0.6, "A": 0.1, "P": 0.0},
    "GPE": {"A": 0.3, "P": 0.3, "L": 0.1, "H": -0.5, "T": -0.3},
    "FAC": {"S": 0.6, "P": 0.1},
}


class Resolver:
    def __init__(self, gazetteer: Gazetteer, fallback: Fallback | None = None):
        self.gazetteer = gazetteer
        self.fallback = fallback

    def candidates(self, name: str, division: str | None = None) -> list[tuple[Place, bool]]:
        """Gazetteer matches for a name. `division` ("County", "Parish"): the text calls it one, so
        that division comes first. A generic word in the name ("Kish River", "Big Creek") rules out
        places of another kind matched on an alternate name (a town once called "Big Creek"), and
        when the word must be dropped to find anything, places of its kind come first. An
        abbreviation matches only places known by it. "South Los Angeles" is Los Angeles when
        nothing bears the whole name, and a bare name that matches nothing may be a county or
        parish named without the word ("Avoyelles")."""
        if division:
            found = self.gazetteer.lookup(f"{name} {division}")
            if found:
                return found
        key = normalize(name)
        if key.endswith(" co"):  # "Loudon Co.": the newspapers' County
            name = key = key[:-3] + " county"
        words = key.split()
        classes = GENERIC_SUFFIXES.get(words[-1]) if len(words) > 1 else None
        classes = classes or next((c for p, c in GENERIC_PREFIXES.items() if c and key.startswith(p)), None)
        found = [(p, primary) for p, primary in self.gazetteer.lookup(name)
                 if primary or classes is None or (p.feature_class or "") in classes]
        if ABBREVIATION.fullmatch(name.strip()):  # "SA", "WA", "CHU": not some town's spelling
            found = [(p, primary) for p, primary in found if _known_by(p, name.strip())]
        for stripped, allowed in _without_generic_words(key):
            found = found or _of_kind(self.gazetteer.lookup(stripped), allowed)
        first, _, rest = key.partition(" ")
        if first in DIRECTIONS and len(rest) > 2:
            found = found or [(p, primary) for p, primary in self.gazetteer.lookup(rest) if primary and _has_parts(p)]
        if len(words) <= 3 and not classes:  # "Avoyelles": a county or parish named without the word
            for word in DIVISIONS:
                found = found or self.gazetteer.lookup(f"{name} {word}")
        return found

    def score(self, cand: Candidate, place: Place, primary: bool, context: "Context") -> float:
        s = importance(place) + (0.0 if primary else ALTERNATE_NAME_PENALTY)
        s += LABEL_FIT.get(cand.label, {}).get(place.feature_class or "", 0.0)
        s += context.agreement(place, cand)
        return s

    def resolve(self, text: str, cands: Sequence[Candidate]) -> list[Mention]:
        """Mentions for one document's candidates (same order)."""
        options = [self._options(c, text) for c in cands]
        context = Context(self.gazetteer, text)
        first = [self._rank(c, opts, context) for c, opts in zip(cands, options)]
        context = Context(self.gazetteer, text, first, cands)
        final = [self._rank(c, opts, context) for c, opts in zip(cands, options)]
        settled = Context(None, text, final, cands)  # the article as read in the end
        final = [_in_article(c, ranked, settled) for c, ranked in zip(cands, final)]
        return [self._mention(cand, ranked, context, settled) for cand, ranked in zip(cands, final)
                if not ranked or self._plausible(cand, ranked[0].place, settled)]

    @staticmethod
    def _plausible(cand: Candidate, place: Place, context: "Context") -> bool:
        """A name found by the gazetteer alone (the first words of an organisation's name: "Cora Kelly
        Elementary School") is kept only where a place of that name fits the article: a famous place,
        or one in a country the article is about. A village in Mexico does not name a Georgia school."""
        if cand.label != GAZETTEER_LABEL or cand.kind != "toponym" or is_strong(place):
            return True
        return context.fits(place, normalize(cand.text))

    def _options(self, cand: Candidate, text: str) -> list[tuple[Place, bool]]:
        if cand.place_hint is not None:
            place = self.gazetteer.get(cand.place_hint)
            return [(place, True)] if place else []
        return self.candidates(cand.text, division_after(text, cand.end))

    def _rank(self, cand: Candidate, opts: list[tuple[Place, bool]], context: "Context") -> list[Scored]:
        ranked = [Scored(p, self.score(cand, p, primary, context), primary) for p, primary in opts]
        return sorted(ranked, key=lambda s: (-s.score, s.place.id))

    def _mention(self, cand: Candidate, ranked: list[Scored], context: "Context", settled: "Context") -> Mention:
        base = dict(start=cand.start, end=cand.end, text=cand.text, sentence=cand.sentence, label=cand.label,
                    kind=cand.kind)
        if not ranked and self.fallback is not None:
            place = self.fallback(cand.text, context.countries())
            if place is not None:  # scored as on the next run, when the cache makes it the only candidate
                return Mention(**base, confidence=confidence([Scored(place, 0.0)], cand), place=place)
        if not ranked:
            place = self._named_after(cand, settled)
            if place is not None:
                return Mention(**base, confidence=NAMED_AFTER_CONFIDENCE, place=place)
            return Mention(**base, confidence=0.0, place=None, reason="no gazetteer place fits this name")
        return Mention(**base, confidence=confidence(ranked, cand), place=ranked[0].place)

    def _named_after(self, cand: Candidate, settled: "Context") -> Place | None:
        """For a name the gazetteer lacks, the famous place its first words name, where the building or
        body most likely is ("Manila Cathedral", "Dubai World Trade Centre", "Cavan County Council"),
        if it fits the article's countries. Never for a street ("Memphis St." is in Alexandria), nor
        for a compass word ("West Wing", "South Kilburn Estate")."""
        key = normalize(cand.text)
        words = key.split()
        if len(words) < 2 or words[-1] in STREET_WORDS or words[0] in DIRECTIONS:
            return None
        for n in range(len(words) - 1, 0, -1):
            found = [p for p, primary in self.gazetteer.lookup(" ".join(words[:n]))
                     if primary and is_strong(p) and settled.fits(p, key)]
            if found:
                return max(found, key=importance)
        return None


def _known_by(place: Place, abbreviation: str) -> bool:
    """Whether a place goes by an abbreviation: its own name, a country's, a state's or a capital's
    ("UK", "W. Va.", "DC"), or a famous place's initials ("LA", "NYC"; not "N.B." for a village)."""
    letters = [ch for ch in abbreviation if ch.isalpha()]
    initials = [word[0].upper() for word in place.name.replace("-", " ").split()]
    return (place.name == abbreviation or (letters == initials and is_strong(place)) or place.source == "curated"
            or (place.feature_code or "") in COUNTRY_CODES | {"CONT", "ADM1", "PPLC"})


def _in_article(cand: Candidate, ranked: list[Scored], settled: "Context") -> list[Scored]:
    """A bare compass word ("the West", "Western countries") names a region only in a country the
    article's other places are in (Zambia's Western Province), not Cameroon's West Region in a piece
    on Russia, nor in an article with no other place; other names keep their candidates."""
    key = normalize(cand.text)
    if key not in DIRECTIONS:
        return ranked
    return [s for s in ranked if settled.country_share(s.place.country, key)]


def _of_kind(found: list[tuple[Place, bool]], classes: str | None) -> list[tuple[Place, bool]]:
    """The places of the kind a generic word says, if there are any; else those matched on their main
    name ("Lake Cumberland": the town of Cumberland is usually near; "Big Creek": not Biga, once "Big")."""
    kept = [(p, primary) for p, primary in found if classes is None or (p.feature_class or "") in classes]
    return kept or [(p, primary) for p, primary in found if primary]


def _has_parts(place: Place) -> bool:
    return place.feature_class in ("A", "L") or place.source == "curated" or place.population >= PARTS_POPULATION


def _without_generic_words(key: str) -> Iterator[tuple[str, str | None]]:
    """A normalised name without each generic word it carries, with the classes that word allows."""
    for suffix, allowed in GENERIC_SUFFIXES.items():
        if key.endswith(" " + suffix):
            yield key[: -len(suffix) - 1], allowed
    for prefix, allowed in GENERIC_PREFIXES.items():
        if key.startswith(prefix) and len(key) > len(prefix) + 2:
            yield key[len(prefix):], allowed


def division_after(text: str, end: int) -> str | None:
    """'County' or 'Parish' when the words after a name make it one: "Hall County", or a list of
    names closed by "counties" ("Jackson and Barrow counties")."""
    tail = re.findall(r"[\w'.-]+|[,&]", text[end:end + 120])
    if tail and tail[0] in DIVISIONS:
        return tail[0]
    for word in tail[:16]:
        if word.lower() in PLURAL_DIVISIONS:
            return PLURAL_DIVISIONS[word.lower()]
        if word not in LIST_WORDS and not word[:1].isupper():
            return None
    return None


# A lone candidate is not a sure one when only an old or variant name of a minor place matched
# ("Ten Mile", once a name of Holbrook, Australia); a name a geocoder answered for is not variant,
# and a town as big as Raqqa or Hebron is known by its English name.
ALTERNATE_ONLY_FACTOR = 0.6
MINOR_POPULATION = 15_000


def confidence(ranked: list[Scored], cand: Candidate) -> float:
    """Share of the top candidate under a softmax of scores, discounted for uncertain detection and
    for a match on a minor place's alternate name."""
    best = ranked[0]
    total = sum(math.exp(2 * (s.score - best.score)) for s in ranked)
    share = 1.0 / total
    detection = 1.0 if cand.label in ("GPE", "LOC", "GOLD") else 0.9 if cand.kind == "demonym" else 0.75
    answered = best.place.source.startswith("geocoder")  # a geocoder placed this very name
    minor = best.place.population < MINOR_POPULATION and not is_strong(best.place)
    name = ALTERNATE_ONLY_FACTOR if minor and not (best.primary or answered) else 1.0
    return max(0.0, min(1.0, share * detection * name))


@dataclass(frozen=True)
class Vote:
    """One mention's first-pass reading, as context for the others."""

    key: str  # normalised surface: mentions of the same name do not vote for each other
    country: str | None
    admin1: str | None
    lat: float
    lon: float
    weight: float
    point: bool  # a place small enough for distances to mean something


class Context:
    """What the rest of the article says: the share of its places in each country and
    first-level division, and where they lie."""

    COUNTRY_WEIGHT = 2.0
    ADMIN1_WEIGHT = 1.2
    NEAR_WEIGHT = 0.8
    NEAR_KM = 300.0

    def __init__(self, gazetteer: Gazetteer | None, text: str, ranked: Sequence[list[Scored]] = (),
                 cands: Sequence[Candidate] = ()):
        self.gazetteer = gazetteer
        self.text = text
        self._terms: dict[tuple[str, str], tuple[float, ...]] = {}  # (place id, name) -> context terms
        self.votes: list[Vote] = []
        for cand, scored in zip(cands, ranked):
            if scored:
                top = scored[0].place
                code = top.feature_code or ""
                self.votes.append(Vote(normalize(cand.text), top.country, top.admin1, top.lat, top.lon,
                                       confidence(scored, cand), code not in COUNTRY_CODES | {"CONT"}))

    def countries(self) -> list[str]:
        weights: Counter[str] = Counter()
        for v in self.votes:
            if v.country:
                weights[v.country] += v.weight
        return [c for c, _ in weights.most_common(3)]

    def agreement(self, place: Place, cand: Candidate) -> float:
        bonus = self.qualifier(place, cand)
        key = (place.id, normalize(cand.text))
        if key not in self._terms:  # the same name and place recur: long articles were quadratic
            self._terms[key] = self._context_terms(place, key[1])
        for term in self._terms[key]:
            bonus += term
        return bonus

    def _others(self, key: str) -> tuple[list[Vote], float]:
        """The votes of the article's other names, and their total weight."""
        others = [v for v in self.votes if v.key != key]
        return others, sum(v.weight for v in others)

    def country_share(self, country: str | None, key: str) -> float | None:
        """The weight of the article's other places in `country`, as a share; None with no other place."""
        others, total = self._others(key)
        if not total:
            return None
        return sum(v.weight for v in others if country and v.country == country) / total

    def fits(self, place: Place, key: str) -> bool:
        """Whether `place` lies in a country the article's other places are in (or there are none)."""
        share = self.country_share(place.country, key)
        return share is None or share > 0.0

    def _context_terms(self, place: Place, key: str) -> tuple[float, ...]:
        """The article's other places' agreement with `place`: country, division, nearness."""
        others, total = self._others(key)
        if not total:
            return ()
        terms = []
        if place.country:
            terms.append(self.COUNTRY_WEIGHT * self.country_share(place.country, key))
            if place.admin1:
                same = [v for v in others if v.country == place.country and v.admin1 == place.admin1]
                terms.append(self.ADMIN1_WEIGHT * sum(v.weight for v in same) / total)
        elif place.source == "curated":
            # a sea or region across borders agrees with any article about its parts: half the best share
            shares: Counter[str] = Counter()
            for v in others:
                if v.country:
                    shares[v.country] += v.weight
            terms.append(0.5 * self.COUNTRY_WEIGHT * max(shares.values(), default=0.0) / total)
        points = [v for v in others if v.point]
        if points and (place.feature_code or "") not in COUNTRY_CODES | {"CONT"}:
            near = sum(v.weight for v in points if distance_km(place.lat, place.lon, v.lat, v.lon) < self.NEAR_KM)
            terms.append(self.NEAR_WEIGHT * near / sum(v.weight for v in points))
        return tuple(terms)

    def qualifier(self, place: Place, cand: Candidate) -> float:
        """'Paris, Texas': the words after a comma name the place's state or country."""
        tail = self.text[cand.end: cand.end + 40]
        if not tail.startswith(", "):
            return 0.0
        word = tail[2:].split(",")[0].split(";")[0].strip()
        if not word or not word[0].isupper() or self.gazetteer is None:
            return 0.0
        for container, _ in self.gazetteer.lookup(word):
            if container.country != place.country or container.id == place.id:
                continue
            if container.feature_code in COUNTRY_CODES:
                return 1.5
            if container.feature_code == "ADM1" and container.admin1 == place.admin1:
                return 3.0
        return 0.0
