"""Scenarios: bad input files in one ingest, processes SIGKILLed mid-write, damaged or foreign database files."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from .checks import copy_sqlite, count, digest, gazetteer_state, store_contents, store_problems, wal_bytes
from .faults import damage
from .inputs import NOT_UTF8_NAME, SEED, article_rows, bad_input_files, seed_store, write_geonames, write_jsonl
from .outcome import Outcome, compare_stores
from .processes import cli, kill_when, start_cli

GEONAMES_BATCH = 5000  # geodata.gazetteer.geonames.BATCH: an import commits whole batches


def scenario_bad_inputs(home: Path, work: Path, *, heavy: bool = True, time_limit: float = 120) -> Outcome:
    """Every kind of bad input in one CLI ingest next to good files, within `time_limit` seconds: clear
    messages, good documents stored once with correct offsets, an earlier article untouched."""
    out = Outcome("bad input files, one CLI ingest")
    folder, db = work / "inputs", work / "inputs.sqlite"
    cases = bad_input_files(folder, heavy=heavy)
    pipe = work / "named-pipe.txt"  # a FIFO named on the command line is reported, never opened for reading
    os.mkfifo(pipe)
    out.inputs = len(cases) + 1
    first = cli("ingest", str(SEED), "--db", str(db), home=home, log_dir=work / "logs")
    out.expect(first.returncode == 0, f"seed ingest failed: {first.stderr[-300:]}")
    before = store_contents(db)
    run = cli("ingest", str(folder), str(pipe), "--db", str(db), home=home, log_dir=work / "logs", timeout=time_limit)
    out.facts.update(returncode=run.returncode, stderr=run.stderr, seconds=run.seconds)
    out.expect(run.returncode != -signal.SIGKILL, f"the ingest took over {time_limit:.0f} s and was stopped "
                                                  "(waiting on a pipe?)")
    out.expect(run.returncode == 1, f"exit code {run.returncode}, expected 1 (input errors): {run.stderr[-500:]}")
    out.expect("Traceback" not in run.stderr, f"traceback: {run.stderr[-800:]}")
    expected = {name: (message,) if isinstance(message, str) else message for name, (_, _, message) in cases.items()}
    expected[pipe.name] = (f"{pipe}: not a regular file",)
    for name, messages in expected.items():
        for message in messages:
            out.expect(message in run.stderr, f"{name}: no message {message!r}")
    reported = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    out.expect(all(line.startswith(f"error: {folder}/") or line.startswith(f"error: {pipe}:") for line in reported),
               f"an error not of the form file[:line]: message: {reported}")
    out.facts["errors"] = reported
    stored = store_contents(db)
    texts = [text for text, _, _ in stored.values()]
    expected_docs = 1 + sum(n for _, n, _ in cases.values()) - 1  # + the seed, - the duplicate text
    out.facts.update(stored=len(stored), expected=expected_docs)
    escaped = Path(NOT_UTF8_NAME.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")).stem
    out.expect(escaped in stored, f"the file with a non-UTF-8 name is not stored as {escaped!r}: {sorted(stored)}")
    out.lost += max(0, expected_docs - len(stored)) + sum(before[k] != stored.get(k) for k in before)
    out.corrupted += len(texts) - len(set(texts)) + len(store_problems(db))
    return out


def scenario_ingest_kill(home: Path, work: Path, *, articles: int = 60, kill_at: Sequence[int] = (5,)) -> Outcome:
    """SIGKILL `ingest` after `kill_at[k]` articles are stored, run after run, then let it finish; compare
    with an uninterrupted ingest of the same file (run alongside)."""
    out = Outcome("SIGKILL ingest mid-batch, then re-run", inputs=articles, faults=len(kill_at))
    feed = write_jsonl(work / "feed.jsonl", article_rows(articles))
    db, ref_db, logs = work / "killed.sqlite", work / "reference.sqlite", work / "logs"
    env = {"GEODATA_BATCH_SIZE": "2"}  # spaCy hands over articles two at a time: stored one by one
    reference = start_cli("ingest", str(feed), "--db", str(ref_db), home=home, log_dir=logs, env=env)
    killed_at, after_kill = [], []
    for target in kill_at:
        run = start_cli("ingest", str(feed), "--db", str(db), home=home, log_dir=logs, env=env)
        killed = kill_when(run, lambda: count(db, "SELECT COUNT(*) FROM articles") >= target)
        out.expect(killed, f"ingest ended before {target} articles were stored: {run.stderr()[-300:]}")
        killed_at.append(count(db, "SELECT COUNT(*) FROM articles"))
        after_kill.append(store_problems(db, mentions_everywhere=True))
    rerun = cli("ingest", str(feed), "--db", str(db), home=home, log_dir=logs, env=env)
    ref = reference.finish()
    out.expect(ref.returncode == 0, f"reference ingest failed: {ref.stderr[-300:]}")
    out.expect(rerun.returncode == 0, f"re-run failed: {rerun.stderr[-300:]}")
    got, want = store_contents(db), store_contents(ref_db)
    problems = store_problems(db, mentions_everywhere=True)
    out.facts.update(killed_at=killed_at, problems_after_kill=after_kill, rerun=rerun, final=got, reference=want,
                     problems=problems)
    compare_stores(out, got, want)
    out.corrupted += sum(len(p) for p in after_kill) + len(problems)
    out.lost += articles - len(want)  # the reference itself must hold every article
    return out


def scenario_gazetteer_build_kill(work: Path, *, reference_places: int | None = None) -> Outcome:
    """SIGKILL `gazetteer build` in the middle of its one transaction on a fresh GEODATA_HOME; the file must
    hold no half build, and building again must complete."""
    out = Outcome("SIGKILL gazetteer build, then re-run", faults=1)
    home = work / "fresh-home"
    shutil.rmtree(home, ignore_errors=True)
    path = home / "gazetteer.sqlite"
    run = start_cli("gazetteer", "build", home=home, log_dir=work / "logs")
    killed = kill_when(run, lambda: wal_bytes(path) > 4 * 2**20, timeout=300)  # inserts under way
    out.expect(killed, f"the build ended before it could be killed: {run.stderr()[-300:]}")
    after = gazetteer_state(path)
    half_built = after.get("places", 0) and after.get("version") is None
    out.expect(after.get("integrity", "ok") == "ok", f"integrity after kill: {after}")
    out.corrupted += int(bool(half_built)) + int(after.get("integrity", "ok") != "ok")
    rerun = cli("gazetteer", "build", home=home, log_dir=work / "logs", timeout=600)
    final = gazetteer_state(path)
    out.expect(rerun.returncode == 0 and "building" in rerun.stderr, f"re-run: {rerun.stderr[-300:]}")
    out.facts.update(after_kill=after, rerun=rerun, final=final)
    if reference_places is not None:
        out.lost += max(0, reference_places - int(final.get("places", 0)))
        out.corrupted += max(0, int(final.get("places", 0)) - reference_places)
    return out


def scenario_geonames_kill(gazetteer: Path, work: Path, *, lines: int = 200_000, kill_after: int = 20_000) -> Outcome:
    """SIGKILL `gazetteer import` of a generated GeoNames dump after some batches; re-running must give the
    counts of an uninterrupted import of the same dump (run alongside on another copy)."""
    out = Outcome("SIGKILL GeoNames import, then re-run", inputs=lines, faults=1)
    dump = write_geonames(work / "XX.txt", lines)
    victim, control = work / "victim" / "gazetteer.sqlite", work / "control" / "gazetteer.sqlite"
    copy_sqlite(gazetteer, victim)
    copy_sqlite(gazetteer, control)
    logs = work / "logs"
    uninterrupted = start_cli("gazetteer", "import", str(dump), "--quiet", home=control.parent, log_dir=logs)
    run = start_cli("gazetteer", "import", str(dump), "--quiet", home=victim.parent, log_dir=logs)
    imported = "SELECT COUNT(*) FROM places WHERE source = 'geonames'"
    killed = kill_when(run, lambda: count(victim, imported) >= kill_after)
    out.expect(killed, f"the import ended before it could be killed: {run.stderr()[-300:]}")
    after = gazetteer_state(victim)
    rerun = cli("gazetteer", "import", str(dump), "--quiet", home=victim.parent, log_dir=logs)
    control_run = uninterrupted.finish()
    final, want = gazetteer_state(victim), gazetteer_state(control, thorough=False)
    out.expect(rerun.returncode == 0 and control_run.returncode == 0, f"import failed: {rerun.stderr[-300:]}")
    out.facts.update(after_kill=after, final=final, uninterrupted=want, rerun=rerun)
    out.corrupted += int(after.get("integrity") != "ok") + int(int(after.get("geonames", 0)) % GEONAMES_BATCH != 0)
    for key in ("places", "names", "geonames"):
        diff = int(want.get(key, 0)) - int(final.get(key, 0))
        out.lost += max(0, diff)
        out.corrupted += max(0, -diff)
    out.lost += lines - int(want.get("geonames", 0))
    return out


def scenario_damaged_files(home: Path, work: Path, *, targets: Sequence[str] = ("store", "gazetteer")) -> Outcome:
    """A store or gazetteer that is not SQLite, another application's SQLite, or damaged: exit code 2, a message
    naming the file, and its bytes unchanged. The six CLI runs go side by side."""
    out = Outcome("damaged, foreign or non-SQLite files")
    feed = write_jsonl(work / "three.jsonl", article_rows(3, prefix="d"))
    logs, good_store = work / "logs", seed_store(work / "good.sqlite", 5)
    makers: dict[str, Callable[[Path], object]] = {
        "not SQLite": lambda p: p.write_bytes(b"Officials in Paris said... " * 400),
        "another application's SQLite": _foreign_sqlite,
        "damaged store": lambda p: (copy_sqlite(good_store, p), damage(p)),
        "damaged gazetteer": lambda p: (copy_sqlite(home / "gazetteer.sqlite", p), damage(p, skip_pages=50)),
    }
    cases = [("store", "not SQLite"), ("store", "another application's SQLite"), ("store", "damaged store"),
             ("gazetteer", "not SQLite"), ("gazetteer", "another application's SQLite"),
             ("gazetteer", "damaged gazetteer")]
    started = {}
    for target, what in [c for c in cases if c[0] in targets]:
        folder = work / f"{target}-{what.replace(' ', '-').replace(chr(39), '')}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        path = folder / f"{target}.sqlite" if target == "store" else folder / "gazetteer.sqlite"
        makers[what](path)
        if target == "store":
            run = start_cli("ingest", str(feed), "--db", str(path), home=home, log_dir=logs)
        else:
            run = start_cli("gazetteer", "lookup", "Paris", home=folder, log_dir=logs)
        started[f"{target}: {what}"] = (path, digest(path), run)
    results = {}
    for name, (path, before, run) in started.items():
        results[name] = done = run.finish()
        out.faults += 1
        clear = done.returncode == 2 and str(path) in done.stderr and "Traceback" not in done.stderr
        out.expect(clear, f"{name}: exit {done.returncode}: {done.stderr.strip()[-300:]}")
        out.corrupted += int(digest(path) != before)
    out.facts["runs"] = results
    return out


def _foreign_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
    conn.commit()
    conn.close()
