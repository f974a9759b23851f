"""Is the confidence honest? Per confidence band, how many placements are right, and the expected
calibration error (ECE).

A placement is judged when a predicted mention with a place overlaps a gold toponym with
coordinates: it is right when the place lies within 161 km of that gold point (or carries its
GeoNames id). Placements of names the gold does not list cannot be judged and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .scores import WITHIN_KM, Pairs, ratio, error_km, overlaps

# Lower edges of the bands; the last band holds 1.0 too.
BAND_EDGES = (0.0, 0.2, 0.4, 0.6, 0.8, 0.9)
HIGH_CONFIDENCE = 0.8  # "placements with confidence >= 0.8 are right >= 97 % of the time"


@dataclass
class Band:
    low: float
    high: float
    placements: int = 0
    right: int = 0
    confidence_sum: float = 0.0

    @property
    def label(self) -> str:
        closing = "]" if self.high >= 1.0 else ")"
        return f"[{self.low:.1f},{self.high:.1f}{closing}"

    def as_dict(self) -> dict[str, object]:
        return {"band": self.label, "placements": self.placements, "right": self.right,
                "share_right": round(ratio(self.right, self.placements), 4),
                "mean_confidence": round(ratio(self.confidence_sum, self.placements), 4)}


@dataclass
class Calibration:
    bands: list[Band] = field(default_factory=lambda: [
        Band(low, high) for low, high in zip(BAND_EDGES, (*BAND_EDGES[1:], 1.0))])

    def add(self, confidence: float, right: bool) -> None:
        band = next(b for b in reversed(self.bands) if confidence >= b.low or b is self.bands[0])
        band.placements += 1
        band.right += right
        band.confidence_sum += confidence

    @property
    def placements(self) -> int:
        return sum(b.placements for b in self.bands)

    def ece(self) -> float:
        """Sum over bands of (share of placements) x |share right - mean confidence|."""
        total = self.placements
        return sum(abs(b.right - b.confidence_sum) / total for b in self.bands) if total else 0.0

    def high(self) -> tuple[int, int]:
        """(right, placements) among placements with confidence >= HIGH_CONFIDENCE."""
        kept = [b for b in self.bands if b.low >= HIGH_CONFIDENCE]
        return sum(b.right for b in kept), sum(b.placements for b in kept)

    def as_dict(self) -> dict[str, object]:
        right, placements = self.high()
        return {"placements": self.placements, "ece": round(self.ece(), 4),
                "at_least_0.8": {"placements": placements, "right": right,
                                 "share_right": round(ratio(right, placements), 4)},
                "bands": [b.as_dict() for b in self.bands]}


def calibrate(pairs: Pairs) -> Calibration:
    """The judged placements of a parse, by confidence band."""
    calibration = Calibration()
    for gold_doc, parsed in pairs:
        for m in parsed.mentions:
            if m.place is None:
                continue
            golds = [g for g in gold_doc.gold if g.has_point and overlaps(m.start, m.end, g.start, g.end)]
            if golds:
                calibration.add(m.confidence, min(error_km(g, m) for g in golds) <= WITHIN_KM)
    return calibration
