"""Scenarios: dashboard sessions and a CLI ingest on one store at once (the workers they start run
`python -m devtools.stress worker ...`), new stores opened at once, deletes while sessions read."""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from .checks import query, store_contents, store_problems
from .inputs import CITIES, article_rows, seed_store, write_jsonl
from .outcome import Outcome, compare_stores
from .processes import Running, cli, start_cli


def worker_correct(db: Path, worker: int, stop: Path, min_ops: int, deadline: float, pause: float = 0.01) -> dict:
    """Corrections and undos in a loop, as a dashboard session makes them (a click every ~`pause` s, far
    faster than a person), until `stop` exists and `min_ops` are done."""
    from geodata.records import Place
    from geodata.store import Store

    store = Store(db)
    pick = random.Random(worker)
    made, undone, errors, ops = [], [], [], 0
    while (ops < min_ops or not stop.exists()) and time.monotonic() < deadline:
        scope = pick.choice(["name", "name", "mention", "place"])
        key = {"name": lambda: pick.choice(CITIES), "mention": lambda: str(pick.randint(1, 300)),
               "place": lambda: f"gn:{pick.randint(1, 20)}"}[scope]()
        place = Place(f"user:w{worker}-{ops}", f"Corrected {worker}-{ops}", pick.uniform(-60, 60),
                      pick.uniform(-170, 170), "XX", "P", "PPL", source="user")
        try:
            cid = store.correct(scope, key, place)
            made.append([cid, scope, key, place.id])
            if pick.random() < 0.3:
                store.undo(cid)
                undone.append(cid)
        except Exception as exc:  # reported, never hidden: the test fails on any
            errors.append(f"{type(exc).__name__}: {exc}")
        ops += 1
        time.sleep(pick.uniform(0, 2 * pause))
    return {"made": made, "undone": undone, "errors": errors, "ops": ops}


def worker_read(db: Path, stop: Path, deadline: float) -> dict:
    """The dashboard's reads in a loop until `stop` exists."""
    from geodata.store import Store

    store = Store(db)
    ops, errors, seen = 0, [], 0
    while not stop.exists() and time.monotonic() < deadline:
        try:
            summary = store.place_summary()
            rows = store.mentions(limit=200)
            store.corrections()
            seen = max(seen, store.counts()["articles"])
            if not all(r.sentence[r.sentence_start:r.sentence_end] == r.text for r in rows.itertuples()) or (
                    len(summary) and summary.mentions.min() < 1):
                errors.append("inconsistent read")
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        ops += 1
    return {"ops": ops, "errors": errors, "articles_seen": seen}


def worker_main(argv: Sequence[str]) -> int:
    kind, db, stop = argv[0], Path(argv[1]), Path(argv[2])
    deadline = time.monotonic() + float(argv[3])
    if kind == "correct":
        result = worker_correct(db, int(argv[4]), stop, int(argv[5]), deadline)
    else:
        result = worker_read(db, stop, deadline)
    print(json.dumps(result))
    return 0


def start_worker(kind: str, db: Path, stop: Path, seconds: float, *extra: str, log_dir: Path) -> Running:
    return Running([sys.executable, "-m", "devtools.stress", "worker", kind, str(db), str(stop), str(seconds),
                    *extra], {**os.environ}, log_dir)


def scenario_concurrent(home: Path, work: Path, *, articles: int = 120, writers: int = 2, min_ops: int = 100,
                        seconds: float = 90) -> Outcome:
    """`writers` correction sessions, one reader and one CLI ingest on one fresh store at once: no error
    surfaces, every correction and undo is kept, every article is stored exactly once."""
    out = Outcome("dashboard sessions + CLI ingest at once", inputs=articles, writers=writers + 1)
    db, stop, logs = work / "shared" / "store.sqlite", work / "shared" / "stop", work / "logs"
    shutil.rmtree(db.parent, ignore_errors=True)
    db.parent.mkdir(parents=True)
    feed = write_jsonl(work / "concurrent.jsonl", article_rows(articles, "c"))
    started = time.monotonic()
    ingest = start_cli("ingest", str(feed), "--db", str(db), home=home, log_dir=logs,
                       env={"GEODATA_BATCH_SIZE": "4"})
    sessions = [start_worker("correct", db, stop, seconds, str(w), str(min_ops), log_dir=logs)
                for w in range(writers)]
    reader = start_worker("read", db, stop, seconds, log_dir=logs)
    ingested = ingest.finish(timeout=seconds)
    stop.touch()
    finished = [w.finish(timeout=seconds) for w in sessions + [reader]]
    elapsed = time.monotonic() - started
    results = [json.loads(f.stdout) if f.returncode == 0 and f.stdout.strip() else {"errors": [f.stderr[-500:]]}
               for f in finished]
    all_stderr = ingested.stderr + "".join(f.stderr for f in finished)
    errors = [e for r in results for e in r.get("errors", [])]
    out.expect(ingested.returncode == 0, f"ingest: exit {ingested.returncode}: {ingested.stderr[-300:]}")
    out.expect(not errors, f"errors surfaced: {errors[:5]}")
    out.expect("database is locked" not in all_stderr, "'database is locked' surfaced")
    out.expect(elapsed < seconds, f"took {elapsed:.0f} s")
    from geodata.gazetteer import normalize

    made = [[cid, scope, normalize(key) if scope == "name" else key, place_id]
            for r in results[:writers] for cid, scope, key, place_id in r.get("made", [])]
    undone = {c for r in results[:writers] for c in r.get("undone", [])}
    out.ops = sum(r.get("ops", 0) for r in results) + articles
    rows = {r[0]: r for r in query(db, "SELECT id, scope, key, place_id, undone_at FROM corrections")}
    lost = [m for m in made if m[0] not in rows or rows[m[0]][1:4] != tuple(m[1:4])]
    undo_lost = [c for c in undone if c in rows and rows[c][4] is None]
    latest: dict[tuple[str, str], int] = {}
    for cid, scope, key, _ in made:
        latest[(scope, key)] = max(latest.get((scope, key), 0), cid)
    superseded_active = [cid for key, cid in latest.items() if cid not in undone and rows.get(cid, (0,) * 5)[4]]
    contents = store_contents(db)
    texts = [t for t, _, _ in contents.values()]
    out.lost += len(lost) + len(undo_lost) + len(superseded_active) + max(0, articles - len(contents))
    out.corrupted += len(rows) - len(made) + len(texts) - len(set(texts)) + len(store_problems(db))
    out.facts.update(elapsed=elapsed, corrections=len(made), undos=len(undone), stored=len(contents),
                     doc_ids=sorted(contents), reads=results[-1].get("ops", 0), errors=errors,
                     stderr=all_stderr, rows=len(rows), lost_corrections=lost, lost_undos=undo_lost,
                     latest_not_active=superseded_active)
    return out


