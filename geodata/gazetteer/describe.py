"""A place described for people: its name, its first-level division's name and its country's name
("Garden City, South Carolina, United States"), so that places of one name can be told apart."""

from __future__ import annotations

from functools import lru_cache

from ..records import COUNTRY_CODES, Place
from .db import Gazetteer
from .sources import country_names


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    return country_names()


def describe(gazetteer: Gazetteer, place: Place) -> str:
    """"Name, Division, Country", leaving out a part that is unknown or repeats the one before it."""
    code = place.feature_code or ""
    parts = [place.name]
    if code not in COUNTRY_CODES | {"CONT", "ADM1"} and place.country and place.admin1:
        parts.append(gazetteer.admin1_name(place.country, place.admin1) or "")
    if code not in COUNTRY_CODES | {"CONT"} and place.country:
        parts.append(_countries().get(place.country, place.country))
    described: list[str] = []
    for part in parts:
        if part and (not described or part != described[-1]):
            described.append(part)
    return ", ".join(described)
