"""Query expansions: the ordered ways a mention's text is looked up in the gazetteer.

The expansions are tried in the order of `EXPANSIONS`; the first that finds anything gives the
candidates and the rest are not tried. Each is named, so the explanation can say which one found
the candidates and with what query. `named_after` is the last resort, tried only when ranking left
no candidate: the famous place a building or body is named after ("Manila Cathedral").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from ..gazetteer import Gazetteer, normalize
from ..gazetteer.divisions import ENGLISH_DESIGNATORS
from ..gazetteer.importance import importance, is_strong
from ..gazetteer.wordlists import read_table, read_words
from ..records import COUNTRY_CODES, TOWN_OR_DIVISION, Candidate, Place

# Generic words a mention may carry that the gazetteer's names lack, with the GeoNames feature
# classes they allow (None: any class); see the data files' headers.
GENERIC_SUFFIXES: dict[str, str] = dict(read_table("generic_suffixes.txt", 2))
# Words for a division after its name ("the Artibonite region", "Rakhine state"); not a town's ("city").
DIVISION_KINDS = frozenset(word for word, kinds in GENERIC_SUFFIXES.items() if "A" in kinds and "P" not in kinds)
GENERIC_PREFIXES: dict[str, str | None] = {words + " ": None if classes == "*" else classes
                                           for words, classes in read_table("generic_prefixes.txt", 2)}
DIRECTIONS = frozenset(read_words("directions.txt") + read_words("directions_fr.txt"))  # English and French
STREET_WORDS = frozenset(read_words("street_words.txt"))
# "County" -> "counties": words after a name that make it a US county or parish, and their plurals.
DIVISIONS: dict[str, str] = dict(read_table("divisions.txt", 2))
# Plural words for first-level divisions after a list of names, each name one ("the Donetsk and Luhansk
# regions", "Sindh and Balochistan provinces"), with the word each name takes alone.
DESIGNATOR_PLURALS = {"regions": "region", "provinces": "province", "oblasts": "oblast",
                      "governorates": "governorate", "states": "state"}
PLURAL_DIVISIONS = {**{plural: word for word, plural in DIVISIONS.items()}, **DESIGNATOR_PLURALS}
DIVISION_WORDS = frozenset(word.lower() for word in DIVISIONS)
LIST_WORDS = {",", "and", "or", "&"}  # what may stand between the names of a list closed by "counties"
# A part of a place ("South Los Angeles") only of a place this big (or a region, or a curated feature).
PARTS_POPULATION = 20_000
ABBREVIATION = re.compile(r"(?:[A-Z]\.\s?){1,3}|[A-Z]{2,4}")
WORD_OR_LISTING = re.compile(r"[\w'.-]+|[,&]")  # the words and list marks around a name (`division_after`)

Options = list[tuple[Place, bool]]  # gazetteer places, each with whether it matched on its main name


@dataclass(frozen=True)
class Query:
    """A mention's text as the expansions see it."""

    text: str  # as written
    name: str  # as looked up: the text, or its newspaper form spelled out ("loudon county" for "Loudon Co.")
    key: str  # `name` normalised
    classes: str | None  # the feature classes a generic word in the name allows ("Big Creek": H)
    division: str | None  # "County" or "Parish" when the words after the name say it is one
    place_hint: str | None  # the place a demonym denotes
    said_classes: str | None = None  # the feature classes the words around it say ("the town of": P)

    @classmethod
    def of(cls, text: str, division: str | None = None, place_hint: str | None = None) -> Query:
        name = text
        key = normalize(name)
        if key.endswith(" co"):  # "Loudon Co.": the newspapers' County
            name = key = key[:-3] + " county"
        words = key.split()
        classes = GENERIC_SUFFIXES.get(words[-1]) if len(words) > 1 else None
        classes = classes or next((c for p, c in GENERIC_PREFIXES.items() if c and key.startswith(p)), None)
        return cls(text, name, key, classes, division, place_hint)

    @classmethod
    def of_candidate(cls, cand: Candidate, text: str) -> Query:
        """The query for a candidate of `text`: a demonym's place, or its name and the words around it."""
        if cand.place_hint is not None:
            return cls.of(cand.text, None, cand.place_hint)
        said = cand.classes or (TOWN_OR_DIVISION if cand.townsfolk else None)  # "a Lebanon woman": no country
        return replace(cls.of(cand.text, division_after(text, cand.start, cand.end)), said_classes=said)


@dataclass(frozen=True)
class Found:
    """What the expansions found: the candidates, and which expansion found them with which query."""

    options: Options
    expansion: str | None = None  # None: nothing found
    query: str | None = None


