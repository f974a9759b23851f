"""The dashboard in a real browser, with no internet: `streamlit run dashboard/app.py` from the
repository root (so `.streamlit/config.toml` applies) on a store holding the seed article and a
hostile article, driven by Playwright through Debian's Chromium.

Markers are drawn on a canvas, so the tests read Leaflet's own state in the map's frame (which
markers exist, which are clustered, where they are) and click at the pixel where a marker is.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from geodata import basemap
from geodata.documents import load_paths
from geodata.records import Document
from geodata.store import Filters, Store
from tests.browser.conftest import ROOT, dashboard_over, download, home_with, open_options

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect
except ImportError:  # the browser fixtures then skip, or fail when CI=true
    expect = None
    PlaywrightError = Exception

BAGHOUZ = "cache:al-baghuz-fawqani"
SCRIPT = "<script>window.__xss=1;alert(1)</script>"
IMG = '<img src=x onerror="window.__xss=2;alert(2)">'
TITLE = 'Breaking <img src=x onerror="window.__xss=3;alert(3)"> news'
XSS = Document(
    id="xss-article", title=TITLE, published="2019-03-01", source="Test <b>wire</b>",
    text=f"Protesters in Damascus wrote {SCRIPT} on a wall.\nA banner in Damascus read {IMG} all day.\n",
)
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT_MS = 30_000

# Leaflet state in a map's frame. The dashboard's frame calls its map `map` (streamlit-folium);
# an exported file calls it `map_<id>`.
FIND_MAP = """() => {
    const L = window.L;
    if (!L) return null;
    return window.map instanceof L.Map ? window.map
        : Object.keys(window).filter(k => k.startsWith('map_')).map(k => window[k]).find(v => v instanceof L.Map);
}"""
MARKERS = f"""() => {{
    const map = ({FIND_MAP})();
    if (!map) return null;
    const group = Object.values(map._layers).find(l => typeof l.getVisibleParent === 'function');
    if (!group) return null;
    const shown = group._featureGroup.getLayers();
    const clusters = shown.filter(l => l instanceof L.MarkerCluster);
    return {{
        all: group.getLayers().map(m => m.options.placeId),
        single: shown.filter(l => !(l instanceof L.MarkerCluster)).map(m => m.options.placeId),
        clusters: clusters.map(c => c.getAllChildMarkers().map(m => m.options.placeId)),
        clusterIcons: document.querySelectorAll('.marker-cluster').length,
        zoom: map.getZoom(),
        center: [map.getCenter().lat, map.getCenter().lng],
    }};
}}"""
# Where a place's marker is: drawn (with its pixel in the map) or inside a cluster, whose icon gets
# a data-gd-target attribute for the test to click.
LOCATE = f"""(placeId) => {{
    const map = ({FIND_MAP})();
    const group = Object.values(map._layers).find(l => typeof l.getVisibleParent === 'function');
    const marker = group.getLayers().find(m => m.options.placeId === placeId);
    if (!marker) return {{state: 'missing'}};
    document.querySelectorAll('[data-gd-target]').forEach(e => e.removeAttribute('data-gd-target'));
    if (map.hasLayer(marker)) {{
        const size = map.getSize();
        let point = map.latLngToContainerPoint(marker.getLatLng());
        if (point.x < 40 || point.y < 40 || point.x > size.x - 40 || point.y > size.y - 40) {{
            map.panTo(marker.getLatLng(), {{animate: false}});
            point = map.latLngToContainerPoint(marker.getLatLng());
        }}
        return {{state: 'shown', x: point.x, y: point.y, radius: marker.getRadius()}};
    }}
    const cluster = group._featureGroup.getLayers().find(
        c => c instanceof L.MarkerCluster && c.getAllChildMarkers().includes(marker));
    if (!cluster || !cluster._icon) return {{state: 'hidden'}};
    cluster._icon.setAttribute('data-gd-target', '1');
    return {{state: 'clustered', count: cluster.getChildCount()}};
}}"""
# The colour drawn on the map's canvas at a point (markers are canvas paths, not DOM nodes).
PIXEL = f"""([x, y]) => {{
    const map = ({FIND_MAP})();
    const canvas = map.getContainer().querySelector('canvas.leaflet-zoom-animated');
    const box = canvas.getBoundingClientRect(), scale = canvas.width / box.width;
    const mapBox = map.getContainer().getBoundingClientRect();
    const px = (x + mapBox.left - box.left) * scale, py = (y + mapBox.top - box.top) * scale;
    return Array.from(canvas.getContext('2d').getImageData(px, py, 1, 1).data);
}}"""
IDLE = f"() => {{ const m = ({FIND_MAP})(); return !m._animatingZoom && !m._panAnim?._inProgress; }}"
RING = """() => (window.feature_group || []).flatMap(g => g.getLayers())
    .filter(l => l.options.className === 'gd-selected').map(l => [l.getLatLng().lat, l.getLatLng().lng])"""


# -- fixtures ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dashboard_home(tmp_path_factory: pytest.TempPathFactory, home: Path, gazetteer, pipeline) -> Path:
    """GEODATA_HOME for the server: the session's gazetteer, the seed and the hostile article."""
    path, report = home_with(tmp_path_factory, "dashboard-home", home, pipeline,
                             [*load_paths([ROOT / "seeds"]).documents, XSS])
    assert report.added == 2
    return path


