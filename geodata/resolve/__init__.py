"""Choose a place for each toponym candidate, with a confidence in [0, 1]; one article at a time.

1. expand (`expand.py`): a mention's candidates come from the first of the named query expansions
   (`EXPANSIONS`: demonym, division said after the name, name, name without its generic word,
   place the part is of, division named without the word) that finds any gazetteer place;
2. rank (`features.py`): each candidate's named features (`FEATURES`: importance, alternate_name,
   label_fit, qualifier, country_share, admin1_share, proximity, shared_division) add up to its score;
   the article's context (`context.py`) comes from a first pass, and the second pass ranks every
   mention with it; where every name's candidates could lie (`Spread`), and where the outlet is (the
   division its other articles are about, else its domain's country: "moscowtimes.ru", `outlet.py`), are
   known to both passes;
3. choose (`features.choose`): against the article as read in the end, a rule may take candidates
   out (a bare compass word outside the article's countries), and "no place" competes with the rest; a town
   outside the outlet's home gives way to a bigger namesake there (`outlet.at_home`); a name's other mentions may
   decide it ("Dublin City" as its bare name's town, `as_bare_name`; "in Malta" as the dateline "MALTA -"
   before it, `as_said_elsewhere`); what the article leaves unsaid lowers the winner's
   confidence (`features.doubt`: a place chosen by fame alone); a town none of its places supports, and a river
   (whose point is not the stretch the story means), are placed with a set confidence (`outcomes.py`);
4. a mention left with no candidate may still be placed by the online geocoder (`Fallback`), at
   the famous place it is named after ("Manila Cathedral"), or, when no expansion of its name found
   any place, at the place the text puts it in (a possessive before it: "Tbilisi's Rustaveli Avenue",
   `place_before`; a state or country after a comma: `Context.container`) or else at the town the article
   names most in its main country (`article_town`): a street or a building no
   gazetteer holds ("Press Street" in a story on New Orleans) lies there or near it (a lone word only
   when the text says it is a place: "in Earlsheaton", not "Pawlenty"); a winner outside the state or
   country a comma after it names gives way to that ("Grantville, Pennsylvania": no Georgia town);
5. a name the text puts at a distance and in a direction from another placed name ("Mahas, a town about
   300 km north of Mogadishu", `bearings.py`) is placed at that point, and one it puts near a placed town
   ("Rathbeggan, near Dunshaughlin") at that town, unless a place of the name lies about there
   (`bearing_points`); so is every mention of the name;
6. the placed mention's raw confidence passes through the calibration (`calibration.py`), fitted on the
   evaluation corpora's development halves, so that confidence c means right about c of the time.

`Resolver(..., explain=True)` attaches to each mention why it got its place or none (`explain.py`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from ..gazetteer import Gazetteer, normalize
from ..gazetteer.importance import is_strong
from ..records import CAPITAL, COUNTRY_CODES, EARLIER, POSSESSIVES, Bearing, Candidate, Mention, Place
from .calibration import Calibration, shipped
from .context import Context, Division, Spread, Vote
from .distance import destination, distance_km, within_km
from .expand import (EXPANSIONS, SPELLED_OTHERWISE, STREET_WORDS, Found, Query, division_after, family, find,
                     named_after, with_counties_named)
from .explain import explanation
from .features import (ALTERNATE_ONLY_FACTOR, DOUBT_NOTES, FEATURES, NONE, SURE, Choice, Scored, choose, confidence,
                       doubt, rank, same_point)
from .outcomes import (ARTICLE_TOWN, ARTICLE_TOWN_CONFIDENCE, BEARING, BEARING_CONFIDENCE, CHOSEN, FAR, GEOCODER,
                       NAMED_AFTER, NAMED_AFTER_CONFIDENCE, PLACE_SAID, UNSUPPORTED_CONFIDENCE)
from .outlet import HOME_NOTE, at_home, outlet_country

Fallback = Callable[[str, Sequence[str]], Place | None]
T = TypeVar("T")
UNRESOLVED = "no gazetteer place fits this name"
FAR_FROM_TEXT = "every gazetteer place of this name lies much farther from the place the text measures from"
IN_ARTICLE_TOWN = "no gazetteer place bears this name: placed at the town the article names most"
IN_PLACE_SAID = ("no gazetteer place of this name lies where the text puts it (\"Tbilisi's\", \", Pennsylvania\", "
                 "\"in central Somalia\"): placed there")
# A placement within this share of the distance the text gives (and this many km more) of the point it leads to
# is taken to be the place the text means: "Sake, 25 km west of Goma" is the gazetteer's Sake, not a point; and
# one within NEAR_KM of the place the text says it is near: the news says "near" of towns that far apart
# ("Bakhmut, near Donetsk", 66 km), while the namesakes this rule is for lie farther (Tawila in Yemen).
BEARING_SHARE, BEARING_SLACK_KM, NEAR_KM = 0.5, 10.0, 100.0
IN_BEARING = ("no gazetteer place of this name lies where the text puts it, a distance and a direction from another "
              "place, a short distance from one or near one (\"300 km north of Mogadishu\", \"20 km from Goma\", "
              "\"near Andover\"): placed there")
LIES_IN = {ARTICLE_TOWN: IN_ARTICLE_TOWN, PLACE_SAID: IN_PLACE_SAID, BEARING: IN_BEARING}  # placed by what lies around

__all__ = ["ARTICLE_TOWN_CONFIDENCE", "BEARING_CONFIDENCE", "Division", "EXPANSIONS", "FEATURES", "IN_ARTICLE_TOWN",
           "HOME_NOTE", "IN_BEARING", "IN_PLACE_SAID", "NAMED_AFTER_CONFIDENCE", "NONE", "SAID_NOTE", "UNRESOLVED",
           "UNSUPPORTED_CONFIDENCE", "Choice",
           "Context", "Described", "Fallback", "Found", "Query", "Resolver", "Scored", "Vote", "article_town",
           "at_home", "bearing_points", "as_bare_name", "as_said_elsewhere", "confidence", "distance_km",
           "division_after"]


def _voting(lists: Sequence[list[T]], found: Sequence[Found]) -> list[list[T]]:
    """Each name's options or rankings as evidence of where the article is (its `Spread`, its votes): none for a
    name spelled otherwise, which must fit where the others are ("Sabre" of a Texas story is no Syrian village to
    draw "Palestine" to the Middle East)."""
    return [[] if f.expansion == SPELLED_OTHERWISE else items for items, f in zip(lists, found)]


class Resolver:
    def __init__(self, gazetteer: Gazetteer, fallback: Fallback | None = None, *, explain: bool = False,
                 calibration: Calibration | None = None):
        self.gazetteer = gazetteer
        self.fallback = fallback
        self.explain = explain  # attach an explanation to each mention (`Mention.explanation`)
        # raw confidence -> share right (`calibration.py`; the shipped table unless given; `RAW` keeps it raw)
        self.calibration = calibration if calibration is not None else shipped()

    def candidates(self, name: str, division: str | None = None) -> list[tuple[Place, bool]]:
        """Gazetteer matches for a name (`division`: "County" or "Parish", said after it), from the
        first expansion that finds any."""
        return find(self.gazetteer, Query.of(name, division)).options

    def resolve(self, text: str, cands: Sequence[Candidate], url: str | None = None, home: Division | None = None,
                answers: dict[str, Place | None] | None = None) -> list[Mention]:
        """Mentions for one document's candidates (same order; a name that is no place here is left out);
        `url`: the article's address, whose outlet's country is evidence too; `home`: the division its outlet's
        other articles are about (`outlet.py`), evidence in the country's place; `answers`: the online geocoder's
        answers for the document's names, filled as it is asked and reused (a document resolved again)."""
        country = outlet_country(url)
        outlet = home if home is not None else (country, None) if country is not None else None
        keys = [normalize(c.text) for c in cands]
        found = with_counties_named(keys, [find(self.gazetteer, Query.of_candidate(c, text)) for c in cands])
        spread = Spread.of(cands, _voting([f.options for f in found], found))  # read by both passes
        context = Context(self.gazetteer, text, spread=spread, outlet=outlet)
        first = [rank(c, f.options, context) for c, f in zip(cands, found)]
        context = Context(self.gazetteer, text, _voting(first, found), cands, spread, outlet, answers)
        final = [inside(rank(c, f.options, context), context.country_within(c)) for c, f in zip(cands, found)]
        settled = Context(None, text, _voting(final, found), cands, outlet=outlet)  # the article as read in the end
        own = [choose(c, ranked, settled, f.expansion) for c, ranked, f in zip(cands, final, found)]
        bare = as_bare_name(cands, own)
        said = as_said_elsewhere(cands, bare)
        owners = [owner or context.container(c, f.options)
                  for c, f, owner in zip(cands, found, place_before(text, cands, said))]
        # a town the text puts in no place gives way to a bigger namesake in the outlet's home
        choices = [choice if owner is not None else at_home(choice, home) for choice, owner in zip(said, owners)]
        doubts = [doubt(choice.ranked, key, context) if choice.winner is not None else SURE
                  for key, choice in zip(keys, choices)]
        # a name spelled otherwise than any source does is found as a variant name is (`ALTERNATE_ONLY_FACTOR`)
        shares = [0.0 if choice.winner is None
                  else confidence(choice.ranked, c) * d.factor * (ALTERNATE_ONLY_FACTOR
                                                                  if f.expansion == SPELLED_OTHERWISE else 1.0)
                  for c, choice, d, f in zip(cands, choices, doubts, found)]
        raw = [share if d.raw is None else min(share, d.raw) for share, d in zip(shares, doubts)]
        town = article_town(choices, raw)
        named = {family(key) for c, key in zip(cands, keys) if c.bearing is not None and c.bearing.refers == CAPITAL}
        points = bearing_points(cands, choices, {key: self._capital(key, cands, choices, raw) for key in named})
        # what moved the choice (another mention of the name, the outlet's home), then what lowered its confidence
        moved = [HOME_NOTE if choice is not by_form else BARE_NAME_NOTE if first is not mine
                 else SAID_NOTE if by_form is not first else None
                 for choice, by_form, first, mine in zip(choices, said, bare, own)]
        notes = ["; ".join(n for n in pair if n) or None for pair in zip(moved, (d.note for d in doubts))]
        return [self._mention(c, f, choice, (conf, d.outcome), note, context, settled, town, owner, point)
                for c, f, choice, conf, d, note, owner, point
                in zip(cands, found, choices, raw, doubts, notes, owners, points) if choice.is_toponym]

    def _capital(self, key: str, cands: Sequence[Candidate], choices: Sequence[Choice],
                 raw: Sequence[float]) -> Place | None:
        """The capital that "Mahas, 300 km north of the capital" measures from (`key`: the name's family): of the
        country the name is placed in, if the article's other places lie there too, else of the country they weigh
        most in (raw confidences; the outlet's country is not one of them); None when they lie in none."""
        weights: dict[str, float] = {}
        own = None
        for cand, choice, conf in zip(cands, choices, raw):
            country = choice.winner.place.country if choice.winner is not None else None
            if country and family(normalize(cand.text)) == key:
                own = own or country
            elif country:
                weights[country] = weights.get(country, 0.0) + conf
        country = own if own in weights else max(weights, key=weights.__getitem__, default=None)
        return self.gazetteer.capital(country) if country is not None else None

    def _mention(self, cand: Candidate, found: Found, choice: Choice, winning: tuple[float, str], note: str | None,
                 context: Context, settled: Context, town: Place | None, said: Place | None,
                 point: Described | None) -> Mention:
        """`winning`: the winner's raw confidence and outcome (one of `outcomes.CHOSEN`: `features.doubt`), if the
        mention has one (`note`: what else weighed on the choice);
        `town`: the article's (`article_town`); `said`: the place the text puts it in (`place_before`,
        `Context.container`), which a winner outside it gives way to ("Grantville, Pennsylvania" is no
        Georgia town); `point`: where a distance and a direction from another place, or nearness to a town, put
        it (`bearing_points`), which any placement but a place of the name about there gives way to (not the
        article's town)."""
        winner = choice.winner
        # the geocoder's answer for a name as written comes before a place of the same consonants
        geocoded = self._geocoded(cand, context) if winner is not None and found.expansion == SPELLED_OTHERWISE \
            else None
        if geocoded is not None:
            place, conf, outcome, via = geocoded
        elif winner is not None and said is not None and not lies_in(winner.place, said):
            place, conf, outcome, via = said, ARTICLE_TOWN_CONFIDENCE, PLACE_SAID, said.name
        elif winner is not None:
            place, (conf, outcome), via = winner.place, winning, None
        else:
            place, conf, outcome, via = self._no_candidate(cand, context, settled)
            around = said if said is not None else town
            unknown = found.expansion in (None, SPELLED_OTHERWISE)  # no source holds it, or nowhere it fits
            if place is None and around is not None and unknown and _may_lie_in_town(cand, settled):
                outcome = PLACE_SAID if said is not None else ARTICLE_TOWN
                place, conf, via = around, ARTICLE_TOWN_CONFIDENCE, around.name
        if point is not None and not ((outcome in CHOSEN or outcome == GEOCODER) and place is not None
                                      and point.holds(place)):
            place, conf, outcome, via = (point.place, BEARING_CONFIDENCE, BEARING, point.said) if point.puts \
                else (None, 0.0, FAR, point.said)
        why = explanation(cand, found, choice, settled, outcome=outcome, place=place, via=via,
                          note=note if outcome in CHOSEN else None, raw=conf) if self.explain else None
        conf = self.calibration(conf, outcome) if place is not None else conf
        reason = (FAR_FROM_TEXT if outcome == FAR else UNRESOLVED) if place is None \
            else LIES_IN.get(outcome, DOUBT_NOTES.get(outcome))
        return Mention(cand.start, cand.end, cand.text, cand.sentence, cand.label, cand.kind, conf, place, reason, why)

    def _geocoded(self, cand: Candidate, context: Context) -> tuple[Place, float, str, str] | None:
        """The online geocoder's answer for a name, scored as on the next run, when the cache makes it the only
        candidate; None without a geocoder or an answer."""
        if self.fallback is None:
            return None
        if cand.text not in context.answers:
            context.answers[cand.text] = self.fallback(cand.text, context.countries())
        answer = context.answers[cand.text]
        return None if answer is None else (answer, confidence([Scored(answer, 0.0)], cand), GEOCODER, cand.text)

    def _no_candidate(self, cand: Candidate, context: Context,
                      settled: Context) -> tuple[Place | None, float, str, str | None]:
        """For a mention with no candidate left: the online geocoder's answer (`_geocoded`), else the famous place
        it is named after, else none; with the confidence, the outcome and what was looked up."""
        geocoded = self._geocoded(cand, context)
        if geocoded is not None:
            return geocoded
        key = normalize(cand.text)
        hit = named_after(self.gazetteer, cand, settled.fits, lambda place: sum(context.terms(place, cand, key)))
        if hit is not None:
            return hit[0], NAMED_AFTER_CONFIDENCE, NAMED_AFTER, hit[1]
        return None, 0.0, NONE, None


