"""Hostile text in a real browser: the dashboard started by `python -m geodata dashboard` (from a folder
that is not the repository) on a store whose titles, sources and sentences hold template, HTML,
markdown and bidi payloads. Every payload must show character for character; none may run (as Jinja on
the server, as script in the page), fetch anything, or crash the page. Then deleting an article from
the Article tab, and the warnings of a server started without the dashboard's options.

Helpers (reading Leaflet state in the map's frame, clicking markers) come from test_dashboard.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from devtools.servers import free_port, stop_server, streamlit_healthy
from geodata.records import Document
from geodata.store import Filters, Store
from tests.browser.conftest import DASHBOARD as APP, download, home_with, open_options, settled
from tests.browser.test_dashboard import (
    FIND_MAP, MAP_IFRAME, TIMEOUT_MS, map_frame, no_script_ran, nothing_left_the_machine, reveal, settle,
    wait_markers,
)

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixtures then skip, or fail when CI=true
    expect = None

IMAGE_MD = "![i](http://evil.example/i.png)"  # spaCy ends a sentence at its "!": whole in titles only
SENTINEL = "{{ cycler.__init__.__globals__.os.system('touch %s') }}"
# The payloads of each place's article (the Idlib one, whose title holds a lone `{%`, gets deleted).
GROUPS = {
    "Damascus": ["{{ 7*7 }}", "{% if 1 %}IFRAN{% endif %}", "{# hidden #}", SENTINEL, "$x^2$"],
    "Aleppo": ["<script>window.__xss=1</script>", "<img src=x onerror=window.__xss=2>",
               "[click](http://evil.example/)", IMAGE_MD, ":material/warning: :red[red]"],
    "Idlib": ["{%", "evil\u202etxt.exe", "zero\u200bwidth"],
}
SENTENCE = "Fighters in {place} wrote {payload} on a wall on Monday."
PLAIN = Document(id="plain", title="Calm in Homs", published="2020-01-05", source="Plain wire",
                 text="Calm returned to Homs on Tuesday.\n")
# Opens a place's popup through Leaflet: zoom in past clustering onto the marker, then open it.
OPEN_POPUP = f"""(placeId) => {{
    const map = ({FIND_MAP})();
    const group = Object.values(map._layers).find(l => typeof l.getVisibleParent === 'function');
    const marker = group.getLayers().find(m => m.options.placeId === placeId);
    if (!marker) return null;
    map.setView(marker.getLatLng(), 10, {{animate: false}});
    marker.openPopup();
    const popup = marker.getPopup().getElement();
    return popup && map.hasLayer(marker) ? popup.querySelector('.leaflet-popup-content').innerText : null;
}}"""
EVIL = "a[href*='evil.example'], img[src*='evil.example']"


# -- fixtures ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sentinel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The file the template-injection payload would create."""
    return tmp_path_factory.mktemp("sentinel") / "SENTINEL"


def payloads(place: str, sentinel: Path) -> list[str]:
    return [p % sentinel if p == SENTINEL else p for p in GROUPS[place]]


@pytest.fixture(scope="module")
def hostile_home(tmp_path_factory: pytest.TempPathFactory, home: Path, gazetteer, pipeline, sentinel: Path) -> Path:
    """GEODATA_HOME: the session's gazetteer, one hostile article per place of GROUPS, one plain article."""
    docs = [Document(id=f"hostile-{place}", title=f"{place}: " + " ".join(payloads(place, sentinel)),
                     source="wire " + " ".join(payloads(place, sentinel)), published="2020-01-01",
                     text="".join(SENTENCE.format(place=place, payload=p) + "\n" for p in payloads(place, sentinel)))
            for place in GROUPS]
    path, report = home_with(tmp_path_factory, "hostile-home", home, pipeline, [*docs, PLAIN])
    assert report.added == 4
    store = Store(path / "store.sqlite")
    mentions = store.mentions()
    for place in GROUPS:  # the fixture's own check: each payload but IMAGE_MD is in a sentence of its place
        sentences = " ".join(mentions[mentions.place_name == place].sentence)
        assert [p for p in payloads(place, sentinel) if p not in sentences] == ([IMAGE_MD] * (place == "Aleppo"))
    store.close()
    return path