def open_at_once(path: Path, openers: int) -> list[str]:
    """`openers` connections (threads, so they really start together) open the same new store; their errors."""
    from geodata.store import Store

    barrier, errors = threading.Barrier(openers), []

    def open_store() -> None:
        barrier.wait()
        try:
            Store(path).close()
        except Exception as exc:  # collected, never hidden
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=open_store) for _ in range(openers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def scenario_first_open(work: Path, *, trials: int = 100, openers: int = 6) -> Outcome:
    """Sessions opening a store that does not exist yet, all at the same moment: every one gets it."""
    out = Outcome("sessions opening a new store at once", writers=openers, ops=trials * openers)
    errors = [e for i in range(trials) for e in open_at_once(work / f"new-{i}.sqlite", openers)]
    out.expect(not errors, f"{len(errors)} failed opens: {errors[:3]}")
    out.facts["errors"] = errors
    return out


def read_loop(db: Path, stop: threading.Event, started: threading.Barrier) -> dict:
    """A dashboard session's reads (its own connection) in a loop until `stop`: the map's mention rows, the
    place table, the totals. A read that errs, or whose sentences do not hold their mentions, is counted."""
    from geodata.store import Store

    store = Store(db)
    ops, errors, seen = 0, [], set()
    try:
        started.wait()
        while not stop.is_set():
            try:
                rows = store.mentions()
                summary = store.place_summary()
                seen.add(store.counts()["articles"])
                if not all(r.sentence[r.sentence_start:r.sentence_end] == r.text for r in rows.itertuples()) or (
                        len(summary) and summary.mentions.min() < 1):
                    errors.append("inconsistent read")
            except Exception as exc:  # collected, never hidden
                errors.append(f"{type(exc).__name__}: {exc}")
            ops += 1
    finally:
        store.close()
    return {"ops": ops, "errors": errors, "articles_seen": sorted(seen)}


def scenario_delete_while_reading(home: Path, work: Path, *, articles: int = 40, deletes: int = 20,
                                  readers: int = 3) -> Outcome:
    """`delete --article` of `deletes` articles (with corrections of their mentions) while `readers` dashboard-like
    sessions read: no read errs or sees half an article, the others are untouched and `Store.check()` stays []."""
    out = Outcome("delete while dashboard-like readers read", inputs=articles, writers=1)
    from geodata.records import Place
    from geodata.store import Store

    shutil.rmtree(work / "deleting", ignore_errors=True)
    db = seed_store(work / "deleting" / "store.sqlite", articles)
    store = Store(db)
    for article_id in (1, 2, deletes + 1):  # corrections of mentions of deleted and of kept articles, and a name
        mention_id = int(store.article_mentions(article_id).mention_id.iloc[0])
        store.correct("mention", str(mention_id), Place(f"user:m{mention_id}", "Fixed", 1.0, 2.0, source="user"))
    store.correct("name", CITIES[0], Place("user:name", "Fixed name", 3.0, 4.0, source="user"))
    store.close()
    contents = store_contents(db)
    stop, started, results = threading.Event(), threading.Barrier(readers + 1, timeout=60), []
    threads = [threading.Thread(target=lambda: results.append(read_loop(db, stop, started))) for _ in range(readers)]
    for thread in threads:
        thread.start()
    started.wait()
    run = cli("delete", *(a for i in range(1, deletes + 1) for a in ("--article", str(i))), "--db", str(db),
              home=home, log_dir=work / "logs", timeout=120)
    time.sleep(0.2)  # a last round of reads after the deletes
    stop.set()
    for thread in threads:
        thread.join()
    errors = [e for r in results for e in r["errors"]]
    out.expect(run.returncode == 0 and run.stderr.count("deleted article") == deletes and "Traceback" not in run.stderr,
               f"delete: exit {run.returncode}: {run.stderr[-400:]}")
    out.expect(not errors, f"{len(errors)} reads failed: {errors[:3]}")
    after = store_contents(db)
    kept = {f"p{i}": contents[f"p{i}"] for i in range(deletes, articles)}  # store ids 1.. are p0, p1...
    compare_stores(out, after, kept)
    problems = store_problems(db, mentions_everywhere=True)
    out.corrupted += len(problems)
    out.ops = sum(r["ops"] for r in results) + deletes
    out.facts.update(run=run, errors=errors, reads=sum(r["ops"] for r in results), problems=problems,
                     articles_seen=sorted({n for r in results for n in r["articles_seen"]}), left=len(after))
    return out
