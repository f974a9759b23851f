"""Distances between points on the Earth, in kilometres: how far apart an article's places lie, and whether
two candidates of one name are the same point for the map, and the point a distance and direction from
another lead to."""

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


def destination(lat: float, lon: float, km: float, degrees: float) -> tuple[float, float]:
    """The point `km` from (lat, lon) in the direction `degrees` clockwise from north, along a great circle."""
    p1, l1, d, b = math.radians(lat), math.radians(lon), km / EARTH_KM, math.radians(degrees)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), (math.degrees(l2) + 540.0) % 360.0 - 180.0
