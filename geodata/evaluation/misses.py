"""Why gold toponyms are missed: what the pipeline did with each (not detected, detected but left
without a place, placed more than 161 km away) against which source could hold the place at all.

Sources, as the gold lets us tell:
- not in GeoNames: the gold gives a point but no GeoNames id (GWN annotators mapped streets,
  buildings, neighbourhoods from other maps): no offline source of ours holds these, a GeoNames
  dump neither; only an online geocoder (OpenStreetMap) may;
- in GeoNames only: the gold's GeoNames id is not in our gazetteer and no place of that name lies
  within 161 km: a GeoNames dump holds it (`gazetteer import`), ours does not;
- in our gazetteer: the place is there; detection or ranking missed it.

Two ceilings follow: a GeoNames dump can recover at most the "in GeoNames only" misses, and the
online geocoder at most the misses detected with no gazetteer place: left without a place, or placed
at the article's town for want of one (the only names the resolver hands to it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..gazetteer import Gazetteer
from ..records import Mention
from ..resolve import IN_ARTICLE_TOWN, IN_PLACE_SAID, distance_km
from .gold import Gold
from .scores import WITHIN_KM, Pairs, best_hit, error_km, hits_of

NOT_IN_GEONAMES, GEONAMES_ONLY, OURS = "not in GeoNames", "in GeoNames only", "in our gazetteer"
SOURCES = (NOT_IN_GEONAMES, GEONAMES_ONLY, OURS)
NOT_DETECTED, NO_PLACE, MISPLACED = "not detected", "detected, no place", "detected, placed > 161 km"
OUTCOMES = (NOT_DETECTED, NO_PLACE, MISPLACED)
EXAMPLES = 12


def source_of(gold: Gold, gazetteer: Gazetteer) -> str:
    """Which source holds the gold place (see the module's docstring)."""
    if gold.geonameid is not None and gazetteer.by_geonameid(gold.geonameid) is not None:
        return OURS
    if any(distance_km(gold.lat, gold.lon, p.lat, p.lon) <= WITHIN_KM for p, _ in gazetteer.lookup(gold.surface)):
        return OURS
    return GEONAMES_ONLY if gold.geonameid is not None else NOT_IN_GEONAMES


@dataclass
class Misses:
    with_point: int = 0
    table: Counter[tuple[str, str]] = field(default_factory=Counter)  # (source, outcome) -> misses
    features: Counter[str] = field(default_factory=Counter)  # gold features of the misses ours lacks
    examples: dict[str, Counter[str]] = field(default_factory=lambda: {s: Counter() for s in SOURCES})

    @property
    def total(self) -> int:
        return sum(self.table.values())

    def count(self, source: str | None = None, outcome: str | None = None) -> int:
        return sum(n for (s, o), n in self.table.items() if source in (None, s) and outcome in (None, o))

    def as_dict(self) -> dict[str, object]:
        return {
            "gold_with_coordinates": self.with_point,
            "misses": self.total,
            "by_source": {s: {"misses": self.count(s), **{o: self.count(s, o) for o in OUTCOMES}} for s in SOURCES},
            "by_outcome": {o: self.count(outcome=o) for o in OUTCOMES},
            "ceiling_geonames_dump": self.count(GEONAMES_ONLY),
            "ceiling_online_geocoder": self.count(outcome=NO_PLACE),
            "gold_features_not_in_our_gazetteer": dict(self.features.most_common(10)),
            "examples": {s: [name for name, _ in c.most_common(EXAMPLES)] for s, c in self.examples.items()},
        }


def outcome_of(hits: Sequence[Mention]) -> str:
    """NO_PLACE counts a mention placed at its article's town or the place the text puts it in
    (`IN_ARTICLE_TOWN`, `IN_PLACE_SAID`): no gazetteer place of its name was there, so the geocoder would be
    asked for it."""
    if not hits:
        return NOT_DETECTED
    return NO_PLACE if all(m.place is None or m.reason in (IN_ARTICLE_TOWN, IN_PLACE_SAID) for m in hits) \
        else MISPLACED


def find_misses(pairs: Pairs, gazetteer: Gazetteer) -> Misses:
    """The gold toponyms with coordinates that a parse did not place within 161 km, tabulated."""
    out = Misses()
    for gold_doc, parsed in pairs:
        for g in gold_doc.gold:
            if not g.has_point:
                continue
            out.with_point += 1
            hits = hits_of(g, parsed.mentions)
            if error_km(g, best_hit(g, hits)) <= WITHIN_KM:
                continue
            source = source_of(g, gazetteer)
            out.table[(source, outcome_of(hits))] += 1
            out.examples[source][g.surface] += 1
            if source != OURS and g.feature:
                out.features[g.feature] += 1
    return out
