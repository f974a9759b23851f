"""`parse --dask` on a real dask.distributed LocalCluster: 2 worker processes on loopback, one per module.

The result must be the single-process `Pipeline.parse` output row for row; a worker killed mid-run must
not lose or duplicate a mention; ingesting the result must store what ingesting the inputs stores; a
re-run must skip the partitions already written.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from geodata.documents import load_paths
from geodata.store import Store

from .conftest import SEED, local_dask, require, run_cli

try:
    import pyarrow.compute as pc
    import pyarrow.dataset as pads
    import pyarrow.parquet as pq
    import distributed  # noqa: F401

    from geodata import scale as dist
except ImportError as exc:  # pragma: no cover - the pins in requirements.txt install them
    require(False, f"dask[distributed] and pyarrow are needed for the distributed tests ({exc})")

PLACES = ["Paris", "Lyon", "Marseille", "Berlin", "Hamburg", "Munich", "Madrid", "Seville", "Rome", "Naples",
          "Cairo", "Alexandria", "Baghdad", "Mosul", "Damascus", "Aleppo", "Kyiv", "Odesa", "Lagos", "Kano",
          "Nairobi", "Mombasa", "Lima", "Cusco", "Toronto", "Vancouver", "Sydney", "Perth", "Delhi", "Mumbai"]
SUBJECTS = ["Flooding", "A strike", "Protests", "A heat wave", "An election", "A power cut", "A festival"]


def story(i: int) -> str:
    a, b, c = PLACES[i % len(PLACES)], PLACES[(i * 7 + 3) % len(PLACES)], PLACES[(i * 11 + 5) % len(PLACES)]
    return (f"{SUBJECTS[i % len(SUBJECTS)]} hit {a} on Monday. Officials in {b} said the Syrian and Iraqi "
            f"delegations would travel from {c} to Paris, Texas, next week. The {a} city council met again.")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """JSONL (ids, no ids, a broken line, blank lines), a Windows-1252 JSONL (read whole), text files
    with front matter, a CSV and the seed article: every way a partition is cut."""
    root = tmp_path_factory.mktemp("corpus")
    lines = []
    for i in range(22):
        title = f"Story {i} from {PLACES[(i * 5 + 1) % len(PLACES)]}" if i % 2 else f"Story {i}"  # geoparsed too
        record = {"text": story(i), "title": title, "published": f"2024-03-{i % 28 + 1:02d}"}
        if i % 3:
            record["id"] = f"s{i}"
        lines.append(json.dumps(record))
        if i == 9:
            lines += ["", "{broken json"]
    (root / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    latin = "\n".join(json.dumps({"id": f"l{i}", "text": story(100 + i) + " Caf\u00e9 owners agreed."},
                                 ensure_ascii=False) for i in range(3))
    (root / "latin.jsonl").write_bytes(latin.encode("cp1252"))
    texts = root / "texts"
    texts.mkdir()
    for i in range(3):
        (texts / f"t{i}.txt").write_text(f"---\ntitle: Text {i}\nsource: wire\n---\n{story(200 + i)}\n")
    (texts / "brief.csv").write_text('id,title,text\nc1,Brief,"Talks in Geneva, then Vienna."\n')
    shutil.copy(SEED, texts / SEED.name)
    return [str(root / "feed.jsonl"), str(root / "latin.jsonl"), str(texts)]


@pytest.fixture(scope="module")
def expected(corpus, pipeline):
    """The single-process result: `Pipeline.parse_together` over `load_paths`, as `python -m geodata parse` does
    (the same as the partitions', which read their articles together, as no article here has an address)."""
    loaded = load_paths(corpus)
    return loaded, pipeline.parse_together(loaded.documents)


@pytest.fixture(scope="module")
def client():
    with local_dask(2) as c:
        yield c


@pytest.fixture(scope="module")
def result(corpus, settings, client, tmp_path_factory):
    out = tmp_path_factory.mktemp("result") / "out"
    report = dist.parse_to_parquet(corpus, out, settings, client=client, chunk_lines=4, files_per_partition=2)
    return out, report


def all_mentions(parsed: list) -> int:
    """Mention rows of a result: the text's and the title's (what the store counts too)."""
    return sum(len(p.mentions) + len(p.title_mentions) for p in parsed)


def mention_keys(out: Path) -> list[tuple[str, int]]:
    table = pads.dataset(out / "mentions", format="parquet").to_table(columns=["article_id", "mention_index"])
    return list(zip(table.column("article_id").to_pylist(), table.column("mention_index").to_pylist()))


def test_result_equals_the_single_process_parse(result, expected):
    out, report = result
    loaded, parsed = expected
    assert report.partitions >= 8 and report.workers == 2 and report.skipped == 0
    assert report.errors == [str(e) for e in loaded.errors] and len(report.errors) == 1
    got = list(dist.read_result(out))
    assert [p.document for p in got] == [p.document for p in parsed]
    for mine, theirs in zip(got, parsed):  # same sentences, mentions, places and confidences, in order
        assert mine.sentences == theirs.sentences
        assert mine.mentions == theirs.mentions, mine.document.id
        assert mine.title_mentions == theirs.title_mentions, mine.document.id
    assert got == parsed
    assert sum(bool(p.title_mentions) for p in got) >= 10  # the titles naming a place: their mentions came back
    assert report.documents == len(parsed) and report.mentions == all_mentions(parsed)

    # the tables as any Parquet reader sees them: one row per mention, joined to articles on article_id
    articles = pads.dataset(out / "articles", format="parquet").to_table()
    mentions = pads.dataset(out / "mentions", format="parquet").to_table()
    assert articles.num_rows == len(parsed) and mentions.num_rows == report.mentions
    assert set(mentions.column("article_id").to_pylist()) <= set(articles.column("article_id").to_pylist())
    resolved = [m for p in parsed for m in (*p.mentions, *p.title_mentions) if m.place]
    assert sorted(mentions.column("place_id").drop_null().to_pylist()) == sorted(m.place.id for m in resolved)
    row = next(r for r in mentions.to_pylist() if r["text"] == "Baghouz")
    text = next(a for a in articles.to_pylist() if a["article_id"] == row["article_id"])["text"]
    assert text[row["start"]:row["end"]] == "Baghouz"
    assert row["sentence_start"] <= row["start"] < row["end"] <= row["sentence_end"]
    assert row["place_name"] and row["feature"].startswith("P.") and row["country"] == "SY"
    syria = next(r for r in mentions.to_pylist() if r["place_name"] == "Syria")
    assert syria["geonameid"] == 163843 and syria["feature"] == "A.PCLI" and syria["confidence"] > 0.5
    in_title = [r for r in mentions.to_pylist() if r["sentence"] == -1]  # TITLE_SENTENCE: offsets into the title
    assert len(in_title) == sum(len(p.title_mentions) for p in parsed)
    titles = {a["article_id"]: a["title"] for a in articles.to_pylist()}
    assert all(titles[r["article_id"]][r["start"]:r["end"]] == r["text"] and r["sentence_start"] == 0
               and r["sentence_end"] == len(titles[r["article_id"]]) for r in in_title), in_title[:3]
    assert not list(out.rglob("*.tmp"))


def test_a_result_written_before_titles_were_geoparsed_reads_as_no_title_mentions(expected, tmp_path):
    """An older partition has no title rows: its articles come back with their text mentions only."""
    from geodata.scale import parquet

    parsed = expected[1]
    articles, mentions = parquet.tables("old", parsed)
    keep = pc.not_equal(mentions.column("sentence"), -1)
    for table, rows in ((parquet.ARTICLES, articles), (parquet.MENTIONS, mentions.filter(keep))):
        parquet.part_path(tmp_path, table, "old").parent.mkdir(parents=True)
        pq.write_table(rows, parquet.part_path(tmp_path, table, "old"))
    got = parquet.read_partition(tmp_path, "old")
    assert any(p.title_mentions for p in parsed) and not any(p.title_mentions for p in got)
    assert [p.mentions for p in got] == [p.mentions for p in parsed]
    assert [p.document for p in got] == [p.document for p in parsed]


def test_a_rerun_skips_complete_partitions_and_redoes_a_failed_one(result, corpus, settings, client, expected):
    out, first = result
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("part-*.parquet")}
    again = dist.parse_to_parquet(corpus, out, settings, client=client, chunk_lines=4, files_per_partition=2)
    assert again.skipped == again.partitions == first.partitions and again.documents == first.documents
    assert {p: p.stat().st_mtime_ns for p in out.rglob("part-*.parquet")} == stamps

    # a partition that failed half-way: its mentions renamed, its articles (the commit mark) not, a temp file
    victim = sorted((out / "articles").glob("part-*.parquet"))[3]
    victim.unlink()
    (victim.parent / f".{victim.name}.dead.1.tmp").write_bytes(b"half a parquet file")
    with pytest.raises(dist.DistributedError, match="incomplete"):
        list(dist.read_result(out))
    fixed = dist.parse_to_parquet(corpus, out, settings, client=client, chunk_lines=4, files_per_partition=2)
    assert fixed.skipped == first.partitions - 1
    assert {p for p in stamps if p.stat().st_mtime_ns != stamps[p]} == {out / "mentions" / victim.name, victim}
    assert list(dist.read_result(out)) == expected[1] and not list(out.rglob("*.tmp"))


