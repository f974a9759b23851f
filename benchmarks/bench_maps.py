"""Section 4 of `make bench`: the map, built and rendered from stores of N mentions: the corpora's gold
toponyms (with their GeoNames ids) pointed at the same places in our gazetteer, in the corpora's own order
and frequencies, articles repeated as distinct copies until N mentions are stored."""

from __future__ import annotations

import bisect
import re
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import bench_common as common
from bench_common import Table, label_n, mb, ratio

if TYPE_CHECKING:
    from bench import Context

MAP_TRIES = 3  # section 4: median of this many tries per size
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for found in SENTENCE_END.finditer(text):
        spans.append((start, found.start()))
        start = found.end()
    spans.append((start, len(text)))
    return spans


def corpus_places(gazetteer) -> dict[int, object]:
    """GeoNames id -> our gazetteer's place, for every gold toponym of the corpora we can place."""
    out: dict[int, object] = {}
    for row in common.corpus_rows():
        for top in row.get("toponyms") or []:
            raw = top.get("geonameid")
            if raw is None or not str(raw).isdigit() or int(raw) in out:
                continue
            place = gazetteer.by_geonameid(int(raw))
            if place is not None:
                out[int(raw)] = place
    return {k: v for k, v in out.items() if v is not None}


def build_store(path: Path, n_mentions: int, gazetteer, places: dict[int, object]) -> dict:
    """Write a store holding exactly `n_mentions` resolved mentions (the corpora's gold toponyms at their
    gold places, through `Store.add` as an ingest writes them); returns its counts."""
    from geodata.records import Document, Mention, ParsedDocument, Sentence
    from geodata.store import Store

    def parsed() -> Iterator[ParsedDocument]:
        rows, stored, i = common.corpus_rows(), 0, 0
        while stored < n_mentions:
            row, copy = rows[i % len(rows)], i // len(rows)
            i += 1
            tops = [t for t in row.get("toponyms") or [] if str(t.get("geonameid") or "").isdigit()
                    and int(t["geonameid"]) in places and t.get("offset_fixed") is not None][: n_mentions - stored]
            if not tops:
                continue
            text = common.copy_text(row["text"], copy)
            sentences = [Sentence(k, s, e) for k, (s, e) in enumerate(sentence_spans(text))]
            starts = [s.start for s in sentences]
            mentions = []
            for t in tops:
                start, end = int(t["start"]), int(t["end"])
                confidence = 0.5 + ((stored + len(mentions)) * 7919 % 50) / 100
                mentions.append(Mention(start, end, text[start:end], max(0, bisect.bisect_right(starts, start) - 1),
                                        "GPE", "toponym", confidence, places[int(t["geonameid"])]))
            stored += len(mentions)
            document = Document(f"{row['corpus']}-{row['doc_id']}-{copy}", text, row.get("title"),
                                (row.get("dltime") or "")[:10] or None, row["corpus"], f"{row['corpus']}.jsonl")
            yield ParsedDocument(document, sentences, mentions)

    store = Store(path)
    report = store.add_all(parsed())
    store.close()
    return {"articles": report.added, "mentions": report.mentions}


def measure(path: Path, outlines: dict) -> dict:
    """Query the store, build the map, render it as the dashboard and as the exported file."""
    from geodata import assets, maps
    from geodata.store import Store

    store = Store(path)
    t0 = time.perf_counter()
    places, popups = store.place_summary(), store.mentions(per_place=maps.POPUP_SENTENCES)
    t1 = time.perf_counter()
    m = maps.build_map(places, popups, outlines)
    t2 = time.perf_counter()
    page = m.get_root().render()
    t3 = time.perf_counter()
    m2 = maps.build_map(places, popups, outlines)
    t4 = time.perf_counter()
    standalone = assets.standalone_html(m2)
    t5 = time.perf_counter()
    store.close()
    return {"mentions": int(places.mentions.sum()), "places": len(places), "query": t1 - t0, "build": t2 - t1,
            "render": t3 - t2, "html_bytes": len(page.encode()), "standalone": t5 - t4,
            "standalone_bytes": len(standalone.encode())}


def build_map_stores(ctx: Context, sizes: tuple[int, ...]) -> dict[int, dict]:
    from geodata.gazetteer import open_gazetteer

    gazetteer = open_gazetteer(ctx.home / "gazetteer.sqlite")
    places = corpus_places(gazetteer)
    built = {}
    for n in sizes:
        if n in ctx.map_homes:
            continue
        home = common.clone_home(ctx.home, ctx.root, f"home-map-{n}") if n == max(sizes) else \
            ctx.root / f"map-{n}"
        home.mkdir(parents=True, exist_ok=True)
        built[n] = build_store(home / "store.sqlite", n, gazetteer, places)
        ctx.map_homes[n] = home
    gazetteer.close()
    ctx.figures["map_pool_places"] = len(places)
    return built


def section_map(ctx: Context) -> Table:
    from geodata import assets

    sizes = ctx.sizes.mentions
    build_map_stores(ctx, sizes)
    outlines = assets.country_outlines()  # the dashboard caches it; not part of the timing
    measure(ctx.map_homes[sizes[0]] / "store.sqlite", outlines)  # warm-up: templates compile
    table = Table("4. Map: Folium map of the store's places (maps.build_map), rendered",
                  ["mentions", "places", "SQL s", "build s", "render s", "build+render s", "HTML MB",
                   "standalone s", "standalone MB", "time vs " + label_n(sizes[0]), "HTML vs " + label_n(sizes[0])])
    base = None
    for n in sizes:
        tries = [measure(ctx.map_homes[n] / "store.sqlite", outlines) for _ in range(MAP_TRIES)]
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
