"""Scenarios: read-only stores and data folders, full disks, and hostile article text through ingest and
export."""

from __future__ import annotations

import csv
import html
import io
import json
import shutil
from pathlib import Path

from .checks import copy_sqlite, digest, store_contents, store_problems
from .faults import file_size_limit, make_read_only, make_writable, permissions_enforced, without_permission_override
from .inputs import article_rows, hostile_payloads, hostile_rows, seed_store, write_jsonl
from .outcome import Outcome, compare_stores
from .processes import cli, start_cli


def scenario_read_only(home: Path, work: Path) -> Outcome:
    """Ingest into a store whose folder, or file, is read-only (for root too): exit 2 with a message saying so,
    and the store unchanged. Skipped (facts['skipped']) where permissions cannot be enforced."""
    out = Outcome("read-only store folder / file")
    if not permissions_enforced(work):
        out.facts["skipped"] = "file permissions cannot be enforced here (root without droppable capabilities)"
        return out
    logs, more = work / "logs", write_jsonl(work / "ro-more.jsonl", article_rows(3, "s"))
    runs = {}
    for variant in ("folder", "file"):
        folder = work / f"read-only-{variant}"
        shutil.rmtree(folder, ignore_errors=True)
        db = seed_store(folder / "store.sqlite", 3)
        before, contents = digest(db), store_contents(db)
        make_read_only(folder, files_only=variant == "file")
        try:
            run = cli("ingest", str(more), "--db", str(db), home=home, log_dir=logs,
                      preexec_fn=without_permission_override)
        finally:
            make_writable(folder)
        out.faults += 1
        runs[variant] = run
        out.expect(run.returncode == 2 and "read-only" in run.stderr and "Traceback" not in run.stderr,
                   f"read-only {variant}: exit {run.returncode}: {run.stderr.strip()[-300:]}")
        after = store_contents(db)
        compare_stores(out, after, contents)
        out.corrupted += int(digest(db) != before) + len(store_problems(db))
    out.facts["runs"] = runs
    return out


def scenario_disk_full(home: Path, work: Path, *, articles: int = 30, limit: int = 300_000) -> Outcome:
    """Ingest with the kernel refusing writes past `limit` bytes per file (RLIMIT_FSIZE, as a full disk):
    exit 2 with a message, whole articles only, earlier ones intact; re-running with room completes."""
    out = Outcome("disk full during ingest (RLIMIT_FSIZE)", inputs=articles, faults=1)
    logs = work / "logs"
    shutil.rmtree(work / "full", ignore_errors=True)
    db = seed_store(work / "full" / "store.sqlite", 3)
    feed = write_jsonl(work / "full-feed.jsonl", article_rows(articles, "g"))
    earlier = store_contents(db)
    run = cli("ingest", str(feed), "--db", str(db), home=home, log_dir=logs, preexec_fn=file_size_limit(limit))
    after = store_contents(db)
    problems = store_problems(db)
    out.expect(run.returncode == 2 and "was not stored" in run.stderr and "Traceback" not in run.stderr,
               f"disk full: exit {run.returncode}: {run.stderr.strip()[-400:]}")
    compare_stores(out, {k: v for k, v in after.items() if k in earlier}, earlier)
    rerun = cli("ingest", str(feed), "--db", str(db), home=home, log_dir=logs)
    final = store_contents(db)
    out.expect(rerun.returncode == 0, f"re-run with room: {rerun.stderr[-300:]}")
    out.lost += 3 + articles - len(final)
    out.corrupted += len(problems) + len(store_problems(db))
    out.facts.update(run=run, stored_when_full=len(after) - len(earlier), problems=problems, final=len(final),
                     rerun=rerun)
    return out


# -- hostile text through ingest and export --------------------------------------------------------

SPREADSHEET_FORMULA = ("=", "+", "@", "\t", "\r")  # a CSV cell starting so runs as a formula (OWASP CSV injection)


def map_rows(html_file: Path) -> list[list]:
    """The marker rows a standalone map inlines (`var data = [...]`), decoded as the browser reads them."""
    page = html_file.read_text(encoding="utf-8")
    start = page.index("var data = ") + len("var data = ")
    return json.JSONDecoder().raw_decode(page, start)[0]