def _may_lie_in_town(cand: Candidate, settled: Context) -> bool:
    """Whether a name no gazetteer place bears may be placed at its article's town: a name of more than
    one word ("Press Street", "Logan-Rogersville"), unless the NER reads it as a person's somewhere in the
    article and it is no street's ("Nino Burjanadze", read as a place elsewhere; "Elkview Drive" is read as
    a person too); or one the text says is a place (`said_place`). A lone word otherwise is mostly no place
    at all ("Pawlenty", "IoTX")."""
    key = normalize(cand.text)
    return cand.said_place or (any(ch in cand.text.strip() for ch in " -") and (
        key not in settled.person_names or key.rsplit(" ", 1)[-1] in STREET_WORDS))


# The generic words that make a town's name its city's: "Dublin City" (of "Dublin City Council"), "City of Paris".
CITY_PREFIX, CITY_SUFFIX = "city of ", " city"
BARE_NAME_NOTE = "a famous city's name: placed where the article places its bare name, a town"


def as_bare_name(cands: Sequence[Candidate], choices: list[Choice]) -> list[Choice]:
    """The choices, each name of a city ("Dublin City") whose winner is a famous place its bare name could mean too
    (Ireland's capital, a candidate of "Dublin") given the bare name's choice when the article places the bare
    name at a town elsewhere (Dublin, Ohio): the council of "Dublin City Council" there is that town's. Fame is
    all that made the winner win; a lesser place named "... City" is the name's own evidence ("Kanawha City")."""
    towns: dict[str, Choice] = {}
    for cand, choice in zip(cands, choices):
        if choice.winner is not None and choice.winner.place.feature_class == "P":
            towns.setdefault(normalize(cand.text), choice)
    out = []
    for cand, choice in zip(cands, choices):
        key = normalize(cand.text)
        bare = towns.get(family(key)) if key.startswith(CITY_PREFIX) or key.endswith(CITY_SUFFIX) else None
        if bare is not None and choice.winner is not None and bare.winner is not None:
            place, town = choice.winner.place, bare.winner.place
            if is_strong(place) and not same_point(place, town) and any(same_point(place, s.place)
                                                                        for s in bare.ranked[1:]):
                choice = bare
        out.append(choice)
    return out


