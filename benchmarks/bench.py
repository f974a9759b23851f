"""`make bench`: speed and memory of the geoparser, each figure against a baseline measured in the
same run (ratios hold on a noisy machine). See benchmarks/README.md for the method.

    python benchmarks/bench.py [--quick] [--sections 1,2,...] [--out results.json] [--keep]

Sections: 1 parse throughput, 2 gazetteer, 3 ingest, 4 map, 5 dashboard (real browser),
6 peak memory, 7 Dask, 8 search and filter repaints on 100,000 articles (its generated store is kept
under data/bench/ and reused), 9 French articles (throughput against the French NER, memory of both
models). Everything else runs in a temporary GEODATA_HOME; the user's data is only read.

Each section's code is in its own module: bench_parse.py (1, 7), bench_gazetteer.py (2), bench_ingest.py (3),
bench_maps.py (4), bench_dashboard.py (5), bench_memory.py (6), bench_search.py (8), bench_french.py (9).
This file holds the sizes, the shared context, the summary of the bar and the command line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_common as common  # noqa: E402
from bench_common import Table, label_n, mark, mb, others_cores  # noqa: E402
from bench_dashboard import section_dashboard  # noqa: E402
from bench_gazetteer import section_gazetteer  # noqa: E402
from bench_ingest import section_ingest  # noqa: E402
from bench_maps import section_map  # noqa: E402
from bench_memory import section_memory  # noqa: E402
from bench_parse import section_dask, section_parse  # noqa: E402

SECTIONS = (1, 2, 3, 4, 5, 6, 7, 8, 9)


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


# -- summary -----------------------------------------------------------------------------------

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
