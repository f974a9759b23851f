"""ArcGIS (Esri's World Geocoding Service): only an address and a point per result."""

from __future__ import annotations

from typing import Any

from .base import Found, JSONProvider, as_dict, as_float, point_place


def parse_arcgis(raw: dict[str, Any], provider: str) -> Found | None:
    """A `findAddressCandidates` candidate as a place of unknown kind."""
    location = as_dict(raw.get("location"))
    return point_place(provider, raw.get("address"), as_float(location.get("y")), as_float(location.get("x")))


class ArcGIS(JSONProvider):
    def __init__(self) -> None:
        super().__init__("arcgis")

    def read(self, raw: dict[str, Any]) -> Found | None:
        return parse_arcgis(raw, self.name)