SAID_NOTE = "placed where the text's form elsewhere says this name is (a dateline, \"the town of\")"


def as_said_elsewhere(cands: Sequence[Candidate], choices: list[Choice]) -> list[Choice]:
    """The choices, each mention of a name after one whose form says what kind of place it is (a dateline "MALTA
    -", "the town of Malta": `Candidate.classes`) given that mention's choice when its place is one of the
    mention's own candidates: an article means one place by one name, and the form has ruled out the country a
    bare "Malta" would be. Mentions before it keep theirs: "Georgia's parliament ... the US state of Georgia"
    sets one sense against the other. A word for a few of its people after the name ("a Lebanon woman") is no
    such form: it only says the name is no country's (`Candidate.townsfolk`)."""
    said: dict[str, Choice] = {}
    out = []
    for cand, choice in zip(cands, choices):
        key = normalize(cand.text)
        form = said.get(key) if not cand.classes and choice.winner is not None else None
        if form is not None and any(s.place.id == form.winner.place.id for s in choice.ranked[1:]):  # has a winner
            choice = form
        elif cand.classes and choice.winner is not None:
            said.setdefault(key, choice)
        out.append(choice)
    return out


def place_before(text: str, cands: Sequence[Candidate], choices: Sequence[Choice]) -> list[Place | None]:
    """For each candidate, the town or division a possessive right before it names and that is placed
    ("Tbilisi's Rustaveli Avenue": Tbilisi), where a street or a building no gazetteer holds lies; else None."""
    out: list[Place | None] = [None]
    for before, cand, choice in zip(cands, cands[1:], choices):
        winner = choice.winner
        owns = text[before.end:cand.start].rstrip(" ") in POSSESSIVES and before.kind == "toponym"
        out.append(winner.place if owns and winner is not None and winner.place.feature_class in ("P", "A") else None)
    return out


