"""The Folium map draws with no internet: in Streamlit, and as a saved HTML file; without tiles it names
countries and towns from our gazetteer, and it asks for no tile once tiles are known to be unreachable."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import folium
import pandas as pd
import pytest
from folium.plugins import FastMarkerCluster

from geodata import assets, basemap, export

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixtures then skip, or fail when CI=true
    expect = None

REPO_ROOT = Path(__file__).resolve().parents[2]
PLACES = [[48.8566, 2.3522, "paris"], [-1.2864, 36.8172, "nairobi"], [-33.8688, 151.2093, "sydney"]]
OUTLINE_STYLE = lambda _: {"color": "#999", "weight": 1, "fillColor": "#f4f1e8", "fillOpacity": 1}  # noqa: E731
# Default Leaflet markers, with the tooltip (and img title) naming the place.
TRICKY = "`${x}` </script> <b>"  # breaks folium's JS unless escaped
CALLBACK = """function (row) {
    return L.marker(L.latLng(row[0], row[1]), {title: row[2]}).bindTooltip(row[2]);
}"""

APP = f"""
import folium
import streamlit as st
from folium.plugins import FastMarkerCluster
from streamlit_folium import st_folium

from geodata import assets

OUTLINE_STYLE = lambda _: {{"color": "#999", "weight": 1, "fillColor": "#f4f1e8", "fillOpacity": 1}}
# tiles=None drops max_zoom=..., and MarkerCluster needs the map's maxZoom.
m = folium.Map(location=[10, 70], zoom_start=2, tiles=None, maxZoom=8)
folium.GeoJson(assets.country_outlines(), style_function=OUTLINE_STYLE).add_to(m)
FastMarkerCluster({PLACES!r}, callback={CALLBACK!r}).add_to(m)
assets.localize(m)
out = st_folium(m, height=500, returned_objects=["last_object_clicked_tooltip"])
st.write(f"clicked: {{(out or {{}}).get('last_object_clicked_tooltip')}}")
"""


def test_streamlit_map_offline(
    tmp_path: Path,
    streamlit_server: Any,
    offline_page: Any,
    blocked_urls: list[str],
    console_errors: list[str],
    artifacts_dir: Path,
) -> None:
    app = tmp_path / "app.py"
    app.write_text(textwrap.dedent(APP))
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "config.toml").write_text(
        "[server]\nenableStaticServing = true\n[browser]\ngatherUsageStats = false\n"
    )
    assets.install_static(tmp_path / "static")
    leaflet_js = next((tmp_path / "static").rglob("leaflet.js"))
    mtime = leaflet_js.stat().st_mtime_ns
    assets.install_static(tmp_path / "static")  # up to date: nothing rewritten
    assert leaflet_js.stat().st_mtime_ns == mtime

    url = streamlit_server(app, env={"PYTHONPATH": str(REPO_ROOT)})
    offline_page.goto(url)

    iframe = offline_page.locator('iframe[title="streamlit_folium.st_folium"]')
    expect(iframe).to_be_visible(timeout=30_000)
    frame = iframe.content_frame
    markers = frame.locator("img.leaflet-marker-icon")
    expect(markers).to_have_count(len(PLACES), timeout=30_000)
    expect(frame.locator("path.leaflet-interactive").first).to_be_attached()  # outlines
    box = iframe.bounding_box()
    assert box is not None and box["height"] > 100
    assert markers.first.evaluate("img => img.naturalWidth") == 25  # the icon loaded

    frame.locator('img.leaflet-marker-icon[title="nairobi"]').click()
    expect(offline_page.get_by_text("clicked: nairobi")).to_be_visible(timeout=30_000)
    offline_page.screenshot(path=artifacts_dir / "offline_map_streamlit.png")
    assert blocked_urls == []
    assert console_errors == []


def test_standalone_html_offline(
    tmp_path: Path,
    offline_page: Any,
    blocked_urls: list[str],
    console_errors: list[str],
    artifacts_dir: Path,
) -> None:
    m = folium.Map(location=[10, 70], zoom_start=2, tiles=None, maxZoom=8)
    folium.GeoJson(assets.country_outlines(), style_function=OUTLINE_STYLE).add_to(m)
    FastMarkerCluster(PLACES, callback=CALLBACK).add_to(m)
    # Raw article text with "</script>" must not end the page's script early.
    folium.Marker([0, 0], popup="ends </script><!-- <script>", icon=folium.Icon()).add_to(m)
    folium.Marker([20, 100], tooltip=assets.escape_text(TRICKY)).add_to(m)
    page = assets.standalone_html(m)
    assert "<script src=" not in page and '<link rel="stylesheet"' not in page
    path = tmp_path / "map.html"
    path.write_text(page, encoding="utf-8")

    offline_page.goto(path.as_uri())
    default_icons = offline_page.locator("img.leaflet-marker-icon")
    expect(default_icons).to_have_count(len(PLACES) + 1)
    assert default_icons.evaluate_all("imgs => imgs.map(i => i.naturalWidth)") == [25] * 4
    default_icons.last.hover()
    expect(offline_page.locator(".leaflet-tooltip")).to_contain_text(TRICKY)
    offline_page.locator("div.awesome-marker.leaflet-interactive").click()
    popup = offline_page.locator(".leaflet-popup")
    expect(popup).to_contain_text("ends")
    expect(popup).to_have_css("opacity", "1")  # faded in
    offline_page.screenshot(path=artifacts_dir / "offline_map_standalone.png")
    assert blocked_urls == []
    assert console_errors == []


# -- place names without tiles, and no tile requests ----------------------------------------------------

TILE_HOST = "tile.openstreetmap.org"
FIND_MAP = "() => Object.values(window).find(v => v instanceof L.Map)"
LABEL_BOXES = """sel => Array.from(document.querySelectorAll(sel)).map(e => {
    const r = e.getBoundingClientRect(); return [e.textContent, r.left, r.top, r.right, r.bottom]; })"""


def two_places() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Paris and Sydney: the exported map's view spans the world."""
    rows = [("gn:2988507", "Paris", 48.85, 2.35, "FR"), ("gn:2147714", "Sydney", -33.87, 151.21, "AU")]
    places = pd.DataFrame([{"place_id": i, "name": n, "lat": lat, "lon": lon, "country": c, "kind": "populated place",
                            "mentions": 1, "articles": 1, "confidence": 0.9} for i, n, lat, lon, c in rows])
    mentions = pd.DataFrame([{"place_id": i, "title": "t", "sentence": f"In {n}.", "sentence_start": 3,
                              "sentence_end": 3 + len(n)} for i, n, *_ in rows])
    return places, mentions


