"""GeoNames' web service (needs a username): results restricted to the article's countries,
with GeoNames ids, feature codes and admin1 codes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...config import Settings
from ...gazetteer import Gazetteer
from ...records import Place
from ..errors import GeocoderConfigError
from .base import Found, JSONProvider, as_code, as_float, as_int


def parse_geonames(raw: dict[str, Any], provider: str) -> Found | None:
    """A `searchJSON` result as a place."""
    lat, lon, gid = as_float(raw.get("lat")), as_float(raw.get("lng")), as_int(raw.get("geonameId"))
    if lat is None or lon is None or gid is None:
        return None
    place = Place(f"gn:{gid}", raw.get("name") or raw.get("toponymName") or "", lat, lon,
                  as_code(raw.get("countryCode")), raw.get("fcl") or None, raw.get("fcode") or None,
                  raw.get("adminCode1") or None, as_int(raw.get("population")) or 0, gid, f"geocoder:{provider}")
    return Found(place)


class GeoNames(JSONProvider):
    restricts = True

    def __init__(self) -> None:
        super().__init__("geonames")

    def check(self, settings: Settings) -> None:
        if not settings.geocoder_username:
            raise GeocoderConfigError("the GeoNames geocoder needs a username (GEODATA_GEOCODER_USERNAME)")

    def options(self, countries: Sequence[str], gazetteer: Gazetteer) -> dict[str, Any]:
        return {"exactly_one": False, "country": list(countries) or None}

    def read(self, raw: dict[str, Any]) -> Found | None:
        return parse_geonames(raw, self.name)
