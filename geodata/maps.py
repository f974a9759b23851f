"""Folium maps from the store's per-place table: one marker per place, sized by mentions and
coloured by kind, clustered in the browser; popups list the sentences (escaped) that mention it.

The same function draws the dashboard's map and the exported file, so both show the same thing.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

import folium
import pandas as pd
from folium.plugins import FastMarkerCluster
from folium.template import Template

from .basemap import Basemap, base_map
from .records import KINDS, TITLE_SENTENCE
from .safejson import to_json_safe

KIND_COLOURS = dict(zip(KINDS, ("#6a3d9a", "#e6550d", "#1f78b4", "#33a02c", "#636363"), strict=True))
POPUP_SENTENCES = 8
POPUP_COLUMNS = ("place_id", "article_id", "title", "language", "sentence", "sentence_start", "sentence_end",
                 "sentence_index", "reason")
"""What `snippets_by_place` reads of the store's mention rows (`Store.mentions(..., columns=POPUP_COLUMNS)`)."""
TOOLTIP_ID_SEPARATOR = " \u00b7 "  # the tooltip ends with the place id, which the dashboard reads back


DOUBTFUL_BELOW = 0.5
"""A place whose mentions average a lower confidence is drawn hollow and dashed: a doubtful placement."""


class Mark(NamedTuple):
    """A mention inside a snippet's sentence: its offsets, and why it has its place when the gazetteer did
    not name it (the article's town, a correction) or why its place is doubted (a river's point); "" for the
    others."""

    start: int
    end: int
    reason: str = ""


@dataclass(frozen=True)
class Snippet:
    """A sentence mentioning a place, with every mention of it inside the sentence."""

    title: str
    sentence: str
    marks: tuple[Mark, ...]
    in_title: bool = False  # the sentence is the article's title (`TITLE_SENTENCE`)
    language: str = ""  # the article's language (ISO 639-1 code), when known


def text(value: object, default: str = "") -> str:
    """A table cell as text: None and NaN (missing values in pandas) become `default`."""
    if value is None or (isinstance(value, float) and value != value):
        return default
    return str(value)


def highlight(snippet: Snippet) -> str:
    """The sentence as HTML with each mention in <mark>; every piece of text is escaped. A mark with a
    reason is drawn apart (`gd-reason`) and says it on hover."""
    s, parts, pos = snippet.sentence, [], 0
    for start, end, reason in sorted(snippet.marks):
        if start < pos:
            continue  # overlapping marks: the first one wins
        mark = f"<mark class='gd-reason' title='{html.escape(reason)}'>" if reason else "<mark>"
        parts += [html.escape(s[pos:start]), mark, html.escape(s[start:end]), "</mark>"]
        pos = end
    return "".join(parts) + html.escape(s[pos:])


def snippets_by_place(mentions: pd.DataFrame, per_place: int = POPUP_SENTENCES) -> dict[str, list[Snippet]]:
    """The first sentences of each place, from the store's mention rows: a sentence that names the place
    several times is shown once, every mention marked."""
    grouped: dict[str, dict[tuple, list]] = {}
    for row in mentions.groupby("place_id", sort=False).head(per_place).itertuples():
        in_title = getattr(row, "sentence_index", None) == TITLE_SENTENCE
        key = (getattr(row, "article_id", None), text(row.title) or "(untitled)", text(row.sentence), in_title,
               text(getattr(row, "language", None)))
        grouped.setdefault(row.place_id, {}).setdefault(key, []).append(
            Mark(int(row.sentence_start), int(row.sentence_end), text(getattr(row, "reason", None))))
    return {place: [Snippet(title, sentence, tuple(marks), in_title, language)
                    for (_, title, sentence, in_title, language), marks in sentences.items()]
            for place, sentences in grouped.items()}


def tooltip_text(row: object) -> str:
    """What the tooltip says: the place and its number of mentions, then its id."""
    mentions = int(row.mentions)
    return (f"{text(row.name)} ({mentions} mention{'s' if mentions != 1 else ''})"
            f"{TOOLTIP_ID_SEPARATOR}{row.place_id}")


