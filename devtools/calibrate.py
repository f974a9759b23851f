"""Refit the confidence calibration (`geodata/resolve/data/calibration.csv`) on the development halves
of the evaluation corpora, and print what it does to the development and the test halves.

One offline parse of each corpus (read together, as `evaluate` reads it, with the shipped map: an outlet's
home is learned from placements at calibrated confidence >= 0.8, `resolve/outlet.py`) gives the placements the
evaluation judges (its own gold reading, halves and matching: `geodata.evaluation`), each with its raw
confidence (the explanation's `raw_confidence`);
the map of each outcome is fitted on the development halves by `calibration.fit`, each corpus
weighing the same (GWN, international news, would otherwise count for less than LGL, local US news,
only because it has fewer placements; the target holds for each corpus); the test halves are scored
once with the fitted map. Re-run it after the resolver changes:

    python -m devtools.calibrate                      # parse ../shared/bench/{gwn,lgl}.jsonl, write the table
    python -m devtools.calibrate --save rows.json     # ... and keep the judged placements
    python -m devtools.calibrate --load rows.json --dry-run   # refit from them, print, write nothing
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from geodata.evaluation import DEVELOPMENT, TEST, Calibration, CorpusError, GoldDocument, calibrate, load_corpus
from geodata.records import Mention, ParsedDocument
from geodata.resolve.calibration import CALIBRATION_CSV, Calibration as ConfidenceCalibration, ConfidenceMap, fit, write
from geodata.resolve.outcomes import ARTICLE_TOWN, BEST, PLACE_SAID, SET_CONFIDENCE

CORPORA = ("gwn", "lgl")
BINS = 12  # bins of equal weight before pooling: at most this many knots for the best-candidate map
MIN_OUTCOME = 30  # fewer judged development placements of a set-confidence outcome: its confidence stays
# The outcomes whose raw confidence is one set value (`outcomes.SET_CONFIDENCE`) are each fitted as one block
# (`MIN_OUTCOME`).
# Outcomes fitted in one block with another, whose map they share: a street put at the place a possessive
# before it names is placed as one put at the article's town is, from what lies around it, and is rarer.
POOLED = {PLACE_SAID: ARTICLE_TOWN}


@dataclass(frozen=True)
class Judged:
    """One placement the evaluation judged: right within its distance of the gold point or not."""

    corpus: str
    half: str
    outcome: str
    raw: float
    right: bool


def judged(gold_doc: GoldDocument, parsed: ParsedDocument) -> Iterator[tuple[Mention, bool]]:
    """The document's placements that the evaluation judges, each through its own matching (`calibrate`)."""
    for mention in parsed.mentions:
        if mention.place is not None:
            one = calibrate([(gold_doc, replace(parsed, mentions=[mention]))])
            if one.placements:
                yield mention, sum(b.right for b in one.bands) == 1


def parse(bench: Path) -> list[Judged]:
    """Parse each corpus as `evaluate` does (read together, the shipped calibration), offline, and keep each judged
    mention's raw confidence and outcome. A parse with raw confidences (`calibration.RAW`) would read otherwise:
    outlets' homes come from calibrated confidences."""
    from geodata.config import Settings
    from geodata.pipeline import Pipeline

    corpora = {corpus: load_corpus(bench / f"{corpus}.jsonl") for corpus in CORPORA}  # read before loading spaCy
    pipeline = Pipeline.from_settings(Settings().with_(offline=True), notify=lambda m: print(m, file=sys.stderr),
                                      explain=True)  # every language's resolver: the outcome and the raw confidence
    rows = []
    for corpus, docs in corpora.items():
        for gold_doc, parsed in zip(docs, pipeline.parse_together([d.document for d in docs])):
            rows += [Judged(corpus, gold_doc.half, m.explanation["outcome"], m.explanation["raw_confidence"], right)
                     for m, right in judged(gold_doc, parsed)]
        print(f"{corpus}: {len(docs)} documents parsed", file=sys.stderr)
    return rows


def fit_table(rows: Sequence[Judged], bins: int) -> ConfidenceCalibration:
    """The maps of the outcomes, fitted on the development halves, each corpus weighing the same."""
    dev = [r for r in rows if r.half == DEVELOPMENT]
    per_corpus = {c: sum(r.corpus == c for r in dev) for c in CORPORA}
    weighed = [(r, 1.0 / per_corpus[r.corpus]) for r in dev]
    best = [(r.raw, r.right, w) for r, w in weighed if r.outcome not in SET_CONFIDENCE and r.outcome not in POOLED]
    maps = {BEST: fit(best, bins)}
    for outcome, raw in SET_CONFIDENCE.items():
        judged_rows = [(r.raw, r.right, w) for r, w in weighed if POOLED.get(r.outcome, r.outcome) == outcome]
        kept = ConfidenceMap(((raw, raw),))  # too few to fit: the set value
        maps[outcome] = fit(judged_rows, 1) if len(judged_rows) >= MIN_OUTCOME else kept
    return ConfidenceCalibration({**maps, **{pooled: maps[outcome] for pooled, outcome in POOLED.items()}})


