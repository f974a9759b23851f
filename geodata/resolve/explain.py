"""Why a mention got its place, or none, as plain JSON-able data (`parse --explain`).

Built only when asked for, from what resolution computed anyway: the expansion that found the
candidates, each candidate's named features and score, the "no place" option with its evidence,
the outcome and the reason.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..records import Candidate, Place
from .expand import Found
from .features import FEATURES, NONE, RULED_OUT, Choice, Scored, none_evidence
from .outcomes import ARTICLE_TOWN, BEARING, CHOSEN, FAR, GEOCODER, NAMED_AFTER, PLACE_SAID

if TYPE_CHECKING:
    from .context import Context

SHOWN = 5  # candidates listed, best first ("candidates" gives the count of all)


def _number(value: float) -> float | str:
    return round(value, 4) if math.isfinite(value) else ("inf" if value > 0 else "-inf")


def _place(place: Place) -> dict[str, Any]:
    return {"id": place.id, "name": place.name, "country": place.country, "admin1": place.admin1,
            "feature": place.feature, "population": place.population}


def _option(s: Scored, ruled_out: str | None = None) -> dict[str, Any]:
    out = {**_place(s.place), "score": _number(s.score), "main_name": s.primary,
           "features": {name: _number(value) for name, value in s.named().items()}}
    if ruled_out:
        out["ruled_out"] = ruled_out
    return out


def _why_best(ranked: list[Scored]) -> str:
    """The winner's score, and which feature put it ahead of the runner-up the most."""
    top = ranked[0]
    if len(ranked) == 1:
        return f"the only candidate (score {top.score:.3f})"
    second = ranked[1]
    if top.score < second.score:  # put first by a rule (the outlet's home): the note after this says which
        return (f"score {top.score:.3f}, {second.score - top.score:.3f} behind {second.place.name} "
                f"({second.place.country or '-'}, {second.place.feature})")
    gap, name = max((a - b, name) for name, a, b in zip(FEATURES, top.features, second.features))
    return (f"score {top.score:.3f}, {top.score - second.score:.3f} ahead of {second.place.name} "
            f"({second.place.country or '-'}, {second.place.feature}); mostly on {name} (+{gap:.3f})")


def _why(found: Found, choice: Choice, outcome: str, via: str | None) -> str:
    if outcome in CHOSEN:
        return _why_best(choice.ranked)
    if outcome == BEARING:
        return f"placed {via}, as the text says: no place this name found lies there"
    if outcome == FAR:
        return f"the text puts it {via}; no place this name found lies about that far, and no direction is given"
    why = ("no expansion of the name matched a gazetteer place" if found.expansion is None
           else "every candidate was ruled out: " + RULED_OUT)
    if outcome == GEOCODER:
        return f"{why}; the geocoder answered for {via!r}"
    if outcome == NAMED_AFTER:
        return f"{why}; placed at the famous place its first words name ({via!r}): near it, not at it"
    if outcome == ARTICLE_TOWN:
        return (f"{why}; no geocoder answer; placed at {via!r}, the town the article names most: a street or "
                "building there, or near it")
    if outcome == PLACE_SAID:
        return (f"{why}; placed at {via!r}, which the text puts it in (a possessive before it, a state or country "
                "after a comma): a place there that no source holds")
    return f"{why}; no geocoder answer, and no famous place its first words name fits the article"


def explanation(cand: Candidate, found: Found, choice: Choice, settled: Context, *, outcome: str,
                place: Place | None = None, via: str | None = None, note: str | None = None,
                raw: float = 0.0) -> dict[str, Any]:
    """`outcome`: one of `outcomes.py`, or NONE; `via`:
    what the geocoder or the named-after rule looked up, or the place it was put in; `note`: what else weighed on
    the choice and the confidence; `raw`: the confidence before the calibration (`calibration.py`) maps it."""
    return {
        "expansion": found.expansion,
        "query": found.query,
        "candidates": len(choice.ranked) + len(choice.ruled_out),
        "options": [_option(s) for s in choice.ranked[:SHOWN]]
                   + [_option(s, RULED_OUT) for s in choice.ruled_out[:SHOWN]],
        "none": {"score": _number(choice.none),
                 "evidence": none_evidence(cand, choice.ranked[0] if choice.ranked else None, settled)},
        "outlet": dict(zip(("country", "admin1"), settled.outlet)) if settled.outlet else None,  # one more place
        "chosen": _place(place) if place is not None else NONE,
        "outcome": outcome,
        "raw_confidence": _number(raw),
        "why": _why(found, choice, outcome, via) + (f"; {note}" if note else ""),
    }
