"""The field's usual scores of a parse against the gold:

- detection: precision, recall, F1 by span overlap, and exact-span recall/F1;
- end to end: gold toponyms with coordinates detected and placed within 161 km (or given the
  gold GeoNames id), over all gold toponyms with coordinates;
- resolution alone (gold spans given): accuracy within 161 km, median error, AUC of log error.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..records import Mention, ParsedDocument
from ..resolve import distance_km
from .gold import Gold, GoldDocument

WITHIN_KM = 161.0
MAX_ERROR_KM = 20_039.0  # half the Earth's circumference: the error of a toponym left unresolved
Pairs = Iterable[tuple[GoldDocument, ParsedDocument]]


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def error_km(gold: Gold, mention: Mention | None) -> float:
    """Distance from the gold point to the predicted place (0 for the gold GeoNames id)."""
    if mention is None or mention.place is None:
        return MAX_ERROR_KM
    if gold.geonameid is not None and mention.place.geonameid == gold.geonameid:
        return 0.0
    return distance_km(gold.lat, gold.lon, mention.place.lat, mention.place.lon)


def hits_of(gold: Gold, mentions: Sequence[Mention]) -> list[Mention]:
    """The predicted mentions that overlap a gold toponym."""
    return [m for m in mentions if overlaps(m.start, m.end, gold.start, gold.end)]


def best_hit(gold: Gold, hits: Sequence[Mention]) -> Mention | None:
    """The overlapping mention placed nearest the gold point (None without a gold point)."""
    return min(hits, key=lambda m: error_km(gold, m)) if hits and gold.has_point else None


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


@dataclass
class Tally:
    """Counts for one slice of the gold set (all, or a breakdown group)."""

    gold: int = 0
    found: int = 0
    exact: int = 0
    with_point: int = 0
    placed: int = 0

    def add(self, found: bool, exact: bool, has_point: bool, placed: bool) -> None:
        self.gold += 1
        self.found += found
        self.exact += exact
        self.with_point += has_point
        self.placed += placed

    def as_dict(self) -> dict[str, float | int]:
        return {"gold": self.gold, "recall": round(ratio(self.found, self.gold), 4),
                "exact_recall": round(ratio(self.exact, self.gold), 4),
                "with_coordinates": self.with_point,
                "end_to_end_161km": round(ratio(self.placed, self.with_point), 4)}


@dataclass
class ErrorCase:
    doc: str
    surface: str
    predicted: str | None
    error_km: float
    context: str

    def as_dict(self) -> dict[str, object]:
        return {"doc": self.doc, "surface": self.surface, "predicted": self.predicted,
                "error_km": round(self.error_km, 1), "context": self.context}


@dataclass
class Scores:
    predicted: int = 0
    predicted_overlapping: int = 0
    predicted_exact: int = 0
    total: Tally = field(default_factory=Tally)
    groups: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    errors: list[ErrorCase] = field(default_factory=list)

    def detection(self) -> dict[str, float]:
        p = ratio(self.predicted_overlapping, self.predicted)
        r = ratio(self.total.found, self.total.gold)
        pe = ratio(self.predicted_exact, self.predicted)
        re = ratio(self.total.exact, self.total.gold)
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(_f1(p, r), 4),
                "exact_precision": round(pe, 4), "exact_recall": round(re, 4), "exact_f1": round(_f1(pe, re), 4),
                "predicted": self.predicted, "gold": self.total.gold}


def _context(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - 60):min(len(text), end + 60)].split())


def score_end_to_end(pairs: Pairs) -> Scores:
    scores = Scores()
    for gold_doc, parsed in pairs:
        mentions = parsed.mentions
        scores.predicted += len(mentions)
        gold = gold_doc.gold
        for m in mentions:
            hits = [g for g in gold if overlaps(m.start, m.end, g.start, g.end)]
            scores.predicted_overlapping += bool(hits)
            scores.predicted_exact += any((g.start, g.end) == (m.start, m.end) for g in hits)
        for g in gold:
            hits = hits_of(g, mentions)
            exact = any((m.start, m.end) == (g.start, g.end) for m in hits)
            best = best_hit(g, hits)
            err = error_km(g, best) if g.has_point else MAX_ERROR_KM
            placed = g.has_point and err <= WITHIN_KM
            for tally in (scores.total, scores.groups[g.group],
                          scores.groups["demonyms" if g.demonym else "non-demonyms"]):
                tally.add(bool(hits), exact, g.has_point, placed)
            if g.has_point and best is not None and err > WITHIN_KM:
                scores.errors.append(ErrorCase(gold_doc.document.id, g.surface,
                                               best.place.name if best.place else None, err,
                                               _context(gold_doc.document.text, g.start, g.end)))
    return scores


@dataclass
class Resolution:
    accuracy_161km: float
    median_error_km: float
    auc: float
    scored: int
    groups: dict[str, float]
    errors: list[ErrorCase]

    def as_dict(self) -> dict[str, object]:
        return {"accuracy_161km": round(self.accuracy_161km, 4), "median_error_km": round(self.median_error_km, 1),
                "auc_log_error": round(self.auc, 4), "scored": self.scored,
                "by_group_accuracy_161km": {k: round(v, 4) for k, v in sorted(self.groups.items())},
                "worst_errors": [e.as_dict() for e in self.errors]}


def auc_log_error(errors: Sequence[float]) -> float:
    """Area under the sorted, log-scaled error curve (Gritta et al. 2018): 0 is perfect, 1 worst."""
    if not errors:
        return 0.0
    scaled = sorted(math.log(1 + e) / math.log(1 + MAX_ERROR_KM) for e in errors)
    if len(scaled) == 1:
        return scaled[0]
    return sum((a + b) / 2 for a, b in zip(scaled, scaled[1:])) / (len(scaled) - 1)


def score_resolution(pairs: Pairs, worst: int = 25) -> Resolution:
    errors: list[float] = []
    by_group: dict[str, list[bool]] = defaultdict(list)
    cases = []
    for gold_doc, parsed in pairs:
        by_span = {(m.start, m.end): m for m in parsed.mentions}
        for g in gold_doc.gold:
            if not g.has_point:
                continue
            m = by_span.get((g.start, g.end))
            err = error_km(g, m)
            errors.append(err)
            by_group[g.group].append(err <= WITHIN_KM)
            by_group["demonyms" if g.demonym else "non-demonyms"].append(err <= WITHIN_KM)
            if err > WITHIN_KM:
                cases.append(ErrorCase(gold_doc.document.id, g.surface,
                                       m.place.name if m and m.place else None, err,
                                       _context(gold_doc.document.text, g.start, g.end)))
    cases.sort(key=lambda c: -c.error_km)
    return Resolution(
        accuracy_161km=ratio(sum(e <= WITHIN_KM for e in errors), len(errors)),
        median_error_km=statistics.median(errors) if errors else 0.0,
        auc=auc_log_error(errors),
        scored=len(errors),
        groups={k: ratio(sum(v), len(v)) for k, v in by_group.items()},
        errors=cases[:worst],
    )