@dataclass(frozen=True)
class Expansion:
    name: str
    applies: Callable[[Query], bool]
    tries: Callable[[Gazetteer, Query], Iterator[tuple[str, Options]]]  # (query looked up, what it found)...


def _demonym(gazetteer: Gazetteer, q: Query) -> Iterator[tuple[str, Options]]:
    """The place a demonym denotes ("Syrian": Syria), and nothing else."""
    hint = q.place_hint or ""
    place = gazetteer.get(hint)
    yield hint, [(place, True)] if place else []


def _division_said(gazetteer: Gazetteer, q: Query) -> Iterator[tuple[str, Options]]:
    """The text calls it a county or parish ("Hall County", "Jackson and Barrow counties"), or a first-level
    division ("the Donetsk and Luhansk regions")."""
    if q.division:
        yield f"{q.text} {q.division}", division_named(gazetteer, q.text, q.division)


def division_named(gazetteer: Gazetteer, name: str, word: str) -> Options:
    """The divisions a name with a word for one names: "Hall County"; for a word of `DESIGNATOR_PLURALS`,
    the first-level division named with the designator the sources write ("Donetsk" + "region": Donetsk
    Oblast)."""
    found = gazetteer.lookup(f"{name} {word}")
    if word in DESIGNATOR_PLURALS.values():
        key = normalize(name)  # "Kherson": Kherson Oblast; "Esmeraldas", "North West": divisions of that very name
        bare = gazetteer.lookup(key)
        found = [*found, *_named_division(gazetteer, key, bare),
                 *((p, primary) for p, primary in bare if p.feature_code == "ADM1")]
    first: dict[str, tuple[Place, bool]] = {}
    for place, primary in found:  # each place once, where it first comes
        first.setdefault(place.id, (place, primary))
    return list(first.values())


def _name(gazetteer: Gazetteer, q: Query) -> Iterator[tuple[str, Options]]:
    """The name itself. A generic word in it ("Kish River", "Big Creek") rules out places of another
    kind matched on an alternate name (a town once called "Big Creek"); an abbreviation ("SA", "WA",
    "CHU", "NATO") matches only places known by it, not some town's spelling. A word of four capitals that
    the text says is a town ("HUME -", a dateline: `Query.said_classes`) is no abbreviation."""
    found = [(p, primary) for p, primary in gazetteer.lookup(q.name)
             if primary or q.classes is None or (p.feature_class or "") in q.classes
             or (p.feature_code or "") in COUNTRY_CODES]  # "Cocos (Keeling) Islands"
    if ABBREVIATION.fullmatch(q.name.strip()) and not (q.said_classes and sum(ch.isalpha() for ch in q.name) >= 4):
        found = [(p, primary) for p, primary in found if _known_by(p, q.name.strip())]
    yield q.name, found


def _without_generic_word(gazetteer: Gazetteer, q: Query) -> Iterator[tuple[str, Options]]:
    """The name without a generic word it carries ("Euphrates river"), places of the word's kind first;
    never a bare compass word ("River North" is no region called North). A word for a division with no
    division of the name left ("Kharkiv region": the city) looks for the division named with the
    designator the sources write ("Kharkiv Oblast", "Aleppo Governorate")."""
    for stripped, allowed in _without_generic_words(q.key):
        if stripped not in DIRECTIONS:
            found = gazetteer.lookup(stripped)
            if allowed is not None and "A" in allowed and not any(p.feature_code == "ADM1" for p, _ in found):
                found = _named_division(gazetteer, stripped, found) or found
            yield stripped, _of_kind(found, allowed)


def _named_division(gazetteer: Gazetteer, name: str, towns: Options = ()) -> Options:
    """The first-level divisions whose name is `name` with an English designator after it; else those named
    so after the main name of a town among `towns`, in which it lies ("Koursk", French for Kursk: Kursk
    Oblast)."""
    found = [(p, primary) for designator in ENGLISH_DESIGNATORS
             for p, primary in gazetteer.lookup(f"{name} {designator.casefold()}")
             if primary and p.feature_code == "ADM1"]
    if found:
        return found
    named = {normalize(t.name): t for t, _ in towns if t.feature_class == "P" and normalize(t.name) != name}
    found = [(p, primary) for key, town in named.items() for p, primary in _named_division(gazetteer, key)
             if (p.country, p.admin1) == (town.country, town.admin1)]
    return found or [option for town, _ in towns if town.feature_class == "P" for option in _bearing(gazetteer, town)]


def _bearing(gazetteer: Gazetteer, town: Place) -> Options:
    """The first-level division a town lies in, when the town bears its name among its own ("Deir ez-Zor",
    also written "Dayr az Zawr": Dayr az Zawr governorate)."""
    division = gazetteer.admin1_name(town.country, town.admin1 or "")
    options = gazetteer.lookup(division) if division else []
    if not any(p.id == town.id for p, _ in options):
        return []
    return [(p, primary) for p, primary in options
            if p.feature_code == "ADM1" and (p.country, p.admin1) == (town.country, town.admin1)]


