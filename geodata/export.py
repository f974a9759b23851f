"""Write the filtered view out: a standalone HTML map, KML for Google Earth, GeoJSON and CSV of the mentions.

Every file is written whole or not at all (`outputs`), all from one snapshot of the store; CSV
cells that a spreadsheet would run as a formula are written as text."""

from __future__ import annotations

import html as html_text
import json
from pathlib import Path

import pandas as pd

from . import assets, maps
from . import timeline as timelines
from .outputs import write_text
from .store import Filters, Store

CSV_COLUMNS = ["mention_id", "article_id", "title", "published", "source", "language", "text", "kind", "confidence",
               "reason", "place_id", "place_name", "lat", "lon", "country", "place_kind", "geonameid", "sentence"]


def view(store: Store, filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The per-place table and the mention rows of a filtered view."""
    return store.place_summary(filters), store.mentions(filters)


def map_html(places: pd.DataFrame, mentions: pd.DataFrame, timeline: timelines.Timeline | None = None) -> str:
    """One self-contained HTML file: assets inlined, works from file:// with no network. `mentions` gives the
    popups' sentences: each place's first `maps.POPUP_SENTENCES` are enough. `timeline`: the mentions per day
    (`timeline.static_html`), added after the map is rendered, so never through its templates."""
    m = maps.build_map(places, mentions, assets.basemap())  # names offline; tiles unless GEODATA_OFFLINE
    title = f"Places in the news: {len(places)} place(s), {int(places.mentions.sum())} mention(s)"
    page = assets.standalone_html(m).replace("<head>", f"<head>\n    <title>{html_text.escape(title)}</title>", 1)
    if timeline is not None:
        head, end, body = page.partition("</head>")  # the first <body> after the inlined scripts
        page = head + end + body.replace("<body>", "<body>\n" + timelines.static_html(timeline), 1)
    return page


KML_DATA = ("place_id", "kind", "country", "mentions", "articles", "confidence", "geonameid")


def kml_text(places: pd.DataFrame, mentions: pd.DataFrame) -> str:
    """KML (Google Earth, GIS tools): one placemark per place, its balloon the map's popup (HTML built
    from escaped text, so a viewer's HTML balloon shows article text as text), the figures as data."""
    from fastkml import Document, Placemark, kml
    from fastkml.data import Data, ExtendedData
    from pygeoif.geometry import Point

    snippets = maps.snippets_by_place(mentions)
    document = Document(name=f"Places in the news: {len(places)} place(s), {int(places.mentions.sum())} mention(s)")
    for row in places.itertuples():
        data = [Data(name=column, value=_figure(getattr(row, column))) for column in KML_DATA]
        document.append(Placemark(name=maps.text(row.name), geometry=Point(float(row.lon), float(row.lat)),
                                  description=maps.popup_html(row, snippets.get(row.place_id, ())),
                                  extended_data=ExtendedData(elements=data)))
    out = kml.KML()
    out.append(document)
    return out.to_string(prettyprint=True)


def _figure(value: object) -> str:
    """A table cell as KML data text: whole numbers without '.0' (ids and counts come as floats beside NaN)."""
    value = json_value(value)
    return str(int(value)) if isinstance(value, float) and value.is_integer() else maps.text(value)


def geojson(mentions: pd.DataFrame) -> dict:
    """A FeatureCollection with one Point feature per mention."""
    features = []
    for row in mentions.itertuples():
        props = {c: json_value(getattr(row, c)) for c in CSV_COLUMNS if c not in ("lat", "lon")}
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [row.lon, row.lat]},
                         "properties": props})
    return {"type": "FeatureCollection", "features": features}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (OWASP)."""


def spreadsheet_text(value: object) -> object:
    """A text cell a spreadsheet shows as text: a leading apostrophe before a formula character."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(mentions: pd.DataFrame) -> str:
    """The mentions as CSV; text cells defused (`spreadsheet_text`), GeoNames ids as whole numbers."""
    table = mentions[CSV_COLUMNS].copy()
    table["geonameid"] = table["geonameid"].astype("Int64")
    for column in table.columns:
        if table[column].dtype == object or pd.api.types.is_string_dtype(table[column]):
            table[column] = table[column].map(spreadsheet_text)
    # CRLF rows (RFC 4180): the writer then quotes every field holding a bare CR, which a spreadsheet
    # would otherwise take for the end of a row, and a formula after it for a new cell.
    return table.to_csv(index=False, lineterminator="\r\n")


def json_value(value: object) -> object:
    """numpy scalars and NaN to plain JSON values."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def write_exports(store: Store, filters: Filters, *, html: Path | None = None, geojson_path: Path | None = None,
                  csv_path: Path | None = None, kml_path: Path | None = None) -> dict[str, int]:
    """Write whichever outputs are asked for; returns the counts written."""
    with store.snapshot():
        places, mentions = view(store, filters)
        per_day = store.mentions_per_day(filters) if html is not None else []
    if html is not None:
        write_text(html, map_html(places, mentions, timelines.timeline(per_day)))
    if geojson_path is not None:
        write_text(geojson_path, json.dumps(geojson(mentions), ensure_ascii=False))
    if csv_path is not None:
        write_text(csv_path, csv_text(mentions))
    if kml_path is not None:
        write_text(kml_path, kml_text(places, mentions))
    return {"places": len(places), "mentions": len(mentions)}
