"""What every provider module builds on: the `Provider` interface (its default serves any other
geopy service by name) and the small readers of loosely typed JSON values."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from geopy.location import Location

from ...config import Settings
from ...gazetteer import Gazetteer
from ...records import Place

RESULT_LIMIT = 5
LANGUAGE = "en"


@dataclass(frozen=True)
class Found:
    """One result of a provider as a place the gazetteer can hold, with its first-level division's
    name when the provider gives a name rather than a code (mapped to `admin1` later)."""

    place: Place
    state: str | None = None


class Provider:
    """How to ask one geopy service and read its results.

    This default serves any geopy service by its name: it sends only the name and reads each
    result's address and point. A provider module overrides what its service does better."""

    restricts = False  # the service itself restricts results to the given countries

    def __init__(self, name: str):
        self.name = name

    def check(self, settings: Settings) -> None:
        """Raise GeocoderConfigError when the settings lack an option the service needs."""

    def min_delay(self, configured: float, endpoint: str) -> float:
        """Seconds between requests to `endpoint`, given the configured delay."""
        return max(0.0, configured)

    def options(self, countries: Sequence[str], gazetteer: Gazetteer) -> dict[str, Any]:
        """Keyword arguments of geopy's `geocode` for a name in an article about `countries`."""
        return {"exactly_one": False}

    def parse(self, location: Location) -> Found | None:
        """One result as a place; None when it is not one."""
        return point_place(self.name, location.address, as_float(location.latitude), as_float(location.longitude))


class JSONProvider(Provider):
    """A provider whose results are read from the service's raw JSON objects."""

    def parse(self, location: Location) -> Found | None:
        return self.read(location.raw) if isinstance(location.raw, dict) else None

    def read(self, raw: dict[str, Any]) -> Found | None:
        """One raw result as a place; None when it is not one."""
        raise NotImplementedError


def point_place(provider: str, address: Any, lat: float | None, lon: float | None) -> Found | None:
    """A place of unknown kind from an address and a point; its id is the rounded point."""
    if lat is None or lon is None:
        return None
    name = str(address or "").split(",")[0].strip()
    return Found(Place(f"{provider}:{lat:.5f},{lon:.5f}", name, lat, lon, feature_class="L",
                       source=f"geocoder:{provider}"))


def as_float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_code(value: Any) -> str | None:
    """An upper-case code (country) from a string, None from anything else."""
    return value.upper() if isinstance(value, str) and value else None
