"""The timeline under the map in a real browser, with no internet: Vega-Lite comes from Streamlit's own
bundle, the bars match the store's counts, and a range dragged across the chart with the mouse sets the
date filter (the sidebar's from/to, the URL); "Clear dates" undoes it."""

from __future__ import annotations

import re
from datetime import date
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from geodata.documents import load_paths
from geodata.records import Document
from geodata.store import Filters, Store
from geodata.timeline import timeline
from tests.browser.conftest import ROOT, dashboard_over, home_with, settled
from tests.test_timeline import ARTICLES

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixtures then skip, or fail when CI=true
    expect = None

CHART = '[data-testid="stVegaLiteChart"]'
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def timeline_home(tmp_path_factory: pytest.TempPathFactory, home: Path, gazetteer, pipeline) -> Path:
    """The seed (2019-02-17) and five articles from 2019-02-18 to 2019-07-01, one undated, one with no day."""
    docs = [*load_paths([ROOT / "seeds"]).documents,
            *(Document(id=doc_id, text=text, published=published) for doc_id, published, text in ARTICLES)]
    path, report = home_with(tmp_path_factory, "timeline-home", home, pipeline, docs)
    assert report.added == 6
    return path


@pytest.fixture(scope="module")
def dashboard(timeline_home: Path, chromium_browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with dashboard_over(timeline_home, tmp_path_factory) as url:
        yield url


def url_dates(page: Any) -> tuple[str | None, str | None]:
    query = parse_qs(urlsplit(page.url).query)
    return (query.get("from") or [None])[0], (query.get("to") or [None])[0]


def drag_across(page: Any, chart: Any, share: float) -> None:
    """Press the mouse near the plot's left edge and release it at `share` of its width."""
    plot = chart.locator("path.background").first.bounding_box()
    y = plot["y"] + plot["height"] / 2
    page.mouse.move(plot["x"] + 3, y)
    page.mouse.down()
    page.mouse.move(plot["x"] + plot["width"] * share / 2, y, steps=5)
    page.mouse.move(plot["x"] + plot["width"] * share, y, steps=5)
    page.mouse.up()


def caption_for(store: Store, filters: Filters) -> str:
    tl = timeline(store.mentions_per_day(filters))
    return f"{tl.heading}: {tl.dated} dated. {tl.undated} mention(s) with no publication day"


def test_dragging_across_the_timeline_sets_the_dates(dashboard: str, timeline_home: Path, offline_page: Any,
                                                   blocked_urls: list[str], console_errors: list[str],
                                                   artifacts_dir: Path) -> None:
    page = offline_page
    store = Store(timeline_home / "store.sqlite")
    weekly = timeline(store.mentions_per_day())
    assert weekly.unit == "week" and len(weekly.buckets) == 3
    page.goto(dashboard)
    chart = page.locator(CHART)
    expect(chart).to_be_visible(timeout=TIMEOUT_MS)
    bars = chart.locator("g.mark-rect.marks path")
    expect(bars).to_have_count(len(weekly.buckets), timeout=TIMEOUT_MS)
    expect(page.get_by_text(caption_for(store, Filters()))).to_be_visible()
    # Bar heights follow the counts: the seed's week is the tallest.
    heights = [box["height"] for box in (bars.nth(i).bounding_box() for i in range(len(weekly.buckets)))]
    tallest = max(range(len(weekly.buckets)), key=lambda i: weekly.buckets[i].mentions)
    assert heights.index(max(heights)) == tallest
    settled(page, TIMEOUT_MS)
    page.get_by_text("Drag across the chart").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "timeline_weekly.png")

    # Drag across the first tenth of the plot (the axis runs from the first week's Monday to the last's Sunday).
    # A drag that a rerun interrupted (the chart redrawn under the mouse) is made again.
    for attempt in range(3):
        settled(page, TIMEOUT_MS)
        drag_across(page, chart, 0.1)
        try:
            expect(page).to_have_url(re.compile(r"[?&]to=\d{4}-\d{2}-\d{2}"), timeout=20_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    date_from, date_to = url_dates(page)
    assert date_from == "2019-02-11"  # the Monday of the seed's week
    assert date.fromisoformat(date_to).weekday() == 6 and "2019-02-17" <= date_to < "2019-07-01"  # a Sunday
    expect(page.get_by_label("Published from (YYYY-MM-DD)")).to_have_value(date_from)
    expect(page.get_by_label("Published to (YYYY-MM-DD)")).to_have_value(date_to)
    # The page follows the new dates: a daily timeline of the chosen weeks, the map's figures.
    chosen = Filters(date_from=date_from, date_to=date_to)
    expect(page.get_by_text(caption_for(store, chosen))).to_be_visible(timeout=TIMEOUT_MS)
    daily = timeline(store.mentions_per_day(chosen))
    assert daily.unit == "day" and daily.dated < weekly.dated
    expect(chart.locator("g.mark-rect.marks path")).to_have_count(len(daily.buckets))
    n_mentions, n_articles = store.totals(chosen)
    expect(page.get_by_text(f"{n_mentions} mention(s) in {n_articles} article(s) shown")).to_be_visible()
    settled(page, TIMEOUT_MS)
    page.get_by_text("Drag across the chart").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "timeline_selected.png")

    page.get_by_role("button", name="Clear dates").click()
    expect(page).not_to_have_url(re.compile(r"[?&](from|to)="), timeout=TIMEOUT_MS)
    expect(page.get_by_text(caption_for(store, Filters()))).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_label("Published from (YYYY-MM-DD)")).to_have_value("")

    # Nothing left the machine (offline: not even a tile); the chart raised no error.
    assert blocked_urls == []
    assert [e for e in console_errors if not (e.startswith("Failed to load resource") and "127.0.0.1" not in e)] == []
