"""French: the rules `extract.Extractor` and `evidence.Evidence` read French articles with (`FRENCH`).

- spaCy's French models label LOC (every place), PER, ORG and MISC: PER is read as PERSON;
- a lower-case article before a name is trimmed ("la Syrie", "l'Euphrate", "des États-Unis"); a
  capitalised one mid-name stays: it is part of names such as "Le Caire", "La Haye", "Les Cayes";
- adjectives and nouns of nationality ("irakienne", "les Syriens", "kurdes") point to their place
  in all their gender and number forms, made from the masculine singular (`data/demonyms_fr.txt`);
  French writes them in lower case, so they are sought word by word (`lowercase_demonyms`);
- French cue words (`data/nonplace_cues_fr.txt`): "le président X", "l'ouragan X";
- prepositions of place and motion (`LOCATIVES`): a town's name right after one is the town, whatever
  the NER read ("il vit à Grovetown", MISC). "de" is not one: "la police de Winona" is a body's name,
  but it is after a word for a kind of place or a side ("la ville d'Alep", "au nord de Tessalit",
  `PLACE_NOUNS`), and so is a verb whose object is a place (`PLACE_VERBS`: "ont repris Wad Madani").
"""

from __future__ import annotations

import re
from functools import lru_cache

from .evidence import Cues, read_cues
from .gazetteer import normalize
from .gazetteer.wordlists import read_table
from .rules import Demonym, LanguageRules, compass, demonym_table

DEMONYMS_FILE = "demonyms_fr.txt"
REGULAR = "-"  # the irregular-feminine column of a regular adjective
# "la", "le", "les", "l'", "du", "des", "de la", "de l'", "d'", "au", "aux", lower-case only.
LEADING = re.compile(r"^(?:(?:de\s+)?l['\u2019]|(?:de\s+la|la|le|les|du|des|au|aux)\s+|d['\u2019])")
LIST_WORDS = frozenset({",", "et", "ou", "&"})
LOCATIVES = frozenset({"à", "au", "aux", "en", "dans", "vers", "depuis", "via"})  # "jusqu'à": "à" is a token
# Verbs whose object is a place, never a person ("a bombardé Kharkiv", "ont repris Wad Madani"); not "libéré",
# said of hostages.
PLACE_VERBS = frozenset(f"{stem}{ending}" for stem in ("bombardé", "pilonné", "assiégé", "encerclé")
                        for ending in ("", "e", "s", "es")) | {"repris", "reprise", "reconquis", "reconquise"}
# "la ville de", "au nord de": words for a kind of place or a side, with the feature classes the kind allows
PLACE_NOUNS = {**dict.fromkeys(("village", "villages", "localité", "bourg", "port"), "P"),
               **dict.fromkeys(("ville", "villes", "commune"), "PA"),
               **dict.fromkeys(("province", "provinces", "district", "gouvernorat", "département", "état"), "A"),
               **dict.fromkeys(("région", "régions"), "AL"),
               **dict.fromkeys(("banlieue", "périphérie", "environs", "nord", "sud", "est", "ouest", "nord-est",
                                "nord-ouest", "sud-est", "sud-ouest", "habitants", "maire"), "")}


# Distances in words: "à cinq kilomètres", "à une trentaine de kilomètres" (about thirty); not "un"/"une", which
# stand before the approximate ones.
NUMBERS = {**dict(zip("deux trois quatre cinq six sept huit neuf dix onze douze".split(), range(2, 13))),
           "quinze": 15, "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60, "cent": 100,
           "dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30, "quarantaine": 40,
           "cinquantaine": 50, "soixantaine": 60, "centaine": 100}


def forms(masculine: str, feminine: str | None = None) -> tuple[str, str, str, str]:
    """The masculine and feminine, singular and plural of a French adjective of nationality, normalised,
    from its masculine singular by the regular rules ("syrien": syrienne, syriens, syriennes; "kurde":
    kurde, kurdes; "français": française, français, françaises); `feminine` when it is irregular ("turque")."""
    m = normalize(masculine)
    if feminine is not None:
        f = normalize(feminine)
    elif m.endswith("e"):
        f = m
    elif m.endswith(("en", "on")):  # syrien -> syrienne, letton -> lettonne
        f = m + m[-1] + "e"
    else:  # allemand -> allemande, francais -> francaise
        f = m + "e"
    plural = m if m.endswith(("s", "x")) else m + "s"
    return m, f, plural, f + "s"


@lru_cache(maxsize=1)
def demonym_forms() -> dict[str, Demonym]:
    """Every form of every French adjective of nationality -> (GeoNames id, place name). The id is the
    one the English demonyms give the same place's name (demonyms.csv), else None (found by name)."""
    ids = {name: geonameid for geonameid, name in demonym_table().values() if geonameid}
    table: dict[str, Demonym] = {}
    for masculine, place, feminine in read_table(DEMONYMS_FILE, 3):
        for form in forms(masculine, None if feminine == REGULAR else feminine):
            table[form] = (ids.get(place), place)
    return table


def french_demonym(word: str) -> Demonym | None:
    """The place a French word of nationality points to ("irakienne", "Syriens", "kurdes")."""
    return demonym_forms().get(normalize(word))


FRENCH = LanguageRules(
    "fr", LEADING, french_demonym, Cues(read_cues("nonplace_cues_fr.txt"), LIST_WORDS),
    labels={"PER": "PERSON"}, lowercase_demonyms=True, locatives=LOCATIVES, place_verbs=PLACE_VERBS,
    place_nouns=PLACE_NOUNS,
    of_words=frozenset({"de", "d'", "d\u2019"}), apposed={
        **dict.fromkeys(("village", "localité", "bourg", "port", "capitale", "banlieue"), "P"),
        **dict.fromkeys(("ville", "commune"), "PA"), **dict.fromkeys(("district", "province"), "A"), "région": "AL"},
    articles=frozenset({"la", "le", "l'", "l\u2019", "une", "un"}), apposed_next=frozenset(
        {"sur", "qui", "que", "où", "dont", "située", "situé", "tenue", "tenu", "contrôlée", "contrôlé", "proche",
         "près", "environ", "non"}),
    units=dict.fromkeys(("km", "kilomètre", "kilomètres", "kilometre", "kilometres"), 1.0),
    about=frozenset({"à", "environ", "quelque", "situé", "située", "seulement", "moins", "plus", "de"}),
    numbers=NUMBERS, bearings=compass("nord", "est", "sud", "ouest"), toward=frozenset({"au", "à", "l'", "l\u2019"}),
    near=frozenset({"près", "proche", "abords", "environs", "périphérie"}), away=frozenset({"de", "d'", "d\u2019"}),
    capital="capitale", there=frozenset({"là"}), calendar=frozenset(
        "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre lundi mardi mercredi "
        "jeudi vendredi samedi dimanche".split()))