def test_a_partition_an_older_reader_wrote_would_be_read_again(result, corpus, tmp_path):
    """The reader's fingerprint (the package's modules and data files) is in the run's salt, so in every
    partition's fingerprint: after a change to a rule or to the calibration a run reads its inputs again instead of
    keeping what the older code placed; a compiled cache is no change."""
    from geodata.scale.partitions import PACKAGE, reader_version
    from geodata.scale.result import MANIFEST

    out, _ = result
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["settings"]["reader"] == reader_version()
    copy = tmp_path / "geodata"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert reader_version(copy) == reader_version()
    (copy / "__pycache__").mkdir()
    (copy / "__pycache__" / "stale.cpython-311.pyc").write_bytes(b"compiled")
    assert reader_version(copy) == reader_version()
    calibration = copy / "resolve" / "data" / "calibration.csv"
    calibration.write_text(calibration.read_text(encoding="utf-8") + "# refitted\n", encoding="utf-8")
    assert reader_version(copy) != reader_version()
    salts = [json.dumps({"reader": reader_version(path)}) for path in (PACKAGE, copy)]
    fingerprints = [{spec.fingerprint for spec in dist.plan(corpus, chunk_lines=4, files_per_partition=2, salt=salt)}
                    for salt in salts]
    assert fingerprints[0] and not fingerprints[0] & fingerprints[1]


