"""Photon (OpenStreetMap, by komoot): no country filter, so results are biased towards the
article's main country and then sorted by country."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from geopy.point import Point

from ...gazetteer import Gazetteer
from ...records import Place
from .base import LANGUAGE, RESULT_LIMIT, Found, JSONProvider, as_code, as_dict, as_float
from .osm import osm_feature

PHOTON_OSM_TYPES = {"N": "node", "W": "way", "R": "relation"}


def parse_photon(raw: dict[str, Any], provider: str) -> Found | None:
    """A GeoJSON feature of Photon's `/api` as a place."""
    props = as_dict(raw.get("properties"))
    coords = as_dict(raw.get("geometry")).get("coordinates")
    lon, lat = (as_float(coords[0]), as_float(coords[1])) if isinstance(coords, list) and len(coords) >= 2 \
        else (None, None)
    feature = osm_feature(str(props.get("osm_key", "")), str(props.get("osm_value", "")))
    if lat is None or lon is None or feature is None or not props.get("osm_id"):
        return None
    pid = f"osm:{PHOTON_OSM_TYPES.get(str(props.get('osm_type')), 'node')}/{props['osm_id']}"
    place = Place(pid, props.get("name") or "", lat, lon, as_code(props.get("countrycode")), feature[0], feature[1],
                  source=f"geocoder:{provider}")
    return Found(place, props.get("state"))


class Photon(JSONProvider):
    def __init__(self) -> None:
        super().__init__("photon")

    def options(self, countries: Sequence[str], gazetteer: Gazetteer) -> dict[str, Any]:
        point = gazetteer.country_point(countries[0]) if countries else None
        return {"exactly_one": False, "limit": RESULT_LIMIT, "language": LANGUAGE,
                "location_bias": Point(*point) if point else None}

    def read(self, raw: dict[str, Any]) -> Found | None:
        return parse_photon(raw, self.name)