def tooltip_html(row: object) -> str:
    """The tooltip as HTML: the id is hidden from the eye but stays in the text that st_folium returns."""
    shown, _, place_id = tooltip_text(row).rpartition(TOOLTIP_ID_SEPARATOR)
    return (f"{html.escape(shown)}<span class='gd-id' style='display:none'>"
            f"{html.escape(TOOLTIP_ID_SEPARATOR + place_id)}</span>")


def place_id_from_tooltip(tooltip: str | None) -> str | None:
    """The place id the dashboard put at the end of a marker's tooltip."""
    if not tooltip or TOOLTIP_ID_SEPARATOR not in tooltip:
        return None
    return tooltip.rsplit(TOOLTIP_ID_SEPARATOR, 1)[1].strip() or None


def popup_html(row: object, snippets: Sequence[Snippet]) -> str:
    country = text(row.country)
    head = (f"<div class='gd-popup'><b>{html.escape(text(row.name))}</b> "
            f"<small>{html.escape(text(row.kind))}{', ' + html.escape(country) if country else ''}"
            f" &middot; {row.mentions} mention(s) in {row.articles} article(s)</small>")
    # Consecutive sentences of one article share its title; a title that names the place is that heading,
    # marked, not a sentence of the list as well.
    groups: list[tuple[str, list[Snippet]]] = []
    for snippet in snippets:
        if not groups or groups[-1][0] != snippet.title:
            groups.append((snippet.title, []))
        groups[-1][1].append(snippet)
    items = "".join(
        f"<div class='gd-art'><i>{heading(title, group)}</i>{language_tag(group[0].language)}<ol>"
        + "".join(f"<li>{highlight(s)}</li>" for s in group if not s.in_title) + "</ol></div>"
        for title, group in groups)
    more = int(row.mentions) - sum(len(s.marks) for s in snippets)
    tail = f"<div><small>and {more} more</small></div>" if more > 0 else ""
    return f"{head}{items}{tail}{reason_notes(snippets)}</div>"


def reason_notes(snippets: Sequence[Snippet]) -> str:
    """What a dashed mark of the snippets means: each mark's reason once, in order, escaped."""
    reasons = dict.fromkeys(m.reason for s in snippets for m in s.marks if m.reason)
    return "".join(f"<div><small><mark class='gd-reason'>dashed</mark>: {html.escape(r)}</small></div>"
                   for r in reasons)


def heading(title: str, group: Sequence[Snippet]) -> str:
    """An article's title over its sentences in a popup, the place marked when the title names it."""
    named = next((s for s in group if s.in_title), None)
    return highlight(named) if named is not None else html.escape(title)


def language_tag(language: str) -> str:
    """The article's language after its title in a popup (" · fr") when it is not English or unknown."""
    return f"<small> &middot; {html.escape(language)}</small>" if language and language != "en" else ""


def radius(mentions: int) -> float:
    return round(min(6 + 3.5 * math.log2(1 + mentions), 30), 1)


# Draws each place as a circle marker from the data rows, in the browser (fast at 100k rows).
# Row: lat, lon, radius, colour, tooltip HTML, popup HTML, place id (kept on the marker's options), doubtful.
MARKER_CALLBACK = """
function (row) {
    var doubtful = row[7];
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]),
        {radius: row[2], color: row[3], fillColor: row[3], fillOpacity: doubtful ? 0.08 : 0.6,
         weight: doubtful ? 2 : 1, dashArray: doubtful ? '4 3' : null, placeId: row[6]});
    marker.bindTooltip(row[4]);
    marker.bindPopup(row[5], {maxWidth: 420, maxHeight: 320});
    return marker;
}
"""

def doubtful(row: object) -> bool:
    """Whether a place's placement is doubtful: its mentions' mean confidence is below `DOUBTFUL_BELOW`."""
    confidence = getattr(row, "confidence", None)
    return confidence is not None and confidence == confidence and float(confidence) < DOUBTFUL_BELOW


def marker_rows(places: pd.DataFrame, snippets: Mapping[str, Sequence[Snippet]]) -> list[list[object]]:
    return [
        [float(r.lat), float(r.lon), radius(int(r.mentions)), KIND_COLOURS.get(r.kind, "#636363"),
         tooltip_html(r), popup_html(r, snippets.get(r.place_id, ())), str(r.place_id), doubtful(r)]
        for r in places.itertuples()
    ]


