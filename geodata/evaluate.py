"""Score the pipeline against gold corpora (the layout of shared/bench: one JSON document a line,
`toponyms` with character offsets and gold coordinates), with the field's usual definitions:

- detection: precision, recall, F1 by span overlap, and exact-span recall/F1;
- end to end: gold toponyms with coordinates detected and placed within 161 km (or given the
  gold GeoNames id), over all gold toponyms with coordinates;
- resolution alone (gold spans given): accuracy within 161 km, median error, AUC of log error.
"""

from __future__ import annotations

import json
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .extract import is_demonym
from .records import Document, Mention, ParsedDocument
from .resolve import distance_km

WITHIN_KM = 161.0
MAX_ERROR_KM = 20_039.0  # half the Earth's circumference: the error of a toponym left unresolved
# GeoWebNews types outside the standard gold set, and how the rest group (Gritta et al. 2019).
GWN_EXCLUDED = {"Non_Toponym", "Literal_Expression", "Non_Lit_Expression"}
GWN_LITERAL = {"Literal", "Mixed", "Literal_Modifier", "Embedded_Literal", "Coercion"}


class CorpusError(Exception):
    """The corpus file cannot be read as gold data."""


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    surface: str
    lat: float | None
    lon: float | None
    geonameid: int | None
    group: str  # GWN: literal/associative; LGL: GeoNames feature class
    demonym: bool

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass
class GoldDocument:
    document: Document
    gold: list[Gold]


def _gold_group(row: dict) -> str:
    if row.get("gwn_type"):
        return "literal" if row["gwn_type"] in GWN_LITERAL else "associative"
    return f"class {row['fclass']}" if row.get("fclass") else "class ?"


def gold_rows(raw: dict) -> list[Gold]:
    """A document's gold toponyms: the standard set, one per span, offsets checked."""
    text = raw["text"]
    seen: set[tuple[int, int]] = set()
    out = []
    for row in raw.get("toponyms", []):
        if row.get("gwn_type") in GWN_EXCLUDED or ("offset_fixed" in row and row["offset_fixed"] is None):
            continue
        span = (int(row["start"]), int(row["end"]))
        if span in seen or text[span[0]:span[1]] != row["surface"]:
            continue
        seen.add(span)
        gid = row.get("geonameid")
        out.append(Gold(span[0], span[1], row["surface"], row.get("lat"), row.get("lon"),
                        int(gid) if gid not in (None, "") else None, _gold_group(row),
                        is_demonym(row["surface"])))
    return sorted(out, key=lambda g: g.start)


def load_corpus(path: Path, limit: int | None = None) -> list[GoldDocument]:
    docs = []
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if limit is not None and len(docs) >= limit:
                    break
                if not line.strip():
                    continue
                try:
                    raw = json.loads(line)
                    doc_id = str(raw.get("doc_id", raw.get("id", number)))
                    docs.append(GoldDocument(Document(doc_id, raw["text"], raw.get("title")), gold_rows(raw)))
                except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                    raise CorpusError(f"{path}:{number}: not a gold document ({exc})") from exc
    except OSError as exc:
        raise CorpusError(f"{path}: {exc.strerror or exc}") from exc
    return docs


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def error_km(gold: Gold, mention: Mention | None) -> float:
    """Distance from the gold point to the predicted place (0 for the gold GeoNames id)."""
    if mention is None or mention.place is None:
        return MAX_ERROR_KM
    if gold.geonameid is not None and mention.place.geonameid == gold.geonameid:
        return 0.0
    return distance_km(gold.lat, gold.lon, mention.place.lat, mention.place.lon)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _ratio(num: float, den: float) -> float:
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
        return {"gold": self.gold, "recall": round(_ratio(self.found, self.gold), 4),
                "exact_recall": round(_ratio(self.exact, self.gold), 4),
                "with_coordinates": self.with_point,
                "end_to_end_161km": round(_ratio(self.placed, self.with_point), 4)}


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
        p = _ratio(self.predicted_overlapping, self.predicted)
        r = _ratio(self.total.found, self.total.gold)
        pe = _ratio(self.predicted_exact, self.predicted)
        re = _ratio(self.total.exact, self.total.gold)
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(_f1(p, r), 4),
                "exact_precision": round(pe, 4), "exact_recall": round(re, 4), "exact_f1": round(_f1(pe, re), 4),
                "predicted": self.predicted, "gold": self.total.gold}


