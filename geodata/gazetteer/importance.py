"""How readily a name means a place, before any context: the gazetteer's own ranking signal."""

from __future__ import annotations

import math

from ..records import COUNTRY_CODES, Place

STRONG_CITY_POPULATION = 250_000
# A town this big is known by its name: what the name alone means in its country, not a division named after it;
# and no word of a date or a language, as the NER may read it ("in Turbat", "Belgorod").
NOTABLE_TOWN_POPULATION = 15_000
# A first-level division is famous from this population: not a parish of the Isle of Man ("Michael",
# "Patrick", population unknown), a municipality of Slovenia or a local council of Malta.
STRONG_DIVISION_POPULATION = 20_000


def population_score(place: Place) -> float:
    """log10 of the population, scaled so that 10 million people give 1.0."""
    return math.log10(place.population + 1) / 7


def importance(place: Place) -> float:
    """Countries and continents first, then curated features and large regions and cities.

    Population separates places of one type; the type's bonus keeps a country or a sea ahead of
    the village that shares its name ("US", "Middle East")."""
    pop = population_score(place)
    code = place.feature_code or ""
    if code in COUNTRY_CODES:
        return 3.0 + pop
    if code == "CONT":
        return 3.0
    if place.source == "curated":
        return 2.2
    if code == "ADM1":
        return 0.8 + 1.2 * pop
    if code == "PPLC":
        return 0.8 + 1.5 * pop
    if code == "ADM2":
        return 0.3 + 0.8 * pop
    if place.feature_class == "P":
        return 1.5 * pop
    return 0.6 + pop


def is_strong(place: Place) -> bool:
    """A place famous enough that its name alone, wherever it stands, most likely means it."""
    code = place.feature_code or ""
    return (code in COUNTRY_CODES or code in ("CONT", "PPLC") or place.source == "curated"
            or (code == "ADM1" and place.population >= STRONG_DIVISION_POPULATION)
            or (place.feature_class == "P" and place.population >= STRONG_CITY_POPULATION))
