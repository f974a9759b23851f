"""Section 2 of `make bench`: the gazetteer. Build time against reading its sources, and cold and warm
lookups of names present and absent against a raw SQLite point query."""

from __future__ import annotations

import gc
import re
import sqlite3
import time
from typing import TYPE_CHECKING

import bench_common as common
from bench_common import Table, mb, percentile, ratio
from bench_workers import run_task

if TYPE_CHECKING:
    from bench import Context

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