def test_appending_to_a_feed_parses_only_the_new_chunks(settings, client, tmp_path):
    feed, out = tmp_path / "feed.jsonl", tmp_path / "out"
    feed.write_text("".join(json.dumps({"text": story(i)}) + "\n" for i in range(6)))
    first = dist.parse_to_parquet([feed], out, settings, client=client, chunk_lines=2)
    with feed.open("a") as handle:
        handle.write("".join(json.dumps({"text": story(i)}) + "\n" for i in range(6, 9)))
    second = dist.parse_to_parquet([feed], out, settings, client=client, chunk_lines=2)
    assert (first.partitions, second.partitions, second.skipped) == (3, 5, 3)
    assert [p.document.id for p in dist.read_result(out)] == [str(i) for i in range(1, 10)]


def test_a_killed_worker_loses_and_duplicates_nothing(corpus, settings, client, expected, tmp_path):
    out = tmp_path / "out"
    box: dict[str, object] = {}
    pids = client.run(os.getpid)

    def run() -> None:
        try:
            box["report"] = dist.parse_to_parquet(corpus, out, settings, client=client, chunk_lines=2,
                                                  files_per_partition=1)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            box["error"] = exc

    runner = threading.Thread(target=run)
    runner.start()
    victim = None
    deadline = time.monotonic() + 60
    while victim is None and time.monotonic() < deadline and runner.is_alive():
        written = list((out / "articles").glob("part-*.parquet")) if (out / "articles").exists() else []
        busy = [w for w, keys in client.processing().items() if any("run_partition" in str(k) for k in keys)]
        if written and busy:  # the run is under way and this worker holds a partition
            victim = busy[0]
        else:
            time.sleep(0.05)
    assert victim is not None, "no partition was running"
    os.kill(pids[victim], signal.SIGKILL)
    runner.join(timeout=120)
    assert not runner.is_alive() and "error" not in box, box.get("error")
    report = box["report"]
    assert victim not in client.scheduler_info()["workers"]  # it did die mid-run, holding a partition
    removed = [e for _, e in client.get_events(victim) if e.get("action") == "remove-worker"]
    assert removed and any("run_partition" in str(k) for k in removed[0]["processing-tasks"]), removed
    keys = mention_keys(out)
    assert len(keys) == len(set(keys)) == all_mentions(expected[1])
    assert list(dist.read_result(out)) == expected[1]
    assert report.documents == len(expected[1]) and not list(out.rglob("*.tmp"))
    client.wait_for_workers(2, timeout=60)  # the nanny brings it back for the next test


