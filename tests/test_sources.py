"""Reports from the web: pages, feeds and `watch`, over real HTTP from a server on 127.0.0.1 (no internet),
into a real store through the real pipeline. What is stored, what is refused and why, and what is not
fetched again."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from geodata.config import Settings, SettingsError
from geodata.sources import FetchError, Fetcher, WebSources, canonical, ingest_web, parse_duration
from geodata.sources.fetch import PAGE_TYPES
from geodata.sources.pages import CHROME_LINE
from geodata.store import Store
from geodata.store.feeds import feed_state, feeds, seen_items
from tests.conftest import ROOT, SEED, run_cli
from tests.fake_nominatim import closed_port
from tests.fake_web import BOILERPLATE_MARKERS, FakeWeb, Route, article_page, rss_feed

ARTICLES = {
    "/news/a": ("Civilians trapped near Baghouz", [
        "Hundreds of civilians remained trapped in the Baghouz pocket on the banks of the Euphrates on Tuesday, "
        "near the Iraqi border, aid workers said.",
        "The last stretch of territory held by the group lies east of Deir ez-Zor, where the river bends south "
        "towards Abu Kamal."]),
    "/news/b": ("Floods close roads around Mosul", [
        "Heavy rain swelled the Tigris north of Mosul overnight, and the authorities closed the main road to Erbil.",
        "Families in low-lying districts of the city were moved to schools on higher ground."]),
    "/news/c": ("Ceasefire talks resume in Geneva", [
        "Delegations returned to Geneva on Monday for a third round of talks on a ceasefire in Yemen.",
        "The envoy said the port of Hodeidah would be the first item on the agenda."]),
    "/flaky": ("Drought grips Somalia", [
        "Pastoralists near Baidoa in Somalia have lost most of their herds after four failed rainy seasons.",
        "Aid agencies in Mogadishu appealed for funds to truck water to the worst-hit districts."]),
    "/slow": ("Quake shakes Kathmandu", [
        "A moderate earthquake shook Kathmandu before dawn, and residents of Nepal's capital ran into the streets.",
        "No damage was reported in Pokhara, the country's second city."]),
}
USER_AGENT = "geodata-news-geoparser"


def _text(path: str) -> str:
    return "\n".join(ARTICLES[path][1])


@pytest.fixture
def other():
    """A second server on 127.0.0.2: loopback, and not allowed; nothing may ever reach it."""
    with FakeWeb("127.0.0.2") as server:
        server.routes["/secret"] = Route("<p>internal admin page</p>")
        yield server


@pytest.fixture
def web(other: FakeWeb):
    """The news site: five articles, a copy of one under another URL, a redirect, errors, a slow, a huge and a
    PDF answer, a robots.txt, and a feed listing them with tracking parameters and hostile links."""
    with FakeWeb() as server:
        base = server.url
        routes = {path: Route(article_page(title, paras, canonical=base + path)) for path, (title, paras) in
                  ARTICLES.items()}
        routes["/news/a-copy"] = Route(article_page(*ARTICLES["/news/a"]))  # same text, another URL
        routes["/flaky"].statuses = [500]
        routes["/slow"].delay = 3.0
        routes["/go/c"] = Route(status=301, headers={"Location": "/news/c?utm_source=redirect"})
        routes["/huge"] = Route(article_page("Huge", ["Words. " * 300_000]))
        routes["/report.pdf"] = Route(b"%PDF-1.7\n" + b"\0" * 2000, content_type="application/pdf")
        routes["/robots.txt"] = Route("User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        routes["/private/memo"] = Route(article_page("Memo", ["Staff only."]))
        links = ["/news/a?utm_source=rss&utm_medium=feed", "/news/b?fbclid=IwAR0xyz", "/go/c", "/news/a?gclid=9",
                 "/news/a-copy", "/missing", "/flaky", "/slow", "/huge", "/report.pdf", "/private/memo",
                 other.url + "/secret", "file:///etc/passwd"]
        routes["/feed.xml"] = Route(rss_feed("Courier: World", links, base=base),
                                    content_type="application/rss+xml; charset=utf-8", etag='"feed-v1"')
        server.routes.update(routes)
        yield server


@pytest.fixture
def web_settings(settings: Settings) -> Settings:
    return settings.with_(offline=False, allow_hosts=("127.0.0.1",), fetch_delay=0.02, fetch_timeout=1.0,
                          max_page_mb=1.0)


@pytest.fixture
def fetcher(web_settings: Settings) -> Fetcher:
    return Fetcher(web_settings, backoff=0.05)


def _rows(store: Store) -> dict[str, tuple]:
    return {url: rest for url, *rest in store.conn.execute("SELECT url, title, published, source, text FROM articles")}


def _errors(batch) -> dict[str, str]:
    return {error.path: error.message for error in batch.errors}


def test_feed_ingest_stores_articles_refuses_the_rest_and_a_second_poll_fetches_nothing(
        pipeline, web_settings, fetcher, web, other, tmp_path):
    store = Store(tmp_path / "store.sqlite")
    feed = web.url + "/feed.xml"
    report = ingest_web([feed], store, pipeline, web_settings, fetcher=fetcher)

    rows = _rows(store)
    assert set(rows) == {web.url + p for p in ("/news/a", "/news/b", "/news/c", "/flaky")}
    title, published, source, text = rows[web.url + "/news/a"]
    assert (title, published, source) == ("Civilians trapped near Baghouz", "2026-11-20", "The Daily Courier")
    assert text == _text("/news/a")  # the article's paragraphs, and nothing of the page around them
    for text in (row[3] for row in rows.values()):
        assert not [marker for marker in BOILERPLATE_MARKERS if marker in text]
        assert "distant capital" not in text  # a 'Read more' teaser's sentence
    assert "Baghouz" in set(store.mentions().text)

    assert report.added == 4
    assert report.ingest.skipped == 1  # /news/a-copy: the same text under another URL
    assert web.paths().count("/news/a") == 1  # three links with tracking parameters: one request
    assert [p for p in web.paths() if p.startswith(("/go/c", "/news/c"))] == [  # stored as /news/c
        "/go/c", "/news/c?utm_source=redirect"]
    assert web.paths().count("/flaky") == 2  # 500, then 200
    assert other.paths() == []
    errors = _errors(report.batch)
    expected = {"/missing": "HTTP 404", "/slow": "no answer within 1 s", "/huge": "over the 1 MB limit",
                "/report.pdf": "content type application/pdf is not a web page; not downloaded",
                "/private/memo": "robots.txt of 127.0.0.1 disallows"}
    for path, why in expected.items():
        assert why in errors[web.url + path] and feed in errors[web.url + path]
    assert "127.0.0.2 is a loopback address" in errors[other.url + "/secret"]
    assert "only http and https" in next(m for url, m in errors.items() if url.startswith("file:"))
    assert len(errors) == 7
    assert all(r.headers["User-Agent"].startswith(USER_AGENT) for r in web.requests)

    seen = {item.url.removeprefix(web.url): item.outcome for item in seen_items(store)}
    assert seen["/news/a"] == seen["/flaky"] == "stored" and seen["/news/a-copy"] == "duplicate"
    assert seen["/missing"] == "refused: HTTP 404 Not Found" and "/slow" not in seen  # a timeout is retried
    assert feed_state(store, feed).etag is None  # so the next poll reads the feed again

    # second poll: the feed is read again for the item that timed out, which now answers; nothing else
    web.routes["/slow"].delay = 0
    before = len(web.requests)
    report = ingest_web([feed], store, pipeline, web_settings, fetcher=fetcher)
    assert [r.path for r in web.requests[before:]] == ["/feed.xml", "/slow"]
    assert report.added == 1 and not report.batch.errors
    assert feed_state(store, feed).etag == '"feed-v1"'

    # third poll: a conditional GET answered 304; nothing fetched, nothing added
    before = len(web.requests)
    report = ingest_web([feed], store, pipeline, web_settings, fetcher=fetcher)
    assert [(r.path, r.status, r.headers.get("If-None-Match")) for r in web.requests[before:]] == [
        ("/feed.xml", 304, '"feed-v1"')]
    assert report.added == 0 and report.batch.feeds[0].status == "not modified"
    assert store.check() == []


def test_a_reopened_store_fetches_no_item_twice_even_when_the_feed_has_no_validators(
        pipeline, web_settings, web, tmp_path):
    web.routes["/feed.xml"] = Route(rss_feed("Courier", ["/news/a", "/news/b?utm_source=rss", "/missing"],
                                             base=web.url), content_type="application/rss+xml")
    path = tmp_path / "store.sqlite"
    store = Store(path)
    assert ingest_web([web.url + "/feed.xml"], store, pipeline, web_settings).added == 2
    store.close()
    before = len(web.requests)
    store = Store(path)  # a new process would do the same: a new store connection, a new fetcher
    report = ingest_web([web.url + "/feed.xml"], store, pipeline, web_settings)
    assert [r.path for r in web.requests[before:]] == ["/robots.txt", "/feed.xml"]
    assert report.added == 0 and report.batch.new_items == 0 and not report.batch.errors


def test_a_saved_atom_feed_ingests_every_item_once(pipeline, web_settings, fetcher, web, tmp_path):
    entries = "".join(f"<entry><title>{path}</title><id>urn:{path}</id><updated>2026-11-21T08:00:00Z</updated>"
                      f"<link href='{web.url}{path}?utm_medium=atom'/></entry>" for path in ("/news/a", "/news/b"))
    saved = tmp_path / "courier.atom"
    saved.write_text("<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
                     f"<title>Courier (Atom)</title><id>urn:courier</id>{entries}</feed>")
    store = Store(tmp_path / "store.sqlite")
    report = ingest_web([str(saved)], store, pipeline, web_settings, fetcher=fetcher)
    assert report.added == 2 and not report.batch.errors
    assert set(_rows(store)) == {web.url + "/news/a", web.url + "/news/b"}
    before = len(web.requests)
    again = ingest_web([str(saved)], store, pipeline, web_settings, fetcher=fetcher)
    assert again.added == 0 and again.batch.new_items == 0 and len(web.requests) == before


def test_an_article_url_already_stored_is_not_fetched_again(pipeline, web_settings, fetcher, web, tmp_path):
    store = Store(tmp_path / "store.sqlite")
    first = ingest_web([web.url + "/news/b?utm_campaign=x"], store, pipeline, web_settings, fetcher=fetcher)
    assert first.added == 1 and _rows(store).keys() == {web.url + "/news/b"}
    before = len(web.requests)
    again = ingest_web([web.url + "/news/b?fbclid=abc#top", web.url.upper().replace("HTTP", "http") + "/news/b"],
                       store, pipeline, web_settings, fetcher=fetcher)
    assert again.added == 0 and again.already_stored == 1 and len(web.requests) == before


def test_a_feed_gives_at_most_so_many_articles_a_poll_and_the_rest_at_the_next(
        pipeline, web_settings, fetcher, web, tmp_path, monkeypatch):
    monkeypatch.setattr("geodata.sources.web.MAX_NEW_ITEMS", 1)
    web.routes["/feed.xml"].body = rss_feed("Courier", ["/news/a", "/news/b"], base=web.url)
    store = Store(tmp_path / "store.sqlite")
    first = ingest_web([web.url + "/feed.xml"], store, pipeline, web_settings, fetcher=fetcher)
    assert first.added == 1 and [str(n) for n in first.batch.notes] == [
        f"{web.url}/feed.xml: 1 new item(s) left for the next poll"]
    second = ingest_web([web.url + "/feed.xml"], store, pipeline, web_settings, fetcher=fetcher)
    assert second.added == 1 and set(_rows(store)) == {web.url + "/news/a", web.url + "/news/b"}
    assert web.answered(304) == []  # the feed was read again in full


def test_a_page_names_its_canonical_url_only_on_its_own_site(web_settings, fetcher, web, tmp_path):
    web.routes["/liar"] = Route(article_page(*ARTICLES["/news/b"], canonical="https://www.bbc.co.uk/news/x"))
    web.routes["/amp/b"] = Route(article_page(*ARTICLES["/news/b"], canonical=web.url + "/news/b?utm_source=amp"))
    web.routes["/menu"] = Route("<html><body><nav><a href='/'>Home</a> <a href='/w'>World</a></nav></body></html>")
    batch = WebSources(web_settings, Store(tmp_path / "store.sqlite"), fetcher=fetcher).collect(
        [web.url + "/liar", web.url + "/amp/b", web.url + "/menu"])
    assert [d.url for d in batch.documents] == [web.url + "/liar", web.url + "/news/b"]
    assert _errors(batch) == {web.url + "/menu": "no article text found on the page"}


def test_saved_pages_go_through_the_same_extraction(web_settings, tmp_path):
    page = tmp_path / "saved.html"
    page.write_text(article_page(*ARTICLES["/news/c"], canonical="https://news.example.com/c?utm_source=x"))
    (tmp_path / "not-html.htm").write_bytes(b"%PDF-1.4 binary")
    batch = WebSources(web_settings, Store(tmp_path / "store.sqlite")).collect(
        [str(page), str(tmp_path / "not-html.htm")])
    [doc] = batch.documents
    assert (doc.url, doc.title, doc.text, doc.origin) == ("https://news.example.com/c", ARTICLES["/news/c"][0],
                                                          _text("/news/c"), str(page))
    assert _errors(batch) == {str(tmp_path / "not-html.htm"): "this is a PDF document, not a web page"}


def test_navigation_left_among_the_paragraphs_does_not_become_sentences(web_settings, tmp_path):
    """A lone "More From This Section" heading (as in the seed), a "Read more:" teaser link and an
    "Advertisement" label between the paragraphs go; a subheading and a sentence that starts alike stay."""
    title, (first, second) = ARTICLES["/news/a"]
    inside = [f"<p>{first}</p>", "<h2>More From This Section</h2>",
              "<p><a href='/x'>Read more: Officials announce a new budget for roads</a></p>", "<p>Advertisement</p>",
              "<h2>Fighting in Idlib</h2>", "<p>More from the army arrived in Mosul on Sunday, officials said.</p>",
              f"<p>{second}</p>"]
    page = tmp_path / "saved.html"
    page.write_text(article_page(title, ["PARAGRAPHS"]).replace("<p>PARAGRAPHS</p>", "\n".join(inside)))
    [doc] = WebSources(web_settings, Store(tmp_path / "store.sqlite")).collect([str(page)]).documents
    assert doc.text.split("\n") == [first, "Fighting in Idlib",
                                     "More from the army arrived in Mosul on Sunday, officials said.", second]


def test_the_fetcher_is_polite(web_settings, web):
    fetcher = Fetcher(web_settings.with_(fetch_delay=0.3))
    for path in ("/news/a", "/news/b", "/news/c"):
        fetcher.get(web.url + path, types=PAGE_TYPES)
    arrivals = [r.time for r in web.requests]
    assert [r.path for r in web.requests] == ["/robots.txt", "/news/a", "/news/b", "/news/c"]  # robots.txt once
    assert min(b - a for a, b in zip(arrivals, arrivals[1:])) >= 0.28
    web.routes["/dated"] = Route("<p>x</p>", last_modified="Fri, 20 Nov 2026 08:00:00 GMT")
    response = fetcher.get(web.url + "/dated", types=PAGE_TYPES, validators=(None, "Fri, 20 Nov 2026 08:00:00 GMT"))
    assert response.not_modified and response.body == b""


def test_the_delay_is_per_host(web_settings, web):
    """Waits are recorded, not slept: one before each second request to a host, none for another host's first."""
    waits: list[float] = []
    fetcher = Fetcher(web_settings.with_(fetch_delay=30.0, allow_hosts=("127.0.0.0/8",)), sleep=waits.append)
    with FakeWeb("127.0.0.2") as second:
        second.routes["/news/x"] = Route(article_page(*ARTICLES["/news/b"]))
        for url in (web.url + "/news/a", second.url + "/news/x", web.url + "/news/b"):
            fetcher.get(url, types=PAGE_TYPES)
        assert second.paths() == ["/robots.txt", "/news/x"]
    assert web.paths() == ["/robots.txt", "/news/a", "/news/b"]
    assert len(waits) == 3 and all(29.0 < wait <= 30.0 for wait in waits)  # robots.txt of 127.0.0.2: no wait


