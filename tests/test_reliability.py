"""Reliability (issue 6): bad input and injected faults, on real files, real SQLite databases and real
subprocesses. The scenarios are the ones `make stress` runs (devtools/stress/); test_documents.py
and test_store.py already cover the loaders' basic refusals and a plain duplicate ingest."""

from __future__ import annotations

import csv
import io
import json
import sys
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devtools.stress.checks import query, store_problems
from devtools.stress.inputs import TRICKY_TEXTS, long_line, parsed_article, seed_store, write_huge_text
from devtools.stress.processes import Running, cli, cli_env
from devtools.stress.scenarios_concurrency import scenario_delete_while_reading
from devtools.stress.scenarios_damage import (GEONAMES_BATCH, scenario_bad_inputs, scenario_damaged_files,
                                              scenario_gazetteer_build_kill, scenario_geonames_kill,
                                              scenario_ingest_kill)
from devtools.stress.scenarios_hostile import (scenario_disk_full, scenario_export_disk_full, scenario_hostile_text,
                                               scenario_read_only, scenario_read_only_home)
from geodata.config import Settings
from geodata.documents import load_paths, read_bytes
from geodata.spans import trim
from geodata.gazetteer import normalize
from geodata.gazetteer.build import builtin_version
from geodata.records import Document
from geodata.store import Store, StoreError

# -- bad input ---------------------------------------------------------------------------------


def test_cli_ingest_of_every_kind_of_bad_input_keeps_the_good_and_what_was_stored(home, tmp_path):
    """Also the hostile files: a FIFO in the folder (skipped, never waited on) and one named on the command
    line (reported), a non-UTF-8 file name, a JSONL with a lone surrogate and a 100,000-deep line between good
    lines, a CSV quote left open, random bytes named .txt, UTF-32, a NaN title, front matter never closed."""
    out = scenario_bad_inputs(home, tmp_path, heavy=False, time_limit=60)
    assert out.failures == []
    assert out.facts["returncode"] == 1 and "Traceback" not in out.facts["stderr"]
    assert out.facts["stored"] == out.facts["expected"] == 21  # the seed + 20 good documents, one text once
    folder = tmp_path / "inputs"
    assert {line.split(": ", 2)[1] for line in out.facts["errors"]} >= {
        f"{folder}/hostile.jsonl:2", f"{folder}/hostile.jsonl:3", f"{folder}/quotes.csv:3", f"{folder}/noise.txt",
        f"{tmp_path}/named-pipe.txt"}
    assert not any("pipe.txt" in line for line in out.facts["errors"] if str(folder) in line)
    assert (out.lost, out.corrupted) == (0, 0)


def test_template_html_markdown_formula_and_bidi_text_stays_literal_through_ingest_and_export(home, tmp_path):
    """folium renders macro output as a Jinja template a second time: a title `{{ 7*7 }}` must stay that text,
    the sentinel payload must never run, and a spreadsheet must find no formula in the CSV."""
    out = scenario_hostile_text(home, tmp_path)
    facts = out.facts
    assert facts["ingest"].returncode == 0 and facts["export"].returncode == 0, facts["export"].stderr
    assert not facts["sentinel"] and not (tmp_path / "SENTINEL").exists()
    assert facts["missing_html"] == [] and facts["live_markup"] == []
    assert facts["missing_geojson"] == [] and facts["bad_sentences"] == []
    assert facts["formulas"] == [] and facts["missing_csv"] == []
    assert out.failures == [] and (out.lost, out.corrupted) == (0, 0)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc")
