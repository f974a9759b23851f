"""Named features of each candidate place, the score they add up to, the "no place" option, and the
confidence of the choice.

A candidate's score is the sum of `FEATURES`, each a value a reader would weigh:
- importance: what kind of place the name usually means (`gazetteer.importance`: countries and
  regions before a village that shares the name; more populous places first);
- alternate_name: a penalty when the match is on an alternate name, not the place's main name (half for a big
  city, whose other names are mostly its names in other languages, English among them: "Seville");
- label_fit: fit of the feature class to spaCy's label (`data/label_fit.txt`);
- qualifier: a qualifier right after the name names its state or country ("Paris, Texas");
- country_share, admin1_share: the share of the article's other places in the same country and
  first-level division (the country of the outlet's domain counts as one of them); proximity: the
  share of them within `Context.NEAR_KM`; each share out of `context.MIN_TOTAL` of confidence at least;
- shared_division: the share of the article's other names that could lie in the same first-level
  division, before any is settled (`context.Spread`).

A division matched on an abbreviation the table writes with a period ("Man.") is a candidate only
when the text has the period (`written_as_abbreviated`): a bare "Man" is not Manitoba.

The options of a mention are its candidates and "no place" (`NONE`). A rule may take a candidate
out of the running (a bare compass word, or an abbreviation such as "WA" of `data/abbreviations.csv`,
outside the article's countries); "no place" has a score of its own, from named evidence
(`none_evidence`): +inf when nothing reads the mention as a place (the gazetteer found it inside a
longer name, or the NER read it as a person, a body or a facility, and as no place elsewhere) and its
best candidate is no famous place and in no country the article is about, or when the mention is a sports club's
short name found at a place of another name outside the article's countries ("Man City": Man,
Côte d'Ivoire) (the mention is then no toponym and is left out); otherwise -inf, so it wins only
when no candidate is left (the mention is kept, unresolved, unless the geocoder or the place it is
named after places it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..evidence import club_name
from ..gazetteer import Gazetteer, normalize
from ..gazetteer.importance import NOTABLE_TOWN_POPULATION, importance, is_strong
from ..gazetteer.sources import abbreviations_in_context, read_csv
from ..gazetteer.wordlists import read_table
from ..records import COUNTRY_CODES, GAZETTEER_LABEL, PLACE_READINGS, Candidate, Place
from .distance import within_km
from .expand import DIRECTIONS, IF_IT_FITS, Options, Query, family, find
from .outcomes import BEST, COUNTRY_TOWN, RIVER, SET_CONFIDENCE, UNSUPPORTED, UNSUPPORTED_TOWN

if TYPE_CHECKING:
    from .context import Context

FEATURES = ("importance", "alternate_name", "label_fit", "qualifier", "country_share", "admin1_share", "proximity",
            "shared_division")
# A match on an alternate name ("Liverpool" for a town once called so) counts less than the main name; half as
# much for a city of `BIG_CITY_POPULATION`, whose other names are mostly what other languages call it, English
# among them ("Seville", "Cologne", "Calcutta" for Sevilla, Köln, Kolkata): not Seville, Ohio, nor Cologne, Italy.
ALTERNATE_NAME_PENALTY = -0.6
BIG_CITY_ALTERNATE_PENALTY = -0.3
BIG_CITY_POPULATION = 100_000


def _label_fit() -> dict[str, dict[str, float]]:
    """spaCy label -> feature class -> score term (`data/label_fit.txt`)."""
    table: dict[str, dict[str, float]] = {}
    for label, feature_class, value in read_table("label_fit.txt", 3):
        table.setdefault(label, {})[feature_class] = float(value)
    return table


LABEL_FIT = _label_fit()
_NO_FIT: dict[str, float] = {}

NONE = "no place"
ALWAYS, NEVER = math.inf, -math.inf  # the "no place" option's scores: it wins / it loses to any candidate


@dataclass(frozen=True)
class Scored:
    place: Place
    score: float
    primary: bool = True  # matched on the place's main name
    features: tuple[float, ...] = ()  # the values of FEATURES, in order (none for a geocoder's answer)
    stands_for: Place | None = None  # the division named like its town that the town stands in for (`as_their_towns`)

    def named(self) -> dict[str, float]:
        return dict(zip(FEATURES, self.features))

    def famous(self) -> bool:
        """Whether the place, or the division it stands in for, is famous enough for its name alone (`is_strong`)."""
        return is_strong(self.place) or (self.stands_for is not None and is_strong(self.stands_for))


def score(cand: Candidate, key: str, place: Place, primary: bool, context: Context) -> Scored:
    """A candidate's features and their sum (summed in this order, to the last bit); `key`: the
    mention's normalised text."""
    qualifier, country, admin1, near, shared = context.terms(place, cand, key)
    imp = importance(place)
    alternate = 0.0 if primary else alternate_penalty(place)
    fit = LABEL_FIT.get(cand.label, _NO_FIT).get(place.feature_class or "", 0.0)
    agreement = qualifier + country + admin1 + near + shared
    return Scored(place, imp + alternate + fit + agreement, primary, (imp, alternate, fit, qualifier, country, admin1,
                                                                     near, shared))