NAME = "name"  # the expansion that looks the name up as written
PART_OF = "place the part is of"  # the expansion that drops a name's compass words ("South Los Angeles")


def _part_of_place(gazetteer: Gazetteer, q: Query) -> Iterator[tuple[str, Options]]:
    """"South Los Angeles", "north west London" are Los Angeles and London when nothing bears the whole
    name, if the place is big enough to have parts (not "West Wing" for the village of Wing)."""
    words = q.key.split(" ")
    for skip in (1, 2):
        rest = " ".join(words[skip:])
        if not all(word in DIRECTIONS for word in words[:skip]) or len(rest) <= 2:
            return
        yield rest, [(p, primary) for p, primary in gazetteer.lookup(rest) if primary and _has_parts(p)]


def _division_unsaid(gazetteer: Gazetteer, q: Query) -> Iterator[tuple[str, Options]]:
    """A short name that matches nothing may be a county or parish named without the word ("Avoyelles")."""
    if len(q.key.split()) <= 3 and not q.classes:
        for word in DIVISIONS:
            query = f"{q.name} {word}"
            yield query, gazetteer.lookup(query)


SPELLED_OTHERWISE = "name spelled otherwise"  # the expansion that reads another romanisation ("Maarat al-Numan")
# Looser readings: a place they find is the name's only where the article's other places are (`features.choose`).
IF_IT_FITS = frozenset({PART_OF, SPELLED_OTHERWISE})


def _spelled_otherwise(gazetteer: Gazetteer, q: Query) -> Iterator[tuple[str, Options]]:
    """A name nothing bears as written, romanised otherwise than the sources do ("Maarat al-Numan", "Ras al-Ain":
    GeoNames' "Ma‘arrat an Nu‘mān", "Ra’s al ‘Ayn"); the resolver keeps only such places in the article's countries
    (`features.choose`)."""
    yield q.name, gazetteer.spelled_otherwise(q.name)


def _is_demonym(q: Query) -> bool:
    return q.place_hint is not None


def _is_name(q: Query) -> bool:
    return q.place_hint is None


EXPANSIONS: tuple[Expansion, ...] = (
    Expansion("demonym", _is_demonym, _demonym),
    Expansion("division said after the name", _is_name, _division_said),
    Expansion(NAME, _is_name, _name),
    Expansion("name without its generic word", _is_name, _without_generic_word),
    Expansion(PART_OF, _is_name, _part_of_place),
    Expansion("division named without the word", _is_name, _division_unsaid),
    Expansion(SPELLED_OTHERWISE, _is_name, _spelled_otherwise),
)


def find(gazetteer: Gazetteer, query: Query) -> Found:
    """The candidates of the first expansion that finds any; only those of the kind the text says, if any
    is ("the town of Menaka": the town, not its region; "the region of Kherson": the oblast named after the
    city)."""
    for expansion in EXPANSIONS:
        if expansion.applies(query):
            for looked_up, options in expansion.tries(gazetteer, query):
                if options:
                    said = query.said_classes or ""
                    fit = [(p, primary) for p, primary in options if (p.feature_class or "") in said]
                    if "A" in said:  # a division's kind word, or a dateline, names no country where a division or
                        # town bears the name: "the state of Georgia" (but "the state of Israel")
                        fit = [(p, primary) for p, primary in fit if p.feature_code not in COUNTRY_CODES] or fit
                    if "A" in said and not fit:  # "the region of Kherson", "les régions de Donetsk"
                        fit = _named_division(gazetteer, query.key, options)
                    return Found(fit or options, expansion.name, looked_up)
    return Found([])


def named_after(gazetteer: Gazetteer, cand: Candidate, fits: Callable[[Place, str], bool],
                agreement: Callable[[Place], float]) -> tuple[Place, str] | None:
    """For a name the gazetteer lacks, the place its first words name, where the building or body most
    likely is, if it `fits` the article; with the words looked up. A famous place ("Manila Cathedral",
    "Dubai World Trade Centre"), or a county or parish said so ("Titus County Jail", "Guernsey County
    Common Pleas Court"), the one the article's other places agree with most (`agreement`). Never for
    a street ("Memphis St." is in Alexandria), nor for a compass word ("West Wing", "South Kilburn Estate")."""
    key = normalize(cand.text)
    words = key.split()
    if len(words) < 2 or words[-1] in STREET_WORDS or words[0] in DIRECTIONS:
        return None
    for n in range(len(words) - 1, 0, -1):
        query = " ".join(words[:n])
        division = n > 1 and words[n - 1] in DIVISION_WORDS
        found = [p for p, primary in gazetteer.lookup(query)
                 if primary and (is_strong(p) or division and p.feature_class == "A") and fits(p, key)]
        if found:
            return max(found, key=lambda p: (agreement(p), importance(p))), query
    return None