def test_a_50_mb_text_is_refused_by_name_before_parsing_in_bounded_memory(home, tmp_path):
    """Decision: one article is at most GEODATA_MAX_TEXT_CHARS (250,000) characters; spaCy would need
    gigabytes (and refuses over 1,000,000). The file is named, nothing is parsed, memory stays low."""
    huge = write_huge_text(tmp_path / "huge.txt", 50)
    # VmHWM: this process's own peak (ru_maxrss would count the pytest process it was forked from)
    probe = ("import sys; from geodata.cli import main; code = main(sys.argv[1:]); "
             "print(*[l for l in open('/proc/self/status') if l.startswith('VmHWM')], file=sys.stderr); "
             "sys.exit(code)")
    run = Running([sys.executable, "-c", probe, "parse", str(huge), "--out", str(tmp_path / "out.jsonl")],
                  cli_env(home), tmp_path / "logs").finish(timeout=120)
    assert run.returncode == 1, run.stderr
    assert (f"error: {huge}: text of 52,428,800 characters is over the 250,000-character limit for one article "
            "(GEODATA_MAX_TEXT_CHARS)") in run.stderr
    assert "Traceback" not in run.stderr and (tmp_path / "out.jsonl").read_text() == ""
    peak_mb = int(run.stderr.rsplit("VmHWM:", 1)[1].split()[0]) / 1024
    assert peak_mb < 500, f"{peak_mb:.0f} MB"


def test_files_over_the_size_limit_are_refused_unread_with_the_same_message_in_cli_and_dashboard(tmp_path):
    huge = write_huge_text(tmp_path / "huge.txt", 21)
    limit = 20 * 2**20
    from_disk = load_paths([huge], max_bytes=limit)  # the CLI's path
    uploaded = read_bytes(str(huge), huge.read_bytes(), max_bytes=limit)  # the dashboard's path
    assert from_disk.documents == uploaded.documents == []
    assert [str(e) for e in from_disk.errors] == [str(e) for e in uploaded.errors] == [
        f"{huge}: 21.0 MB is over the 20 MB limit for one file (GEODATA_MAX_FILE_MB); split it or raise the limit"]


def test_over_long_articles_are_named_by_line_and_the_others_load():
    long_text = "Officials in Paris met envoys. " * 10_000  # 310,000 characters
    jsonl = "\n".join(json.dumps({"id": i, "text": t}) for i, t in
                      enumerate(["Talks in Oslo.", long_text, "Aid reached Lima."], start=1))
    result = read_bytes("feed.jsonl", jsonl.encode())
    assert [d.id for d in result.documents] == ["1", "3"]
    assert [str(e) for e in result.errors] == [
        f"feed.jsonl:2: text of {len(long_text):,} characters is over the {Settings().max_text_chars:,}-character "
        "limit for one article (GEODATA_MAX_TEXT_CHARS); split it into articles"]


def test_a_csv_article_longer_than_the_csv_modules_128_kib_field_limit_loads():
    table = io.StringIO()
    csv.writer(table).writerows([["title", "text"], ["Long", long_line(200_000)], ["Short", "Talks in Oslo."]])
    result = read_bytes("news.csv", table.getvalue().encode())
    assert result.errors == []
    assert [len(d.text) for d in result.documents] == [200_000, 14]


def test_jsonl_lines_with_empty_text_are_named():
    result = read_bytes("feed.jsonl", b'{"text": "  \\n "}\n{"text": "Talks in Oslo."}\n')
    assert [str(e) for e in result.errors] == ["feed.jsonl:1: empty `text`"]
    assert [d.text for d in result.documents] == ["Talks in Oslo."]


def test_a_200000_character_line_parses_in_bounded_time_with_exact_offsets(home, tmp_path):
    text = long_line(200_000)
    source = tmp_path / "long-line.txt"
    source.write_text(text, encoding="utf-8")
    run = cli("parse", str(source), "--out", str(tmp_path / "out.jsonl"), home=home,
              log_dir=tmp_path / "logs", timeout=45)
    assert run.returncode == 0, f"exit {run.returncode} after {run.seconds:.0f} s: {run.stderr[-500:]}"
    (parsed,) = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(parsed["mentions"]) > 1000
    assert all(text[m["start"]:m["end"]] == m["text"] for m in parsed["mentions"])


def _check_offsets(text: str, parsed) -> None:
    """Every mention is its text's slice, inside its sentence, not cutting a letter from its accent."""
    assert [s.index for s in parsed.sentences] == list(range(len(parsed.sentences)))
    for s in parsed.sentences:
        assert 0 <= s.start <= s.end <= len(text)
    for m in parsed.mentions:
        assert 0 <= m.start < m.end <= len(text) and text[m.start:m.end] == m.text
        sentence = parsed.sentences[m.sentence]
        assert sentence.start <= m.start and m.end <= sentence.end
        assert m.text == m.text.strip()
        assert m.end == len(text) or not unicodedata.combining(text[m.end])