def figures(rows: Sequence[Judged], table: ConfidenceCalibration) -> str:
    """ECE and the share right at confidence >= 0.8, raw and calibrated, per corpus and half."""
    lines = [f"{'':18}{'placements':>11}{'ECE raw':>9}{'ECE cal':>9}{'>=0.8 raw':>20}{'>=0.8 cal':>20}"]
    for corpus in CORPORA:
        for half in (DEVELOPMENT, TEST):
            part = [r for r in rows if r.corpus == corpus and r.half == half]
            raw, cal = Calibration(), Calibration()
            for r in part:
                raw.add(r.raw, r.right)
                cal.add(table(r.raw, r.outcome), r.right)
            lines.append(f"{corpus + ' ' + half:18}{len(part):>11}{raw.ece():>9.3f}{cal.ece():>9.3f}"
                         f"{_share(*raw.high()):>20}{_share(*cal.high()):>20}")
    return "\n".join(lines)


def _share(right: int, placements: int) -> str:
    return f"{right / placements:.3f} ({right}/{placements})" if placements else "-"


def load(path: Path) -> tuple[str, list[Judged]]:
    """What `--save` wrote: when and from which code the corpora were parsed, and the placements."""
    saved = json.loads(path.read_text(encoding="utf-8"))
    return saved["parsed"], [Judged(**r) for r in saved["placements"]]


def parsed_at() -> str:
    """When and from which code the corpora are parsed: the time and the git commit."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=False).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = " with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    return f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, commit {head}{dirty}"


def header(rows: Sequence[Judged], bins: int, parsed: str) -> str:
    dev = [r for r in rows if r.half == DEVELOPMENT]
    counts = ", ".join(f"{c} {sum(r.corpus == c for r in dev)}" for c in CORPORA)
    fixed = []
    for outcome in SET_CONFIDENCE:
        n = sum(POOLED.get(r.outcome, r.outcome) == outcome for r in dev)
        fixed.append(f"'{outcome}': {n} judged placements, " + ("fitted as one block." if n >= MIN_OUTCOME else
                     f"under {MIN_OUTCOME}: too few to fit, so its set confidence is kept."))
    fixed += [f"'{pooled}': {sum(r.outcome == pooled for r in dev)} judged placements, fitted with '{outcome}'."
              for pooled, outcome in POOLED.items()]
    return (f"Confidence calibration: the raw confidence (resolve/features.py `confidence`, or an outcome's set one:\n"
            f"resolve/outcomes.py SET_CONFIDENCE)\n"
            f"-> share of placements right within 161 km, by outcome; linear between knots, flat beyond the ends;\n"
            f"an outcome without rows (the geocoder's) uses 'best candidate'. Read by geodata/resolve/calibration.py.\n"
            f"Fitted by `python -m devtools.calibrate` from an offline parse of\n{parsed}, on the development halves\n"
            f"(even lines from 0) of shared/bench {'/'.join(CORPORA)}.jsonl only: judged placements {counts},\n"
            f"each corpus weighing the same;\n"
            f"isotonic regression (pool adjacent violators) over {bins} equal-weight bins of raw confidence,\n"
            f"a knot at each pooled block's mean.\n" + "\n".join(fixed))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.calibrate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench", type=Path, default=Path("../shared/bench"), help="folder of gwn.jsonl, lgl.jsonl")
    parser.add_argument("--bins", type=int, default=BINS)
    parser.add_argument("--save", type=Path, help="write the judged placements here (JSON)")
    parser.add_argument("--load", type=Path, help="fit from judged placements saved by --save; no parse")
    parser.add_argument("--dry-run", action="store_true", help=f"print only; do not write {CALIBRATION_CSV.name}")
    args = parser.parse_args(argv)
    try:
        parsed, rows = load(args.load) if args.load else (parsed_at(), parse(args.bench))
    except CorpusError as exc:
        print(exc, file=sys.stderr)
        return 1
    except (OSError, ValueError, TypeError, KeyError) as exc:
        print(f"{args.load}: not judged placements saved by --save ({exc!r})", file=sys.stderr)
        return 1
    if args.save:
        args.save.write_text(json.dumps({"parsed": parsed, "placements": [asdict(r) for r in rows]}))
    if not any(r.half == DEVELOPMENT for r in rows):
        print("no judged placement in the development halves: nothing to fit", file=sys.stderr)
        return 1
    table = fit_table(rows, args.bins)
    for outcome, conf_map in table.maps.items():
        print(f"{outcome}: " + "  ".join(f"{raw:.3f}->{cal:.3f}" for raw, cal in conf_map.knots))
    print(figures(rows, table))
    if not args.dry_run:
        write(table, header(rows, args.bins, parsed))
        print(f"written {CALIBRATION_CSV}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
