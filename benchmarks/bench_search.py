"""Section 8 of `make bench`: search and filter repaints on a store of 100,000 articles (~1M mentions).

The store is generated once through the public `Store.add_all` (the corpora's articles repeated as
distinct copies, their gold toponyms as mentions: at their gold place when our gazetteer has it,
unresolved otherwise) and kept under `data/bench/` (or the folder GEODATA_BENCH_DIR names, e.g. one holding
a copy), named by `VERSION` and size: a rerun reuses it (opened for writing: brought up to date first).
"""

from __future__ import annotations

import bisect
import os
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import bench_common as common
from bench_common import Table, percentile, ratio
from bench_maps import corpus_places, sentence_spans

VERSION = 1  # bump when the generated store's content changes: the cached file is then rebuilt
CACHE_DIR = Path(os.environ.get("GEODATA_BENCH_DIR") or common.ROOT / "data" / "bench")
REPEATS = 15  # timed runs of each query / filter combination (after one warm-up run)...
BUDGET_S = 20.0  # ...or as many as fit in this many seconds with the warm-up (at least one)
SEARCH_TARGET_MS = 100.0
REPAINT_TARGET_S = 1.0
_WORD = re.compile(r"[A-Za-z]{4,}")


def store_path(articles: int) -> Path:
    return CACHE_DIR / f"search-v{VERSION}-{articles}.sqlite"


def _published(row: dict, copy: int) -> str:
    """The row's date moved by its copy number (copies spread over ~4 months), or a fixed date when undated."""
    raw = (row.get("dltime") or "")[:10]
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = date(2018, 1, 1)
    return (day + timedelta(days=copy)).isoformat()


def parsed_documents(articles: int, places: dict[int, object]) -> Iterator[object]:
    """`articles` parsed documents: corpus row i % N, copy i // N, its gold toponyms as mentions."""
    from geodata.records import Document, Mention, ParsedDocument, Sentence

    rows = common.corpus_rows()
    for i in range(articles):
        row, copy = rows[i % len(rows)], i // len(rows)
        text = common.copy_text(row["text"], copy)
        sentences = [Sentence(k, s, e) for k, (s, e) in enumerate(sentence_spans(text))]
        starts = [s.start for s in sentences]
        mentions = []
        for t in row.get("toponyms") or []:
            start, end = int(t["start"]), int(t["end"])
            if t.get("offset_fixed") is None or not 0 <= start < end <= len(row["text"]):
                continue
            raw = str(t.get("geonameid") or "")
            place = places.get(int(raw)) if raw.isdigit() else None
            confidence = 0.3 + ((i * 31 + len(mentions) * 7919) % 70) / 100
            mentions.append(Mention(start, end, text[start:end], max(0, bisect.bisect_right(starts, start) - 1),
                                    "GPE", "toponym", confidence, place,
                                    None if place else "not in the gazetteer"))
        yield ParsedDocument(Document(f"{row['corpus']}-{row['doc_id']}-{copy}", text, row.get("title"),
                                      _published(row, copy), row["corpus"], f"{row['corpus']}.jsonl"),
                             sentences, mentions)


def generate(path: Path, articles: int, gazetteer_path: Path) -> dict:
    """Write the store (to a temporary name, renamed when complete); its counts and the time taken."""
    from geodata.gazetteer import open_gazetteer
    from geodata.store import Store

    gazetteer = open_gazetteer(gazetteer_path, readonly=True)  # only read: never built or rebuilt here
    places = corpus_places(gazetteer)
    gazetteer.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    t0 = time.perf_counter()
    store = Store(tmp)
    # A throwaway file, rebuilt if anything goes wrong: no fsync at each article's commit.
    store.conn.execute("PRAGMA synchronous=OFF")
    report = store.add_all(parsed_documents(articles, places))
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.conn.execute("ANALYZE")
    store.close()
    seconds = time.perf_counter() - t0
    os.replace(tmp, path)
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    return {"added": report.added, "mentions": report.mentions, "seconds": seconds}


def cached_store(articles: int, gazetteer_path: Path) -> tuple[Path, dict | None]:
    """The generated store's path, and the generation's figures when it was made now (None: reused)."""
    path = store_path(articles)
    return path, None if path.is_file() else generate(path, articles, gazetteer_path)


# -- what is measured ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Query:
    label: str
    text: str


def rare_word(rows: list[dict]) -> str:
    """A word of one corpus article only (so of its copies only), picked deterministically."""
    seen: Counter[str] = Counter()
    for row in rows:
        seen.update({w.lower() for w in _WORD.findall(row["text"])})
    return min(w for w, n in seen.items() if n == 1 and len(w) >= 8)