def test_retries_back_off_and_honour_retry_after(web_settings, web):
    waits: list[float] = []
    fetcher = Fetcher(web_settings.with_(fetch_delay=0.0), backoff=0.5, sleep=waits.append)
    web.routes["/busy"] = Route(article_page(*ARTICLES["/news/b"]), statuses=[503, 502])
    web.routes["/later"] = Route(article_page(*ARTICLES["/news/c"]), statuses=[429], headers={"Retry-After": "7"})
    assert fetcher.get(web.url + "/busy", types=PAGE_TYPES).status == 200
    assert waits == [0.5, 1.0]  # backoff doubling
    assert fetcher.get(web.url + "/later", types=PAGE_TYPES).status == 200
    assert waits[2:] == [7.0]
    assert web.paths().count("/busy") == 3 and web.paths().count("/later") == 2


@pytest.mark.parametrize("route, why", [
    (Route(status=302, headers={"Location": "/loop"}), "more than 5 redirects"),
    (Route(status=503, headers={"Retry-After": "3600"}), "HTTP 503 Service Unavailable; asked to wait 3600 s"),
    (Route(status=502), "HTTP 502 Bad Gateway (after 3 tries)"),
    (Route(status=403), "HTTP 403 Forbidden"),
    (Route("<p>x</p>" * 200_000, send_length=False), "over the 1 MB limit"),
    (Route("%PDF-1.4", content_type="application/octet-stream"), "content type application/octet-stream"),
])
def test_the_fetcher_refuses_with_a_reason(fetcher, web, route, why):
    web.routes["/loop"] = route
    with pytest.raises(FetchError, match="^" + why.replace("(", r"\(").replace(")", r"\)")):
        fetcher.get(web.url + "/loop", types=PAGE_TYPES)


