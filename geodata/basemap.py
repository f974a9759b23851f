"""What lies under the markers of every map: country outlines (or a graticule), place names from our
gazetteer while there are no tiles, and OpenStreetMap tiles once the browser has reached them."""

from __future__ import annotations

from dataclasses import dataclass

import folium
from folium.map import CustomPane
from folium.template import Template

from .safejson import to_json_safe

MAX_ZOOM = 18


# Leaflet focuses the map on mousedown and then restores its own window's scroll only. In an iframe
# (st_folium) the focus scrolls the parent page when the map is partly out of view, so the mouse is
# released elsewhere on the map and the click becomes a drag: focus without scrolling instead.
FOCUS_WITHOUT_SCROLL = """
{% macro script(this, kwargs) %}
(function (map) {
    var keyboard = map.keyboard;
    if (!keyboard || !keyboard.enabled()) { return; }
    keyboard.disable();
    keyboard._onMouseDown = function () {
        if (!this._focused) { this._map.getContainer().focus({preventScroll: true}); }
    };
    keyboard.enable();
})({{ this._parent.get_name() }});
{% endmacro %}
"""


class FocusWithoutScroll(folium.MacroElement):
    _template = Template(FOCUS_WITHOUT_SCROLL)

    def __init__(self) -> None:
        super().__init__()
        self._name = "FocusWithoutScroll"


@dataclass(frozen=True)
class Basemap:
    """What lies under the markers: country outlines (GeoJSON), place names (`assets.map_labels` rows), and
    whether tiles may be asked for (False: never, e.g. offline; True: once the tile server has answered)."""

    outlines: dict | None = None
    labels: tuple[tuple[str, float, float, int, int], ...] = ()
    tiles: bool = True


TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"  # OpenStreetMap's, as folium's default
TILE_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
TILE_RETRY_MINUTES = 10
"""After a failed probe the browser asks for no tile for this long (remembered across maps and reruns)."""
OFFLINE_NOTICE = "Map tiles unavailable (offline): showing country outlines and place names."

# Tiles only once one has loaded (a failure is remembered in the browser: no request at all for a while);
# until then, and for good offline, place names drawn from the gazetteer's rows, decluttered at each zoom.
BASE_LAYERS = """
{% macro script(this, kwargs) %}
(function (map, labels, tiles, notice) {
    var KEY = 'geodata.tiles.failedAt', KINDS = ['gd-label-country', 'gd-label-capital', 'gd-label-city'];
    var layer = L.layerGroup().addTo(map), ruler = document.createElement('canvas').getContext('2d');
    function width(text, kind) {
        ruler.font = kind === 0 ? '600 11px sans-serif' : (kind === 1 ? '600 12px sans-serif' : '11px sans-serif');
        return ruler.measureText(kind === 0 ? text.toUpperCase() : text).width + (kind === 0 ? text.length : 8);
    }
    function draw() {
        layer.clearLayers();
        var zoom = map.getZoom(), view = map.getBounds(), size = map.getSize(), taken = [];
        var order = zoom >= 5 ? [1, 2, 0] : [0, 1, 2];  /* zoomed in, towns before countries */
        order.forEach(function (kind) {
            labels.forEach(function (row) {
                if (row[4] !== kind || row[3] > zoom || !view.contains([row[1], row[2]])) { return; }
                var p = map.latLngToContainerPoint([row[1], row[2]]), w = width(row[0], kind);
                var box = kind === 0 ? [p.x - w / 2 - 3, p.y - 9, p.x + w / 2 + 3, p.y + 9]
                                     : [p.x - 4, p.y - 9, p.x + w + 4, p.y + 9];
                if (box[0] < 0 || box[1] < 0 || box[2] > size.x || box[3] > size.y) { return; }  /* cut off */
                for (var i = 0; i < taken.length; i++) {
                    var t = taken[i];
                    if (box[0] < t[2] && t[0] < box[2] && box[1] < t[3] && t[1] < box[3]) { return; }
                }
                taken.push(box);
                var text = document.createElement('span');
                text.className = 'gd-label ' + KINDS[kind];
                text.textContent = row[0];
                L.marker([row[1], row[2]], {pane: 'gd-labels', interactive: false, keyboard: false,
                    icon: L.divIcon({html: text, className: 'gd-label-anchor', iconSize: null})}).addTo(layer);
            });
        });
    }
    function showNotice() {
        var box = L.control({position: 'topright'});
        box.onAdd = function () {
            var div = L.DomUtil.create('div', 'gd-offline-notice');
            div.textContent = notice;
            return div;
        };
        box.addTo(map);
    }
    function failedLately() {
        try { return Date.now() - Number(localStorage.getItem(KEY) || 0) < tiles.retryMs; } catch (e) { return false; }
    }
    function remember(failed) {
        try { if (failed) { localStorage.setItem(KEY, String(Date.now())); } else { localStorage.removeItem(KEY); } }
        catch (e) { /* storage off: probe again next time */ }
    }
    map.createPane('gd-labels').style.zIndex = 350;
    map.on('zoomend moveend', draw);
    draw();
    if (!tiles || failedLately()) { showNotice(); return; }
    var probe = new Image();
    probe.onload = function () {
        remember(false);
        map.off('zoomend moveend', draw);
        map.removeLayer(layer);
        L.tileLayer(tiles.url, tiles.options).addTo(map);
    };
    probe.onerror = function () { remember(true); showNotice(); };
    probe.src = L.Util.template(tiles.url, {s: 'a', z: 0, x: 0, y: 0, r: ''});
})({{ this._parent.get_name() }}, {{ this.labels_json }}, {{ this.tiles_json }}, {{ this.notice_json }});
{% endmacro %}
"""


class BaseLayers(folium.MacroElement):
    """The place names and the tiles of `BASE_LAYERS`; every value inlined by `to_json_safe`."""

    _template = Template(BASE_LAYERS)

    def __init__(self, base: Basemap) -> None:
        super().__init__()
        self._name = "BaseLayers"
        self.labels_json = to_json_safe([list(row) for row in base.labels])
        tiles = {"url": TILE_URL, "retryMs": TILE_RETRY_MINUTES * 60_000,
                 "options": {"attribution": TILE_ATTRIBUTION, "maxZoom": MAX_ZOOM}}
        self.tiles_json = to_json_safe(tiles) if base.tiles else "null"
        self.notice_json = to_json_safe(OFFLINE_NOTICE)


def base_map(base: Basemap) -> folium.Map:
    """The map without markers: land (outlines, or a graticule without them) under the tiles, place names
    while there are no tiles."""
    m = folium.Map(location=(20, 10), zoom_start=2, tiles=None, maxZoom=MAX_ZOOM, prefer_canvas=True,
                   control_scale=True)
    FocusWithoutScroll().add_to(m)
    CustomPane("gd-land", z_index=150).add_to(m)  # under the tiles (200): loaded tiles hide it
    if base.outlines:
        folium.GeoJson(base.outlines, name="Countries", style_function=lambda _: {
            "color": "#888", "weight": 0.6, "fillColor": "#f2efe9", "fillOpacity": 1.0}, interactive=False,
            pane="gd-land").add_to(m)
    else:
        for lat in range(-60, 90, 30):
            folium.PolyLine([(lat, -180), (lat, 180)], color="#ccc", weight=0.5, interactive=False,
                            pane="gd-land").add_to(m)
        for lon in range(-180, 181, 30):
            folium.PolyLine([(-85, lon), (85, lon)], color="#ccc", weight=0.5, interactive=False,
                            pane="gd-land").add_to(m)
    BaseLayers(base).add_to(m)
    return m
