"""Score the pipeline against gold corpora (shared/bench layout), on the development half, the test
half and the whole corpus from one parse: detection, end to end, resolution alone (`scores`),
calibration of the confidence (`calibration`), why gold toponyms are missed (`misses`); `report`
prints it. Gold reading and the split are in `gold`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..records import ParsedDocument
from .calibration import Calibration, calibrate
from .gold import DEVELOPMENT, TEST, CorpusError, Gold, GoldDocument, gold_rows, load_corpus
from .misses import Misses, find_misses
from .report import summary_table
from .scores import MAX_ERROR_KM, WITHIN_KM, auc_log_error, score_end_to_end, score_resolution

if TYPE_CHECKING:
    from ..pipeline import Pipeline

SPLIT = "development half: documents on even lines of the corpus (counting from 0); test half: odd lines"

__all__ = ["DEVELOPMENT", "MAX_ERROR_KM", "SPLIT", "TEST", "WITHIN_KM", "Calibration", "CorpusError", "Gold",
           "GoldDocument", "Misses", "auc_log_error", "calibrate", "evaluate", "find_misses", "gold_rows",
           "load_corpus", "score_end_to_end", "score_resolution", "summary_table"]


def _part(docs: Sequence[GoldDocument], parsed: Sequence[ParsedDocument],
          resolved: Sequence[ParsedDocument] | None, pipeline: Pipeline, worst: int) -> dict[str, object]:
    """The scores of one slice of the corpus (a half, or the whole)."""
    e2e = score_end_to_end(zip(docs, parsed))
    e2e.errors.sort(key=lambda c: -c.error_km)
    part: dict[str, object] = {
        "documents": len(docs),
        "detection": e2e.detection(),
        "end_to_end": e2e.total.as_dict(),
        "breakdown": {k: v.as_dict() for k, v in sorted(e2e.groups.items())},
        "worst_end_to_end_errors": [e.as_dict() for e in e2e.errors[:worst]],
        "calibration": calibrate(zip(docs, parsed)).as_dict(),
        "misses": find_misses(zip(docs, parsed), pipeline.gazetteer).as_dict(),
    }
    if resolved is not None:
        part["resolution"] = score_resolution(zip(docs, resolved), worst).as_dict()
    return part


def evaluate(pipeline: Pipeline, corpus: Path, *, spans: bool = False, limit: int | None = None,
             worst: int = 25) -> dict[str, object]:
    """Parse a gold corpus as one collection (`Pipeline.parse_together`: each article with the home its outlet's
    other articles settle), and its gold spans too with `spans`, and score it three ways: the
    report (plain JSON-able data) holds the whole corpus's scores at its top level, as it always
    has, and each half's under "halves"."""
    docs = load_corpus(corpus, limit)
    parsed = pipeline.parse_together([d.document for d in docs])
    resolved = None
    if spans:
        resolved = pipeline.parse_together([replace(d.document, spans=tuple((g.start, g.end) for g in d.gold))
                                            for d in docs])
    halves = {}
    for half in (DEVELOPMENT, TEST):
        keep = [i for i, d in enumerate(docs) if d.half == half]
        halves[half] = _part([docs[i] for i in keep], [parsed[i] for i in keep],
                             [resolved[i] for i in keep] if resolved is not None else None, pipeline, worst)
    return {"corpus": str(corpus), **_part(docs, parsed, resolved, pipeline, worst), "split": SPLIT,
            "halves": halves}
