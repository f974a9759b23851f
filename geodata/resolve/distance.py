"""Distances between points on the Earth, in kilometres: how far apart an article's places lie, and whether
two candidates of one name are the same point for the map."""

from __future__ import annotations

import math

EARTH_KM = 6371.0
KM_PER_DEGREE = EARTH_KM * math.pi / 180  # along a meridian: no two points are nearer than their latitudes


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def within_km(lat1: float, lon1: float, lat2: float, lon2: float, km: float) -> bool:
    """Whether two points are nearer than `km`. Points whose latitudes alone put them more than `km` apart
    (with a kilometre to spare for rounding) are not: most pairs of an article's places, told without the
    trigonometry."""
    return abs(lat1 - lat2) * KM_PER_DEGREE < km + 1.0 and distance_km(lat1, lon1, lat2, lon2) < km
