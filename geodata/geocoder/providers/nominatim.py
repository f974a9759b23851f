"""Nominatim (OpenStreetMap): results restricted to the article's countries, with address details."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...gazetteer import Gazetteer
from ...records import Place
from .base import LANGUAGE, RESULT_LIMIT, Found, JSONProvider, as_code, as_dict, as_float, as_int
from .osm import osm_feature

PUBLIC_NOMINATIM = "nominatim.openstreetmap.org"
PUBLIC_MIN_DELAY = 1.0  # https://operations.osmfoundation.org/policies/nominatim/: max 1 request/s


def parse_nominatim(raw: dict[str, Any], provider: str) -> Found | None:
    """A `/search?format=json&addressdetails=1` result as a place."""
    lat, lon = as_float(raw.get("lat")), as_float(raw.get("lon"))
    feature = osm_feature(str(raw.get("class", "")), str(raw.get("type", "")), as_int(raw.get("place_rank")))
    if lat is None or lon is None or feature is None:
        return None
    if raw.get("osm_type") and raw.get("osm_id") is not None:
        pid = f"osm:{raw['osm_type']}/{raw['osm_id']}"
    else:
        pid = f"osm:place/{raw.get('place_id')}"
    address = as_dict(raw.get("address"))
    name = raw.get("name") or str(raw.get("display_name") or "").split(",")[0].strip()
    place = Place(pid, name, lat, lon, as_code(address.get("country_code")), feature[0], feature[1],
                  source=f"geocoder:{provider}")
    return Found(place, address.get("state") or address.get("province"))


class Nominatim(JSONProvider):
    restricts = True

    def __init__(self) -> None:
        super().__init__("nominatim")

    def min_delay(self, configured: float, endpoint: str) -> float:
        """The public server's usage policy allows at most one request a second, whatever is configured."""
        delay = super().min_delay(configured, endpoint)
        return max(delay, PUBLIC_MIN_DELAY) if PUBLIC_NOMINATIM in endpoint else delay

    def options(self, countries: Sequence[str], gazetteer: Gazetteer) -> dict[str, Any]:
        return {"exactly_one": False, "limit": RESULT_LIMIT, "addressdetails": True, "language": LANGUAGE,
                "country_codes": [c.lower() for c in countries] or None}

    def read(self, raw: dict[str, Any]) -> Found | None:
        return parse_nominatim(raw, self.name)
