"""The dashboard's rough edges (issue 15) in Chromium, offline: every way of selecting a place moves the
map to it, Enter in a filter box picks one match, one click clears the filters after a keyboard pick,
and an article's title is geoparsed, linked and shown once.

The server, its store (the seed and a hostile article) and the helpers are `test_dashboard`'s."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from geodata.store import Filters, Store
from tests.browser.conftest import settled
from tests.browser.test_dashboard import (FIND_MAP, MAP_IFRAME, MARKERS, TIMEOUT_MS, dashboard,  # noqa: F401
                                          dashboard_home, expect, map_frame, settle, shot, store)

DAMASCUS = "gn:170654"
SYRIA = "gn:163843"
LOAD_TIMEOUT_MS = 180_000
SEED_TITLE = 'Jihadists block roads out of the last IS "caliphate" pocket in Baghouz, Syria'


def wait_view(page: Any, lat: float, lon: float, zoom: int) -> dict:
    """Wait until the map is centred on (lat, lon) at `zoom`; the map's state."""
    state: dict = {}
    for _ in range(TIMEOUT_MS // 250):
        state = map_frame(page).evaluate(MARKERS) or {}
        if (state.get("zoom") == zoom and abs(state["center"][0] - lat) < 0.01
                and abs(state["center"][1] - lon) < 0.01):
            return state
        page.wait_for_timeout(250)
    raise AssertionError(f"the map shows {state.get('center')} at zoom {state.get('zoom')}, not ({lat}, {lon}) "
                         f"at {zoom}")


def open_page(page: Any, url: str) -> None:
    """Go to `url` and wait for the map (the server's first page builds its caches: slow on a busy machine)."""
    page.goto(url)
    expect(page.locator(MAP_IFRAME).first).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    map_frame(page)


def doc_id(store: Store, name: str) -> int:
    return int(store.articles().set_index("doc_id").id[name])


def click_box(page: Any, locator: Any) -> None:
    """Click the middle of an element with the mouse, as a user does. (Playwright's own click waits for the
    element to be accessible, which it is not while a filter box's list is open: the list hides the rest of
    the page from assistive technology, not from the mouse.)"""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_a_town_picked_in_the_article_view_is_zoomed_to(dashboard: str, offline_page: Any, store: Store,
                                                       shot) -> None:
    page = offline_page
    damascus = store.place(DAMASCUS)
    open_page(page, f"{dashboard}/?tab=Article&doc={doc_id(store, 'xss-article')}")
    assert map_frame(page).evaluate(MARKERS)["zoom"] < 7  # the world
    page.locator(".gd-article a", has_text="Damascus").first.click()
    expect(page.locator(".gd-panel-head")).to_have_text("Damascus", timeout=TIMEOUT_MS)
    wait_view(page, damascus.lat, damascus.lon, 7)
    settle(page, map_frame(page))
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    shot("rough_article_link_zooms")


def test_selecting_a_place_again_after_moving_away_goes_back_to_it(dashboard: str, offline_page: Any,
                                                                    store: Store, shot) -> None:
    """st_folium moves the map only to a centre or zoom it was not given last time: selecting the same place
    (or another town) after zooming out used to leave the map where the user had taken it."""
    page = offline_page
    damascus = store.place(DAMASCUS)
    open_page(page, f"{dashboard}/?selected={quote(DAMASCUS)}")
    wait_view(page, damascus.lat, damascus.lon, 7)  # a link with a selection alone opens the map on it
    open_page(page, f"{dashboard}/?place={quote(DAMASCUS)}&selected={quote(DAMASCUS)}")
    wait_view(page, damascus.lat, damascus.lon, 7)
    map_frame(page).evaluate(f"() => {{ ({FIND_MAP})().setView([20, 0], 2, {{animate: false}}); }}")
    assert map_frame(page).evaluate(MARKERS)["zoom"] == 2
    grid = page.locator("[data-testid=stDataFrame]")
    expect(grid).to_be_visible(timeout=TIMEOUT_MS)
    grid.scroll_into_view_if_needed()
    box = grid.locator("canvas").first.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the only row's selection box (rows 35 px high)
    wait_view(page, damascus.lat, damascus.lon, 7)
    settle(page, map_frame(page))
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    shot("rough_reselect_zooms")


def test_enter_in_the_articles_box_picks_one_article(dashboard: str, offline_page: Any, shot) -> None:
    page = offline_page
    open_page(page, dashboard)
    page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").filter(has_text="Articles").click()
    page.keyboard.type("s")  # in both titles
    options = page.get_by_role("option")
    expect(options).to_have_count(2, timeout=TIMEOUT_MS)
    assert not [t for t in options.all_inner_texts() if re.match(r"Select (all|\d+ matches)", t)]
    shot("rough_articles_box")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]article=\d+"), timeout=TIMEOUT_MS)
    page.wait_for_timeout(1_000)
    assert len(re.findall(r"[?&]article=", page.url)) == 1, page.url


def test_clear_filters_takes_one_click_after_a_keyboard_pick(dashboard: str, offline_page: Any, store: Store,
                                                             shot) -> None:
    page = offline_page
    open_page(page, dashboard)
    places = page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").filter(has_text="Places")
    places.click()
    page.keyboard.type("Damas")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]place=" + re.escape(quote(DAMASCUS, safe=""))), timeout=TIMEOUT_MS)
    shown = len(store.place_summary(Filters(places=(DAMASCUS,))))
    expect(page.get_by_text(f"{shown} place(s),")).to_be_visible(timeout=TIMEOUT_MS)
    shot("rough_keyboard_pick")
    settled(page)  # a click that lands in the map's own rerun is lost, by any user
    click_box(page, page.locator("[data-testid=stSidebar] button", has_text="Clear filters"))
    expect(page.get_by_text(f"{len(store.place_summary())} place(s),")).to_be_visible(timeout=TIMEOUT_MS)
    assert "place=" not in page.url
    expect(places).not_to_contain_text("Damascus")
    expect(page.locator("[data-testid=stSidebar] button", has_text="Clear filters")).to_be_disabled(
        timeout=TIMEOUT_MS)


def test_the_title_is_geoparsed_linked_and_shown_once(dashboard: str, offline_page: Any, store: Store,
                                                      shot) -> None:
    page = offline_page
    seed = doc_id(store, "afp-2019-02-17-baghouz")
    open_page(page, f"{dashboard}/?tab=Article&doc={seed}&selected={quote(SYRIA)}")
    head = page.locator(".gd-art-head", has_text="Jihadists block roads")
    expect(head).to_have_count(1, timeout=TIMEOUT_MS)
    expect(head.locator("mark")).to_have_text("Syria")
    expect(head).to_contain_text("named in the title")
    expect(page.locator(".gd-sentence", has_text="pocket in Baghouz")).to_have_count(0)  # not twice
    title = page.locator(".gd-article p strong")
    expect(title).to_have_text(SEED_TITLE)
    expect(title.locator("a", has_text="Syria")).to_have_attribute("href", re.compile(r"selected=gn%3A163843"))
    shot("rough_title_in_panel_and_article")