def inside(ranked: list[Scored], container: Place | None) -> list[Scored]:
    """The ranked places of a name that lie in the country or division the words around it say it lies in
    (`Context.country_within`: "the US state of Georgia", "Donetsk in the Rostov region"), when any does; else
    all of them. The words say so outright, unlike a comma after the name, which may close a list."""
    if container is None:
        return ranked
    kept = [s for s in ranked if s.place.id != container.id and s.place.country == container.country
            and (container.feature_code != "ADM1" or s.place.admin1 == container.admin1)]
    return kept or ranked


def lies_in(place: Place, container: Place) -> bool:
    """Whether a place lies in a country or first-level division, or is no town, building or lesser division
    that could (a country, a state, a sea, a region: "the U.S., Canada" says no U.S. in Canada, "the Gulf,
    Qatar" no gulf in Qatar)."""
    code = place.feature_code or ""
    if place.feature_class not in ("P", "S", "A") or code in COUNTRY_CODES | {"ADM1"} or place.id == container.id:
        return True
    return place.country == container.country and (container.feature_code != "ADM1" or place.admin1 == container.admin1)


def article_town(choices: Sequence[Choice], raw: Sequence[float]) -> Place | None:
    """The town the article names most: of the towns in the country its placed names weigh most in, among those
    with a town placed, the one whose mentions' raw confidences (`raw`, one per choice) add up highest; None when no
    mention is placed at a town. A namesake town abroad named twice is not the town of a story on New Orleans named
    once ("Dubreuil"); a country named often with no town of its own does not hide the one town named."""
    countries: dict[str, float] = {}
    held: set[str] = set()  # the countries with a town placed
    weights: dict[str, float] = {}
    towns: dict[str, Place] = {}
    for choice, conf in zip(choices, raw):
        winner = choice.winner
        if winner is not None and winner.place.country:
            countries[winner.place.country] = countries.get(winner.place.country, 0.0) + conf
            if winner.place.feature_class == "P":
                held.add(winner.place.country)
    main = max(held, key=countries.__getitem__, default=None)
    for choice, conf in zip(choices, raw):
        winner = choice.winner
        if winner is not None and winner.place.feature_class == "P" and winner.place.country == main:
            weights[winner.place.id] = weights.get(winner.place.id, 0.0) + conf
            towns[winner.place.id] = winner.place
    return towns[max(weights, key=weights.__getitem__)] if weights else None