@pytest.fixture(scope="module")
def store(hostile_home: Path) -> Iterator[Store]:
    db = Store(hostile_home / "store.sqlite")
    yield db
    db.close()


@contextmanager
def server(command: list[str], port: int, cwd: Path, env: dict[str, str]) -> Iterator[str]:
    """Run a Streamlit server command in `cwd` until its health check answers; yields its URL."""
    url, log_path = f"http://127.0.0.1:{port}", cwd / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not streamlit_healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.25)
        yield url
    finally:
        stop_server(process)


@pytest.fixture(scope="module")
def app_url(hostile_home: Path, chromium_browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard as a user starts it, from some other folder: `python -m geodata dashboard`."""
    port = free_port()
    with server([sys.executable, "-m", "geodata", "dashboard", "--port", str(port)], port,
                tmp_path_factory.mktemp("elsewhere"),
                {"GEODATA_HOME": str(hostile_home), "GEODATA_OFFLINE": "1"}) as url:
        yield url


# -- helpers -----------------------------------------------------------------------------------

def place_id(store: Store, name: str) -> str:
    return store.place_summary().set_index("name").place_id[name]


def article_id(store: Store, doc_id: str) -> int:
    return int(store.articles().set_index("doc_id").id[doc_id])


def expected_texts(store: Store, name: str) -> list[str]:
    """What a place's popup and panel must show literally: its articles' titles and its sentences."""
    rows = store.mentions(Filters(places=(place_id(store, name),)))
    return sorted(set(rows.title)) + [s.strip() for s in rows.sentence]


def no_exception(page: Any) -> None:
    """Once the script has run: no Streamlit exception box."""
    expect(page.locator("[data-testid=stApp]")).to_have_attribute("data-test-script-state", "notRunning",
                                                                  timeout=TIMEOUT_MS)
    expect(page.locator("[data-testid=stException]")).to_have_count(0)


def nothing_escaped(page: Any, dialogs: list[str], blocked_urls: list[str], sentinel: Path) -> None:
    """No script ran, no link or image was made of the payloads, nothing left for evil.example or
    data.streamlit.io, no page crash, and no template ran on the server."""
    no_exception(page)
    no_script_ran(page, dialogs)
    for frame in page.frames:
        assert frame.locator(EVIL).count() == 0, frame.url
    assert [u for u in blocked_urls if "evil.example" in u or "streamlit.io" in u] == []
    assert not sentinel.exists()


def literal_in(text: str, expected: list[str], where: str) -> None:
    missing = [e for e in expected if e not in text]
    assert missing == [], f"{where} does not show these literally: {missing!r}\nit shows: {text!r}"


def popup_text(page: Any, frame: Any, pid: str) -> str:
    for _ in range(20):
        text = frame.evaluate(OPEN_POPUP, pid)
        if text:
            return text
        page.wait_for_timeout(250)
    pytest.fail(f"no popup for {pid}")


# -- tests -------------------------------------------------------------------------------------

def test_hostile_text_renders_literally_and_runs_nothing(
        app_url: str, offline_page: Any, store: Store, sentinel: Path, tmp_path: Path, artifacts_dir: Path,
        blocked_urls: list[str], console_errors: list[str], dialogs: list[str]) -> None:
    page = offline_page
    page.goto(app_url)
    # The markers are drawn: the map's scripts came from this server although it was started elsewhere.
    wait_markers(page, set(store.place_summary().place_id))
    frame = map_frame(page)
    # Damascus's popup, clicked as a user does (which also selects the place; the map stays).
    damascus = place_id(store, "Damascus")
    x, y = reveal(page, frame, damascus, "Damascus")
    frame.locator(".leaflet-container").click(position={"x": x, "y": y})
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("{{ 7*7 }}", timeout=TIMEOUT_MS)
    text = popup.inner_text()
    literal_in(text, expected_texts(store, "Damascus"), "Damascus's popup")
    assert text.count("IFRAN") == text.count("{% if 1 %}IFRAN{% endif %}") and "49" not in text.replace(
        str(sentinel), "")
    page.wait_for_timeout(1_000)  # the click reruns the app: give a script every chance to run
    settle(page, frame)
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "hostile_popup.png")
    frame = map_frame(page)
    for name in ("Aleppo", "Idlib"):  # the other popups, opened through Leaflet
        literal_in(popup_text(page, frame, place_id(store, name)), expected_texts(store, name), f"{name}'s popup")
    nothing_escaped(page, dialogs, blocked_urls, sentinel)

    # The selected place's side panel, from a shared link.
    for name in GROUPS:
        page.goto(f"{app_url}/?selected={quote(place_id(store, name), safe='')}")
        panel = page.locator(".gd-sentence").first
        expect(panel).to_be_visible(timeout=TIMEOUT_MS)
        expect(page.locator(".gd-panel-head")).to_have_text(name)
        panel_text = page.locator("[data-testid=stHtml]", has=page.locator(".gd-panel-head")).inner_text()
        literal_in(panel_text, expected_texts(store, name), f"{name}'s side panel")
        nothing_escaped(page, dialogs, blocked_urls, sentinel)

    # The Article tab: text, title (in the article picker) and source, literally.
    for name in GROUPS:
        article = store.article(article_id(store, f"hostile-{name}"))
        page.goto(f"{app_url}/?tab=Article&doc={article['id']}")
        body = page.locator(".gd-article")
        expect(body).to_be_visible(timeout=TIMEOUT_MS)
        literal_in(body.inner_text(), payloads(name, sentinel), f"the article of {name}")
        literal_in(page.locator(".gd-details:has(+ .gd-article)").inner_text(), [article["source"]],
                   "the article's source")
        picker = page.get_by_role("combobox", name="Article", exact=True)
        assert picker.input_value() == article["title"]
        nothing_escaped(page, dialogs, blocked_urls, sentinel)
    listbox = open_options(page, picker)  # its list of every title
    literal_in(listbox.inner_text(), list(store.articles().title), "the article picker")
    page.keyboard.press("Escape")
    nothing_escaped(page, dialogs, blocked_urls, sentinel)

    # The exported map: made on the server (branca renders it), opened from the file.
    page.goto(f"{app_url}/?tab=Export")
    exported = tmp_path / "places-map.html"
    download(page, "Download map (HTML)").save_as(exported)
    nothing_escaped(page, dialogs, blocked_urls, sentinel)
    page.goto(exported.as_uri())
    wait_markers(page, set(store.place_summary().place_id), frame_of=lambda p: p.main_frame)
    for name in GROUPS:
        literal_in(popup_text(page, page.main_frame, place_id(store, name)), expected_texts(store, name),
                   f"{name}'s popup in the exported map")
    no_script_ran(page, dialogs)
    assert page.locator(EVIL).count() == 0
    assert not sentinel.exists()
    nothing_left_the_machine(blocked_urls, console_errors)  # and never data.streamlit.io: usage stats are off


def test_markdown_in_a_shared_link_stays_text(app_url: str, offline_page: Any, sentinel: Path,
                                              blocked_urls: list[str], dialogs: list[str]) -> None:
    page = offline_page
    values = {"place": "[click](http://evil.example/)", "country": IMAGE_MD, "kind": "**bold**"}
    page.goto(f"{app_url}/?{urlencode(values)}")
    note = page.locator("[data-testid=stSidebar] .gd-notice.gd-note")
    expect(note).to_contain_text("Ignored from the link (not in the store)", timeout=TIMEOUT_MS)
    literal_in(note.inner_text(), [f"{key} {value}" for key, value in values.items()], "the sidebar note")
    map_frame(page)  # the page has finished drawing
    nothing_escaped(page, dialogs, blocked_urls, sentinel)
    assert page.locator("strong", has_text="bold").count() == 0


def test_non_ascii_digits_in_the_link_do_not_crash(app_url: str, offline_page: Any, sentinel: Path,
                                                   blocked_urls: list[str], dialogs: list[str]) -> None:
    page = offline_page
    page.goto(f"{app_url}/?{urlencode({'article': '²', 'doc': '²', 'tab': 'Article'})}")
    expect(page.locator(".gd-article")).to_be_visible(timeout=TIMEOUT_MS)  # the first article instead
    map_frame(page)
    nothing_escaped(page, dialogs, blocked_urls, sentinel)


def test_deleting_an_article_asks_then_removes_it(app_url: str, offline_page: Any, hostile_home: Path,
                                                  sentinel: Path, blocked_urls: list[str], dialogs: list[str]) -> None:
    page = offline_page
    db = Store(hostile_home / "store.sqlite")
    idlib = article_id(db, "hostile-Idlib")
    title = db.article(idlib)["title"]
    assert "{%" in title
    # A correction of one of its mentions, which must go with it.
    mention = db.mentions(Filters(articles=(idlib,))).mention_id.iloc[0]
    db.correct("mention", str(mention), db.place(place_id(db, "Aleppo")))
    others = set(db.articles().doc_id) - {"hostile-Idlib"}
    db.close()

    page.goto(f"{app_url}/?tab=Article&doc={idlib}")
    ask = page.get_by_role("button", name="Delete this article…")
    warning = page.locator(".gd-notice.gd-warning", has_text="This cannot be undone")
    for confirm in ("Cancel", "Delete permanently"):
        settled(page)  # a click that lands in a rerun already under way is lost
        ask.click(timeout=TIMEOUT_MS)
        expect(warning).to_be_visible(timeout=TIMEOUT_MS)
        assert warning.inner_text() == f"Delete “{title}” with its mentions and their corrections? " \
                                       "This cannot be undone."
        settled(page)
        page.get_by_role("button", name=confirm, exact=True).click()
        expect(warning).to_have_count(0, timeout=TIMEOUT_MS)
        no_exception(page)
        if confirm == "Cancel":
            db = Store(hostile_home / "store.sqlite")
            assert db.article(idlib) is not None
            db.close()

    db = Store(hostile_home / "store.sqlite")
    try:
        assert db.article(idlib) is None
        assert set(db.articles().doc_id) == others
        assert db.mentions(Filters(articles=(idlib,))).empty
        assert str(mention) not in set(db.corrections(active_only=False).key)
        assert db.check() == []
    finally:
        db.close()
    map_frame(page)
    nothing_escaped(page, dialogs, blocked_urls, sentinel)


def test_a_bare_streamlit_run_warns_on_the_page(hostile_home: Path, chromium_browser: Any, offline_page: Any,
                                                tmp_path: Path) -> None:
    """`streamlit run dashboard/app.py` from another folder: no config file, so every interface and no
    static files. The page must say both."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port),
               "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    with server(command, port, tmp_path, {"GEODATA_HOME": str(hostile_home), "GEODATA_OFFLINE": "1"}) as url:
        page = offline_page
        page.goto(url)
        error = page.locator(".gd-notice.gd-error", has_text="Static file serving is off")
        expect(error).to_contain_text("the map cannot load its scripts", timeout=TIMEOUT_MS)
        expect(page.locator(".gd-notice.gd-warning", has_text="This dashboard listens on")).to_contain_text(
            "every network interface: anyone who can reach its port")
        no_exception(page)
