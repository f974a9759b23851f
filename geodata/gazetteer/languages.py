"""Names of places that only one language uses, tagged with it (`db.py`: found by `in_language`).

- French names of countries and world regions from CLDR through Babel (`Locale('fr').territories`):
  a country by its ISO 3166 code (`data/countries.csv`), a continent or world region by its UN M49
  code, mapped to our places in `data/regions_cldr.csv`.
- `data/names_fr.csv`: names the French press uses that CLDR and our sources lack (short forms of
  country names, rivers, seas, regions, divisions), as facts: name -> our place.

A place is referred to by its GeoNames id ("163843") or, for a curated feature without one, by its
id in the gazetteer ("cur:euphrates:STM", see `sources.curated`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from ..language import DEFAULT, SUPPORTED
from .sources import DATA_DIR, read_csv

LANGUAGES = tuple(code for code in SUPPORTED if code != DEFAULT)  # the default language's names are untagged
LanguageNames = Iterator[tuple[str, str]]  # (place id, name)


def place_ref(value: str) -> str:
    """The gazetteer id of a place given by GeoNames id or by curated id."""
    value = value.strip()
    return f"gn:{value}" if value.isdigit() else value


def country_ids() -> dict[str, str]:
    """ISO 3166 alpha-2 code -> the country's place id."""
    return {row["iso2"]: place_ref(row["geonameid"]) for row in read_csv("countries.csv")}


def region_ids() -> dict[str, str]:
    """UN M49 region code (as CLDR writes it, "002") -> our place for it (`data/regions_cldr.csv`)."""
    return {row["code"]: place_ref(row["place"]) for row in read_csv("regions_cldr.csv")}


def cldr_territories(language: str) -> dict[str, str]:
    """CLDR's names of territories in `language`, by code ("SY" -> "Syrie", "002" -> "Afrique")."""
    from babel import Locale

    return dict(Locale(language).territories)


def cldr_names(language: str) -> LanguageNames:
    """The CLDR names in `language` of our countries, continents and world regions."""
    ids = {**country_ids(), **region_ids()}
    for code, name in cldr_territories(language).items():
        if code in ids:
            yield ids[code], name


def curated_names(language: str) -> LanguageNames:
    """`data/names_<language>.csv`: name, place, note."""
    if not (DATA_DIR / f"names_{language}.csv").exists():
        return
    for row in read_csv(f"names_{language}.csv"):
        yield place_ref(row["place"]), row["name"]


def language_names() -> Iterator[tuple[str, str, str]]:
    """(place id, name, language) for every language-only name of the built-in sources."""
    for language in LANGUAGES:
        for place_id, name in itertools.chain(cldr_names(language), curated_names(language)):
            yield place_id, name, language