def exported_map(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, home: Path, offline: bool) -> Path:
    """The exported HTML file (`export.map_html`) with the session gazetteer's place names."""
    monkeypatch.setenv("GEODATA_HOME", str(home))
    monkeypatch.setenv("GEODATA_OFFLINE", "1" if offline else "0")
    assert len(assets.basemap().labels) > 1000
    path = tmp_path / "map.html"
    path.write_text(export.map_html(*two_places()), encoding="utf-8")
    return path


def requests_to(page: Any, host: str) -> list[str]:
    """URLs of every request the page makes to `host` from now on (blocked or not)."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url) if host in request.url else None)
    return seen


def no_overlap(boxes: list[list]) -> None:
    """Labels shown do not cover one another (the layer drops those that would)."""
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[1] < b[3] - 1 and b[1] < a[3] - 1 and a[2] < b[4] - 1 and b[2] < a[4] - 1), (a[0], b[0])


def zoom_to(page: Any, lat: float, lon: float, zoom: int) -> None:
    page.evaluate(f"([lat, lon, zoom]) => ({FIND_MAP})().setView([lat, lon], zoom, {{animate: false}}) && null",
                  [lat, lon, zoom])
    page.wait_for_timeout(300)


def zoom_until_shown(page: Any, lat: float, lon: float, zoom: int, label: Any) -> None:
    """Set the view until `label` is drawn: a view set while a fresh page still fits its bounds can be undone."""
    for _ in range(5):
        zoom_to(page, lat, lon, zoom)
        page.wait_for_timeout(500)
        if label.count():
            break
    expect(label).to_be_visible()


def test_offline_map_names_places_and_asks_no_tiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, home: Path, offline_page: Any, blocked_urls: list[str],
    console_errors: list[str], artifacts_dir: Path,
) -> None:
    page = offline_page
    tiles = requests_to(page, TILE_HOST)
    page.goto(exported_map(tmp_path, monkeypatch, home, offline=True).as_uri())

    countries = page.locator(".gd-label-country")
    for name in ("China", "India", "Australia"):
        expect(countries.filter(has_text=name)).to_be_visible()
    expect(page.locator(".gd-offline-notice")).to_have_text(basemap.OFFLINE_NOTICE)
    expect(page.locator(".gd-label-capital")).to_have_count(0)  # towns only as one zooms in
    # (a retrying check: the label layer is redrawn when the map settles, detaching the labels read before)
    expect(countries.filter(has_text="China")).to_have_css("text-transform", "uppercase")
    no_overlap(page.evaluate(LABEL_BOXES, ".gd-label"))
    page.screenshot(path=artifacts_dir / "offline_labels_world.png")

    zoom_until_shown(page, 48.0, 4.0, 6, page.locator(".gd-label-capital", has_text="Paris"))
    expect(page.locator(".gd-label-city", has_text="Lyon")).to_be_visible()
    shown = page.evaluate(LABEL_BOXES, ".gd-label")
    no_overlap(shown)
    assert 10 <= len(shown) <= 200, len(shown)  # named, not cluttered
    page.screenshot(path=artifacts_dir / "offline_labels_zoom6.png")
    assert tiles == [] and blocked_urls == []
    assert console_errors == []


def test_failed_tile_probe_is_remembered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, home: Path, offline_page: Any, blocked_urls: list[str],
    console_errors: list[str],
) -> None:
    """With tiles allowed, one probe fails offline: names are drawn, and the next loads ask for no tile."""
    page = offline_page
    tiles = requests_to(page, TILE_HOST)
    page.goto(exported_map(tmp_path, monkeypatch, home, offline=False).as_uri())
    expect(page.locator(".gd-offline-notice")).to_have_text(basemap.OFFLINE_NOTICE)
    expect(page.locator(".gd-label-country", has_text="China")).to_be_visible()
    assert len(tiles) == 1 and tiles == blocked_urls  # the probe alone, not a screenful of tiles

    for _ in range(2):
        page.reload()
        expect(page.locator(".gd-offline-notice")).to_be_visible()
        zoom_until_shown(page, 48.0, 4.0, 6, page.locator(".gd-label-capital", has_text="Paris"))
    assert len(tiles) == 1  # remembered: not even a probe
    assert [e for e in console_errors if TILE_HOST not in e] == []


NAMED_APP = """
import pandas as pd
from streamlit_folium import st_folium