def queries(conn: sqlite3.Connection) -> list[Query]:
    """Place names (most and least mentioned, a spelling the articles use, a gazetteer alternate name), common
    and rare words, a miss."""
    top = conn.execute("SELECT p.name FROM mentions m JOIN places p ON p.id = m.place_id "
                       "GROUP BY m.place_id ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
    rare = conn.execute("SELECT p.name FROM mentions m JOIN places p ON p.id = m.place_id "
                        "GROUP BY m.place_id ORDER BY COUNT(*), p.name LIMIT 1").fetchone()[0]
    spelling = conn.execute("SELECT m.text FROM mentions m JOIN places p ON p.id = m.place_id "
                            "WHERE m.text != p.name AND length(m.text) > 4 "
                            "GROUP BY m.text ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
    return [Query("place, most mentioned", top), Query("place, least mentioned", rare),
            Query("place by the articles' spelling", spelling),
            Query("place by a gazetteer alternate name", "Syrian Arab Republic"), Query("common word", "said"),
            Query("two common words", "police said"), Query("rare word", rare_word(common.corpus_rows())),
            Query("prefix (as typed)", "gover"), Query("no match", "zyxwvut")]


def filter_cases(conn: sqlite3.Connection) -> list[tuple[str, object]]:
    """Filter combinations an analyst picks: none, a confidence floor (a slider step, and one typed in the URL
    between two steps), a country, a month, one place, a language (all the generated articles are English: "en"
    keeps every one, "fr" none)."""
    from geodata.store import Filters

    country = conn.execute("SELECT p.country FROM mentions m JOIN places p ON p.id = m.place_id "
                           "WHERE p.country IS NOT NULL GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
    place = conn.execute("SELECT place_id FROM mentions WHERE place_id IS NOT NULL "
                         "GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1 OFFSET 5").fetchone()[0]
    month = conn.execute("SELECT substr(MIN(published), 1, 7) FROM articles").fetchone()[0]
    return [("no filter", Filters()), ("confidence >= 0.8", Filters(min_confidence=0.8)),
            ("confidence >= 0.83 (no slider step)", Filters(min_confidence=0.83)),
            (f"country {country}", Filters(countries=(country,))),
            (f"dates {month}", Filters(date_from=f"{month}-01", date_to=f"{month}-31", undated=False)),
            (f"one place ({place})", Filters(places=(place,))),
            ("language en (every article)", Filters(languages=("en",))),
            ("language fr (no article)", Filters(languages=("fr",)))]


def timed(call: Callable[[], object], repeats: int = REPEATS,
          budget_s: float = BUDGET_S) -> tuple[list[float], object]:
    """Seconds of each of up to `repeats` calls after one untimed warm-up call, sorted, and the warm-up's
    result. Calls stop once the case has taken `budget_s` in all (at least one timed call); a call slower
    than a quarter of it is timed alone, without warm-up: a slow case does not hold the run for long."""
    t0 = time.perf_counter()
    result = call()
    spent = time.perf_counter() - t0
    if spent > budget_s / 4:  # a slow case: its first run is its figure (a warm cache saves little of it)
        return [spent], result
    times: list[float] = []
    while len(times) < repeats and (not times or spent < budget_s):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
        spent += times[-1]
    return sorted(times), result


def repaint(store, filters) -> int:
    """What the dashboard reads when a filter changes (dashboard/app.py main(), with the timeline under the
    map; the popups' sentences with only what they show); the number of places shown."""
    from geodata import maps

    places = store.place_summary(filters)
    store.mentions(filters, per_place=maps.POPUP_SENTENCES, columns=maps.POPUP_COLUMNS)
    store.totals(filters)
    store.mentions_per_day(filters)
    return len(places)


def measure(path: Path, gazetteer_path: Path) -> tuple[Table, dict]:
    """The search and repaint tables' rows and the figures the summary reads; searches read the gazetteer's
    names as the app and the CLI do."""
    from geodata.gazetteer import open_gazetteer
    from geodata.store import Store

    t0 = time.perf_counter()
    store = Store(path)  # writable: a store made by an older schema is brought up to date first
    opened_s = time.perf_counter() - t0
    conn = store.conn
    counts = store.counts()
    table = Table(f"8. Search and filter repaints at scale ({counts['articles']:,} articles, "
                  f"{counts['mentions']:,} mentions, {common.mb(path.stat().st_size):,.0f} MB store)",
                  ["case", "rows", "p50 ms", "p95 ms", "target", "status", "p50 ratio", "ratio vs"])
    fts_floor = "SELECT rowid FROM sentence_index WHERE sentence_index MATCH ? LIMIT 50"
    floor, _ = timed(lambda: conn.execute(fts_floor, ('"said"',)).fetchall())
    table.add("baseline: raw FTS5 MATCH 'said' LIMIT 50", 50, percentile(floor, 50) * 1e3,
              percentile(floor, 95) * 1e3, None, None, None, None)
    all_search: list[float] = []
    gazetteer = open_gazetteer(gazetteer_path, readonly=True)
    for q in queries(conn):
        times, found = timed(lambda q=q: store.search(q.text, gazetteer=gazetteer))
        all_search += times
        p95 = percentile(times, 95) * 1e3
        table.add(f"search {q.label}: {q.text!r}", len(found), percentile(times, 50) * 1e3, p95,
                  f"< {SEARCH_TARGET_MS:g}", "pass" if p95 < SEARCH_TARGET_MS else "short",
                  ratio(percentile(times, 50), percentile(floor, 50)), "raw FTS5")
    all_search.sort()
    gazetteer.close()

    scan, _ = timed(lambda: conn.execute("SELECT COUNT(*), SUM(confidence) FROM mentions").fetchone(), 5)
    table.add("baseline: one scan of every mention (COUNT, SUM)", counts["mentions"], percentile(scan, 50) * 1e3,
              percentile(scan, 95) * 1e3, None, None, None, None)
    all_repaint: list[float] = []
    cpu: list[str] = []
    for label, filters in filter_cases(conn):
        times, shown = timed(lambda f=filters: repaint(store, f), 5)
        t0 = time.process_time()
        repaint(store, filters)
        cpu.append(f"{label} {time.process_time() - t0:.2f}")
        all_repaint += times
        p95 = percentile(times, 95)
        table.add(f"repaint {label}", shown, percentile(times, 50) * 1e3, p95 * 1e3,
                  f"< {REPAINT_TARGET_S * 1e3:g}", "pass" if p95 < REPAINT_TARGET_S else "short",
                  ratio(percentile(times, 50), percentile(scan, 50)), "one scan")
    all_repaint.sort()
    for label, filters in filter_cases(conn):  # the timeline alone (in the repaint's figure too)
        times, days = timed(lambda f=filters: store.mentions_per_day(f), 5)
        table.add(f"timeline {label}", len(days), percentile(times, 50) * 1e3, percentile(times, 95) * 1e3,
                  None, None, ratio(percentile(times, 50), percentile(scan, 50)), "one scan")
    store.close()
    figures = {"search_p50_ms": percentile(all_search, 50) * 1e3, "search_p95_ms": percentile(all_search, 95) * 1e3,
               "repaint_p50_s": percentile(all_repaint, 50), "repaint_p95_s": percentile(all_repaint, 95),
               "search_articles": counts["articles"], "search_mentions": counts["mentions"]}
    table.add("search, all queries", len(all_search), figures["search_p50_ms"], figures["search_p95_ms"],
              f"< {SEARCH_TARGET_MS:g}", "pass" if figures["search_p95_ms"] < SEARCH_TARGET_MS else "short",
              ratio(figures["search_p50_ms"], percentile(floor, 50) * 1e3), "raw FTS5")
    table.add("repaint, all filter combinations", len(all_repaint), figures["repaint_p50_s"] * 1e3,
              figures["repaint_p95_s"] * 1e3, f"< {REPAINT_TARGET_S * 1e3:g}",
              "pass" if figures["repaint_p95_s"] < REPAINT_TARGET_S else "short",
              ratio(figures["repaint_p50_s"], percentile(scan, 50)), "one scan")
    table.notes += [
        f"search = Store.search(query, gazetteer=...) as the app and CLI run it (limit 50), {REPEATS} runs each "
        "after a warm-up; repaint = place_summary + "
        "mentions(per_place=POPUP_SENTENCES, columns=POPUP_COLUMNS) + totals + mentions_per_day (the timeline) "
        "for the filters (what the dashboard reads), 5 runs each; "
        f"a case stops after {BUDGET_S:g} s with its warm-up; one slower than {BUDGET_S / 4:g} s is timed once, cold",
        "rows = search results, or places shown for the filters, or days of the timeline (mentions_per_day)",
        f"CPU seconds of one more repaint each (load-insensitive): {'; '.join(cpu)}",
        f"store opened (and brought up to date: a store made before the index mentions_place_order or the counts "
        f"kept at write time, geodata/store/aggregates.py, or with counts per band without the articles' language, "
        f"gets them built once) in {opened_s:.1f} s",
    ]
    return table, figures


def run(home: Path, articles: int) -> tuple[Table, dict]:
    """Section 8: the cached (or newly generated) store of `articles` articles, measured."""
    path, made = cached_store(articles, home / "gazetteer.sqlite")
    table, figures = measure(path, home / "gazetteer.sqlite")
    if made:
        table.notes.append(f"store generated now through Store.add_all: {made['added']:,} articles, "
                           f"{made['mentions']:,} mentions in {made['seconds']:.0f} s "
                           f"({made['added'] / made['seconds']:.0f} articles/s); kept as {path}")
    else:
        table.notes.append(f"store reused from {path} (delete it to generate it again)")
    return table, figures
