"""Write the filtered view out: a standalone HTML map, GeoJSON and CSV of the mentions."""

from __future__ import annotations

import html as html_text
import json
from pathlib import Path

import pandas as pd

from . import assets, maps
from .store import Filters, Store

CSV_COLUMNS = ["mention_id", "article_id", "title", "published", "source", "text", "kind", "confidence",
               "place_id", "place_name", "lat", "lon", "country", "place_kind", "geonameid", "sentence"]


def view(store: Store, filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The per-place table and the mention rows of a filtered view."""
    return store.place_summary(filters), store.mentions(filters)


def map_html(places: pd.DataFrame, mentions: pd.DataFrame) -> str:
    """One self-contained HTML file: assets inlined, works from file:// with no network. `mentions` gives the
    popups' sentences: each place's first `maps.POPUP_SENTENCES` are enough."""
    m = maps.build_map(places, mentions, assets.country_outlines())
    title = f"Places in the news: {len(places)} place(s), {int(places.mentions.sum())} mention(s)"
    return assets.standalone_html(m).replace("<head>", f"<head>\n    <title>{html_text.escape(title)}</title>", 1)


def geojson(mentions: pd.DataFrame) -> dict:
    """A FeatureCollection with one Point feature per mention."""
    features = []
    for row in mentions.itertuples():
        props = {c: _plain(getattr(row, c)) for c in CSV_COLUMNS if c not in ("lat", "lon")}
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [row.lon, row.lat]},
                         "properties": props})
    return {"type": "FeatureCollection", "features": features}


def csv_text(mentions: pd.DataFrame) -> str:
    return mentions[CSV_COLUMNS].to_csv(index=False)


def _plain(value: object) -> object:
    """numpy scalars and NaN to plain JSON values."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def write_exports(store: Store, filters: Filters, *, html: Path | None = None, geojson_path: Path | None = None,
                  csv_path: Path | None = None) -> dict[str, int]:
    """Write whichever outputs are asked for; returns the counts written."""
    places, mentions = view(store, filters)
    if html is not None:
        html.write_text(map_html(places, mentions), encoding="utf-8")
    if geojson_path is not None:
        geojson_path.write_text(json.dumps(geojson(mentions), ensure_ascii=False), encoding="utf-8")
    if csv_path is not None:
        csv_path.write_text(csv_text(mentions), encoding="utf-8")
    return {"places": len(places), "mentions": len(mentions)}