def alternate_penalty(place: Place) -> float:
    """What a match on one of the place's other names costs (`ALTERNATE_NAME_PENALTY`)."""
    big_city = place.feature_class == "P" and place.population >= BIG_CITY_POPULATION
    return BIG_CITY_ALTERNATE_PENALTY if big_city else ALTERNATE_NAME_PENALTY


def rank(cand: Candidate, options: Options, context: Context) -> list[Scored]:
    """The candidates scored, best first (ties: by place id). An abbreviation that needs its country
    ("WA") keeps only the divisions of the article's countries, so that it casts no vote of its own."""
    key = normalize(cand.text)
    ranked = as_their_towns(sorted((score(cand, key, p, primary, context) for p, primary in options
                                    if written_as_abbreviated(cand, key, p, context.text)),
                                   key=lambda s: (-s.score, s.place.id)), options)
    if key in ABBREVIATIONS_IN_CONTEXT:
        ranked = [s for s in ranked if in_article(key, s, context)]
    return ranked


def as_their_towns(ranked: list[Scored], options: Options) -> list[Scored]:
    """A first-level division found by the main name of a notable town inside it ("Raqqa", "Gaza") stands
    for that town, with the division's score: the bare name means the town, as "Kharkiv" does (whose oblast
    the gazetteer names "Kharkiv Oblast"); the division's weight in the article still counts against
    namesakes elsewhere (Mozambique's Gaza province), and its fame against a person's reading of the name."""
    towns = {(p.country, p.admin1): p for p, primary in sorted(options, key=lambda o: o[0].population)
             if primary and p.feature_class == "P" and p.population >= NOTABLE_TOWN_POPULATION}
    if not towns:
        return ranked
    out: list[Scored] = []
    seen: set[str] = set()
    for scored in ranked:
        division = scored.place.feature_code == "ADM1" and scored.place.admin1
        town = towns.get((scored.place.country, scored.place.admin1)) if division else None
        place = town or scored.place
        if place.id not in seen:
            seen.add(place.id)
            out.append(replace(scored, place=town, stands_for=scored.place) if town else scored)
    return out


def rank_alone(gazetteer: Gazetteer, name: str) -> list[Scored]:
    """The places a name may mean, ranked as the resolver ranks them with no article around it (no
    context, no NER label): what `gazetteer lookup` shows."""
    from .context import Context

    cand = Candidate(0, len(name), name, 0, GAZETTEER_LABEL)
    return rank(cand, find(gazetteer, Query.of(name)).options, Context(gazetteer, name))


# A lone candidate is not a sure one when only an old or variant name of a minor place matched
# ("Ten Mile", once a name of Holbrook, Australia); a name a geocoder answered for is not variant,
# and a town as big as Raqqa or Hebron is known by its English name.
ALTERNATE_ONLY_FACTOR = 0.6
MINOR_POPULATION = 15_000
# Candidates this near the best one are the same point on the map (Kyiv and the city's own first-level division,
# Berlin the city and the state): the choice between them does not make the placement less sure.
SAME_POINT_KM = 50.0


