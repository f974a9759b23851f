"""An outlet's home: the first-level division its other articles place towns and counties in, read as one more
place of each of its articles (`resolve/outlet.py`). Learned from the corpus read together (`parse_together`:
evaluation) or from the store's articles (`ingest`), with the real model, gazetteer and store."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from geodata.pipeline import Pipeline, ingest
from geodata.records import Document, Mention, Place
from geodata.resolve.outlet import HOME_CONFIDENCE, OutletHomes, outlet_host
from geodata.store import Store

from .conftest import local_dask, run_cli

PAPER = "https://www.theparisnews.com/news/"
# Two stories of a Texas paper that place its towns surely, then one whose "Paris" says nothing of Texas.
STORIES = [Document("a", "The school board in Clarksville voted on Tuesday; Detroit and Blossom schools will share "
                         "a bus.", url=PAPER + "1"),
           Document("b", "Deputies in Lamar County arrested two men near Reno and Blossom after a chase on Monday.",
                    url=PAPER + "2")]
FIRE = Document("c", "Paris firefighters put out a kitchen fire on Tuesday, and no one was hurt.", url=PAPER + "3")


def town(url: str, admin1: str, confidence: float = 0.95, code: str = "PPL"):
    return url, "US", admin1, "P" if code == "PPL" else "A", code, confidence


def paris(mentions: list[Mention]) -> Mention:
    return next(m for m in mentions if m.text == "Paris")


def test_the_home_is_the_division_most_of_the_outlets_other_articles_place_towns_in() -> None:
    homes = OutletHomes([town("https://www.a.com/1", "TX"), town("http://a.com/2", "TX"), town("http://a.com/2", "TX"),
                         town("http://a.com/3", "OK"), town("http://b.com/1", "TX")])
    assert outlet_host("https://WWW.A.com./x?y=1") == "a.com" and outlet_host(None) is None
    assert outlet_host("https://www.Bücher.de/a") == outlet_host("http://xn--bcher-kva.de/b") == "xn--bcher-kva.de"
    assert homes.home("https://a.com/new") == ("US", "TX")  # 2 of 3 articles (one places two towns there)
    assert homes.home("http://a.com/3") == ("US", "TX")  # an article is known by its address: its own left out
    assert homes.home("https://www.a.com/1") is None  # Texas and Oklahoma, one article each: no home
    assert homes.home("https://b.com/new") is None and homes.home(None) is None  # one article; no outlet
    # neither a state nor a country, nor an unsure placement, says where a local paper is
    weak = OutletHomes([town("http://c.com/1", "TX", code="ADM1"), town("http://c.com/2", "TX", code="ADM1"),
                        town("http://c.com/3", "TX", confidence=HOME_CONFIDENCE - 0.01),
                        town("http://c.com/4", "TX", confidence=HOME_CONFIDENCE - 0.01)])
    assert weak.home("http://c.com/new") is None
    # hostile addresses are no outlet, or an outlet like any other, and never an error
    odd = ["http://[::1", "http://a.com:abc/", "http://[v1.x]/", "http://\x00.com/", "javascript:alert(1)", "", "//"]
    assert OutletHomes([town(url, "TX") for url in odd]).home(odd[0]) is None


def test_homes_extended_with_a_batch_are_the_homes_of_all_and_leave_the_first_unchanged() -> None:
    """A store's homes, then a batch's placements read too (`read_together`): as if all were read at once, and
    the store's homes stay as they were (the batch's articles are resolved against both)."""
    stored = [town("http://a.com/1", "TX"), town("http://a.com/2", "OK"), town("http://b.com/1", "TX"),
              town("http://b.com/2", "TX")]
    batch = [town("http://a.com/3", "TX"), town("http://a.com/3", "TX"), town("http://c.com/1", "OK"),
             town("http://c.com/2", "OK")]
    before = OutletHomes(stored)
    after = before.extended(batch)
    whole = OutletHomes([*stored, *batch])
    urls = ["http://a.com/new", "http://a.com/2", "http://b.com/new", "http://c.com/new", "http://c.com/1"]
    assert [after.home(u) for u in urls] == [whole.home(u) for u in urls] == [
        ("US", "TX"), ("US", "TX"), ("US", "TX"), ("US", "OK"), None]
    assert before.home("http://a.com/new") is None and before.home("http://c.com/new") is None  # unchanged


def test_a_corpus_read_together_places_a_bare_name_in_its_outlets_home(pipeline, settings, gazetteer) -> None:
    alone = paris(next(iter(pipeline.parse([FIRE]))).mentions)
    assert alone.place is not None and alone.place.country == "FR"  # the capital: nothing says Texas
    other = Document("d", FIRE.text + " ", url="https://www.example.com/3")  # the same story from another outlet
    *stories, fire, elsewhere = pipeline.parse_together([*STORIES, FIRE, other])
    found = paris(fire.mentions)
    assert found.place is not None and (found.place.country, found.place.admin1) == ("US", "TX")
    assert found.confidence >= 0.8
    explaining = Pipeline(settings, gazetteer=gazetteer, explain=True)  # `parse --explain` says why
    explained = paris(explaining.parse_together([*STORIES, FIRE])[-1].mentions).explanation
    assert explained["outlet"] == {"country": "US", "admin1": "TX"} and explained["chosen"]["admin1"] == "TX"
    assert paris(next(iter(explaining.parse([FIRE]))).mentions).explanation["outlet"] is None
    assert paris(elsewhere.mentions).place.country == "FR"
    same_ids = [replace(d, id="1") for d in [*STORIES, FIRE]]  # two files' lines without ids: an article is its address
    assert paris(pipeline.parse_together(same_ids)[-1].mentions).place.admin1 == "TX"
    assert [m.place for s in stories for m in s.mentions] == [m.place for s in pipeline.parse(STORIES)
                                                              for m in s.mentions]


def stored_paris(store: Store, article_id: int) -> Place:
    rows = store.article_mentions(article_id)
    place = store.place(rows[rows.text == "Paris"].iloc[0].place_id)
    assert place is not None
    return place


def test_ingest_reads_an_article_with_the_home_its_outlets_stored_articles_settle(pipeline, tmp_path: Path) -> None:
    alone, paper, batch = (Store(tmp_path / f"{name}.sqlite") for name in ("alone", "paper", "batch"))
    try:
        ingest([FIRE], alone, pipeline)
        assert stored_paris(alone, int(alone.articles().id.max())).country == "FR"
        ingest(STORIES, paper, pipeline)  # the paper's earlier stories, then the new one
        ingest([FIRE], paper, pipeline)
        place = stored_paris(paper, int(paper.articles().id.max()))
        assert (place.country, place.admin1) == ("US", "TX")
        steps: list[tuple[int, int]] = []  # all three at once: read together, each counted as it is stored
        report = ingest([*STORIES, FIRE], batch, pipeline, progress=lambda done, total: steps.append((done, total)))
        assert report.added == 3 and len(batch.articles()) == 3
        fire = int(batch.articles().set_index("doc_id").id["c"])
        assert (stored_paris(batch, fire).country, stored_paris(batch, fire).admin1) == ("US", "TX")
        assert steps == [(1, 3), (2, 3), (3, 3)]  # each article once, though the fire story was read twice
    finally:
        for store in (alone, paper, batch):
            store.close()


def test_the_store_gives_the_sure_placements_of_the_asked_outlets_only_as_corrected(pipeline, tmp_path: Path) -> None:
    """What ingest learns homes from: the paper's stored articles (its address written otherwise too), not another
    outlet's, nor unsure placements; a correction counts, "not a place" removes one."""
    other = Document("e", STORIES[0].text.replace("Tuesday", "Friday"), url="https://example.org/clarksville")
    shouting = replace(STORIES[1], url="HTTPS://WWW.TheParisNews.com./news/2")  # one outlet, written otherwise
    store = Store(tmp_path / "store.sqlite")
    try:
        ingest([STORIES[0], shouting, other], store, pipeline)
        assert store.outlet_placements(HOME_CONFIDENCE, set(), outlet_host) == []
        rows = store.outlet_placements(HOME_CONFIDENCE, {"theparisnews.com"}, outlet_host)
        assert {url for url, *_ in rows} == {STORIES[0].url, shouting.url}
        assert all(confidence >= HOME_CONFIDENCE for *_, confidence in rows)
        everything = store.outlet_placements(0.0, {"theparisnews.com", "example.org"}, outlet_host)
        assert len(everything) > len(rows) and {u for u, *_ in everything} == {STORIES[0].url, shouting.url, other.url}
        reading = store.conn.execute("SELECT id FROM articles")  # another tab's read, half done, on the shared conn
        reading.fetchone()
        assert store.outlet_placements(HOME_CONFIDENCE, {"theparisnews.com"}, outlet_host) == rows
        reading.close()
        first = int(store.articles().set_index("doc_id").id["a"])
        clarksville = store.article_mentions(first)
        mention = clarksville[clarksville.text == "Clarksville"].iloc[0]
        store.correct("mention", str(mention.mention_id), None)  # not a place
        after = store.outlet_placements(HOME_CONFIDENCE, {"theparisnews.com"}, outlet_host)
        assert len(after) == len(rows) - 1
    finally:
        store.close()


