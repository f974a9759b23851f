"""Section 3 of `make bench`: ingest. A fresh process parses and stores articles one at a time; the
store's share of the time, and the store's size against the articles' text. Sections 5 and 6 reuse
its store and figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

import bench_common as common
from bench_common import Table, mb, ratio
from bench_workers import run_task

if TYPE_CHECKING:
    from bench import Context


def run_ingest(ctx: Context) -> dict:
    if ctx.ingest is None:
        home = common.clone_home(ctx.home, ctx.root, "home-ingest")
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