def _context(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - 60):min(len(text), end + 60)].split())


def score_end_to_end(pairs: Iterable[tuple[GoldDocument, ParsedDocument]]) -> Scores:
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
            hits = [m for m in mentions if overlaps(m.start, m.end, g.start, g.end)]
            exact = any((m.start, m.end) == (g.start, g.end) for m in hits)
            best = min(hits, key=lambda m: error_km(g, m)) if hits and g.has_point else None
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


def score_resolution(pairs: Iterable[tuple[GoldDocument, ParsedDocument]], worst: int = 25) -> Resolution:
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
        accuracy_161km=_ratio(sum(e <= WITHIN_KM for e in errors), len(errors)),
        median_error_km=statistics.median(errors) if errors else 0.0,
        auc=auc_log_error(errors),
        scored=len(errors),
        groups={k: _ratio(sum(v), len(v)) for k, v in by_group.items()},
        errors=cases[:worst],
    )


def evaluate(pipeline, corpus: Path, *, spans: bool = False, limit: int | None = None,
             worst: int = 25) -> dict[str, object]:
    """Run the pipeline over a gold corpus and return the report (plain JSON-able data)."""
    docs = load_corpus(corpus, limit)
    parsed = list(pipeline.parse(d.document for d in docs))
    e2e = score_end_to_end(zip(docs, parsed))
    e2e.errors.sort(key=lambda c: -c.error_km)
    report: dict[str, object] = {
        "corpus": str(corpus),
        "documents": len(docs),
        "detection": e2e.detection(),
        "end_to_end": e2e.total.as_dict(),
        "breakdown": {k: v.as_dict() for k, v in sorted(e2e.groups.items())},
        "worst_end_to_end_errors": [e.as_dict() for e in e2e.errors[:worst]],
    }
    if spans:
        gold_spans = [replace(d.document, spans=tuple((g.start, g.end) for g in d.gold)) for d in docs]
        resolved = list(pipeline.parse(gold_spans))
        report["resolution"] = score_resolution(zip(docs, resolved), worst).as_dict()
    return report


def summary_table(report: dict) -> str:
    """The headline figures as a small text table."""
    det, e2e = report["detection"], report["end_to_end"]
    lines = [
        f"corpus: {report['corpus']} ({report['documents']} documents, {det['gold']} gold toponyms, "
        f"{e2e['with_coordinates']} with coordinates)",
        f"detection   precision {det['precision']:.3f}  recall {det['recall']:.3f}  F1 {det['f1']:.3f}  "
        f"(exact spans: P {det['exact_precision']:.3f} R {det['exact_recall']:.3f} F1 {det['exact_f1']:.3f})",
        f"end to end  within 161 km: {e2e['end_to_end_161km']:.3f}",
    ]
    if "resolution" in report:
        res = report["resolution"]
        lines.append(f"resolution  (gold spans) within 161 km: {res['accuracy_161km']:.3f}  median error "
                     f"{res['median_error_km']:.1f} km  AUC {res['auc_log_error']:.3f}")
    lines.append("breakdown   " + "; ".join(
        f"{k}: n={v['gold']} recall {v['recall']:.2f} e2e {v['end_to_end_161km']:.2f}"
        for k, v in report["breakdown"].items()))
    if "resolution" in report:
        lines.append("resolution by group  " + "; ".join(
            f"{k} {v:.2f}" for k, v in report["resolution"]["by_group_accuracy_161km"].items()))
    worst = report.get("resolution", {}).get("worst_errors") or report["worst_end_to_end_errors"]
    lines.append("worst errors:")
    lines.extend(f"  {e['surface']!r} -> {e['predicted']!r}: {e['error_km']:.0f} km  [{e['doc']}] {e['context']}"
                 for e in worst[:10])
    return "\n".join(lines)