def minor(place: Place) -> bool:
    """A town or a division of fewer than `MINOR_POPULATION` people and no famous place (`is_strong`)."""
    return place.population < MINOR_POPULATION and not is_strong(place)


def same_point(a: Place, b: Place) -> bool:
    """Whether two places are one point on the map (`SAME_POINT_KM`)."""
    return within_km(a.lat, a.lon, b.lat, b.lon, SAME_POINT_KM)


def confidence(ranked: list[Scored], cand: Candidate) -> float:
    """Share of the top candidate, and of those at its point (`SAME_POINT_KM`), under a softmax of scores,
    discounted for uncertain detection and for a match on a minor place's alternate name."""
    best = ranked[0]
    mass = [math.exp(2 * (s.score - best.score)) for s in ranked]
    here = sum(m for m, s in zip(mass, ranked) if same_point(best.place, s.place))
    share = here / sum(mass)
    detection = 1.0 if cand.label in ("GPE", "LOC", "GOLD") else 0.9 if cand.kind == "demonym" else 0.75
    answered = best.place.source.startswith("geocoder")  # a geocoder placed this very name
    name = ALTERNATE_ONLY_FACTOR if minor(best.place) and not (best.primary or answered) else 1.0
    return max(0.0, min(1.0, share * detection * name))


# A town that the article's other places do not support (none in its first-level division, none near it, no state
# after it) while the article names others is more often the namesake of a place no source holds ("Harbor City",
# "Rehab" of Cairo, "Newcomers" for Newcomerstown) than the town itself, the more so the smaller it is: it is placed
# with a set confidence of its own, at most its share of the candidates (`outcomes.UNSUPPORTED_CONFIDENCE` for a
# minor town, `UNSUPPORTED_TOWN_CONFIDENCE` up to `UNSUPPORTED_POPULATION` people, or `COUNTRY_TOWN_CONFIDENCE` if
# it is the only place of its name in a country the article's other places lie in; a bigger or famous town is news).
# A division below the first level named as its town ("Tawilah" of Yemen) counts as the town.
UNSUPPORTED_NOTE = ("a small town no other place of the article supports (its state, nearby): more often the "
                    "namesake of a place no source holds")
UNSUPPORTED_TOWN_NOTE = ("a town no other place of the article supports (its state, nearby): more often the "
                         "namesake of a place no source holds")
COUNTRY_TOWN_NOTE = ("a town no other place of the article supports (its state, nearby) but its country, where it is "
                     "the only place of its name")
UNSUPPORTED_POPULATION = 100_000
MINOR_DIVISIONS = {"ADM2", "ADM3", "ADM4", "ADM5", "ADMD"}  # divisions below the first level


def _like_town(place: Place) -> bool:
    """A division below the first level named as a town is, with no word for its kind ("At Tawilah", a district
    of Yemen; not "Edgar County"): its name is no more evidence than a small town's."""
    key = normalize(place.name)
    return place.feature_code in MINOR_DIVISIONS and family(key) == key


# The features that support a town, each above its floor. Names that could lie in the town's state
# (`shared_division`, before any is settled), or are placed there (`admin1_share`, 1.2 times the share), support
# it only from a tenth of the other names up: one name of many, that could as well lie in two other states
# ("Franklin"), or one unsure reading among a story's many places ("Carnegie" of a New Orleans piece read as
# Carnegie, Pennsylvania, for "Washington Square"), is no support.
SUPPORT = {"qualifier": 0.0, "admin1_share": 0.12, "proximity": 0.0, "shared_division": 0.1}


def unsupported(best: Scored, key: str, context: Context) -> bool:
    """Whether `best`, the winner for the mention of normalised text `key`, is such a town."""
    place, named = best.place, best.named()
    return ((place.feature_class == "P" or _like_town(place))
            and place.population < UNSUPPORTED_POPULATION and not is_strong(place)
            and bool(named) and not any(named[name] > floor for name, floor in SUPPORT.items())
            and context.names_others(key))