def test_markup_right_to_left_combining_and_emoji_keep_offsets_through_the_store(pipeline, tmp_path):
    docs = [Document(name, text) for name, text in TRICKY_TEXTS.items()]
    parsed = list(pipeline.parse(docs))
    for doc, result in zip(docs, parsed):
        _check_offsets(doc.text, result)
    places = {doc.id: {m.place.name for m in p.mentions if m.place} for doc, p in zip(docs, parsed)}
    assert "Madrid" in places["html"] and {"Damascus", "Baghdad"} <= places["rtl"]
    assert "Zürich" in places["combining"]  # written with a combining diaeresis (NFD)
    assert {"Paris", "Tokyo", "Berlin"} <= places["emoji"]
    store = Store(tmp_path / "store.sqlite")
    report = store.add_all(parsed)
    assert report.added == 4
    for article_id, doc in zip(report.article_ids, docs):  # stored verbatim: tags are text, never markup
        assert store.article(article_id)["text"] == doc.text
    rows = store.mentions()
    assert len(rows) == sum(len([m for m in p.mentions if m.place]) for p in parsed)
    assert all(r.sentence[r.sentence_start:r.sentence_end] == r.text for r in rows.itertuples())
    assert store.check() == []  # SQLite's substr() agrees on astral characters
    assert store_problems(store.path) == []


FRAGMENTS = ["Paris", "Berlin", "Damascus", "Zu\u0308rich", "Cairo", "Syrian", " ", "  ", "\n", "\n\n", ". ", ", ",
             "<b>", "</b>", "<script>", "</script>", "&amp;", "دمشق", "ירושלים", "\u200f", "\u202b", "\u202c",
             "\u0301", "\U0001F600", "\U0001F3FD", "\u200d", "\U0001F1EB\U0001F1F7", "\ufe0f", "The ", "the ", "'s",
             "\u2019", "officials in ", "met envoys from ", "\t", "\r\n", "U.S.", "(", ")"]
texts = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), min_size=1, max_size=30).map("".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts)
def test_parse_offsets_hold_for_any_mix_of_markup_scripts_and_emoji(pipeline, text):
    (parsed,) = pipeline.parse([Document("x", text)])
    _check_offsets(text, parsed)


@st.composite
def text_and_span(draw):
    text = draw(st.text(st.sampled_from(list("The the 's\u2019.,;:!?\"')]- abXY\n\tÉ\u0301\u05d0\U0001F600"))
                        | st.characters(), max_size=40))
    start = draw(st.integers(0, len(text)))
    return text, start, draw(st.integers(start, len(text)))


@settings(max_examples=500, deadline=None)
@given(text_and_span())
def test_trim_narrows_a_span_and_is_stable(span):
    text, start, end = span
    new_start, new_end = trim(text, start, end)
    assert start <= new_start <= new_end <= end
    assert (new_start < new_end) == (start < end)
    assert trim(text, new_start, new_end) == (new_start, new_end)


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_normalize_is_canonical(name):
    key = normalize(name)
    assert normalize(unicodedata.normalize("NFC", name)) == normalize(unicodedata.normalize("NFD", name)) == key
    assert key == key.casefold() and "  " not in key
    assert not any(unicodedata.combining(ch) for ch in key)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.lists(st.lists(st.integers(-3, 60), min_size=2, max_size=2), max_size=3))
def test_jsonl_keeps_any_text_exactly_and_spans_inside_it(text, spans):
    result = read_bytes("feed.jsonl", json.dumps({"text": text, "spans": spans}, ensure_ascii=False).encode())
    if result.documents:
        (doc,) = result.documents
        assert doc.text == text and text.strip()
        assert all(0 <= start < end <= len(text) for start, end in doc.spans)
    else:
        (error,) = result.errors
        assert str(error).startswith("feed.jsonl:1: ")


