"""A feed URL pasted into "Add articles", in a real browser: `streamlit run dashboard/app.py` (from the
repository root) with fetching on and only 127.0.0.1 allowed, a real HTTP server on 127.0.0.1 serving the
feed and its articles (tests/fake_web.py), Debian's Chromium driven by Playwright, no internet.

The page shows the fetching (each address and feed item as it is fetched, the address as plain text) and
the geoparsing while they run, lists each failed address with its reason, and the feed's articles appear
on the map: more places, and a place of theirs that can be clicked.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geodata.documents import load_paths
from geodata.store import Store
from tests.browser.conftest import dashboard_over, home_with
from tests.browser.test_dashboard import MAP_IFRAME, ROOT, TIMEOUT_MS, map_frame, reveal, settle, wait_markers
from tests.fake_nominatim import closed_port
from tests.fake_web import FakeWeb, Route, article_page, rss_feed

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixtures then skip, or fail when CI=true
    expect = None

ARTICLES = {
    "/news/oslo": ("Talks resume in Oslo", ["Negotiators met in Oslo on Tuesday to discuss a ceasefire.",
                                            "Delegations from Bergen and Trondheim joined them later."]),
    "/news/lima": ("Strike in Lima", ["Bus drivers in Lima stopped work on Monday.",
                                      "Commuters from Callao walked to the centre of the capital."]),
    "/news/kano": ("Market fire in Kano", ["A fire destroyed stalls at a market in Kano, northern Nigeria.",
                                           "Traders in Kaduna sent trucks with supplies."]),
}
SLOW_MS = 400_000  # what the app does once per process (imports, the model) on a busy 2-core machine
ADDRESSES = "...or web addresses of articles or RSS/Atom feeds, one per line"
GONE = "/gone?q=*not-italic*"  # a dead address whose text markdown would change
# Every text the spinners, progress bars and notes show, as the page changes (some last less than a poll).
WATCH_PROGRESS = """() => {
    window.__seen = [];
    const look = () => document.querySelectorAll(
            '[data-testid="stSpinner"], [data-testid="stProgress"], .gd-notice.gd-note')
        .forEach(e => { const t = e.innerText.trim(); if (t && !window.__seen.includes(t)) window.__seen.push(t); });
    new MutationObserver(look).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


@pytest.fixture(scope="module")
def feed_home(tmp_path_factory: pytest.TempPathFactory, home: Path, gazetteer, pipeline) -> Path:
    """GEODATA_HOME for the server: the session's gazetteer and a store holding the seed article."""
    path, report = home_with(tmp_path_factory, "feed-home", home, pipeline, load_paths([ROOT / "seeds"]).documents)
    assert report.added == 1
    return path


@pytest.fixture
def web() -> Iterator[FakeWeb]:
    """Three articles, and a feed listing them, a dead link and a PDF."""
    with FakeWeb() as server:
        server.routes.update({path: Route(article_page(title, paras, canonical=server.url + path))
                              for path, (title, paras) in ARTICLES.items()})
        server.routes["/report.pdf"] = Route(b"%PDF-1.7\n" + b"\0" * 500, content_type="application/pdf")
        links = ["/news/oslo?utm_source=rss", "/news/lima", "/missing", "/report.pdf", "/news/kano"]
        server.routes["/feed.xml"] = Route(rss_feed("Courier: World", links, base=server.url),
                                           content_type="application/rss+xml; charset=utf-8")
        yield server


@pytest.fixture
def app_url(feed_home: Path, chromium_browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard with fetching on: only 127.0.0.1 allowed, half a second between two requests (the
    fetching lasts long enough to be seen), the geocoder at a closed port (offline at once)."""
    env = {"GEODATA_OFFLINE": "0", "GEODATA_ALLOW_HOSTS": "127.0.0.1", "GEODATA_FETCH_DELAY": "0.5",
           "GEODATA_FETCH_TIMEOUT": "5", "GEODATA_GEOCODER_URL": f"http://127.0.0.1:{closed_port()}"}
    with dashboard_over(feed_home, tmp_path_factory, env) as url:
        yield url


def test_a_pasted_feed_puts_its_articles_on_the_map(app_url: str, web: FakeWeb, feed_home: Path, offline_page: Any,
                                                    artifacts_dir: Path, dialogs: list[str]) -> None:
    page = offline_page
    store = Store(feed_home / "store.sqlite", readonly=True)
    before = set(store.place_summary().place_id)
    page.goto(app_url)
    expect(page.get_by_text("of 1 article(s) stored.")).to_be_visible(timeout=SLOW_MS)  # the first run of the app
    expect(page.get_by_text(f"{len(before)} place(s),")).to_be_visible()
    wait_markers(page, before)

    page.get_by_role("tab", name="Add articles").click()
    # the tab runs only when open: its first run imports the fetching libraries, slow on a fresh machine
    expect(page.get_by_label(ADDRESSES)).to_be_visible(timeout=SLOW_MS)
    page.get_by_label(ADDRESSES).fill(f"{web.url}/feed.xml\n{web.url}{GONE}")
    page.evaluate(WATCH_PROGRESS)
    page.get_by_role("button", name="Geoparse and add").click()

    # failures listed with their reason, the good articles stored
    errors = page.locator(".gd-notice.gd-error")
    expect(page.locator(".gd-notice.gd-success")).to_have_text(  # the app loads the model: minutes on a busy machine
        "Added 3 article(s); 0 already stored; 3 problem(s) in the input.", timeout=SLOW_MS)
    expect(errors.filter(has_text=f"{web.url}{GONE}: HTTP 404 Not Found")).to_have_count(1)
    expect(errors.filter(has_text=f"{web.url}/missing: HTTP 404 Not Found (item of {web.url}/feed.xml)")
           ).to_have_count(1)
    expect(errors.filter(has_text=f"{web.url}/report.pdf: content type application/pdf is not a web page")
           ).to_have_count(1)
    expect(errors).to_have_count(3)
    page.get_by_role("tabpanel", name="Add articles").screenshot(path=artifacts_dir / "dashboard_feed_problems.png")
    seen = page.evaluate("() => window.__seen")
    # each address and feed item as it is fetched: the feed's 5 new items join the 2 addresses given
    fetching = [text for text in seen if text.startswith("Fetching ")]
    assert fetching == [f"Fetching 1 of 2: {web.url}/feed.xml", f"Fetching 2 of 7: {web.url}/news/oslo",
                        f"Fetching 3 of 7: {web.url}/news/lima", f"Fetching 4 of 7: {web.url}/missing",
                        f"Fetching 5 of 7: {web.url}/report.pdf", f"Fetching 6 of 7: {web.url}/news/kano",
                        f"Fetching 7 of 7: {web.url}{GONE}"], seen
    assert any(text.startswith("Geoparsing: ") and text.endswith("/3 geoparsed") for text in seen), seen

    # on the map: the places of the feed's articles, and one of them clickable
    summary = store.place_summary()
    after = set(summary.place_id)
    oslo = summary.loc[summary.name == "Oslo", "place_id"].item()
    assert before < after and oslo in after - before
    assert {web.url + path for path in ARTICLES} <= set(store.articles().url)
    wait_markers(page, after)
    expect(page.get_by_text(f"{len(after)} place(s),")).to_be_visible()
    expect(page.get_by_text("of 4 article(s) stored.")).to_be_visible()
    frame = map_frame(page)
    x, y = reveal(page, frame, oslo, "Oslo")
    frame.locator(".leaflet-container").click(position={"x": x, "y": y})
    sentence = page.locator(".gd-sentence", has_text="Negotiators met in Oslo")
    expect(sentence).to_be_visible(timeout=TIMEOUT_MS)
    expect(sentence.locator("mark")).to_have_text("Oslo")
    expect(page.locator(".gd-panel-head")).to_have_text("Oslo")
    settle(page, frame)
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "dashboard_feed_added.png")
    assert dialogs == []
    store.close()
