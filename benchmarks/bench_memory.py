"""Section 6 of `make bench`: peak memory (RSS) of fresh processes parsing and ingesting articles, and
of the dashboard's server in section 5's runs, against a process that parsed the seed article only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench_common import Table, mb, ratio
from bench_dashboard import dashboard_runs
from bench_workers import run_task

if TYPE_CHECKING:
    from bench import Context


def section_memory(ctx: Context) -> Table:
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