def test_the_same_text_under_another_id_is_stored_once_through_add_all(pipeline, tmp_path):
    """The dashboard's path: `Store.add_all` of parsed documents (the CLI's twice-ingest is in test_store)."""
    store = Store(tmp_path / "store.sqlite")
    text = "Officials in Aleppo met envoys from Damascus."
    first = store.add_all(pipeline.parse([Document("upload-1", text, title="First")]))
    counts = store.counts()
    again = store.add_all(pipeline.parse([Document("pasted", text, title="Second"),
                                          Document("other", text + " Talks go on in Homs.")]))
    assert (first.added, again.added, again.skipped) == (1, 1, 1)
    assert store.counts()["articles"] == counts["articles"] + 1
    assert set(store.articles().doc_id) == {"upload-1", "other"}


# -- faults ------------------------------------------------------------------------------------


def test_sigkill_mid_ingest_leaves_whole_articles_and_a_rerun_completes_without_duplicates(home, tmp_path):
    out = scenario_ingest_kill(home, tmp_path, articles=60, kill_at=(5,))
    assert out.failures == []
    (killed_at,) = out.facts["killed_at"]
    assert 5 <= killed_at < 60  # killed in the middle of the batch
    assert out.facts["problems_after_kill"] == [[]]  # Store.check(), sentences, mentions
    assert f"ingested {60 - killed_at} article(s), {killed_at} already stored" in out.facts["rerun"].stderr
    assert len(out.facts["final"]) == 60 and out.facts["final"] == out.facts["reference"]
    assert (out.lost, out.corrupted) == (0, 0)


def test_sigkill_mid_gazetteer_build_leaves_no_half_build_and_a_rerun_completes(tmp_path, gazetteer):
    out = scenario_gazetteer_build_kill(tmp_path, reference_places=gazetteer.count())
    assert out.failures == []
    after = out.facts["after_kill"]
    assert after["integrity"] == "ok" and (after.get("places"), after.get("version")) in ((0, None), (None, None))
    final = out.facts["final"]
    assert final["version"] == builtin_version() and final["places"] == gazetteer.count()
    assert (out.lost, out.corrupted) == (0, 0)


def test_sigkill_mid_geonames_import_keeps_whole_batches_and_a_rerun_matches_an_uninterrupted_import(
        tmp_path, gazetteer):
    out = scenario_geonames_kill(gazetteer.path, tmp_path, lines=200_000)
    assert out.failures == []
    after = out.facts["after_kill"]
    assert after["integrity"] == "ok"
    assert 0 < after["geonames"] < 200_000 and after["geonames"] % GEONAMES_BATCH == 0
    final, want = out.facts["final"], out.facts["uninterrupted"]
    assert {k: final[k] for k in ("places", "names", "geonames")} == {k: want[k] for k in ("places", "names",
                                                                                          "geonames")}
    assert final["geonames"] == 200_000
    victim = tmp_path / "victim" / "gazetteer.sqlite"
    assert query(victim, "SELECT place_id FROM names WHERE name = 'stressburg 199999'") == [("gn:97199999",)]


def test_a_damaged_foreign_or_non_sqlite_store_is_reported_not_overwritten(home, tmp_path):
    out = scenario_damaged_files(home, tmp_path, targets=("store",))
    assert out.failures == [] and out.corrupted == 0 and out.faults == 3
    messages = {name: run.stderr for name, run in out.facts["runs"].items()}
    assert "not an SQLite database" in messages["store: not SQLite"]
    assert "another application (tables: invoices)" in messages["store: another application's SQLite"]
    assert "the store file is damaged" in messages["store: damaged store"]


def test_a_damaged_foreign_or_non_sqlite_gazetteer_is_reported_not_overwritten(home, tmp_path):
    out = scenario_damaged_files(home, tmp_path, targets=("gazetteer",))
    assert out.failures == [] and out.corrupted == 0 and out.faults == 3