def country_alone(ranked: list[Scored]) -> bool:
    """Whether the winner of `ranked` lies in a country the article's other places lie in (its country share) and
    is the only place of the name there (an entry at its point is the same place): "Gori" of a story on Georgia,
    not "Logan" of one on the US."""
    best = ranked[0]
    return best.named()["country_share"] > 0.0 and not any(
        s.place.country == best.place.country and not same_point(best.place, s.place) for s in ranked[1:])


# A place chosen over a notable namesake elsewhere (a famous place, or a town of `MINOR_POPULATION` or more; for a
# country, a famous place outside it: not the State of Mexico, nor Mexico, Pampanga) in an article that names no
# other place is chosen by fame alone: "Georgia's newest utility regulator" may be the country's or the US state's,
# "Athens residents" Greece's or Georgia's. Local news names its town alone.
ALONE_FACTOR = 0.3
ALONE_NOTE = "the article names no other place, and a notable namesake elsewhere bears this name: confidence lowered"


def alone_with_namesake(ranked: list[Scored], key: str, context: Context) -> bool:
    """Whether the winner of `ranked` (the mention of normalised text `key`) is such a place."""
    best = ranked[0].place
    if (best.feature_code or "") in COUNTRY_CODES:
        rivals = [s for s in ranked[1:] if s.famous() and s.place.country != best.country]
    else:
        rivals = [s for s in ranked[1:] if s.famous() or not minor(s.place)]
    return not context.names_others(key) and any(not same_point(best, s.place) for s in rivals)


@dataclass(frozen=True)
class Doubt:
    """What lowers a winner's confidence, and why (`note`): a factor on its share of the candidates, or the set raw
    confidence of an outcome of its own (`outcomes.SET_CONFIDENCE`), a ceiling on that share."""

    outcome: str = BEST
    factor: float = 1.0
    note: str | None = None

    @property
    def raw(self) -> float | None:
        """The set raw confidence of the outcome, if it has one."""
        return SET_CONFIDENCE.get(self.outcome)


SURE = Doubt()
RIVER_NOTE = "a river is placed at one point of its course; the story may mean a stretch far from it"
# What each outcome of a set confidence `doubt` gives says of its winner (the explanation's note); those under the
# map's doubtful bound say it as the mention's `reason` too, which the user reads (a town only its country
# supports, at 0.7, is not doubtful).
OUTCOME_NOTES = {RIVER: RIVER_NOTE, UNSUPPORTED: UNSUPPORTED_NOTE, UNSUPPORTED_TOWN: UNSUPPORTED_TOWN_NOTE,
                 COUNTRY_TOWN: COUNTRY_TOWN_NOTE}
DOUBT_NOTES = {outcome: OUTCOME_NOTES[outcome] for outcome in (RIVER, UNSUPPORTED, UNSUPPORTED_TOWN)}


def is_long_river(place: Place) -> bool:
    """A river of our curated table (`gazetteer/data/features.csv`): the big ones the news names, all but six
    (Jordan, Yarmouk, Litani, Narva, Shatt al-Arab, Imjin) longer than twice the 161 km a placement is judged by.
    A river a GeoNames dump or the geocoder adds may be a creek, whose point is as good as a town's."""
    return place.feature_class == "H" and place.feature_code == "STM" and place.source == "curated"


def doubt(ranked: list[Scored], key: str, context: Context) -> Doubt:
    """What lowers the confidence of the winner of `ranked`, the mention of normalised text `key`: a river's point is
    not the stretch the story means (`RIVER`); a town none of the article's other places supports (`unsupported`)
    has a set confidence by its size and whether its country is the article's (`country_alone`); a place chosen by
    fame alone (`alone_with_namesake`) a lower share."""
    best = ranked[0].place
    if is_long_river(best):
        return Doubt(RIVER, note=OUTCOME_NOTES[RIVER])
    if unsupported(ranked[0], key, context):
        outcome = UNSUPPORTED if minor(best) else COUNTRY_TOWN if country_alone(ranked) else UNSUPPORTED_TOWN
        return Doubt(outcome, note=OUTCOME_NOTES[outcome])
    if alone_with_namesake(ranked, key, context):
        return Doubt(factor=ALONE_FACTOR, note=ALONE_NOTE)
    return SURE