from geodata import assets, maps

places, mentions = pd.DataFrame({places!r}), pd.DataFrame({mentions!r})
m = maps.build_map(places, mentions, assets.basemap())  # GEODATA_HOME's gazetteer; tiles allowed
assets.localize(m)
st_folium(m, height=500, returned_objects=[])
"""


def test_dashboard_map_remembers_unreachable_tiles(
    tmp_path: Path, home: Path, streamlit_server: Any, offline_page: Any, blocked_urls: list[str],
    artifacts_dir: Path,
) -> None:
    """In st_folium's frame too: names drawn, one probe, and after a reload not a single tile request."""
    places, mentions = two_places()
    app = tmp_path / "app.py"
    app.write_text(NAMED_APP.format(places=places.to_dict("list"), mentions=mentions.to_dict("list")))
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "config.toml").write_text(
        "[server]\nenableStaticServing = true\n[browser]\ngatherUsageStats = false\n")
    assets.install_static(tmp_path / "static")
    url = streamlit_server(app, env={"PYTHONPATH": str(REPO_ROOT), "GEODATA_HOME": str(home), "GEODATA_OFFLINE": "0"})
    page = offline_page
    tiles = requests_to(page, TILE_HOST)
    for load in range(2):
        page.goto(url) if load == 0 else page.reload()
        frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
        expect(frame.locator(".gd-label-country", has_text="China")).to_be_visible(timeout=30_000)
        expect(frame.locator(".gd-offline-notice")).to_have_text(basemap.OFFLINE_NOTICE)
        assert len(tiles) == 1  # the first load's probe, then nothing
    page.screenshot(path=artifacts_dir / "offline_labels_streamlit.png")
    assert all(TILE_HOST in u for u in blocked_urls)
