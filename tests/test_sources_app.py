"""The dashboard and the web, by the real `dashboard/app.py` (AppTest) with a real HTTP server on 127.0.0.1:
an article fetched by the real fetcher and pipeline links to its page; offline, web addresses are one
clear problem and nothing is asked of the network."""

from __future__ import annotations

from pathlib import Path

from geodata.config import Settings
from geodata.sources import ingest_web
from geodata.store import Store
from tests.apptest import INGEST_TIMEOUT, fresh_app, html_text, notices, ok, widget
from tests.fake_web import FakeWeb, Route, article_page


def test_the_article_view_links_to_the_page_it_came_from(make_home, pipeline, settings: Settings,
                                                         tmp_path: Path) -> None:
    built = tmp_path / "built.sqlite"
    store = Store(built)
    with FakeWeb() as web:
        web.routes["/news/oslo"] = Route(article_page("Talks resume in Oslo", [
            "Negotiators met in Oslo on Tuesday to discuss a ceasefire.",
            "Delegations from Bergen and Trondheim joined them later."], canonical=web.url + "/news/oslo"))
        fetching = settings.with_(offline=False, allow_hosts=("127.0.0.1",), fetch_delay=0.0)
        assert ingest_web([web.url + "/news/oslo?utm_source=rss"], store, pipeline, fetching).added == 1
    store.close()
    make_home(built)
    body = html_text(ok(fresh_app(tab="Article", doc="1")))
    assert "Negotiators met in" in body
    assert f"<a href='{web.url}/news/oslo' target='_blank' rel='noopener noreferrer'>original</a>" in body


def test_offline_the_app_says_so_once_and_fetches_nothing(make_home, seeded_store: Path) -> None:
    make_home(seeded_store)  # GEODATA_OFFLINE=1
    with FakeWeb() as web:
        at = ok(fresh_app(tab="Add articles"))
        widget(at.text_area, "...or web addresses of articles or RSS/Atom feeds, one per line").input(
            f"{web.url}/feed.xml\n{web.url}/news/a")
        widget(at.button, "Geoparse and add").click()
        ok(at, INGEST_TIMEOUT)
        assert web.requests == []
    assert notices(at, "error") == ["web addresses: offline (GEODATA_OFFLINE): nothing fetched"]
    assert notices(at, "success") == ["Added 0 article(s); 0 already stored; 1 problem(s) in the input."]