# A small box in the map's corner saying what the marker colours mean.
LEGEND = """
{% macro script(this, kwargs) %}
(function () {
    var legend = L.control({position: 'bottomright'});
    legend.onAdd = function () {
        var div = L.DomUtil.create('div', 'gd-legend');
        div.style.cssText = 'background:rgba(255,255,255,0.92);padding:4px 8px;border:1px solid #bbb;' +
            'border-radius:4px;font:12px/1.5 sans-serif;color:#222';
        div.innerHTML = {{ this.html_json }};
        return div;
    };
    legend.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
"""


def legend_html(kinds: Sequence[str] | None = None) -> str:
    """The legend's HTML: one coloured dot per kind (all kinds when none are given)."""
    shown = [k for k in KIND_COLOURS if not kinds or k in kinds]
    rows = "".join(
        f"<div><span style='display:inline-block;width:10px;height:10px;border-radius:50%;"
        f"background:{KIND_COLOURS[k]};opacity:0.8;margin-right:6px'></span>{html.escape(k)}</div>"
        for k in shown)
    hollow = ("<div><span style='display:inline-block;width:8px;height:8px;border-radius:50%;"
              "border:2px dashed #777;margin-right:6px'></span>doubtful (confidence &lt; "
              f"{DOUBTFUL_BELOW:g})</div>")
    return f"<div><b>Kinds</b></div>{rows}{hollow}<div style='color:#555'>size: mentions</div>"


class Legend(folium.MacroElement):
    _template = Template(LEGEND)

    def __init__(self, kinds: Sequence[str] | None = None) -> None:
        super().__init__()
        self._name = "Legend"
        self.html_json = to_json_safe(legend_html(kinds))


# The selected place: a ring around its marker, drawn above it and letting clicks through.
SELECTION_RING = """
{% macro script(this, kwargs) %}
L.circleMarker({{ this.location|tojson }}, {radius: {{ this.radius + 5 }}, color: '#ffffff', weight: 6,
    opacity: 0.9, fill: false, interactive: false}).addTo({{ this._parent.get_name() }});
L.circleMarker({{ this.location|tojson }}, {radius: {{ this.radius + 5 }}, color: '#e31a1c', weight: 3,
    fill: false, interactive: false, className: 'gd-selected'}).addTo({{ this._parent.get_name() }});
{% endmacro %}
"""


class SelectionRing(folium.MacroElement):
    _template = Template(SELECTION_RING)

    def __init__(self, lat: float, lon: float, marker_radius: float) -> None:
        super().__init__()
        self._name = "SelectionRing"
        self.location = [float(lat), float(lon)]
        self.radius = float(marker_radius)


def selection_layer(lat: float, lon: float, mentions: int) -> folium.FeatureGroup:
    """A layer holding the ring around the selected place (the dashboard adds it without redrawing the map)."""
    layer = folium.FeatureGroup(name="Selected place", control=False)
    SelectionRing(lat, lon, radius(max(int(mentions), 1))).add_to(layer)
    return layer


# Zoom used when a place is selected from outside the map (table, article, link): close enough
# to see it apart from its neighbours, not so close that a country fills the view.
ZOOM_BY_KIND = {"country": 4, "region": 5, "physical feature": 6, "populated place": 7, "site": 9}


def selection_zoom(kind: str | None) -> int:
    return ZOOM_BY_KIND.get(kind or "", 5)