def test_ingesting_the_result_stores_what_ingesting_the_inputs_stores(result, expected, tmp_path):
    out, _ = result
    loaded, parsed = expected
    direct = Store(tmp_path / "direct.sqlite")
    direct_report = direct.add_all(parsed)  # what `ingest INPUTS` stores
    from_result = Store(tmp_path / "result.sqlite")
    report = dist.ingest_result(out, from_result)
    assert (report.added, report.skipped, report.mentions) == \
        (direct_report.added, direct_report.skipped, direct_report.mentions)
    assert from_result.counts() == direct.counts()
    query = ('SELECT a.doc_id, a.content_hash, m.sentence, m.start, m."end", m.text, m.label, m.kind, m.confidence, '
             "m.place_id, m.reason FROM mentions m JOIN articles a ON a.id = m.article_id ORDER BY a.id, m.start")
    assert from_result.conn.execute(query).fetchall() == direct.conn.execute(query).fetchall()
    assert from_result.conn.execute("SELECT * FROM places ORDER BY id").fetchall() == \
        direct.conn.execute("SELECT * FROM places ORDER BY id").fetchall()
    assert dist.ingest_result(out, from_result).added == 0  # idempotent: same texts are skipped
    direct.close()
    from_result.close()


def test_online_workers_share_one_cache_and_one_request_rate(settings, gazetteer, client, tmp_path):
    """Asked for (`online=True`), workers geocode through one cluster-wide lock: each unknown name is
    requested once for the whole cluster, and requests are spaced by the delay across workers."""
    from .fake_nominatim import FakeNominatim, FakePlace

    home = tmp_path / "home"  # a private gazetteer: geocoded places must not leak into other tests
    home.mkdir()
    target = sqlite3.connect(home / "gazetteer.sqlite")
    gazetteer.conn.backup(target)
    target.close()
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(json.dumps({"id": f"g{i}", "text": f"Report {i}: fighting spread to Kafr Zubaydat "
                                          f"and Hamadiyah villages near Deir ez-Zor in Syria."}) for i in range(4)))
    with FakeNominatim([FakePlace("Kafr Zubaydat", 35.2417, 40.4113), FakePlace("Hamadiyah", 35.3, 40.2)]) as server:
        config = settings.with_(home=home, offline=False, geocoder="nominatim", geocoder_url=server.url,
                                geocoder_min_delay=0.4, geocoder_timeout=2.0, geocoder_user_agent="geodata-tests")
        report = dist.parse_to_parquet([feed], tmp_path / "out", config, client=client, chunk_lines=1, online=True)
        asked = server.search_requests()
    assert report.partitions == 4 and report.documents == 4
    counts = Counter(r.params["q"] for r in asked)  # 4 articles on 2 workers, each name asked once in all
    assert {"Kafr Zubaydat", "Hamadiyah"} <= set(counts) and set(counts.values()) == {1}, counts
    arrivals = sorted(r.time for r in asked)
    assert all(later - earlier >= 0.35 for earlier, later in zip(arrivals, arrivals[1:])), arrivals
    found = {m.text: m.place for p in dist.read_result(tmp_path / "out") for m in p.mentions}
    assert found["Kafr Zubaydat"].source == "geocoder:nominatim" and found["Hamadiyah"].country == "SY"


