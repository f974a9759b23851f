"""Places and their names as rows of the gazetteer's `places` and `names` tables."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterable

from ..records import Place
from .normalize import (SPELLING_MARK, folded, inner_articles_as_al, normalize, spelling_key, without_arabic_article,
                        without_ayn_marks, without_final_h)
from .romanised import shown_name

# Where an Arabic article opens place names (ISO 3166 codes of the Arab League's members).
ARABIC_COUNTRIES = {"AE", "BH", "DJ", "DZ", "EG", "IQ", "JO", "KM", "KW", "LB", "LY", "MA", "MR", "OM", "PS", "QA",
                    "SA", "SD", "SO", "SY", "TN", "YE"}
PLACE_COLUMNS = "id, name, lat, lon, country, feature_class, feature_code, admin1, population, geonameid, source"


def place_from_row(row: tuple) -> Place:
    """A Place from a row of PLACE_COLUMNS."""
    return Place(*row)


def place_row(place: Place) -> tuple:
    """The row of PLACE_COLUMNS for `place`."""
    return (
        place.id, place.name, place.lat, place.lon, place.country, place.feature_class,
        place.feature_code, place.admin1, place.population, place.geonameid, place.source,
    )


def _keys(name: str, country: str | None, town: bool = False) -> set[str]:
    """The keys a place's name is indexed under: also with the letters Unicode does not decompose as English
    writes them ("Diyarbakır": diyarbakir); in Arabic-speaking countries also as the news writes it, without
    its article, with each article inside it written "al", without the final "h" of its feminine ending and,
    for a name of several words, without the marks of ayn ("Ar Raqqah": Raqqah, Raqqa; "Jisr ash Shughūr":
    jisr al shughur; "Ma‘arrat an Nu‘mān": maarrat al numan), and a `town`'s under its spelling key (`spelling_key`:
    the news's other romanisations, "Maarat al-Numan"), which only `Gazetteer.spelled_otherwise` reads (not a
    country's or a division's: "Syrie", French for Syria, has Syria's consonants)."""
    key = normalize(name)
    if country not in ARABIC_COUNTRIES:
        return {key, folded(key)}
    unmarked = normalize(without_ayn_marks(name))
    keys = set()
    for written in {key, unmarked} if " " in unmarked else {key}:  # not one word: "Mā‘īn" is no "Main"
        bare = without_arabic_article(inner_articles_as_al(written))
        keys |= {written, bare, without_final_h(written), without_final_h(bare)}
        if town:
            keys.add(spelling_key(written) or "")
    return keys


def insert_places(
    conn: sqlite3.Connection, rows: Iterable[tuple[Place, Iterable[str]]], *, replace: bool = False
) -> int:
    """Insert places with their names (the primary name first). Returns the number of places.

    Every name of a curated place counts as a main name: its alternates are hand-picked everyday
    names ("Atlantic"), not historic or foreign spellings.

    A place GeoNames names by a scholarly romanisation is shown without its marks (`romanised.py`), and
    indexed under the name as GeoNames writes it.

    `replace` lets a richer source (a GeoNames dump) overwrite an existing place of the same id;
    otherwise the first writer wins.
    """
    verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
    count = 0
    for place, names in rows:
        shown = dataclasses.replace(place, name=shown_name(place))
        cur = conn.execute(f"{verb} INTO places ({PLACE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)", place_row(shown))
        if cur.rowcount == 0:
            continue
        count += 1
        town = place.feature_class == "P"
        primary = _keys(place.name, place.country, town)
        keys = primary.union(*(_keys(n, place.country, town) for n in names))
        conn.executemany(
            "INSERT OR IGNORE INTO names (name, place_id, is_primary) VALUES (?,?,?)",
            ((key, place.id, int((key in primary or place.source == "curated") and not key.startswith(SPELLING_MARK)))
             for key in keys if key),
        )
    return count


def mark_main_names(conn: sqlite3.Connection, names: Iterable[tuple[int, str]]) -> None:
    """Make `(geonameid, name)` pairs main names of their place: the everyday names we curate
    (`data/aliases.csv`: "Tal Rifaat", "Britain") are how the news writes the place, not a foreign spelling."""
    conn.executemany("UPDATE names SET is_primary = 1 WHERE name = ? AND place_id IN "
                     "(SELECT id FROM places WHERE geonameid = ?)", ((normalize(n), gid) for gid, n in names))


def show_as(conn: sqlite3.Connection, names: dict[int, str]) -> None:
    """Show places (GeoNames id -> name) by the names the news writes; the sources' name stays a main name."""
    for geonameid, name in names.items():
        conn.execute("UPDATE places SET name = ? WHERE geonameid = ?", (name, geonameid))
        for (place_id,) in conn.execute("SELECT id FROM places WHERE geonameid = ?", (geonameid,)).fetchall():
            add_name(conn, normalize(name), place_id)
    mark_main_names(conn, names.items())


def add_name(conn: sqlite3.Connection, key: str, place_id: str) -> None:
    """Index the place under one more (normalised) name, as an alternate, unless it already is."""
    conn.execute("INSERT OR IGNORE INTO names (name, place_id, is_primary) VALUES (?,?,0)", (key, place_id))


def insert_language_names(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, str]]) -> int:
    """Index existing places under names of one language, as primary names in that language:
    rows of (place id, name, language code). A row for a place not in the gazetteer is skipped.
    Returns the number of names added."""
    before = conn.total_changes
    conn.executemany(
        "INSERT OR IGNORE INTO names (name, place_id, is_primary, language) "
        "SELECT ?, id, 1, ? FROM places WHERE id = ?",
        ((key, language, place_id) for place_id, name, language in rows if (key := normalize(name))),
    )
    return conn.total_changes - before