def test_a_read_only_store_folder_or_file_gives_a_clear_message_and_changes_nothing(home, tmp_path):
    """Tests run as root, whom chmod does not stop: the CLI runs without CAP_DAC_OVERRIDE, so the
    kernel enforces the permissions for it as for any user."""
    out = scenario_read_only(home, tmp_path)
    if out.facts.get("skipped"):
        pytest.skip(out.facts["skipped"])
    assert out.failures == [] and (out.lost, out.corrupted) == (0, 0)
    folder, file = out.facts["runs"]["folder"], out.facts["runs"]["file"]
    assert "cannot use this file as the store: the store file or its folder is read-only" in folder.stderr
    assert "read-only" in file.stderr and "was not stored" in file.stderr


def test_a_full_disk_mid_ingest_stores_whole_articles_only_and_a_rerun_completes(home, tmp_path):
    """The kernel refuses writes past a file size (RLIMIT_FSIZE) as a full disk does."""
    out = scenario_disk_full(home, tmp_path, articles=30)
    assert out.failures == [] and (out.lost, out.corrupted) == (0, 0)
    assert "was not stored" in out.facts["run"].stderr
    assert 0 < out.facts["stored_when_full"] < 30 and out.facts["problems"] == []
    assert out.facts["final"] == 33


def test_an_export_onto_a_full_disk_keeps_the_previous_file_and_leaves_no_temporary_file(home, tmp_path):
    out = scenario_export_disk_full(home, tmp_path)
    assert out.failures == [] and out.corrupted == 0
    assert out.facts["run"].returncode == 2 and "not written" in out.facts["run"].stderr
    assert out.facts["intact"] and out.facts["left"] == []
    assert out.facts["rerun"].returncode == 0


def test_a_read_only_data_folder_exports_and_looks_up_but_refuses_to_delete(home, tmp_path):
    """GEODATA_HOME itself read-only (0555 folder, 0444 files), for root too: reading works, writing says why."""
    out = scenario_read_only_home(home, tmp_path)
    if out.facts.get("skipped"):
        pytest.skip(out.facts["skipped"])
    runs = out.facts["runs"]
    assert runs["export"].returncode == 0, runs["export"].stderr
    assert runs["lookup"].returncode == 0 and '"name": "Damascus"' in runs["lookup"].stdout, runs["lookup"].stderr
    assert runs["delete"].returncode == 2 and "read-only" in runs["delete"].stderr
    assert out.facts["exported"] > 0 and out.facts["files"] == ["gazetteer.sqlite", "store.sqlite"]
    assert out.failures == [] and (out.lost, out.corrupted) == (0, 0)


def test_deleting_articles_while_sessions_read_never_shows_a_half_deleted_article(home, tmp_path):
    out = scenario_delete_while_reading(home, tmp_path, articles=30, deletes=15, readers=3)
    assert out.facts["run"].returncode == 0, out.facts["run"].stderr
    assert out.facts["errors"] == [] and out.facts["reads"] > 0
    assert out.facts["problems"] == [] and out.facts["left"] == 15
    assert out.failures == [] and (out.lost, out.corrupted) == (0, 0)


def test_store_writes_on_a_full_database_roll_back_whole_and_raise_store_error(tmp_path):
    store = Store(seed_store(tmp_path / "store.sqlite", 2))
    before = store.counts()
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")
    parsed = parsed_article(7)
    parsed.document = replace(parsed.document, text=parsed.document.text + " " * 20_000)  # needs new pages
    with pytest.raises(StoreError, match="the disk is full .*article 'p7' was not stored"):
        store.add(parsed)
    from geodata.records import Place

    with pytest.raises(StoreError, match="the correction of name 'Paris' was not stored"):
        big = Place("user:" + "x" * 20_000, "y" * 20_000, 1.0, 2.0, source="user")  # needs new pages
        store.correct("name", "Paris", big)
    assert store.counts() == before and not store.conn.in_transaction
    store.conn.execute(f"PRAGMA max_page_count = {pages * 100}")
    assert store.add(parsed) is not None
    assert store_problems(store.path, mentions_everywhere=True) == []


def test_a_folder_in_place_of_the_store_file_is_reported(tmp_path):
    directory = tmp_path / "a-folder.sqlite"
    directory.mkdir()
    with pytest.raises(StoreError, match="a-folder.sqlite: cannot open the store"):
        Store(directory)
    assert list(directory.iterdir()) == []
