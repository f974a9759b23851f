"""Folium maps that work with no internet.

Folium loads Leaflet, its plugins, jQuery, Bootstrap and their CSS from CDNs.
The PyPI package folium-offline ships the same files for Folium 0.20, as the
dict ``offlinefolium.elements._res`` that maps each CDN URL Folium uses to the
file's text (images and most fonts already inlined in the CSS as data: URIs).
This module serves those texts from Streamlit's static folder (``localize``)
or inlines them into one HTML file (``standalone_html``).

It also gives what the base map draws under the markers when tiles cannot be had: country
outlines (the ``countryinfo`` package) and place names from our gazetteer (``map_labels``).
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .config import Settings
from .basemap import Basemap

import folium
from folium.elements import JSCSSMixin

STATIC_SUBDIR = "folium"
"""Folder under Streamlit's ``static/`` that ``install_static`` fills."""
BASE_URL = f"/app/static/{STATIC_SUBDIR}"
"""Where Streamlit serves that folder (``server.enableStaticServing = true``)."""

_ICON_NAME = "leaflet_default_icon"
_ICON_FILE = "leaflet-default-icon.js"


@functools.cache
def cdn_assets() -> dict[str, str]:
    """Text of each asset folium-offline embeds, keyed by the CDN URL Folium uses."""
    from offlinefolium.elements import _res  # private, but it is the whole store

    return dict(_res)


def asset_path(url: str) -> str:
    """Relative file path for a CDN URL: host and path, e.g. ``cdn.jsdelivr.net/npm/...``."""
    parts = urlsplit(url)
    path = f"{parts.netloc}{parts.path}"
    if ".." in path.split("/"):
        raise ValueError(f"unsafe asset URL: {url}")
    # Streamlit serves by extension with nosniff; the one extensionless asset is JS.
    return path if path.endswith((".js", ".css")) else f"{path}.js"


def _default_icon_js() -> str:
    """JS that gives every default ``L.marker`` the icon embedded in leaflet.css.

    folium-offline has no marker-icon.png / marker-shadow.png files, so Leaflet's
    image-path guess fails; the icon is only in ``.leaflet-default-icon-path``.
    """
    css = cdn_assets()[dict(folium.Map.default_css)["leaflet_css"]]
    found = re.search(r"\.leaflet-default-icon-path\s*\{[^}]*url\((data:[^)]+)\)", css)
    if found is None:
        raise RuntimeError("no default marker icon in folium-offline's leaflet.css")
    options = {
        "iconUrl": found.group(1),
        "iconSize": [25, 41],
        "iconAnchor": [12, 41],
        "popupAnchor": [1, -34],
        "tooltipAnchor": [16, -28],
    }
    return f"L.Marker.prototype.options.icon = L.icon({json.dumps(options)});\n"


@functools.cache
def _files() -> dict[str, str]:
    """Relative path -> text of every file ``install_static`` writes."""
    files = {asset_path(url): text for url, text in cdn_assets().items()}
    files[_ICON_FILE] = _default_icon_js()
    return files


def install_static(static_dir: Path) -> None:
    """Write the assets under ``static_dir/folium/``, skipping files already up to date.

    ``static_dir`` is the ``static/`` folder next to the Streamlit app script.
    """
    root = Path(static_dir) / STATIC_SUBDIR
    for rel, text in _files().items():
        path = root / rel
        data = text.encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)  # atomic: a server may be reading the old file


def _jscss_elements(element: Any) -> Iterator[JSCSSMixin]:
    """The element and its descendants that carry ``default_js`` / ``default_css``."""
    if isinstance(element, JSCSSMixin):
        yield element
    for child in getattr(element, "_children", {}).values():
        yield from _jscss_elements(child)


def _relative(url: str) -> str:
    """Relative asset path for a CDN URL or an already localized URL."""
    if url in cdn_assets():
        return asset_path(url)
    for rel in _files():
        if url.endswith(f"/{rel}"):
            return rel
    raise ValueError(f"folium-offline has no copy of {url}")


def localize(m: folium.Map, base_url: str = BASE_URL) -> None:
    """Point the map's and its children's JS/CSS at copies under ``base_url``.

    Call it after the last layer is added (and again if layers are added later);
    the files must be there (``install_static``). Under ``server.baseUrlPath``,
    prefix ``base_url`` with it. Also makes default markers use an embedded icon.
    """
    base = base_url.rstrip("/")
    for element in _jscss_elements(m):
        # Instance attributes: the class lists are shared by every map.
        element.default_js = [(n, f"{base}/{_relative(u)}") for n, u in element.default_js]
        element.default_css = [(n, f"{base}/{_relative(u)}") for n, u in element.default_css]
    names = [name for name, _ in m.default_js]
    if _ICON_NAME not in names:
        m.default_js.insert(names.index("leaflet") + 1, (_ICON_NAME, f"{base}/{_ICON_FILE}"))


def _inline_js(text: str) -> str:
    """JS text made safe inside ``<script>``: no ``</script`` and no ``<!--``."""
    return re.sub(r"<(?=/script|!--)", r"\\x3C", text, flags=re.IGNORECASE)


def _inline_css(text: str) -> str:
    """CSS text made safe inside ``<style>``."""
    return re.sub(r"<(?=/style)", r"\\3C ", text, flags=re.IGNORECASE)


