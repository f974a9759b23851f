"""`parse --dask` with article and feed URLs among its inputs, on a real dask.distributed LocalCluster (2 worker
processes on loopback), against a real HTTP server on 127.0.0.1 (tests/fake_web.py), no internet.

The client fetches every URL once, politely (one host, one clock); the workers parse what it read, the same as
the single-process pipeline; each URL that failed is one error of the report, and the run goes on.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from geodata.config import Settings
from geodata.store import Store
from tests.conftest import require, run_cli
from tests.fake_nominatim import closed_port
from tests.fake_web import FakeWeb, Route, article_page, rss_feed

try:
    from distributed import Client, LocalCluster

    from geodata import scale as dist
    from geodata.scale.partitions import read_documents
    from geodata.scale.web import DOCUMENTS
except ImportError as exc:  # pragma: no cover - the pins in requirements.txt install them
    require(False, f"dask[distributed] and pyarrow are needed for the distributed tests ({exc})")

ARTICLES = {
    "/news/oslo": ("Talks resume in Oslo", ["Negotiators met in Oslo on Tuesday to discuss a ceasefire.",
                                            "Delegations from Bergen and Trondheim joined them later."]),
    "/news/mosul": ("Floods around Mosul", ["Heavy rain swelled the Tigris north of Mosul overnight.",
                                            "The road to Erbil was closed on Wednesday."]),
    "/news/lima": ("Strike in Lima", ["Bus drivers in Lima stopped work on Monday.",
                                      "Commuters from Callao walked to the centre of the capital."]),
    "/news/kano": ("Market fire in Kano", ["A fire destroyed stalls at a market in Kano, northern Nigeria.",
                                           "Traders in Kaduna sent trucks with supplies."]),
    "/news/perth": ("Heat wave in Perth", ["Perth recorded its hottest November day on Sunday.",
                                           "Fire crews from Fremantle were put on alert."]),
}
DELAY = 0.3  # seconds between two requests to the server


def text_parses(parsed) -> list[tuple]:
    """Documents, sentences and mentions in the text (the title's mentions are not in the Parquet result yet)."""
    return [(p.document, p.sentences, p.mentions) for p in parsed]


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as c:
        yield c


@pytest.fixture
def web():
    """Five articles; a feed listing four of them, a dead link, a PDF and an address on another loopback host."""
    with FakeWeb() as server:
        base = server.url
        server.routes.update({path: Route(article_page(title, paras, canonical=base + path))
                              for path, (title, paras) in ARTICLES.items()})
        server.routes["/report.pdf"] = Route(b"%PDF-1.7\n" + b"\0" * 500, content_type="application/pdf")
        links = ["/news/oslo?utm_source=rss", "/news/mosul", "/missing", "/report.pdf", "/news/lima", "/news/kano",
                 "http://127.0.0.2:9/secret"]
        server.routes["/feed.xml"] = Route(rss_feed("Courier: World", links, base=base),
                                           content_type="application/rss+xml; charset=utf-8")
        yield server


@pytest.fixture
def web_settings(settings: Settings) -> Settings:
    """Fetching on, 127.0.0.1 allowed, a delay the test can see; the workers stay offline (no geocoder)."""
    return settings.with_(offline=False, allow_hosts=("127.0.0.1",), fetch_delay=DELAY, fetch_timeout=2.0)


def test_urls_are_fetched_once_politely_by_the_client_and_parsed_by_the_workers(
        web, web_settings, client, pipeline, tmp_path):
    out = tmp_path / "out"
    inputs = [web.url + "/feed.xml", web.url + "/news/perth", web.url + "/gone"]
    report = dist.parse_to_parquet(inputs, out, web_settings, client=client, chunk_lines=2)

    # every article read, in input order, with its canonical URL, each failure named with its reason
    got = list(dist.read_result(out))
    assert [p.document.url for p in got] == [web.url + p for p in
                                             ("/news/oslo", "/news/mosul", "/news/lima", "/news/kano", "/news/perth")]
    assert got[0].document.title == "Talks resume in Oslo" and got[0].document.text == "\n".join(
        ARTICLES["/news/oslo"][1])
    assert sorted(report.errors) == sorted([
        f"{web.url}/missing: HTTP 404 Not Found (item of {web.url}/feed.xml)",
        f"{web.url}/report.pdf: content type application/pdf is not a web page; not downloaded (item of "
        f"{web.url}/feed.xml)",
        "http://127.0.0.2:9/secret: 127.0.0.2 is a loopback address; not fetched (GEODATA_ALLOW_HOSTS names the "
        f"private hosts that may be fetched) (item of {web.url}/feed.xml)",
        f"{web.url}/gone: HTTP 404 Not Found"])

    # the workers parsed them (3 partitions of 2 lines on 2 workers), the same as the single-process pipeline
    assert (report.partitions, report.workers, report.documents) == (3, 2, 5)
    written = read_documents((out / DOCUMENTS).read_bytes())
    assert text_parses(got) == text_parses(pipeline.parse(written))
    assert {"Oslo", "Mosul", "Lima", "Kano"} <= {m.place.name for p in got for m in p.mentions if m.place}

    # polite: each address asked once (robots.txt once for the host), requests spaced by the delay
    assert Counter(web.paths()) == Counter(["/robots.txt", "/feed.xml", "/news/oslo", "/news/mosul", "/missing",
                                            "/report.pdf", "/news/lima", "/news/kano", "/news/perth", "/gone"])
    arrivals = [r.time for r in web.requests]
    assert all(later - earlier >= DELAY * 0.9 for earlier, later in zip(arrivals, arrivals[1:])), arrivals

    # ingested, the articles keep their URL (the dashboard links to it)
    store = Store(tmp_path / "store.sqlite")
    assert dist.ingest_result(out, store).added == 5
    assert set(store.articles().url) == {p.document.url for p in got}
    store.close()

    # a re-run fetches again (politely) and, the articles unchanged, parses nothing again
    again = dist.parse_to_parquet(inputs, out, web_settings, client=client, chunk_lines=2)
    assert again.skipped == again.partitions == 3 and again.documents == 5 and len(again.errors) == 4


def test_offline_urls_are_one_error_and_the_files_are_still_parsed(web, web_settings, client, tmp_path):
    note = tmp_path / "note.jsonl"
    note.write_text(json.dumps({"id": "n1", "text": "Shelling was reported in Idlib on Sunday."}) + "\n")
    report = dist.parse_to_parquet([web.url + "/feed.xml", web.url + "/news/perth", note], tmp_path / "out",
                                   web_settings.with_(offline=True), client=client)
    assert report.errors == [f"{web.url}/feed.xml (and 1 more URL(s)): offline (GEODATA_OFFLINE=1 or --offline): "
                             "nothing was downloaded"]
    assert [p.document.id for p in dist.read_result(tmp_path / "out")] == ["n1"]
    assert web.requests == []


def test_a_web_address_after_dask_is_an_input_not_a_scheduler():
    assert not dist.looks_like_address("http://news.example.com/feed.xml")
    assert not dist.looks_like_address("https://news.example.com:8443/feed")
    assert dist.looks_like_address("tcp://10.0.0.5:8786") and dist.looks_like_address("sched.local:8786")


def test_cli_parse_dask_takes_a_feed_url(home, web, tmp_path):
    out = tmp_path / "out"
    env = {"GEODATA_OFFLINE": "0", "GEODATA_ALLOW_HOSTS": "127.0.0.1", "GEODATA_FETCH_DELAY": "0.05",
           "GEODATA_GEOCODER_URL": f"http://127.0.0.1:{closed_port()}"}
    result = run_cli("parse", "--dask", web.url + "/feed.xml", "--workers", "1", "--out", f"{out}/", home=home,
                     env=env, timeout=900)  # a cluster and the model start in a busy machine's subprocess
    assert result.returncode == 1, result.stderr  # done, with input errors
    assert "Traceback" not in result.stderr
    assert f"error: {web.url}/missing: HTTP 404 Not Found (item of {web.url}/feed.xml)" in result.stderr
    assert "web: 4 article(s) read, 3 input(s) failed" in result.stderr
    assert "parsed 4 document(s)" in result.stderr
    urls = [p.document.url for p in dist.read_result(out)]
    assert urls == [web.url + p for p in ("/news/oslo", "/news/mosul", "/news/lima", "/news/kano")]
