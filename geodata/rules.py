"""What reading place names depends on in an article's language: the NER's labels, the articles said
before a name, the words of nationality, the cue words that say a name is no place. One
`LanguageRules` per geoparsed language: `ENGLISH` here, `french.FRENCH`; `extract.rules_for` picks one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Span

from .evidence import ENGLISH_CUES, Cues
from .gazetteer import normalize
from .gazetteer.sources import read_csv

Demonym = tuple[int | None, str]  # (GeoNames id or None, the place's name) a word of nationality points to


@lru_cache(maxsize=1)
def demonym_table() -> dict[str, Demonym]:
    """Normalised English demonym or adjective -> (GeoNames id, place name) ("syrian" -> Syria)."""
    return {normalize(row["word"]): (int(row["geonameid"]) if row["geonameid"] else None, row["name"])
            for row in read_csv("demonyms.csv")}


def english_demonym(word: str) -> Demonym | None:
    """The place an English demonym points to, trying plural forms ("Iraqis" -> Iraq)."""
    table = demonym_table()
    key = normalize(word)
    for form in (key, key[:-1] if key.endswith("s") else None, key[:-2] if key.endswith("es") else None):
        if form and form in table:
            return table[form]
    return None


def compass(north: str, east: str, south: str, west: str) -> dict[str, float]:
    """A language's eight directions -> degrees clockwise from north, from its words for the four: "north-east"
    and, where the language writes it so, "northeast" (`LanguageRules.bearings`)."""
    table = {north: 0.0, east: 90.0, south: 180.0, west: 270.0}
    for first, second, degrees in ((north, east, 45.0), (south, east, 135.0), (south, west, 225.0),
                                   (north, west, 315.0)):
        table[f"{first}-{second}"] = table[first + second] = degrees
    return table


@dataclass(frozen=True)
class LanguageRules:
    """The language-specific pieces of extraction; everything else is the same in every language."""

    code: str  # ISO 639-1
    leading: re.Pattern[str]  # an article before a name, trimmed off ("the", "la", "l'")
    demonym: Callable[[str], Demonym | None]  # the place a word of nationality points to
    cues: Cues  # cue words that say the name next to them is no place (`evidence.py`)
    labels: Mapping[str, str] = field(default_factory=dict)  # the model's label -> ours ("PER" -> "PERSON")
    lowercase_demonyms: bool = False  # adjectives of nationality are lower-case ("irakienne") and sought as words
    # Prepositions of place and motion: a town's name right after one is the town, even where the NER
    # reads it as a person's or a body's ("grew up in Dewsbury", "drove to Riverdale").
    locatives: frozenset[str] = frozenset()
    # Verbs whose object is a place, never a person ("shelled Jermuk", "besieged Mariupol"): a town's name right
    # after one is the town's, as after a preposition of place.
    place_verbs: frozenset[str] = frozenset()
    # Nouns of an attack or a siege, with the prepositions after which their object is a place, as after a verb of
    # `place_verbs` ("Israeli strikes on Tyre and Nabatieh", "the siege of Mariupol").
    targets: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Words that, after a comma, say where the person just named lives ("Jane Doe, 52, of Grovetown"). Alone
    # they say little: "Bank of England".
    residence: frozenset[str] = frozenset()
    # Words for a kind of place or a side of one that, before `of_words`, say the name after them is a
    # place's ("the town of Maungdaw", "north of Kyiv", "la ville d'Alep", "residents of Dunedin"), as a
    # preposition of place does; each with the GeoNames feature classes its kind allows ("" for any).
    place_nouns: Mapping[str, str] = field(default_factory=dict)
    of_words: frozenset[str] = frozenset()
    # Words for a town's people, right after its name: the name is the town's ("a Winona man", "Gainesville
    # residents", "Oxford police").
    people: frozenset[str] = frozenset()
    # Of those, the words for one or two of a town's or a state's people that English writes after no country's name
    # but after its adjective ("a Georgia man", "a Lebanon couple"; a Georgian, a Lebanese man): a one-word name
    # before one, after an indefinite article (`indefinite`) or opening a sentence, is a town's or a division's.
    townsfolk: frozenset[str] = frozenset()
    indefinite: frozenset[str] = frozenset()
    # Words for the stretch of a front line around a town, right after its name: the name is the town's ("the
    # Pokrovsk direction", "the Kupiansk axis", "the Zaporizhzhia front"), as military reports write them.
    fronts: frozenset[str] = frozenset()
    # A preposition that says in which country the name before it lies, before a compass word and the country
    # ("Mahas in central Somalia") or the country's possessive ("Mahas, in Somalia's Hiran region").
    within: frozenset[str] = frozenset()
    # Nouns that, in apposition after a name, say it is a town's or a division's, after an article or alone
    # ("Wad Madani, the capital of Gezira state", "Sake, a town west of Goma"; `spans.apposed_kind`), with the
    # feature classes the kind allows.
    apposed: Mapping[str, str] = field(default_factory=dict)
    articles: frozenset[str] = frozenset()
    # Words that may follow such a noun besides a preposition of place, "of" or a compass word: no noun of a
    # compound ("a town on the border", "a town held by the rebels"; not "a town council").
    apposed_next: frozenset[str] = frozenset()
    # A distance and a direction from another place after a name ("Mahas, about 300 km north of Mogadishu";
    # `bearings.py`): units -> kilometres, directions -> degrees clockwise from north (a two-word direction
    # written with a hyphen), and the words that may stand before the direction ("to the west of").
    units: Mapping[str, float] = field(default_factory=dict)
    about: frozenset[str] = frozenset()  # words of approximation that may stand before a distance ("about", "some")
    # Distances written in words ("five miles north of", "une trentaine de kilomètres"): word -> the number.
    numbers: Mapping[str, float] = field(default_factory=dict)
    bearings: Mapping[str, float] = field(default_factory=dict)
    toward: frozenset[str] = frozenset()
    near: frozenset[str] = frozenset()  # words that put a name near another after a comma ("Rathbeggan, near Navan")
    away: frozenset[str] = frozenset()  # words between a distance and the place it is from ("20 km from Goma")
    capital: str = ""  # the noun for a capital: "300 km north of the capital" measures from the article's country's
    there: frozenset[str] = frozenset()  # a word for the place named before ("30 km from there", "au nord de là")
    # Forms of "be" before a participle: a name before one and a verb of `place_verbs` is that verb's place ("Aleppo
    # was shelled", "Lyman and Siversk were retaken").
    passive: frozenset[str] = frozenset()
    # The months and days, written out and cut short: a notable town's name the NER reads as a date is the town's
    # ("in Turbat"), unless it is one of these ("in March": March, Cambridgeshire).
    calendar: frozenset[str] = frozenset()

    def label(self, ent: Span) -> str:
        """The entity's label in the English model's terms (PERSON, ORG, GPE, LOC, ...)."""
        return self.labels.get(ent.label_, ent.label_)


# English `LanguageRules.townsfolk`, also among its `people`
_TOWNSFOLK = frozenset(("man", "woman", "boy", "girl", "teen", "teenager", "couple"))
ENGLISH = LanguageRules("en", re.compile(r"^(?:the|The|THE)\s+"), english_demonym, ENGLISH_CUES, locatives=frozenset(
    ("in", "from", "near", "outside", "at", "to", "into", "across", "around", "throughout", "toward", "towards",
     "via", "off", "between", "inside", "beyond")), place_verbs=frozenset(
    ("shelled", "shelling", "bombed", "bombing", "bombarded", "bombarding", "besieged", "besieging", "overran",
     "overrunning", "overrun", "liberated", "liberating", "recaptured", "recapturing", "retook", "retaken",
     "retaking", "hit", "hitting", "struck", "striking", "entered", "entering", "seized", "seizing", "stormed",
     "storming", "captured", "capturing", "encircled", "encircling")), targets={
        **dict.fromkeys(("strike", "strikes", "airstrike", "airstrikes", "attack", "attacks", "raid", "raids",
                         "assault", "offensive", "advance", "drive", "push"),
                        frozenset(("on", "against", "toward", "towards"))),
        **dict.fromkeys(("shelling", "bombing", "bombardment", "siege", "capture", "recapture", "fall", "liberation",
                         "encirclement", "blockade"), frozenset(("of", "on")))},
    residence=frozenset(("of",)), place_nouns={
        **dict.fromkeys(("town", "towns", "village", "villages", "hamlet", "port"), "P"),
        **dict.fromkeys(("city", "cities"), "PA"),
        **dict.fromkeys(("province", "provinces", "district", "districts", "governorate", "governorates", "state",
                         "states"), "A"),
        **dict.fromkeys(("region", "regions"), "AL"),
        **dict.fromkeys(("suburb", "suburbs", "outskirts", "north", "south", "east", "west", "northeast", "northwest",
                         "southeast", "southwest", "residents", "inhabitants", "mayor"), "")},
    of_words=frozenset(("of",)), people=_TOWNSFOLK | frozenset(
    ("men", "women", "resident", "residents", "native", "natives", "police", "officials")), townsfolk=_TOWNSFOLK,
    indefinite=frozenset(("a", "an")), fronts=frozenset(
    ("direction", "directions", "axis", "axes", "front", "fronts", "sector", "sectors")), within=frozenset(("in",)),
    apposed={**dict.fromkeys(("town", "village", "hamlet", "port", "capital", "suburb"), "P"), "city": "PA",
             **dict.fromkeys(("district", "province", "state"), "A"), "region": "AL"},
    articles=frozenset(("the", "a", "an")),
    apposed_next=frozenset(("on", "that", "which", "where", "whose", "held", "controlled", "seized", "captured",
                            "close", "about", "some", "located", "situated", "just")),
    units={**dict.fromkeys(("km", "kms", "kilometre", "kilometres", "kilometer", "kilometers"), 1.0),
           **dict.fromkeys(("mile", "miles", "mi"), 1.609344)},
    about=frozenset(("about", "some", "around", "roughly", "nearly", "almost", "approximately", "just", "only",
                     "barely", "located", "situated", "lying", "over", "under", "less", "more", "than")),
    numbers=dict(zip(("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                      "sixteen seventeen eighteen nineteen twenty").split(), range(1, 21)),
                 thirty=30, forty=40, fifty=50, sixty=60, seventy=70, eighty=80, ninety=90, hundred=100),
    bearings=compass("north", "east", "south", "west"), toward=frozenset(("to", "the")),
    near=frozenset(("near", "outside", "outskirts")), away=frozenset(("from",)), capital="capital",
    there=frozenset(("there",)), passive=frozenset(("was", "were", "is", "are", "been", "being")), calendar=frozenset(
        "january february march april may june july august september october november december jan feb mar apr jun "
        "jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu "
        "thur thurs fri sat sun".split()))
