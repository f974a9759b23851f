"""OpenStreetMap features (Nominatim's and Photon's results) as GeoNames-like (class, code)."""

from __future__ import annotations

OSM_PLACE = {
    "city": ("P", "PPL"), "town": ("P", "PPL"), "village": ("P", "PPL"), "hamlet": ("P", "PPL"),
    "isolated_dwelling": ("P", "PPL"), "farm": ("P", "PPL"), "suburb": ("P", "PPLX"),
    "quarter": ("P", "PPLX"), "neighbourhood": ("P", "PPLX"), "borough": ("P", "PPLX"),
    "city_block": ("P", "PPLX"), "locality": ("L", "LCTY"), "region": ("L", "RGN"),
    "island": ("T", "ISL"), "islet": ("T", "ISL"), "archipelago": ("T", "ISLS"),
    "country": ("A", "PCLI"), "state": ("A", "ADM1"), "province": ("A", "ADM1"),
    "county": ("A", "ADM2"), "district": ("A", "ADM2"), "municipality": ("A", "ADM3"),
    "sea": ("H", "SEA"), "ocean": ("H", "OCN"),
}
OSM_NATURAL = {
    "water": ("H", "LK"), "bay": ("H", "BAY"), "strait": ("H", "STRT"), "spring": ("H", "SPNG"),
    "wetland": ("H", "MRSH"), "peak": ("T", "PK"), "volcano": ("T", "VLC"), "ridge": ("T", "RDGE"),
    "valley": ("T", "VAL"), "cape": ("T", "CAPE"), "mountain_range": ("T", "MTS"), "plateau": ("T", "PLAT"),
    "desert": ("T", "DSRT"), "sand": ("T", "DSRT"),
}
OSM_WATERWAY = {"river": ("H", "STM"), "stream": ("H", "STM"), "canal": ("H", "CNL"), "wadi": ("H", "WAD"),
                "dam": ("S", "DAM")}
# OSM keys worth a place for a news geoparser; streets, shops, offices... are not what a toponym means.
OSM_ACCEPTED = {"place", "boundary", "natural", "waterway", "landuse", "aeroway", "historic", "military", "leisure"}


def osm_feature(key: str, value: str, rank: int | None = None) -> tuple[str, str | None] | None:
    """GeoNames-like (class, code) for an OSM key=value, or None when it is not a place."""
    if key == "amenity":
        return ("S", "CMPRF") if value == "refugee_site" else None
    if key not in OSM_ACCEPTED:
        return None
    if key == "place":
        return OSM_PLACE.get(value, ("L", None))
    if key == "boundary":
        return _boundary(value, rank)
    if key == "natural":
        return OSM_NATURAL.get(value, ("T", None))
    if key == "waterway":
        return OSM_WATERWAY.get(value, ("H", None))
    if key == "aeroway":
        return ("S", "AIRP") if value == "aerodrome" else ("S", None)
    if key in ("historic", "military"):
        return ("S", None)
    return ("L", None)


def _boundary(value: str, rank: int | None) -> tuple[str, str | None]:
    """An administrative boundary's level from its place rank (Nominatim's; Photon gives none)."""
    if value != "administrative":
        return ("L", None)
    if rank is None:
        return ("A", "ADMD")
    return ("A", "PCLI") if rank <= 4 else ("A", "ADM1") if rank <= 8 else ("A", "ADM2") if rank <= 12 \
        else ("A", "ADMD")