RULED_OUT = ("a bare compass word or a short abbreviation ('WA') names a region only in a country the article's "
             "other places are in, and a compass word names a town only with its state or country after it ('West, "
             "Texas'); a river's or a mountain's name found only at a town of the name is that town only in a "
             "country the article's other places are in")
# Abbreviations of divisions that need the article to be about their country (`data/abbreviations.csv`).
ABBREVIATIONS_IN_CONTEXT = abbreviations_in_context()


def _dotted_abbreviations() -> dict[str, frozenset[int]]:
    """Normalised abbreviation -> the divisions `data/abbreviations.csv` writes it for only with a
    period ("Man.": Manitoba; not "Qld", written both ways)."""
    forms: dict[tuple[str, int], list[bool]] = {}
    for row in read_csv("abbreviations.csv"):
        abbreviation = row["abbreviation"].strip()
        forms.setdefault((normalize(abbreviation), int(row["geonameid"])), []).append(abbreviation.endswith("."))
    table: dict[str, set[int]] = {}
    for (key, geonameid), dotted in forms.items():
        if all(dotted):
            table.setdefault(key, set()).add(geonameid)
    return {key: frozenset(ids) for key, ids in table.items()}


# Abbreviations the table writes only with a period: without it the text says another word ("Man").
DOTTED_ABBREVIATIONS = _dotted_abbreviations()


def written_as_abbreviated(cand: Candidate, key: str, place: Place, text: str) -> bool:
    """Whether the mention is written as the abbreviation that matched `place`: one the table writes
    with a period ("Man.", "Alta.") needs it in the text, so a bare "Man" is not Manitoba, nor "Alta"
    Alberta. Other matches pass."""
    if place.geonameid not in DOTTED_ABBREVIATIONS.get(key, ()):
        return True
    return cand.text.endswith(".") or text[cand.end:cand.end + 1] == "."


def in_article(key: str, candidate: Scored, settled: Context) -> bool:
    """The rule for a bare compass word ("the West", "Western countries") and for an abbreviation that
    means a division only in its country's news ("WA"): it names a region only in a country the
    article's other places are in (Zambia's Western Province, Western Australia in a piece on Perth),
    not Cameroon's West Region in a piece on Russia, nor in an article with no other place. A compass
    word names a town only with its state or country after it: "the West" and "the North" are not West,
    Texas and North, South Carolina in an American piece. Other names pass."""
    if key in DIRECTIONS and candidate.place.feature_class == "P":
        return bool(candidate.named().get("qualifier"))
    needs_country = key in DIRECTIONS or candidate.place.geonameid in ABBREVIATIONS_IN_CONTEXT.get(key, {})
    return not needs_country or bool(settled.country_share(candidate.place.country, key))


FEATURE_CLASSES = frozenset("HT")  # waters, and mountains, valleys, islands: what a generic word may name


def of_its_kind(classes: str | None, key: str, candidate: Scored, settled: Context) -> bool:
    """The rule for a name with a word for a physical feature ("the Mary River", "Lake Cumberland"), which the
    expansions find at a town of the name when no such feature bears it (`expand._of_kind`): the town stands in
    for it only in a country the article's other places are in. Mary in Turkmenistan is no river of Queensland.
    Places of the word's kind, places of the whole name ("Mount Lebanon", "U.S. Virgin Islands"), and other names
    pass."""
    place = candidate.place
    return classes is None or (place.feature_class or "") in classes or normalize(place.name) == key \
        or settled.fits(place, key)


def none_score(cand: Candidate, top: Scored | None, settled: Context) -> float:
    """The "no place" option's score against the best candidate left (`none_evidence` names the terms):
    a name nothing reads as a place (`_no_place_reading`: the first words of an organisation's name,
    "Cora Kelly Elementary School"; a facility, "the Metro"; a person) is no place unless a place of that
    name fits the article: a famous place, or one in a country the article is about. A village in
    Mexico does not name a Georgia school, nor a town in Indonesia Washington's Metro."""
    if top is not None and _club_elsewhere(cand, top, settled):
        return ALWAYS
    if top is None or not _no_place_reading(cand, settled) or top.famous():
        return NEVER
    return NEVER if settled.fits(top.place, normalize(cand.text)) else ALWAYS


