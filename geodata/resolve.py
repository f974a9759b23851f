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
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .gazetteer import Gazetteer, normalize
from .gazetteer.importance import importance
from .records import COUNTRY_CODES, Candidate, Mention, Place

# Generic words a mention may carry that the gazetteer's names lack ("Euphrates river").
GENERIC_SUFFIXES = ("river", "province", "governorate", "region", "city", "county", "state", "district",
                    "mountains", "valley", "desert", "island", "islands", "sea", "lake", "town", "village")
GENERIC_PREFIXES = ("al ", "el ", "lake ", "mount ", "city of ", "province of ", "state of ")

Fallback = Callable[[str, Sequence[str]], Place | None]


@dataclass(frozen=True)
class Scored:
    place: Place
    score: float


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

    def candidates(self, name: str) -> list[tuple[Place, bool]]:
        """Gazetteer matches for a name, trying it without generic words if need be."""
        found = self.gazetteer.lookup(name)
        if found:
            return found
        key = normalize(name)
        for suffix in GENERIC_SUFFIXES:
            if key.endswith(" " + suffix):
                found = self.gazetteer.lookup(key[: -len(suffix) - 1])
                if found:
                    return found
        for prefix in GENERIC_PREFIXES:
            if key.startswith(prefix) and len(key) > len(prefix) + 2:
                found = self.gazetteer.lookup(key[len(prefix):])
                if found:
                    return found
        return []

    def score(self, cand: Candidate, place: Place, primary: bool, context: "Context") -> float:
        s = importance(place) + (0.0 if primary else ALTERNATE_NAME_PENALTY)
        s += LABEL_FIT.get(cand.label, {}).get(place.feature_class or "", 0.0)
        s += context.agreement(place, cand)
        return s

    def resolve(self, text: str, cands: Sequence[Candidate]) -> list[Mention]:
        """Mentions for one document's candidates (same order)."""
        options = [self._options(c) for c in cands]
        context = Context(self.gazetteer, text)
        first = [self._rank(c, opts, context) for c, opts in zip(cands, options)]
        context = Context(self.gazetteer, text, first, cands)
        mentions = []
        for cand, opts in zip(cands, options):
            ranked = self._rank(cand, opts, context)
            mentions.append(self._mention(cand, ranked, text, context))
        return mentions

    def _options(self, cand: Candidate) -> list[tuple[Place, bool]]:
        if cand.place_hint is not None:
            place = self.gazetteer.get(cand.place_hint)
            return [(place, True)] if place else []
        return self.candidates(cand.text)

    def _rank(self, cand: Candidate, opts: list[tuple[Place, bool]], context: "Context") -> list[Scored]:
        ranked = [Scored(p, self.score(cand, p, primary, context)) for p, primary in opts]
        return sorted(ranked, key=lambda s: (-s.score, s.place.id))

    def _mention(self, cand: Candidate, ranked: list[Scored], text: str, context: "Context") -> Mention:
        base = dict(start=cand.start, end=cand.end, text=cand.text, sentence=cand.sentence, label=cand.label,
                    kind=cand.kind)
        if not ranked and self.fallback is not None:
            place = self.fallback(cand.text, context.countries())
            if place is not None:
                return Mention(**base, confidence=0.6, place=place)
        if not ranked:
            return Mention(**base, confidence=0.0, place=None, reason="no gazetteer entry for this name")
        return Mention(**base, confidence=confidence(ranked, cand), place=ranked[0].place)


def confidence(ranked: list[Scored], cand: Candidate) -> float:
    """Share of the top candidate under a softmax of scores, discounted for uncertain detection."""
    top = ranked[0].score
    total = sum(math.exp(2 * (s.score - top)) for s in ranked)
    share = 1.0 / total
    detection = 1.0 if cand.label in ("GPE", "LOC", "GOLD") else 0.9 if cand.kind == "demonym" else 0.75
    return max(0.0, min(1.0, share * detection))


class Context:
    """What the rest of the article says: its countries and where its places lie."""

    def __init__(self, gazetteer: Gazetteer | None, text: str, ranked: Sequence[list[Scored]] = (),
                 cands: Sequence[Candidate] = ()):
        self.gazetteer = gazetteer
        self.text = text
        self.country_weight: Counter[str] = Counter()
        self.points: list[tuple[float, float, float, int]] = []  # lat, lon, weight, candidate start
        self.starts = [c.start for c in cands]
        self.by_start: dict[int, list[Scored]] = {}
        for cand, scored in zip(cands, ranked):
            if not scored:
                continue
            top = scored[0].place
            weight = confidence(scored, cand)
            if top.country:
                self.country_weight[top.country] += weight
            if (top.feature_code or "") not in COUNTRY_CODES | {"CONT"}:
                self.points.append((top.lat, top.lon, weight, cand.start))
            self.by_start[cand.start] = scored

    def countries(self) -> list[str]:
        return [c for c, _ in self.country_weight.most_common(3)]

    def agreement(self, place: Place, cand: Candidate) -> float:
        if not self.starts:
            return self.qualifier(place, cand)
        bonus = self.qualifier(place, cand)
        own = self.by_start.get(cand.start)
        own_top = own[0].place if own else None
        if place.country:
            weight = self.country_weight.get(place.country, 0.0)
            if own_top is not None and own_top.country == place.country:
                weight -= confidence(own, cand)  # not one's own vote
            bonus += 1.2 * min(weight, 2.0) / 2.0 + (0.3 if weight > 0 else 0.0)
        others = [(lat, lon, w) for lat, lon, w, start in self.points if start != cand.start]
        if others and (place.feature_code or "") not in COUNTRY_CODES | {"CONT"}:
            total = sum(w for _, _, w in others) or 1.0
            near = sum(w for lat, lon, w in others if distance_km(place.lat, place.lon, lat, lon) < 300)
            bonus += 0.8 * near / total
        return bonus

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
