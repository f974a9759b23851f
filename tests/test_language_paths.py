"""An article's language kept on every path in: `parse --dask` results (Parquet, then `ingest DIR/`),
`parse --dask --language`, web inputs and feeds with `--language`, `watch` telling what it did not
geoparse, and the map's popups. Real LocalCluster (one worker process on loopback), real spaCy models,
real HTTP against tests/fake_web.py on 127.0.0.1, real SQLite stores."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from geodata import export, maps
from geodata.store import Filters, Store
from tests.conftest import local_dask, require, run_cli
from tests.fake_nominatim import closed_port
from tests.fake_web import FakeWeb, Route, article_page, rss_feed

try:
    import pyarrow.parquet as pq
    import distributed  # noqa: F401

    from geodata.scale import ingest_result, parquet, parse_to_parquet, read_result
except ImportError as exc:  # pragma: no cover - the pins in requirements.txt install them
    require(False, f"dask[distributed] and pyarrow are needed for the distributed tests ({exc})")

ENGLISH = ("Heavy rain swelled the Tigris north of Mosul overnight, and the road to Erbil was closed on "
           "Wednesday, officials said.")
FRENCH = ("Les forces kurdes se sont regroupées à Deir ez-Zor, dans l'est de la Syrie, près de la frontière "
          "irakienne, selon une ONG basée au Royaume-Uni.")
GERMAN = ("Die Dschihadisten haben die Straßen aus Baghouz blockiert. Die Stadt liegt im Osten Syriens, nahe "
          "der irakischen Grenze, sagten die Behörden am Montag.")
DOCUMENTS = [("en-1", ENGLISH), ("fr-1", FRENCH), ("de-1", GERMAN)]


@pytest.fixture(scope="module")
def both_models(settings, pipeline):
    require(importlib.util.find_spec(settings.model_fr) is not None,
            f"spaCy model {settings.model_fr} is not installed")
    return pipeline


@pytest.fixture(scope="module")
def client():
    with local_dask(1) as c:
        yield c


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    """A JSONL of an English, a French and a German report, none declaring its language."""
    path = tmp_path_factory.mktemp("mixed") / "mixed.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n"
                            for i, t in DOCUMENTS), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def result(mixed, settings, client, both_models, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("result") / "out"
    parse_to_parquet([mixed], out, settings, client=client, chunk_lines=2)
    return out


def _languages(db: Path) -> dict[str, str]:
    store = Store(db)
    try:
        return dict(store.conn.execute("SELECT doc_id, language FROM articles"))
    finally:
        store.close()


def test_a_dask_result_keeps_each_article_language_as_the_single_process_parse(result, mixed, both_models):
    from geodata.documents import load_paths

    expected = list(both_models.parse(load_paths([mixed]).documents))
    got = list(read_result(result))
    assert [p.language for p in got] == ["en", "fr", "de"]
    assert [(p.document, p.language, p.mentions) for p in got] == [
        (p.document, p.language, p.mentions) for p in expected]
    assert any(m.place and m.place.name == "Syria" for m in got[1].mentions)  # read by the French pipeline
    assert not got[2].mentions  # German: stored, not geoparsed


def test_ingesting_a_dask_result_stores_the_languages_and_says_what_is_not_geoparsed(result, home, tmp_path):
    db = tmp_path / "store.sqlite"
    done = run_cli("ingest", f"{result}/", "--db", str(db), home=home)
    assert done.returncode == 0, done.stderr
    assert _languages(db) == {"en-1": "en", "fr-1": "fr", "de-1": "de"}
    notes = [line for line in done.stderr.splitlines() if "not geoparsed" in line]
    assert len(notes) == 1 and "mixed.jsonl:3: language de: not geoparsed" in notes[0], done.stderr
    assert "Traceback" not in done.stderr


def test_parse_dask_language_reads_every_document_in_it(mixed, home, tmp_path):
    out = tmp_path / "out"
    parsed = run_cli("parse", "--dask", "--workers", "1", str(mixed), "--out", f"{out}/", "--language", "fr",
                     home=home)
    assert parsed.returncode == 0, parsed.stderr
    assert "parsed 3 document(s)" in parsed.stderr
    got = list(read_result(out))
    assert [(p.language, p.document.language) for p in got] == [("fr", "fr")] * 3
    db = tmp_path / "store.sqlite"
    ingested = run_cli("ingest", f"{out}/", "--db", str(db), home=home)
    assert ingested.returncode == 0, ingested.stderr
    assert set(_languages(db).values()) == {"fr"} and "not geoparsed" not in ingested.stderr


def test_another_language_redoes_the_partitions(result, mixed, settings, client, tmp_path):
    """The language is part of what a partition is made from: the same inputs read in French are parsed again."""
    out = tmp_path / "out"
    shutil.copytree(result, out)
    same = parse_to_parquet([mixed], out, settings, client=client, chunk_lines=2)
    assert same.skipped == same.partitions == 2
    french = parse_to_parquet([mixed], out, settings, client=client, chunk_lines=2, language="fr")
    assert french.skipped == 0 and french.partitions == 2
    assert [p.language for p in read_result(out)] == ["fr"] * 3


def test_a_result_written_before_languages_reads_as_english(result, tmp_path):
    """A format-2 partition has no language columns: its articles were read as English, and are stored so."""
    key = "old"
    articles, mentions = parquet.tables(key, list(read_result(result)))
    old = articles.drop_columns(["language", "declared_language"])
    for table, rows in ((parquet.ARTICLES, old), (parquet.MENTIONS, mentions)):
        parquet.part_path(tmp_path, table, key).parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(rows, parquet.part_path(tmp_path, table, key))
    got = parquet.read_partition(tmp_path, key)
    assert [p.language for p in got] == ["en"] * 3
    store = Store(tmp_path / "store.sqlite")
    report = store.add_all(got)
    assert report.added == 3 and not report.notes
    assert {code for (code,) in store.conn.execute("SELECT language FROM articles")} == {"en"}
    store.close()


# -- the web --------------------------------------------------------------------------------------------------


@pytest.fixture
def web():
    """An English and a German article, and a feed listing both."""
    with FakeWeb() as server:
        for path, title, text in (("/news/en", "Floods around Mosul", ENGLISH), ("/news/de", "Baghouz", GERMAN)):
            server.routes[path] = Route(article_page(title, [text], canonical=server.url + path))
        server.routes["/feed.xml"] = Route(rss_feed("Courier", ["/news/en", "/news/de"], base=server.url),
                                           content_type="application/rss+xml; charset=utf-8")
        yield server


def _env() -> dict[str, str]:
    """Fetching on, the test server allowed, the geocoder pointed at a closed port (offline at once)."""
    return {"GEODATA_OFFLINE": "0", "GEODATA_ALLOW_HOSTS": "127.0.0.1", "GEODATA_FETCH_DELAY": "0.02",
            "GEODATA_FETCH_TIMEOUT": "2", "GEODATA_GEOCODER_URL": f"http://127.0.0.1:{closed_port()}"}


def test_ingest_of_a_feed_and_a_url_with_language_reads_them_in_it(web, home, both_models, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text(ENGLISH.replace("Mosul", "Kirkuk"), encoding="utf-8")
    db = tmp_path / "store.sqlite"
    done = run_cli("ingest", web.url + "/feed.xml", str(note), "--language", "fr", "--db", str(db), home=home,
                   env=_env())
    assert done.returncode == 0, done.stderr
    assert "ingested 3 article(s)" in done.stderr and "not geoparsed" not in done.stderr
    store = Store(db)
    rows = dict(store.conn.execute("SELECT coalesce(url, origin), language FROM articles"))
    store.close()
    assert rows == {web.url + "/news/en": "fr", web.url + "/news/de": "fr", str(note): "fr"}

    db = tmp_path / "detected.sqlite"
    done = run_cli("ingest", web.url + "/news/de", "--db", str(db), home=home, env=_env())
    assert done.returncode == 0, done.stderr
    assert f"note: {web.url}/news/de: language de: not geoparsed" in done.stderr
    assert list(_languages(db).values()) == ["de"]


def test_watch_says_each_poll_what_it_did_not_geoparse(web, settings, both_models, tmp_path):
    from geodata.sources import Watcher

    told: list[str] = []
    store = Store(tmp_path / "store.sqlite")
    web_settings = settings.with_(offline=False, allow_hosts=("127.0.0.1",), fetch_delay=0.02, fetch_timeout=2.0)
    watcher = Watcher([web.url + "/feed.xml"], store, both_models, web_settings, notify=told.append)
    watcher.run(every=1.0, polls=1)
    assert [line for line in told if line.startswith("note:")] == [
        f"note: {web.url}/news/de: language de: not geoparsed (stored, searchable; declare `language: en` to read "
        f"it as English)"]
    assert " poll 1:" in told[-1] and "2 article(s) added" in told[-1]

    store.close()

    told.clear()
    store = Store(tmp_path / "french.sqlite")
    Watcher([web.url + "/feed.xml"], store, both_models, web_settings, notify=told.append, language="fr").poll()
    assert not [line for line in told if line.startswith("note:")], told
    assert {code for (code,) in store.conn.execute("SELECT language FROM articles")} == {"fr"}
    store.close()


# -- the map --------------------------------------------------------------------------------------------------


def test_the_map_popup_names_an_article_language_other_than_english(result, tmp_path):
    store = Store(tmp_path / "store.sqlite")
    ingest_result(result, store)
    places, mentions = export.view(store, Filters())
    store.close()
    snippets = maps.snippets_by_place(mentions)
    popups = {row.place_id: maps.popup_html(row, snippets.get(row.place_id, ())) for row in places.itertuples()}
    read_in = mentions.groupby("place_id").language.agg(set)
    french = [popups[p] for p, codes in read_in.items() if codes == {"fr"}]
    english = [popups[p] for p, codes in read_in.items() if codes == {"en"}]
    assert french and english
    assert all("</i><small> &middot; fr</small><ol>" in popup for popup in french)
    assert not any("&middot; fr" in popup or "&middot; en" in popup for popup in english)
    assert maps.language_tag("<b>") == "<small> &middot; &lt;b&gt;</small>"  # escaped, whatever the store holds
    assert maps.language_tag("en") == maps.language_tag("") == ""
