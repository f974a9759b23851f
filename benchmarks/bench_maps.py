"""Stores of N mentions for the map benchmark: the corpora's gold toponyms (with their GeoNames ids)
pointed at the same places in our gazetteer, in the corpora's own order and frequencies, articles
repeated as distinct copies until N mentions are stored."""

from __future__ import annotations

import bisect
import re
import time
from collections.abc import Iterator
from pathlib import Path

import bench_common as common

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