@pytest.fixture(scope="module")
def store(dashboard_home: Path) -> Store:
    return Store(dashboard_home / "store.sqlite")


@pytest.fixture(scope="module")
def dashboard(dashboard_home: Path, chromium_browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The dashboard's URL; one server for the module."""
    with dashboard_over(dashboard_home, tmp_path_factory) as url:
        yield url


@pytest.fixture
def shot(artifacts_dir: Path, offline_page: Any):
    def take(name: str, page: Any = None) -> None:
        (page or offline_page).screenshot(path=artifacts_dir / f"dashboard_{name}.png")
    return take


# -- helpers -----------------------------------------------------------------------------------

def map_frame(page: Any) -> Any:
    """The st_folium frame, once its map and markers exist. A rerun that changes the map replaces
    the iframe: while the old one lingers there are two, so wait for one."""
    iframes = page.locator(MAP_IFRAME)
    expect(iframes.first).to_be_visible(timeout=TIMEOUT_MS)
    for _ in range(TIMEOUT_MS // 250):
        handles = iframes.element_handles()  # one snapshot: a new iframe may come any moment
        if len(handles) == 1:
            try:
                frame = handles[0].content_frame()
                if frame is not None and frame.evaluate(MARKERS) is not None:
                    return frame
            except PlaywrightError:  # replaced while we looked: look again
                pass
        page.wait_for_timeout(250)
    pytest.fail("the map never drew its markers")


def wait_markers(page: Any, expected_ids: set[str], frame_of=map_frame) -> dict:
    """Wait until the map holds exactly these places' markers; returns the marker state."""
    state = None
    for _ in range(TIMEOUT_MS // 250):
        try:
            state = frame_of(page).evaluate(MARKERS)
        except PlaywrightError:  # the frame was replaced by a newer map between finding and reading it
            state = None
        if state and set(state["all"]) == expected_ids and len(state["all"]) == len(expected_ids):
            return state
        page.wait_for_timeout(250)
    pytest.fail(f"markers {state and sorted(state['all'])} != {sorted(expected_ids)}")


def reveal(page: Any, frame: Any, place_id: str, name: str) -> tuple[float, float]:
    """Zoom into clusters until the place's own marker is drawn and its tooltip names it; its pixel."""
    for _ in range(12):
        where = frame.evaluate(LOCATE, place_id)
        if where["state"] == "clustered":
            try:  # a cluster click zooms to its markers
                frame.locator("[data-gd-target]").click(timeout=3_000)
            except PlaywrightError:  # the clusters were redrawn under the mouse (still zooming): again
                pass
            page.wait_for_timeout(700)
            continue
        assert where["state"] == "shown", where
        x, y = where["x"], where["y"]
        frame.locator(".leaflet-container").hover(position={"x": x, "y": y})
        tooltip = frame.locator(".leaflet-tooltip")
        try:
            expect(tooltip).to_contain_text(name, timeout=2_000)
            return x, y
        except AssertionError:  # another marker on top: get closer
            frame.evaluate(f"() => ({FIND_MAP})().zoomIn(1, {{animate: false}})")
            page.wait_for_timeout(300)
    pytest.fail(f"could not reach the marker of {place_id}")


def settle(page: Any, frame: Any) -> None:
    """Wait for the map to stop zooming (for a screenshot that shows the final view)."""
    for _ in range(40):
        if frame.evaluate(IDLE):
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(400)


def nothing_left_the_machine(blocked_urls: list[str], console_errors: list[str]) -> None:
    """Offline (GEODATA_OFFLINE=1) the page asks for nothing off this machine, not even a tile, and logs
    no error."""
    assert blocked_urls == []
    assert console_errors == []


def no_script_ran(page: Any, dialogs: list[str]) -> None:
    assert dialogs == []
    for frame in page.frames:
        assert frame.evaluate("typeof window.__xss") == "undefined", frame.url
        assert frame.locator('img[src="x"]').count() == 0, frame.url


# -- tests -------------------------------------------------------------------------------------

def test_seed_markers_are_drawn_offline(dashboard: str, offline_page: Any, store: Store, blocked_urls: list[str],
                                        console_errors: list[str], shot) -> None:
    page = offline_page
    page.goto(dashboard)
    places = store.place_summary()
    state = wait_markers(page, set(places.place_id))
    assert BAGHOUZ in state["all"]
    # Every place is drawn: on its own or counted in a cluster icon.
    assert len(state["single"]) + sum(len(c) for c in state["clusters"]) == len(places)
    assert state["clusterIcons"] == len(state["clusters"])
    frame = map_frame(page)
    expect(frame.locator(".marker-cluster").first).to_be_visible()
    # The cluster icons are styled (MarkerCluster.Default.css came from this machine) in neutral greys,
    # not the plugin's green/yellow/orange, which would read as kinds of the legend.
    expect(frame.locator(".marker-cluster-small div").first).to_have_css("border-radius", "15px")
    expect(frame.locator(".marker-cluster-small").first).to_have_css("background-color", "rgba(110, 110, 110, 0.3)")
    expect(frame.locator(".gd-legend")).to_contain_text("doubtful (confidence < 0.5)")
    expect(frame.locator(".gd-offline-notice")).to_have_text(basemap.OFFLINE_NOTICE, timeout=TIMEOUT_MS)
    expect(frame.locator(".gd-legend")).to_contain_text("populated place")
    box = page.locator(MAP_IFRAME).bounding_box()
    assert box["height"] > 400 and box["width"] > 500

    # A lone marker is painted on the canvas (not the land colour underneath).
    us = frame.evaluate(LOCATE, "gn:6252001")
    assert us["state"] == "shown"
    red, green, blue, alpha = frame.evaluate(PIXEL, [us["x"], us["y"]])
    assert alpha > 0 and (red, green, blue) != (0xF2, 0xEF, 0xE9) and blue > red  # the country purple

    expect(page.get_by_text(f"{len(places)} place(s),")).to_be_visible()
    shot("seed_map")
    nothing_left_the_machine(blocked_urls, console_errors)


def test_clicking_baghouz_shows_its_sentences(dashboard: str, offline_page: Any, blocked_urls: list[str],
                                              console_errors: list[str], dialogs: list[str], shot) -> None:
    page = offline_page
    page.goto(dashboard)
    frame = map_frame(page)
    frame.evaluate("() => { window.__probe = 42; }")
    x, y = reveal(page, frame, BAGHOUZ, "Al-Baghuz Fawqani")
    expect(frame.locator(".leaflet-tooltip")).to_contain_text("Al-Baghuz Fawqani (3 mentions)")  # title + text
    zoom = frame.evaluate(MARKERS)["zoom"]
    frame.locator(".leaflet-container").click(position={"x": x, "y": y})

    panel = page.locator(".gd-sentence", has_text="Baghouz pocket")
    expect(panel).to_be_visible(timeout=TIMEOUT_MS)
    expect(panel.locator("mark")).to_have_text("Baghouz")
    expect(page.locator(".gd-panel-head")).to_have_text("Al-Baghuz Fawqani")
    expect(page.locator(".gd-details").first).to_contain_text("3 mention(s) in 1 article(s)")
    expect(page).to_have_url(re.compile("selected=" + re.escape(quote(BAGHOUZ, safe=""))))
    # The popup opened on the map too, with the sentences and the toponym highlighted.
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Baghouz pocket")
    expect(popup.locator("mark").first).to_have_text("Baghouz")

    # Selecting did not rebuild or move the map (same frame, same zoom); a ring marks the place.
    frame = map_frame(page)
    assert frame.evaluate("() => window.__probe") == 42
    for _ in range(40):
        ring = frame.evaluate(RING)
        if ring:
            break
        page.wait_for_timeout(250)
    assert ring and abs(ring[0][0] - 34.4586) < 0.01 and abs(ring[0][1] - 40.9506) < 0.01
    assert frame.evaluate(MARKERS)["zoom"] == zoom
    expect(popup).to_be_in_viewport()
    settle(page, frame)
    shot("baghouz_selected")
    nothing_left_the_machine(blocked_urls, console_errors)
    assert dialogs == []


def test_table_row_selects_and_centres_the_map(dashboard: str, offline_page: Any, store: Store,
                                               blocked_urls: list[str], console_errors: list[str], shot) -> None:
    page = offline_page
    page.goto(dashboard)
    map_frame(page)
    names = list(store.place_summary().name)
    row = names.index("Euphrates")
    grid = page.locator("[data-testid=stDataFrame]")
    expect(grid).to_be_visible(timeout=TIMEOUT_MS)
    grid.scroll_into_view_if_needed()
    box = grid.locator("canvas").first.bounding_box()
    # The grid is drawn on a canvas: click the row's selection box (header and rows 35 px high).
    page.mouse.click(box["x"] + 18, box["y"] + 35 * (row + 1) + 17)
    expect(page.locator(".gd-panel-head")).to_have_text("Euphrates", timeout=TIMEOUT_MS)
    expect(page.locator(".gd-sentence", has_text="banks of the")).to_be_visible()
    for _ in range(40):
        frame = map_frame(page)
        state, ring = frame.evaluate(MARKERS), frame.evaluate(RING)
        if ring and state["zoom"] == 6:
            break
        page.wait_for_timeout(250)
    euphrates = store.place("cur:euphrates:STM")
    assert ring == [[euphrates.lat, euphrates.lon]]
    assert state["zoom"] == 6  # a physical feature: close, not street level
    assert abs(state["center"][0] - euphrates.lat) < 0.01 and abs(state["center"][1] - euphrates.lon) < 0.01
    settle(page, frame)
    assert frame.evaluate(LOCATE, euphrates.id)["state"] == "shown"  # out of its cluster
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    shot("table_selection")
    nothing_left_the_machine(blocked_urls, console_errors)


def test_filters_remove_markers(dashboard: str, offline_page: Any, store: Store, blocked_urls: list[str],
                                console_errors: list[str], shot) -> None:
    page = offline_page
    syria = set(store.place_summary(Filters(countries=("SY",))).place_id)
    assert BAGHOUZ in syria and len(syria) < len(store.place_summary())
    page.goto(f"{dashboard}/?country=SY")
    wait_markers(page, syria)
    expect(page.get_by_text(f"{len(syria)} place(s),")).to_be_visible()

    # In the sidebar: add a kind; the URL and the map follow.
    countries = set(store.place_summary(Filters(countries=("SY",), kinds=("country",))).place_id)
    assert countries and countries < syria
    open_options(page, page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").filter(has_text="Kinds"))
    page.get_by_role("option", name="country", exact=True).click()
    page.keyboard.press("Escape")
    wait_markers(page, countries)
    expect(page).to_have_url(re.compile(r"kind=country"))
    expect(page).to_have_url(re.compile(r"country=SY"))
    settle(page, map_frame(page))
    shot("filtered")
    nothing_left_the_machine(blocked_urls, console_errors)


def test_exported_html_works_standalone_and_runs_no_script(
        dashboard: str, offline_page: Any, store: Store, tmp_path: Path, blocked_urls: list[str],
        console_errors: list[str], dialogs: list[str], shot) -> None:
    page = offline_page
    page.goto(f"{dashboard}/?tab=Export")
    path = tmp_path / "places-map.html"
    download(page, "Download map (HTML)").save_as(path)
    assert "<script src=" not in path.read_text()

    page.goto(path.as_uri())
    damascus = store.place_summary().set_index("name").place_id["Damascus"]
    wait_markers(page, set(store.place_summary().place_id), frame_of=lambda p: p.main_frame)
    frame = page.main_frame
    x, y = reveal(page, frame, damascus, "Damascus")
    frame.locator(".leaflet-container").click(position={"x": x, "y": y})
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(SCRIPT)  # the article's text, literally
    expect(popup).to_contain_text(IMG)
    expect(popup).to_contain_text(TITLE)
    expect(page.locator(".gd-offline-notice")).to_be_visible(timeout=TIMEOUT_MS)
    settle(page, frame)
    shot("export_standalone")
    no_script_ran(page, dialogs)
    nothing_left_the_machine(blocked_urls, console_errors)


def test_hostile_article_runs_no_script_in_the_app(dashboard: str, offline_page: Any, store: Store,
                                                   blocked_urls: list[str], console_errors: list[str],
                                                   dialogs: list[str], shot) -> None:
    page = offline_page
    places = store.place_summary().set_index("name")
    damascus = places.place_id["Damascus"]
    articles = store.articles().set_index("doc_id")
    xss_id = int(articles.id["xss-article"])
    page.goto(f"{dashboard}/?selected={quote(damascus)}&tab=Article&doc={xss_id}")
    state = map_frame(page).evaluate(MARKERS)  # a link to a place opens the map on it
    assert state["zoom"] == 7 and abs(state["center"][0] - 33.51) < 0.05 and abs(state["center"][1] - 36.29) < 0.05

    # The side panel, with the article's text and title shown as text.
    sentence = page.locator(".gd-sentence", has_text="Protesters in")
    expect(sentence).to_contain_text(f"Protesters in Damascus wrote {SCRIPT} on a wall.", timeout=TIMEOUT_MS)
    expect(page.locator(".gd-sentence", has_text="A banner in")).to_contain_text(IMG)
    expect(page.locator(".gd-art-head", has_text="Breaking")).to_have_text(f"{TITLE} · 2019-03-01")
    # The article view: text, title and source literally; the toponyms are links keeping the view.
    article = page.locator(".gd-article")
    expect(article).to_contain_text(f"Protesters in Damascus wrote {SCRIPT} on a wall.")
    expect(article).to_contain_text(f"A banner in Damascus read {IMG} all day.")
    expect(page.get_by_text("Test <b>wire</b> · 2019-03-01")).to_be_visible()
    expect(page.get_by_text(TITLE).first).to_be_visible()
    link = article.locator("a").first
    expect(link).to_have_attribute("href", re.compile(
        rf"^\?(?=.*selected={quote(damascus, safe='')})(?=.*doc={xss_id}\b)(?=.*tab=Article)"))
    article.scroll_into_view_if_needed()
    shot("xss_article")

    # The map's popup for Damascus, clicked while the page is scrolled down to the article: the map,
    # partly out of view, must not scroll the page under the mouse (which turned clicks into drags).
    frame = map_frame(page)
    x, y = reveal(page, frame, damascus, "Damascus")
    frame.locator(".leaflet-container").click(position={"x": x, "y": y})
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(SCRIPT)
    expect(popup).to_contain_text(IMG)
    expect(popup).to_contain_text(TITLE)
    page.wait_for_timeout(1_000)  # the click reruns the app: give a script every chance to run
    settle(page, frame)
    shot("xss_popup")

    # Following a toponym link keeps the view (filters, article, tab) and selects the place.
    page.goto(f"{dashboard}/?kind=populated+place&tab=Article&doc={xss_id}")
    page.locator(".gd-article a").first.click()
    expect(page).to_have_url(re.compile(r"kind=populated\+place.*selected=gn%3A170654"), timeout=TIMEOUT_MS)
    expect(page.locator(".gd-panel-head")).to_have_text("Damascus", timeout=TIMEOUT_MS)
    expect(page.locator(".gd-article")).to_contain_text("Protesters in Damascus")
    no_script_ran(page, dialogs)
    nothing_left_the_machine(blocked_urls, console_errors)