def test_workers_that_cannot_load_the_pipeline_fail_early_and_clearly(settings, client, tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"text": story(1)}) + "\n")
    with pytest.raises(dist.DistributedError, match="cannot load the geoparser.*no gazetteer yet"):
        dist.parse_to_parquet([feed], tmp_path / "out", settings.with_(home=tmp_path / "nowhere"), client=client)
    with pytest.raises(dist.DistributedError, match="no such file"):
        dist.parse_to_parquet([tmp_path / "missing.jsonl"], tmp_path / "out", settings, client=client)


def test_a_jsonl_file_is_cut_into_chunks_with_its_own_line_numbers(tmp_path):
    path = tmp_path / "f.jsonl"
    path.write_text("\n".join([json.dumps({"text": f"Line {i} in Rome."}) for i in range(7)] + ["", "{bad"]))
    specs = dist.plan([path], chunk_lines=3)
    assert [s.first_line for s in specs] == [1, 4, 7]
    docs = [d for s in specs for d in dist.load_partition(s).documents]
    errors = [e for s in specs for e in dist.load_partition(s).errors]
    whole = load_paths([path])
    assert docs == whole.documents and errors == whole.errors
    assert docs[4].id == "5" and docs[4].origin == f"{path}:5" and errors[0].line == 9
    assert [s.key for s in dist.plan([path], chunk_lines=3)] == [s.key for s in specs]  # deterministic names
    assert dist.planned_lines(dist.plan([path], chunk_lines=2, limit=5)) == 5


def _cli_wired() -> bool:
    from geodata.cli import build_parser

    return "--dask" in build_parser()._subparsers._group_actions[0].choices["parse"].format_help()


@pytest.mark.skipif(not _cli_wired(), reason="`parse --dask` is not wired into geodata/cli.py yet")
def test_cli_parse_dask_then_ingest(home, tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(json.dumps({"id": f"d{i}", "text": story(i)}) for i in range(6)) + "\n")
    out = tmp_path / "out"
    parsed = run_cli("parse", "--dask", "--workers", "2", "--chunk-lines", "2", str(feed), "--out", f"{out}/",
                     home=home)
    assert parsed.returncode == 0, parsed.stderr
    assert "6 document(s)" in parsed.stderr and dist.is_result(out)
    again = run_cli("parse", "--dask", "--workers", "1", str(feed), "--out", str(out), "--chunk-lines", "2",
                    home=home)
    assert again.returncode == 0 and "3 of 3 partition(s) already complete" in again.stderr, again.stderr
    db = tmp_path / "store.sqlite"
    ingested = run_cli("ingest", f"{out}/", "--db", str(db), home=home)
    assert ingested.returncode == 0, ingested.stderr
    assert "ingested 6 article(s)" in ingested.stderr
    store = Store(db)
    assert store.counts()["articles"] == 6
    assert Counter(store.mentions().place_name)["Paris"] >= 1
    store.close()
