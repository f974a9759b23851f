"""The providers the geocoder knows by name, each in its own module: how to ask it (`options`)
and how to read its answer (`parse`). Any other geopy service is served by `Provider` itself."""

from __future__ import annotations

from .arcgis import ArcGIS, parse_arcgis
from .base import Found, JSONProvider, Provider
from .geonames import GeoNames, parse_geonames
from .nominatim import Nominatim, parse_nominatim
from .osm import osm_feature
from .photon import Photon, parse_photon

PROVIDERS: dict[str, Provider] = {p.name: p for p in (Nominatim(), Photon(), GeoNames(), ArcGIS())}


def provider_for(name: str) -> Provider:
    """The provider called `name` (lower case); any other geopy service gets the default."""
    return PROVIDERS.get(name) or Provider(name)


__all__ = ["PROVIDERS", "ArcGIS", "Found", "GeoNames", "JSONProvider", "Nominatim", "Photon", "Provider",
           "osm_feature", "parse_arcgis", "parse_geonames", "parse_nominatim", "parse_photon", "provider_for"]
