"""The calibration of the confidence: the resolver's raw confidence (`features.confidence`, a share
of a softmax; `NAMED_AFTER_CONFIDENCE`) passes through a monotone map, so that a placement given
confidence c is right about c of the time ("doubtful", below 0.5, means more likely wrong than right).

The map is piecewise linear between knots (raw, calibrated), flat beyond the first and the last one,
one map per outcome (`outcomes.BEST`, `outcomes.NAMED_AFTER`, ...); an outcome with no knots of its own
uses BEST's (the online geocoder's answer is a gazetteer candidate on the next run). The knots are
fitted on the development halves of the evaluation corpora by isotonic regression (`fit`) and shipped
in `data/calibration.csv`; `python -m devtools.calibrate` refits them after the resolver changes.
"""

from __future__ import annotations

import csv
import io
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..outputs import write_text
from .outcomes import BEST

CALIBRATION_CSV = Path(__file__).parent / "data" / "calibration.csv"
COLUMNS = ("outcome", "raw", "calibrated")


class CalibrationError(ValueError):
    """The calibration table is malformed (names file and line)."""


@dataclass(frozen=True)
class ConfidenceMap:
    """A monotone piecewise-linear map of [0, 1] into [0, 1], through `knots` (raw ascending)."""

    knots: tuple[tuple[float, float], ...]

    def __call__(self, raw: float) -> float:
        xs = [x for x, _ in self.knots]
        i = bisect_right(xs, raw)
        if i == 0:
            return self.knots[0][1]
        if i == len(xs):
            return self.knots[-1][1]
        (x0, y0), (x1, y1) = self.knots[i - 1], self.knots[i]
        return y0 + (y1 - y0) * (raw - x0) / (x1 - x0)


IDENTITY = ConfidenceMap(((0.0, 0.0), (1.0, 1.0)))


@dataclass(frozen=True)
class Calibration:
    """The maps by outcome; `Calibration({})` leaves every confidence raw."""

    maps: dict[str, ConfidenceMap]

    def __call__(self, raw: float, outcome: str) -> float:
        return self.maps.get(outcome, self.maps.get(BEST, IDENTITY))(raw)


RAW = Calibration({})


@dataclass
class Block:
    """Observations pooled by `isotonic`: weighted sums of raw confidence and of rightness."""

    weight: float
    raw_sum: float
    right_sum: float

    @property
    def raw(self) -> float:
        return self.raw_sum / self.weight

    @property
    def share(self) -> float:
        return self.right_sum / self.weight

    def pool(self, other: Block) -> None:
        self.weight += other.weight
        self.raw_sum += other.raw_sum
        self.right_sum += other.right_sum


def isotonic(blocks: Iterable[Block]) -> list[Block]:
    """Pool adjacent violators: blocks in raw order, merged until each block's share is above the one
    before (equal shares pool too, for fewer knots)."""
    out: list[Block] = []
    for block in blocks:
        out.append(Block(block.weight, block.raw_sum, block.right_sum))
        while len(out) > 1 and out[-2].share >= out[-1].share:
            last = out.pop()
            out[-1].pool(last)
    return out


def bins(observations: Sequence[tuple[float, bool, float]], count: int) -> list[Block]:
    """(raw, right, weight) observations in about `count` bins of about equal weight, by raw confidence;
    equal raw values stay in one bin, and a last bin under half the size joins the one before."""
    ordered = sorted(observations, key=lambda o: o[0])
    size = sum(w for _, _, w in ordered) / count
    out = [Block(0.0, 0.0, 0.0)]
    for i, (raw, right, weight) in enumerate(ordered):
        if out[-1].weight >= size * (1 - 1e-9) and raw != ordered[i - 1][0]:
            out.append(Block(0.0, 0.0, 0.0))
        out[-1].pool(Block(weight, raw * weight, right * weight))
    if len(out) > 1 and out[-1].weight < size / 2:
        last = out.pop()
        out[-1].pool(last)
    return out


def fit(observations: Sequence[tuple[float, bool, float]], count: int) -> ConfidenceMap:
    """The monotone map of raw confidence to the weighted share right, from (raw, right, weight)
    observations: `count` bins pooled by `isotonic`, one knot at each pooled block's mean raw value."""
    if not observations:
        raise ValueError("no observations to fit a calibration on")
    blocks = isotonic(bins(observations, count))
    return ConfidenceMap(tuple((round(b.raw, 4), round(b.share, 4)) for b in blocks))


def read(path: Path = CALIBRATION_CSV) -> Calibration:
    """The table: `#` lines are comments, then a header row (`COLUMNS`) and one knot a row."""
    maps: dict[str, list[tuple[float, float]]] = {}
    with open(path, encoding="utf-8") as handle:
        lines = [(n, line) for n, line in enumerate(handle, start=1) if line.strip() and not line.startswith("#")]
    if not lines or tuple(next(csv.reader([lines[0][1]]))) != COLUMNS:
        raise CalibrationError(f"{path}: expected a header row {','.join(COLUMNS)}")
    for number, line in lines[1:]:
        try:
            outcome, raw, calibrated = next(csv.reader([line]))
            knot = (float(raw), float(calibrated))
        except ValueError as exc:
            raise CalibrationError(f"{path}:{number}: expected outcome,raw,calibrated ({exc})") from exc
        previous = maps.setdefault(outcome, [])
        if not all(0.0 <= v <= 1.0 for v in knot) or previous and not (knot[0] > previous[-1][0]
                                                                        and knot[1] >= previous[-1][1]):
            raise CalibrationError(f"{path}:{number}: knots must lie in [0, 1], raw increasing, "
                                   "calibrated not decreasing")
        previous.append(knot)
    return Calibration({outcome: ConfidenceMap(tuple(knots)) for outcome, knots in maps.items()})


@lru_cache(maxsize=1)
def shipped() -> Calibration:
    """The shipped table (`data/calibration.csv`), read once."""
    return read()


def write(calibration: Calibration, header: str, path: Path = CALIBRATION_CSV) -> None:
    """Write the table with `header` as its comment lines (atomically)."""
    out = io.StringIO()
    out.writelines(f"# {line}\n" for line in header.splitlines())
    rows = csv.writer(out, lineterminator="\n")
    rows.writerow(COLUMNS)
    for outcome, conf_map in calibration.maps.items():
        rows.writerows((outcome, raw, calibrated) for raw, calibrated in conf_map.knots)
    write_text(path, out.getvalue())