def scenario_hostile_text(home: Path, work: Path) -> Outcome:
    """Articles whose title, source and text hold template, HTML, markdown, spreadsheet and bidi payloads,
    through a CLI ingest and `export --html --csv --geojson`: nothing runs (the sentinel file is never
    made), every payload comes out as the literal text it was, and no CSV cell starts a formula."""
    out = Outcome("hostile text, ingest + export")
    logs, sentinel = work / "logs", work / "SENTINEL"
    payloads = hostile_payloads(sentinel)
    rows = hostile_rows(payloads)
    out.inputs = len(rows)
    feed, db, exports = write_jsonl(work / "hostile.jsonl", rows), work / "hostile.sqlite", work / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    files = {"html": exports / "map.html", "csv": exports / "mentions.csv", "geojson": exports / "mentions.geojson"}
    ingest = cli("ingest", str(feed), "--db", str(db), home=home, log_dir=logs)
    export = cli("export", "--db", str(db), *(a for kind, path in files.items() for a in (f"--{kind}", str(path))),
                 home=home, log_dir=logs)
    out.facts.update(ingest=ingest, export=export, sentinel=sentinel.exists())
    for name, run in (("ingest", ingest), ("export", export)):
        out.expect(run.returncode == 0 and "Traceback" not in run.stderr,
                   f"{name}: exit {run.returncode}: {run.stderr[-500:]}")
    out.expect(not sentinel.exists(), f"a template payload ran: {sentinel} was created")
    out.corrupted += int(sentinel.exists())
    if not all(path.exists() for path in files.values()) or ingest.returncode != 0:
        out.failures.append(f"exports missing: {[str(p) for p in files.values() if not p.exists()]}")
        return out

    from geodata.store import Store

    store = Store(db, readonly=True)
    try:
        articles = store.articles().set_index("doc_id")
        texts = {doc_id: store.article(int(articles.loc[doc_id, "id"]))["text"] for doc_id in articles.index}
    finally:
        store.close()
    stored = {r["id"]: (texts.get(r["id"]), articles.title.get(r["id"]), articles.source.get(r["id"])) for r in rows}
    verbatim = [doc for doc, r in zip(stored, rows) if stored[doc] != (r["text"], r["title"], r["source"])]
    out.expect(not verbatim, f"not stored verbatim: {verbatim}")
    out.lost += sum(stored[r["id"]][0] is None for r in rows)
    out.corrupted += len(verbatim) + len(store_problems(db))

    # HTML: the rows the map's script reads; popups are HTML whose text (unescaped) holds each payload
    page = files["html"].read_text(encoding="utf-8")
    popups = "\n".join(html.unescape(row[5]) for row in map_rows(files["html"]))
    missing_html = [what for what, p in payloads.items() if p not in popups]
    live_markup = [m for m in ("<script>alert(", "<img src=x") if m in page]
    # CSV: each payload is its cell (a formula behind an apostrophe), and no cell starts a formula
    # read as a spreadsheet does (newline="": a bare CR outside quotes ends a row, as in Excel and LibreOffice)
    table = list(csv.reader(io.StringIO(files["csv"].read_bytes().decode("utf-8"), newline="")))
    cells = {cell for row in table for cell in row}
    formulas = sorted({cell for cell in cells if cell.startswith(SPREADSHEET_FORMULA)})
    missing_csv = [what for what, p in payloads.items()
                   if ("'" + p if p.startswith(SPREADSHEET_FORMULA) else p) not in cells]
    # GeoJSON: data, not display: each payload exactly, each sentence a slice of its article's text
    features = json.loads(files["geojson"].read_text(encoding="utf-8"))["features"]
    values = {f["properties"][k] for f in features for k in ("title", "source")}
    missing_geojson = [what for what, p in payloads.items() if p not in values]
    by_title = {r["title"]: r["text"] for r in rows}
    bad_sentences = [f["properties"]["mention_id"] for f in features
                     if f["properties"]["sentence"] not in by_title.get(f["properties"]["title"], "")]
    out.expect(not missing_html, f"HTML: payloads not shown literally in the popups: {missing_html}")
    out.expect(not live_markup, f"HTML: article markup left live in the page: {live_markup}")
    out.expect(not formulas, f"CSV: cells a spreadsheet runs as formulas: {formulas[:5]}")
    out.expect(not missing_csv, f"CSV: payloads not written literally: {missing_csv}")
    out.expect(not missing_geojson, f"GeoJSON: payloads not written literally: {missing_geojson}")
    out.expect(not bad_sentences, f"GeoJSON: sentences not from their article: {bad_sentences[:5]}")
    out.corrupted += len(missing_html) + len(missing_csv) + len(missing_geojson) + len(bad_sentences) + len(formulas)
    out.facts.update(missing_html=missing_html, formulas=formulas, missing_csv=missing_csv,
                     missing_geojson=missing_geojson, bad_sentences=bad_sentences, live_markup=live_markup,
                     places=len(map_rows(files["html"])), features=len(features), files=files)
    return out


