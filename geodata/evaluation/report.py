"""The evaluation report as text: the halves and the whole side by side, calibration per half,
the test half's misses, and the worst errors of the development half (where rules are made)."""

from __future__ import annotations

from collections.abc import Callable

from .gold import DEVELOPMENT, TEST
from .misses import OUTCOMES, SOURCES

COLUMNS = (DEVELOPMENT, TEST, "whole")
Row = Callable[[dict], str]


def _parts(report: dict) -> dict[str, dict]:
    return {**report["halves"], "whole": report}


def _high(part: dict) -> str:
    high = part["calibration"]["at_least_0.8"]
    return f"{high['share_right']:.3f} ({high['right']}/{high['placements']})"


ROWS: tuple[tuple[str, Row], ...] = (
    ("documents", lambda p: str(p["documents"])),
    ("gold toponyms (with coordinates)", lambda p: f"{p['detection']['gold']} ({p['end_to_end']['with_coordinates']})"),
    ("detection F1 (P / R)", lambda p: f"{p['detection']['f1']:.3f} ({p['detection']['precision']:.3f} / "
                                       f"{p['detection']['recall']:.3f})"),
    ("detection F1, exact spans", lambda p: f"{p['detection']['exact_f1']:.3f}"),
    ("end to end within 161 km", lambda p: f"{p['end_to_end']['end_to_end_161km']:.3f}"),
    ("calibration: ECE", lambda p: f"{p['calibration']['ece']:.3f}"),
    ("right at confidence >= 0.8", _high),
)
RESOLUTION_ROWS: tuple[tuple[str, Row], ...] = (
    ("resolution (gold spans) within 161 km", lambda p: f"{p['resolution']['accuracy_161km']:.3f}"),
    ("resolution: median km / AUC", lambda p: f"{p['resolution']['median_error_km']:.0f} / "
                                              f"{p['resolution']['auc_log_error']:.3f}"),
)


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    return ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths)))
            for r in (header, *rows)]


def summary_table(report: dict) -> str:
    """The figures of one corpus as text tables."""
    parts = _parts(report)
    rows = ROWS + (RESOLUTION_ROWS if "resolution" in report else ())
    lines = [f"corpus: {report['corpus']}  ({report['split']})"]
    lines += _table(("", *COLUMNS), [(label, *(row(parts[c]) for c in COLUMNS)) for label, row in rows])
    groups = sorted(report["breakdown"])
    lines += ["", "end to end by group (gold n)"]
    lines += _table(("", *COLUMNS), [(g, *(f"{parts[c]['breakdown'][g]['end_to_end_161km']:.3f} "
                                           f"({parts[c]['breakdown'][g]['gold']})" if g in parts[c]["breakdown"]
                                           else "-" for c in COLUMNS)) for g in groups])
    lines += ["", "calibration: placements right by confidence band (right/placements, mean confidence)"]
    bands = [b["band"] for b in report["calibration"]["bands"]]
    lines += _table(("band", DEVELOPMENT, TEST), [
        (band, *(f"{b['share_right']:.3f} ({b['right']}/{b['placements']}, {b['mean_confidence']:.2f})"
                 for b in (next(x for x in parts[c]["calibration"]["bands"] if x["band"] == band)
                           for c in (DEVELOPMENT, TEST)))) for band in bands])
    test = parts[TEST]["misses"]
    lines += ["", f"misses, test half: {test['misses']} of {test['gold_with_coordinates']} gold toponyms with "
                  f"coordinates not placed within 161 km"]
    lines += _table(("source", "misses", *OUTCOMES), [
        (s, str(test["by_source"][s]["misses"]), *(str(test["by_source"][s][o]) for o in OUTCOMES)) for s in SOURCES])
    lines.append(f"ceilings: a GeoNames dump <= {test['ceiling_geonames_dump']}, the online geocoder <= "
                 f"{test['ceiling_online_geocoder']} (detected, no gazetteer place)")
    worst = (parts[DEVELOPMENT].get("resolution", {}).get("worst_errors")
             or parts[DEVELOPMENT]["worst_end_to_end_errors"])
    lines += ["", "worst errors, development half (make rules from these, never from the test half):"]
    lines += [f"  {e['surface']!r} -> {e['predicted']!r}: {e['error_km']:.0f} km  [{e['doc']}] {e['context']}"
              for e in worst[:10]]
    return "\n".join(lines)