# Popups readable at a glance; Bootstrap (loaded by Folium) otherwise enlarges text and the scale bar.
MAP_CSS = """<style>
.gd-popup {font: 13px/1.4 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #222;
           overflow-wrap: anywhere;}
.gd-popup ol {padding-left: 1.3em; margin: .15em 0 .4em 0;}
.gd-popup .gd-art {margin-top: .35em;}
.gd-popup .gd-art > i {color: #444;}
.gd-popup li {margin-bottom: .35em;}
.gd-popup mark {background: #ffe58a; padding: 0 .1em;}
.gd-popup mark.gd-reason {background: none; border-bottom: 2px dashed #b8860b; cursor: help;}
.gd-popup small {color: #555;}
.leaflet-tooltip {font: 12px/1.3 sans-serif;}
/* Clusters in neutral greys: green/yellow/orange would read as kinds of the legend. */
.leaflet-container .marker-cluster {background-color: rgba(110,110,110,.3);}
.leaflet-container .marker-cluster div {background-color: rgba(70,70,70,.75); color: #fff;}
.leaflet-control-scale-line {font-size: 10px; line-height: 1.2; padding: 0 4px;}
.gd-offline-notice {background: #fff8e1; padding: 4px 8px; border: 1px solid #d0a000; font: 12px sans-serif;}
/* Place names without tiles: light, haloed, under the markers; a city's dot is on its point. */
.gd-label-anchor {background: none; border: none; width: 0 !important; height: 0 !important;}
.gd-label {position: absolute; white-space: nowrap; transform: translateY(-50%); pointer-events: none;
           text-shadow: 0 0 2px #f2efe9, 0 0 2px #f2efe9, 0 0 3px #f2efe9; font-family: sans-serif;}
.gd-label-country {transform: translate(-50%, -50%); font-size: 11px; font-weight: 600; letter-spacing: .08em;
                   text-transform: uppercase; color: #8a8275;}
.gd-label-capital, .gd-label-city {left: -3px; padding-left: 8px; font-size: 11px; color: #555;}
.gd-label-capital {font-size: 12px; font-weight: 600; color: #444;}
.gd-label-capital::before, .gd-label-city::before {content: ""; position: absolute; left: 0; top: 50%;
    width: 4px; height: 4px; margin-top: -3px; border: 1px solid #666; border-radius: 50%; background: #fff;}
.gd-label-capital::before {background: #666;}
</style>"""


class PlaceMarkers(FastMarkerCluster):
    """FastMarkerCluster whose rows are inlined by `to_json_safe`, never by a template filter.

    folium renders a macro's output into the figure as a new branca template that is rendered once
    more (FINDINGS.md): a title holding `{{ ... }}` in rows put there by `tojson` would run as Jinja.
    Here no row text can hold a `{`, so the second pass finds no template syntax in it."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function(){
                {{ this.callback }}
                var data = {{ this.rows_json }};
                var cluster = L.markerClusterGroup({{ this.options|tojavascript }});
                for (var i = 0; i < data.length; i++) {
                    callback(data[i]).addTo(cluster);
                }
                cluster.addTo({{ this._parent.get_name() }});
                return cluster;
            })();
        {% endmacro %}""")

    def __init__(self, rows: list[list[object]], **kwargs: object) -> None:
        super().__init__([], callback=MARKER_CALLBACK, **kwargs)
        self.rows_json = to_json_safe(rows)


def marker_layer(places: pd.DataFrame, snippets: Mapping[str, Sequence[Snippet]]) -> PlaceMarkers:
    """All places as one client-side clustered layer."""
    return PlaceMarkers(marker_rows(places, snippets), name="Places",
                        options={"maxClusterRadius": 40, "disableClusteringAtZoom": 9})


def fit(m: folium.Map, places: pd.DataFrame) -> None:
    """Fit the view to the places (a world view when there are none). One place, or a few close
    together, get the zoom their kind deserves: a country is not shown street by street."""
    if places.empty:
        return
    south, north = float(places.lat.min()), float(places.lat.max())
    west, east = float(places.lon.min()), float(places.lon.max())
    if (north - south) < 1 and (east - west) < 1:
        m.location = [round((south + north) / 2, 5), round((west + east) / 2, 5)]
        m.options["zoom"] = min(selection_zoom(k) for k in places.kind)
        return
    m.fit_bounds([(south, west), (north, east)], padding=(30, 30))


def build_map(places: pd.DataFrame, mentions: pd.DataFrame, base: Basemap | dict | None, *,
              tiles: bool = True) -> folium.Map:
    """The whole map for a filtered view: base, markers, view fitted to the data. `base`: a `Basemap`, or
    only the country outlines (or None); `tiles=False` asks for no tile whatever `base` says."""
    base = base if isinstance(base, Basemap) else Basemap(base)
    m = base_map(replace(base, tiles=base.tiles and tiles))
    m.get_root().header.add_child(folium.Element(MAP_CSS), name="gd_map_css")
    marker_layer(places, snippets_by_place(mentions)).add_to(m)
    Legend(sorted(set(places.kind)) if not places.empty else None).add_to(m)
    fit(m, places)
    return m