def _known_by(place: Place, abbreviation: str) -> bool:
    """Whether a place goes by an abbreviation: its own name, a country's, a state's or a capital's
    ("UK", "W. Va.", "DC"), or a famous place's initials ("LA", "NYC"; not "N.B." for a village)."""
    letters = [ch for ch in abbreviation if ch.isalpha()]
    initials = [word[0].upper() for word in place.name.replace("-", " ").split()]
    return (place.name == abbreviation or (letters == initials and is_strong(place)) or place.source == "curated"
            or (place.feature_code or "") in COUNTRY_CODES | {"CONT", "ADM1", "PPLC"})


def _of_kind(found: Options, classes: str | None) -> Options:
    """The places of the kind a generic word says, if there are any; else those matched on their main
    name ("Lake Cumberland": the town of Cumberland is usually near; "Big Creek": not Biga, once "Big")."""
    kept = [(p, primary) for p, primary in found if classes is None or (p.feature_class or "") in classes]
    return kept or [(p, primary) for p, primary in found if primary]


def _has_parts(place: Place) -> bool:
    return place.feature_class in ("A", "L") or place.source == "curated" or place.population >= PARTS_POPULATION


def _without_generic_words(key: str) -> Iterator[tuple[str, str | None]]:
    """A normalised name without each generic word it carries, with the classes that word allows."""
    for suffix, allowed in GENERIC_SUFFIXES.items():
        if key.endswith(" " + suffix):
            yield key[: -len(suffix) - 1], allowed
    for prefix, allowed in GENERIC_PREFIXES.items():
        if key.startswith(prefix) and len(key) > len(prefix) + 2:
            yield key[len(prefix):], allowed


@lru_cache(maxsize=8192)
def family(key: str) -> str:
    """A normalised name without the generic word of a town or a division it carries ("dublin city",
    "city of norfolk", "walker county": "dublin", "norfolk", "walker"): the names of one family are one
    name to the article's context, so that "Dublin City" read as Ireland's is no evidence that "Dublin"
    is too."""
    return next((stripped for stripped, allowed in _without_generic_words(key)
                 if allowed is not None and ("P" in allowed or "A" in allowed)), key)


def division_after(text: str, start: int, end: int) -> str | None:
    """'County' or 'Parish' when the words after a name make it one: "Hall County", or a list of
    names closed by "counties" ("Jackson and Barrow counties"); a first-level division's word for a list
    closed by its plural ("the Donetsk and Luhansk regions": "region"). A name alone before the plural is
    where the divisions lie ("Indiana counties", "Ukrainian regions")."""
    tail = WORD_OR_LISTING.findall(text, end, end + 120)
    if tail and tail[0] in DIVISIONS:
        return tail[0]
    if tail[:1] == ["Co."] and tail[1:2] != [","]:
        return "County"  # "a Platte Co. man": the newspapers' County; not a firm's "Crane Co., of Chicago"
    plurals = [word.lower().rstrip(".") for word in tail[:16]]  # "regions." closing a sentence
    if plurals and plurals[0] in PLURAL_DIVISIONS:
        head = WORD_OR_LISTING.findall(text[max(0, start - 8):start])
        if not (head and head[-1] in LIST_WORDS):
            return None
    for word, plural in zip(tail, plurals):
        if plural in PLURAL_DIVISIONS:
            return PLURAL_DIVISIONS[plural]
        if word not in LIST_WORDS and not word[:1].isupper():
            return None
    return None


def with_counties_named(keys: Sequence[str], found: Sequence[Found]) -> list[Found]:
    """What each name's expansions found (`keys`: the names normalised), and for a name found as such the counties
    or parishes the article names by it too ("DeKalb" beside "DeKalb County": local news names a county so), as
    "DeKalb County" found them."""
    counties: dict[str, list[Place]] = {}
    for key, f in zip(keys, found):
        name = normalize(f.query or key)
        for word in DIVISION_WORDS:
            if name.endswith(" " + word):
                counties.setdefault(name[: -len(word) - 1], []).extend(
                    p for p, _ in f.options if p.feature_code == "ADM2")
    out = []
    for key, f in zip(keys, found):
        have = {p.id for p, _ in f.options}
        extra = {p.id: p for p in counties.get(key, ()) if p.id not in have} if f.expansion == NAME else {}
        out.append(replace(f, options=[*f.options, *((p, True) for p in extra.values())]) if extra else f)
    return out