@dataclass(frozen=True)
class Described:
    """Where the text puts a name from another placed name: the point a distance and a direction lead to, as a
    place of its own, or that place itself when the text says only "near" it, how far from it the name lies or on
    which side."""

    place: Place
    reach_km: float  # how far from `place` a place of the name may lie and be the one the text means
    said: str  # what the text says: "300 km north of Mogadishu", "near Dunshaughlin"
    puts: bool = True  # False: too far from `place` to put the name there ("300 km from Mogadishu"), only to say
    # which places of the name it may be

    def holds(self, place: Place) -> bool:
        """Whether a place of the name is the one the text means: one within `reach_km` of the point; a country or a
        first-level division, whose point says little of where its parts lie; or a big town (`is_strong`), which the
        text is more likely wrong about than the gazetteer ("Bryansk, 150 km from Moscow")."""
        return (place.feature_code or "") in COUNTRY_CODES | {"ADM1"} or is_strong(place) or within_km(
            place.lat, place.lon, self.place.lat, self.place.lon, self.reach_km)


def bearing_points(cands: Sequence[Candidate], choices: Sequence[Choice],
                   capitals: Mapping[str, Place | None]) -> list[Described | None]:
    """For each candidate, where its distance (and direction) from another of the article's names or the capital,
    or its nearness to one, put it (`Candidate.bearing`), when that name is placed at a town or a site; a name's
    mentions without the words share it. `capitals`: by a name's family, the capital that "of the capital" after
    it measures from (`Resolver._capital`)."""
    by_name: dict[str, Described] = {}
    for cand in cands:
        if cand.bearing is None:
            continue
        key = family(normalize(cand.text))
        anchor = _anchor(cand, cand.bearing, cands, choices, capitals.get(key))
        if anchor is not None:
            by_name.setdefault(key, _described(cand, cand.bearing, anchor))
    if not by_name:  # most articles: no name is put anywhere so
        return [None] * len(cands)
    return [by_name.get(family(normalize(c.text))) for c in cands]