def scenario_export_disk_full(home: Path, work: Path, *, limit: int = 200_000) -> Outcome:
    """`export --html` over an earlier export with the kernel refusing writes past `limit` bytes (RLIMIT_FSIZE,
    as a full disk): exit 2 with a one-line message, the earlier file intact, no temporary file left; with
    room again the export is written."""
    out = Outcome("export onto a full disk (RLIMIT_FSIZE)", faults=1)
    logs, folder = work / "logs", work / "export-full"
    shutil.rmtree(folder, ignore_errors=True)
    db = seed_store(work / "export-store" / "store.sqlite", 5)
    folder.mkdir(parents=True)
    target = folder / "map.html"
    target.write_text("<p>the previous export</p>\n", encoding="utf-8")
    before = digest(target)
    run = cli("export", "--db", str(db), "--html", str(target), home=home, log_dir=logs,
              preexec_fn=file_size_limit(limit))
    errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    out.expect(run.returncode == 2 and len(errors) == 1 and "not written" in errors[0] and str(target) in errors[0]
               and "Traceback" not in run.stderr, f"full disk: exit {run.returncode}: {run.stderr.strip()[-400:]}")
    left = sorted(p.name for p in folder.iterdir() if p != target)
    out.expect(not left, f"left in the folder: {left}")
    intact = digest(target) == before
    out.corrupted += int(not intact) + len(left)
    rerun = cli("export", "--db", str(db), "--html", str(target), home=home, log_dir=logs)
    size = target.stat().st_size
    out.expect(rerun.returncode == 0 and size > limit and "var data = " in target.read_text(encoding="utf-8"),
               f"with room: exit {rerun.returncode}, {size} bytes: {rerun.stderr[-300:]}")
    out.facts.update(run=run, rerun=rerun, left=left, intact=intact, size=size)
    return out


def scenario_read_only_home(home: Path, work: Path) -> Outcome:
    """A data folder (GEODATA_HOME) made read-only, files and folder, for root too: `export --csv` to a writable
    folder and `gazetteer lookup` work; `delete` says read-only (exit 2); nothing in the folder changes."""
    out = Outcome("read-only data folder: export, lookup, delete", faults=1)
    if not permissions_enforced(work):
        out.facts["skipped"] = "file permissions cannot be enforced here (root without droppable capabilities)"
        return out
    logs, data, exports = work / "logs", work / "read-only-home", work / "ro-exports"
    shutil.rmtree(data, ignore_errors=True)
    exports.mkdir(parents=True, exist_ok=True)
    copy_sqlite(home / "gazetteer.sqlite", data / "gazetteer.sqlite")  # a built gazetteer (the user's, copied)
    store = seed_store(data / "store.sqlite", 3)
    before = {p.name: digest(p) for p in data.iterdir()}
    contents = store_contents(store)
    make_read_only(data)
    try:
        runs = {name: start_cli(*args, home=data, log_dir=logs, preexec_fn=without_permission_override)
                for name, args in {"export": ("export", "--csv", str(exports / "m.csv")),
                                   "lookup": ("gazetteer", "lookup", "Damascus"),
                                   "delete": ("delete", "--article", "1")}.items()}
        done = {name: run.finish(timeout=120) for name, run in runs.items()}
    finally:
        make_writable(data)
    export, lookup, delete = done["export"], done["lookup"], done["delete"]
    exported = list(csv.DictReader(io.StringIO((exports / "m.csv").read_text(encoding="utf-8"))))\
        if (exports / "m.csv").exists() else []
    out.expect(export.returncode == 0 and "Traceback" not in export.stderr,
               f"export: exit {export.returncode}: {export.stderr.strip()[-400:]}")
    out.expect(len(exported) == sum(len(m) for _, _, m in contents.values()),
               f"export: {len(exported)} rows for {sum(len(m) for _, _, m in contents.values())} mentions")
    out.expect(lookup.returncode == 0 and '"name": "Damascus"' in lookup.stdout and "Traceback" not in lookup.stderr,
               f"gazetteer lookup: exit {lookup.returncode}: {lookup.stderr.strip()[-600:]}")
    out.expect(delete.returncode == 2 and "read-only" in delete.stderr and "Traceback" not in delete.stderr,
               f"delete: exit {delete.returncode}: {delete.stderr.strip()[-400:]}")
    after = {p.name: digest(p) for p in data.iterdir()}
    out.expect(after.keys() == before.keys(), f"files appeared or went: {sorted(after)} (were {sorted(before)})")
    out.corrupted += sum(after.get(name) != value for name, value in before.items())
    compare_stores(out, store_contents(store), contents)
    out.corrupted += len(store_problems(store))
    out.facts.update(runs=done, exported=len(exported), files=sorted(after))
    return out