def test_the_parse_command_reads_its_inputs_together(home: Path, tmp_path: Path) -> None:
    source = tmp_path / "paper.jsonl"
    source.write_text("".join(json.dumps({"id": d.id, "text": d.text, "url": d.url}) + "\n" for d in [*STORIES, FIRE]),
                      encoding="utf-8")
    result = run_cli("parse", str(source), "--explain", home=home)
    assert result.returncode == 0, result.stderr
    fire = [json.loads(line) for line in result.stdout.splitlines()][-1]
    (found,) = [m for m in fire["mentions"] if m["text"] == "Paris"]
    assert fire["id"] == "c" and found["explain"]["outlet"] == {"country": "US", "admin1": "TX"}
    assert found["explain"]["chosen"]["admin1"] == "TX"


def test_dask_settles_outlets_homes_across_partitions(pipeline, settings, tmp_path: Path) -> None:
    """One article a partition: the fire story's partition alone says nothing of Texas. The client settles its home
    from what the paper's stories in the other partitions told and has it read again, so that the result is the one
    `parse` gives reading all the inputs together; run again, nothing is read again."""
    from geodata import scale

    source, out = tmp_path / "paper.jsonl", tmp_path / "out"
    source.write_text("".join(json.dumps({"id": d.id, "text": d.text, "url": d.url}) + "\n" for d in [*STORIES, FIRE]),
                      encoding="utf-8")
    with local_dask(1) as client:
        first = scale.parse_to_parquet([str(source)], out, settings, client=client, chunk_lines=1)
        again = scale.parse_to_parquet([str(source)], out, settings, client=client, chunk_lines=1)
    assert (first.partitions, first.rehomed, first.documents) == (3, 1, 3)
    assert (again.skipped, again.rehomed) == (3, 0)
    result = {p.document.id: p for p in scale.read_result(out)}
    for expected in pipeline.parse_together([*STORIES, FIRE]):
        got = result[expected.document.id]
        assert [(m.text, m.place, m.confidence) for m in got.mentions] == [
            (m.text, m.place, m.confidence) for m in expected.mentions]
    found = paris(result["c"].mentions)
    assert found.place is not None and (found.place.country, found.place.admin1) == ("US", "TX")