def _anchor(cand: Candidate, bearing: Bearing, cands: Sequence[Candidate], choices: Sequence[Choice],
            capital: Place | None) -> Place | None:
    """The place a candidate's bearing is taken from (`_measured_from`): the one its other place's name was placed
    at; for a word instead of a name, `capital` ("of the capital") or the last place named before the candidate
    ("15 km south of the town", "au nord de là"); None when there is none to measure from."""
    if bearing.refers == CAPITAL:
        return capital
    if bearing.refers == EARLIER:
        before = [choice for c, choice in zip(cands, choices) if c.start < cand.start and c.kind == "toponym"]
        return next((town for town in map(_measured_from, reversed(before)) if town is not None), None)
    return next((_measured_from(choice) for c, choice in zip(cands, choices)
                 if bearing.anchor_start <= c.start < bearing.anchor_end and choice.winner is not None
                 and c.kind == "toponym"), None)


def _measured_from(choice: Choice) -> Place | None:
    """Where a placed name may be measured from: its place, if a town or a site; for a division, the division's town
    of the same name among its candidates ("Sévaré, près de Mopti": the town, not the region); None for a country or
    a region, whose point is no place to measure from ("Baghouz, near the Iraqi border"), or no place."""
    if choice.winner is None:
        return None
    place = choice.winner.place
    if place.feature_class == "A" and (place.feature_code or "") not in COUNTRY_CODES:
        return next((s.place for s in choice.ranked
                     if s.place.feature_class == "P" and s.place.country == place.country), None)
    return place if place.feature_class in ("P", "S") else None


def _described(cand: Candidate, bearing: Bearing, anchor: Place) -> Described:
    """Where a bearing from a placed name puts a name: the point its distance and direction lead to; the named
    place itself when the text says only "near" it, or gives a distance of `NEAR_KM` or less but no direction
    ("20 km from Goma": no farther off than that), or only a direction ("east of Aleppo": for a name nothing else
    places); for a longer distance without a direction, only which places of the name it may be."""
    if bearing.side:  # no distance: any place of the name the resolver found may be that side of it
        return Described(anchor, math.inf, f"{bearing.direction} of {anchor.name}")
    if bearing.degrees is None:
        if not bearing.km:
            return Described(anchor, NEAR_KM, f"near {anchor.name}")  # "on the outskirts of", "aux abords de"
        reach = bearing.km * (1 + BEARING_SHARE) + BEARING_SLACK_KM  # a place of the name about that far off
        return Described(anchor, reach, f"{bearing.km:g} km from {anchor.name}", puts=bearing.km <= NEAR_KM)
    lat, lon = destination(anchor.lat, anchor.lon, bearing.km, bearing.degrees)
    place = Place(f"bearing:{anchor.id}:{bearing.km:g}:{bearing.degrees:g}", cand.text, round(lat, 5), round(lon, 5),
                  anchor.country, (cand.classes or "P")[0], source="bearing")
    return Described(place, bearing.km * BEARING_SHARE + BEARING_SLACK_KM,
                     f"{bearing.km:g} km {bearing.direction} of {anchor.name}")