def _no_place_reading(cand: Candidate, settled: Context) -> bool:
    """Whether nothing reads the mention as a place: the gazetteer alone found it (inside a longer name),
    or the NER read it as no place (a person, a body, a facility) here and nowhere else in the article
    ("Rock Hill-based" as a person is the "Rock Hill" it reads as a place elsewhere); not when the text gives its
    distance and direction from another place, or its nearness to one ("Mahas, 300 km north of Mogadishu",
    "Rathbeggan, near Dunshaughlin": `Candidate.bearing`)."""
    if cand.kind != "toponym" or cand.label in PLACE_READINGS or cand.bearing is not None:
        return False
    return cand.label == GAZETTEER_LABEL or family(normalize(cand.text)) not in settled.place_names


def _club_elsewhere(cand: Candidate, top: Scored, settled: Context) -> bool:
    """A club's short name ("Man City", `evidence.club_name`) found at a place of another name, unless
    that place bears the rest as its main name and lies in the article's countries ("Norwich City"):
    not Man, Côte d'Ivoire, nor Manitoba by its abbreviation."""
    key = normalize(cand.text)
    return (club_name(settled.text, cand.start, cand.end) is not None and normalize(top.place.name) != key
            and not (top.primary and settled.fits(top.place, key)))


def none_evidence(cand: Candidate, top: Scored | None, settled: Context) -> dict[str, bool | str | None]:
    """The terms of `none_score`, each by name (for explanations: computes all of them)."""
    if top is None:
        return {"candidate_left": False}
    return {"candidate_left": True, "read_as_place_nowhere": _no_place_reading(cand, settled),
            "famous": top.famous(), "in_article_countries": settled.fits(top.place, normalize(cand.text)),
            "club_name": club_name(settled.text, cand.start, cand.end)}


@dataclass(frozen=True)
class Choice:
    """One mention's options once the article is read: the candidates still in the running (best
    first), those a rule took out, and the score of "no place"."""

    ranked: list[Scored]
    ruled_out: list[Scored]
    none: float

    @property
    def winner(self) -> Scored | None:
        """The best candidate, unless "no place" beats it (or no candidate is left)."""
        return self.ranked[0] if self.ranked and self.ranked[0].score > self.none else None

    @property
    def is_toponym(self) -> bool:
        """False when "no place" won on evidence: the name is no place here, so no mention at all."""
        return self.none != ALWAYS


def choose(cand: Candidate, ranked: list[Scored], settled: Context, expansion: str | None = None) -> Choice:
    """The options of a mention against the settled article, candidates ranked by their score; `expansion`: the
    one that found them. A place found by dropping the name's compass words ("Northern Rivers": Rivers), or by
    another romanisation of its name ("Maarat al-Numan"), is the name's only in a country the article's other places
    are in (as read when ranking, or in the end): not Nigeria's Rivers State in a story on NSW."""
    key = normalize(cand.text)
    kept, out = ranked, []
    feature = Query.of(cand.text).classes if " " in key else None  # a generic word comes with a name
    feature = feature if feature is not None and set(feature) <= FEATURE_CLASSES else None
    part = expansion in IF_IT_FITS
    if key in DIRECTIONS or key in ABBREVIATIONS_IN_CONTEXT or feature is not None or part:
        kept = []
        for s in ranked:
            fits = in_article(key, s, settled) and of_its_kind(feature, key, s, settled) \
                and (not part or s.named().get("country_share", 0.0) > 0.0 or settled.fits(s.place, key))
            (kept if fits else out).append(s)
    if not kept and (out or key in ABBREVIATIONS_IN_CONTEXT) and _no_place_reading(cand, settled):
        return Choice(kept, out, ALWAYS)  # every place ruled out (`rank` too), and nothing reads one: "the ACT exam"
    return Choice(kept, out, none_score(cand, kept[0] if kept else None, settled))