def test_every_hop_is_checked(fetcher, web, other):
    web.routes["/out"] = Route(status=307, headers={"Location": other.url + "/secret"})
    web.routes["/file"] = Route(status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(FetchError, match="127.0.0.2 is a loopback address"):
        fetcher.get(web.url + "/out", types=PAGE_TYPES)
    with pytest.raises(FetchError, match="only http and https URLs are fetched, not file:"):
        fetcher.get(web.url + "/file", types=PAGE_TYPES)
    with pytest.raises(FetchError, match=r"^127.0.0.1 is a loopback address; not fetched \(GEODATA_ALLOW_HOSTS"):
        Fetcher(fetcher.settings.with_(allow_hosts=())).get(web.url + "/news/a", types=PAGE_TYPES)
    assert other.paths() == []
    start = time.monotonic()
    with pytest.raises(FetchError, match="cannot resolve host no-such-host.invalid"):
        fetcher.get("http://no-such-host.invalid/news", types=PAGE_TYPES)
    assert time.monotonic() - start < 10


def test_canonical_urls_ignore_tracking_case_fragments_and_default_ports():
    assert canonical("HTTPS://News.Example.com:443/World/story?id=7&utm_source=tw&FBCLID=x&gclid=y#comments") == \
        "https://news.example.com/World/story?id=7"
    assert canonical("http://example.com") == "http://example.com/"
    assert canonical("http://example.com:8080/a?b&mc_eid=1&_ga=2") == "http://example.com:8080/a?b"


def test_durations_and_settings(monkeypatch):
    assert [parse_duration(t) for t in ("30s", "15m", "1h", "90", "1.5h")] == [30, 900, 3600, 90, 5400]
    for bad in ("", "15 minutes", "0s", "-1m"):
        with pytest.raises(ValueError):
            parse_duration(bad)
    monkeypatch.setenv("GEODATA_ALLOW_HOSTS", "127.0.0.1, Intranet.Example., 10.0.0.0/8, [::1]")
    assert Settings().allow_hosts == ("127.0.0.1", "intranet.example", "10.0.0.0/8", "::1")
    for name, value in (("GEODATA_ALLOW_HOSTS", "intranet example"), ("GEODATA_ALLOW_HOSTS", "10.0.0.0/33"),
                        ("GEODATA_FETCH_DELAY", "-1"), ("GEODATA_MAX_PAGE_MB", "0"), ("GEODATA_FETCH_TIMEOUT", "x")):
        monkeypatch.setenv(name, value)
        with pytest.raises(SettingsError, match=name):
            Settings()
        monkeypatch.delenv(name)


def test_a_store_made_before_urls_gets_the_column(tmp_path):
    path = tmp_path / "store.sqlite"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.executescript("DROP INDEX articles_url; ALTER TABLE articles DROP COLUMN url;")
    conn.close()
    store = Store(path)
    assert "url" in {row[1] for row in store.conn.execute("PRAGMA table_info(articles)")}
    assert store.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles_url'").fetchone()


# -- the command line --------------------------------------------------------------------------------------

def _env(**extra: str) -> dict[str, str]:
    """Fetching on, the test server allowed, and the geocoder pointed at a closed port (offline at once)."""
    return {"GEODATA_OFFLINE": "0", "GEODATA_ALLOW_HOSTS": "127.0.0.1", "GEODATA_FETCH_DELAY": "0.02",
            "GEODATA_FETCH_TIMEOUT": "1", "GEODATA_GEOCODER_URL": f"http://127.0.0.1:{closed_port()}", **extra}


def test_cli_ingest_takes_urls_saved_pages_and_files_together(home, web, tmp_path):
    page = tmp_path / "saved.html"
    page.write_text(article_page(*ARTICLES["/news/c"], canonical="https://news.example.com/c"))
    note = tmp_path / "note.txt"
    note.write_text("Shelling was reported in Idlib on Sunday.")
    db = tmp_path / "store.sqlite"
    result = run_cli("ingest", web.url + "/news/a?utm_source=x", str(page), str(note), web.url + "/missing",
                     "--db", str(db), home=home, env=_env())
    assert result.returncode == 1, result.stderr
    assert f"error: {web.url}/missing: HTTP 404 Not Found" in result.stderr
    assert "ingested 3 article(s), 0 already stored, 1 input error(s)" in result.stderr
    assert "Traceback" not in result.stderr
    store = Store(db)
    assert {url for (url,) in store.conn.execute("SELECT url FROM articles")} == {
        web.url + "/news/a", "https://news.example.com/c", None}


def test_cli_offline_says_so_once_and_fetches_nothing(home, web, tmp_path):
    start = time.monotonic()
    result = run_cli("ingest", web.url + "/news/a", web.url + "/news/b", "--db", str(tmp_path / "s.sqlite"),
                     home=home, env=_env(GEODATA_OFFLINE="1"))
    assert result.returncode == 1
    assert [line for line in result.stderr.splitlines() if line.startswith("error")] == [
        f"error: {web.url}/news/a (and 1 more URL(s)): offline (GEODATA_OFFLINE=1 or --offline): nothing was "
        "downloaded"]
    watch = run_cli("watch", web.url + "/feed.xml", "--offline", "--db", str(tmp_path / "s.sqlite"), home=home,
                    env=_env())
    assert watch.returncode == 2 and "watching feeds needs the network" in watch.stderr
    assert web.requests == [] and time.monotonic() - start < 60


def test_cli_watch_polls_remembers_and_stops_cleanly(home, web, tmp_path):
    web.routes["/feed.xml"].body = rss_feed("Courier", ["/news/a?utm_source=rss", "/news/b", "/missing"], base=web.url)
    db = tmp_path / "store.sqlite"
    feed = web.url + "/feed.xml"
    result = run_cli("watch", feed, "--every", "1s", "--polls", "2", "--db", str(db), home=home, env=_env())
    polls = [line for line in result.stderr.splitlines() if " poll " in line]
    assert len(polls) == 2, result.stderr
    assert "3 new item(s), 2 article(s) added, 0 already stored, 1 error(s)" in polls[0]
    assert "(1 unchanged), 0 new item(s), 0 article(s) added" in polls[1]
    assert f"error: {web.url}/missing: HTTP 404 Not Found (item of {feed})" in result.stderr
    assert result.returncode == 1  # an item had an error
    assert [f.url for f in feeds(Store(db))] == [feed]

    # restarted with no feed named: the store's feeds, asked conditionally; Ctrl-C stops it cleanly
    before = len(web.requests)
    env = {**os.environ, "GEODATA_HOME": str(home), **_env()}
    proc = subprocess.Popen([sys.executable, "-m", "geodata", "watch", "--every", "1h", "--db", str(db)], cwd=ROOT,
                            env=env, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        while not any(" poll 1:" in line for line in lines):
            line = proc.stderr.readline()
            assert line, "".join(lines)
            lines.append(line)
        proc.send_signal(signal.SIGINT)
        rest = proc.communicate(timeout=30)[1]
    finally:
        proc.kill()
    assert proc.returncode == 0, rest
    assert "stopped after 1 poll(s): 0 article(s) added, 0 error(s)" in rest
    assert [(r.path, r.status) for r in web.requests[before:]] == [("/robots.txt", 200), ("/feed.xml", 304)]


def test_the_seed_article_carries_no_navigation_line():
    """The sample a first run shows is clean text: no line of it is site navigation (`CHROME_LINE`)."""
    lines = SEED.read_text(encoding="utf-8").split("---\n", 2)[2].splitlines()
    assert lines and not [line for line in lines if CHROME_LINE.fullmatch(line.strip())]
