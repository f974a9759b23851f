"""The local, cached gazetteer (SQLite): built from GeoNames-derived packages, a curated table,
GeoNames dumps the user imports, and the online geocoder's cached answers."""

from .build import open_gazetteer
from .cache import CachedAnswer, GeocodeAnswer
from .db import Gazetteer, GazetteerError
from .describe import describe
from .normalize import normalize

__all__ = ["CachedAnswer", "GeocodeAnswer", "Gazetteer", "GazetteerError", "describe", "normalize", "open_gazetteer"]
