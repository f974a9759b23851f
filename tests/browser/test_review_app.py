"""The Review tab in a real browser, offline: one click marks a doubtful name "not a place", its marker
leaves the map, and Undo brings it back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dashboard.review import item_key
from geodata.gazetteer.describe import describe
from geodata.records import Document
from geodata.store import Filters, Store
from tests.browser.conftest import dashboard_over, home_with
from tests.browser.test_dashboard import TIMEOUT_MS, no_script_ran, wait_markers
from tests.test_review import HARVEY, REVIEW_BELOW, STORM_TITLE, STORMS

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixtures then skip, or fail when CI=true
    expect = None


@pytest.fixture(scope="module")
def review_home(tmp_path_factory: pytest.TempPathFactory, home: Path, gazetteer, pipeline) -> Path:
    """GEODATA_HOME for the server: the session's gazetteer and the storms article."""
    path, report = home_with(tmp_path_factory, "review-home", home, pipeline,
                             [Document(id="storms", title=STORM_TITLE, text=STORMS)])
    assert report.added == 1
    return path


@pytest.fixture(scope="module")
def dashboard(review_home: Path, chromium_browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with dashboard_over(review_home, tmp_path_factory) as url:
        yield url


def test_not_a_place_in_one_click_leaves_the_map_and_undo_brings_it_back(
        dashboard: str, review_home: Path, gazetteer, offline_page: Any, blocked_urls: list[str],
        dialogs: list[str], artifacts_dir: Path) -> None:
    store = Store(review_home / "store.sqlite")
    everything = set(store.place_summary().place_id)
    harvey = next(r for r in store.doubtful_names(Filters(), REVIEW_BELOW).itertuples() if r.name == HARVEY)
    assert harvey.place_id in everything
    heading = f"“{HARVEY}” → {describe(gazetteer, store.place(harvey.place_id))}"  # "Harvey, Louisiana, United States"
    page = offline_page
    page.goto(f"{dashboard}/?tab=Review&below={REVIEW_BELOW}")
    # The whole page first (a busy machine takes a while), then the map's markers.
    expect(page.get_by_text("doubtful name(s) (confidence below")).to_be_visible(timeout=4 * TIMEOUT_MS)
    wait_markers(page, everything)
    expect(page.get_by_text(heading)).to_be_visible(timeout=TIMEOUT_MS)
    not_a_place = page.locator(f".st-key-rv-none-{item_key(harvey)} button:visible")  # one button: not its twin
    not_a_place.scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "review_tab.png")

    not_a_place.click()
    expect(page.locator(".gd-success")).to_have_text(f"Applied: “{HARVEY}” in “{STORM_TITLE}”: not a place",
                                                     timeout=TIMEOUT_MS)
    wait_markers(page, everything - {harvey.place_id})
    expect(page.get_by_text(heading)).to_have_count(0)
    assert store.corrections().place_id.isna().all() and len(store.corrections()) == 1
    page.locator(".gd-success").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "review_tab_after.png")

    page.locator(".st-key-review_undo button:visible").click()
    wait_markers(page, everything)
    expect(page.get_by_text(heading)).to_be_visible(timeout=TIMEOUT_MS)
    assert store.corrections().empty
    assert blocked_urls == []  # offline: not even a tile is asked for
    no_script_ran(page, dialogs)