def standalone_html(m: folium.Map) -> str:
    """The map's full HTML with every JS/CSS asset inlined: one file, no network.

    Works whether or not the map was localized; raises ValueError for a script or
    stylesheet with no offline copy.
    """
    page = m.get_root().render()
    files = _files()
    icon = f"<script>{_inline_js(files[_ICON_FILE])}</script>"
    add_icon = _ICON_FILE not in page
    leaflet_js = asset_path(dict(folium.Map.default_js)["leaflet"])

    def script(found: re.Match[str]) -> str:
        rel = _relative(found.group(1))
        inlined = f"<script>{_inline_js(files[rel])}</script>"
        return inlined + icon if add_icon and rel == leaflet_js else inlined

    def style(found: re.Match[str]) -> str:
        return f"<style>{_inline_css(files[_relative(found.group(1))])}</style>"

    # The tags exactly as branca's JavascriptLink / CssLink render them.
    head, sep, body = page.partition("</head>")
    head = re.sub(r'<script src="([^"]*)"></script>', script, head)
    head = re.sub(r'<link rel="stylesheet" href="([^"]*)"/>', style, head)
    # Folium puts popup and tooltip text raw into the final script; keep a
    # "</script>" in an article from ending it early.
    body, sep2, map_script = body.partition("</body>\n<script>\n")
    map_script, sep3, tail = map_script.rpartition("</script>")
    return head + sep + body + sep2 + _inline_js(map_script) + sep3 + tail


def escape_text(text: str) -> str:
    """Article text made safe for a Folium ``Popup`` / ``Tooltip`` / marker tooltip.

    Folium pastes that text, as HTML, into a JS template literal: escape the HTML
    and the template-literal characters (backtick, ``$``, backslash).
    """
    escaped = html.escape(text)
    return escaped.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def _rounded(coords: Any, digits: int) -> Any:
    if isinstance(coords, (int, float)):
        return round(coords, digits)
    return [_rounded(c, digits) for c in coords]


@functools.cache
def _country_outlines_json(digits: int) -> str:
    from countryinfo import CountryInfo

    features = []
    for info in CountryInfo.all().values():
        iso = info.get("ISO") or {}
        for feature in (info.get("geoJSON") or {}).get("features", []):
            geometry = feature["geometry"]
            features.append(
                {
                    "type": "Feature",
                    "id": feature["id"],
                    "properties": {
                        "name": info["name"],
                        "iso_a2": iso.get("alpha2"),
                        "iso_a3": iso.get("alpha3"),
                    },
                    "geometry": {
                        "type": geometry["type"],
                        "coordinates": _rounded(geometry["coordinates"], digits),
                    },
                }
            )
    features.sort(key=lambda f: f["id"])
    return json.dumps({"type": "FeatureCollection", "features": features})


def country_outlines(digits: int = 2) -> dict[str, Any]:
    """World country outlines (Natural Earth 1:110m, via ``countryinfo``) as GeoJSON.

    A FeatureCollection, one feature per country (id = ISO alpha-3; properties
    name, iso_a2, iso_a3), coordinates rounded to ``digits`` decimals. A fresh
    copy each call.
    """
    return json.loads(_country_outlines_json(digits))



COUNTRY_MIN_POPULATION = 1_000_000
"""Countries with fewer people (islands, microstates) are named from zoom 5, the others from zoom 2."""
CITY_ZOOMS = ((4, 5_000_000), (5, 1_000_000), (6, 500_000), (7, 200_000))
"""(zoom, population): a city is named from the first zoom whose population it reaches; capitals from 4."""
LABEL_KINDS = ("country", "capital", "city")

_LABELS_SQL = f"""
SELECT name, round(lat, 2), round(lon, 2), CASE WHEN population >= {COUNTRY_MIN_POPULATION} THEN 2 ELSE 5 END, 0,
    population FROM places WHERE feature_code = 'PCLI'
UNION ALL
SELECT name, round(lat, 2), round(lon, 2),
    CASE WHEN feature_code = 'PPLC' THEN 4 {" ".join(f"WHEN population >= {p} THEN {z}" for z, p in CITY_ZOOMS)} END,
    CASE WHEN feature_code = 'PPLC' THEN 1 ELSE 2 END, population
FROM places WHERE feature_class = 'P' AND (feature_code = 'PPLC' OR population >= {CITY_ZOOMS[-1][1]})
ORDER BY 5, 4, 6 DESC, 1"""


@functools.lru_cache(maxsize=4)
def _labels(path: str, _mtime_ns: int, _size: int) -> tuple[tuple[str, float, float, int, int], ...]:
    from .gazetteer.db import connect  # read-only: never builds nor changes the gazetteer

    conn = connect(Path(path), readonly=True)
    try:
        return tuple(row[:5] for row in conn.execute(_LABELS_SQL))
    finally:
        conn.close()


def map_labels(gazetteer_path: Path) -> tuple[tuple[str, float, float, int, int], ...]:
    """Place names for the base map from the gazetteer: rows (name, lat, lon, first zoom, kind index in
    ``LABEL_KINDS``), countries then capitals then cities, most populous first within a zoom. Read once per
    version of the file; none when there is no gazetteer (yet) or it cannot be read."""
    try:
        stat = gazetteer_path.stat()
        return _labels(str(gazetteer_path), stat.st_mtime_ns, stat.st_size)
    except (OSError, sqlite3.Error):
        return ()


def basemap(settings: Settings | None = None) -> Basemap:
    """The base map for these settings: outlines, the gazetteer's place names, and tiles unless offline.
    The same object while they do not change (shared: do not modify its outlines)."""
    settings = settings or Settings()
    return _basemap(map_labels(settings.gazetteer_path), not settings.offline)


@functools.lru_cache(maxsize=4)
def _basemap(labels: tuple[tuple[str, float, float, int, int], ...], tiles: bool) -> Basemap:
    return Basemap(country_outlines(), labels, tiles)
