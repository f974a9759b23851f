"""The Folium map draws with no internet: in Streamlit, and as a saved HTML file."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import folium
from folium.plugins import FastMarkerCluster

from geodata import assets

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
