"""Work the benchmark runs in child processes, so that each measurement starts from a fresh
interpreter (cold gazetteer cache, its own peak RSS).

- `throughput_worker`: run by `multiprocessing` (spawn) for section 1; phases start on a barrier.
- `dask_throughput`: section 7, `parse --dask` on a fresh LocalCluster (its workers are the children).
- `python benchmarks/bench_workers.py TASK ARGS_JSON OUT_JSON`: one task in a subprocess, its
  figures written as JSON with the child's own peak RSS (VmHWM).

Peak RSS is read by the child from /proc/self/status, not from `getrusage(RUSAGE_CHILDREN)` or
`os.wait4`: on Linux a child's ru_maxrss starts at its parent's RSS at fork and survives exec, so it
reports the (large) benchmark parent, not the task. VmHWM belongs to the exec'd process alone.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_common as common  # noqa: E402

if TYPE_CHECKING:
    from geodata.config import Settings


def _settings(home: str):
    from geodata.config import Settings

    return Settings(home=Path(home), offline=True)


# -- section 1: throughput, one or two processes --------------------------------------------------

GROUPS = {"1p": 1, "2p": 2}
PHASES = ("ner", "pipeline")


def schedule(chunks: int) -> list[tuple[int, str, str]]:
    """(chunk, group, phase) steps. Every chunk of documents is run four ways: NER alone and the
    whole pipeline, by one process and by two; the order reverses from chunk to chunk (ABCD DCBA),
    so a slow drift of the machine's other load, or spaCy having seen a text before (its vocabulary
    grows on first sight), weighs on every way alike."""
    steps = [(group, phase) for group in GROUPS for phase in PHASES]
    out = []
    for k in range(chunks):
        out += [(k, g, p) for g, p in (steps if k % 2 == 0 else steps[::-1])]
    return out


def throughput_worker(home: str, group: str, chunks: list[list], steps: list[tuple[int, str]], barrier,
                      results) -> None:
    """Load the pipeline (its own model and gazetteer), warm it on the seed article, then run each
    of its steps, (chunk, phase), when the parent and its group's other workers reach the barrier."""
    from geodata.pipeline import Pipeline

    settings = _settings(home)
    pipeline = Pipeline(settings)
    warm = common.seed_documents()[:1]
    list(pipeline.parse(warm))
    for _ in pipeline.nlp.pipe([d.text for d in warm]):
        pass
    for k, phase in steps:
        documents = chunks[k]
        barrier.wait()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        if phase == "ner":
            found = 0
            for doc in pipeline.nlp.pipe(common.ner_texts(documents), batch_size=settings.batch_size):
                found += len(doc.ents)
        else:
            found = sum(len(p.mentions) for p in pipeline.parse(documents))
        results.put({"group": group, "phase": phase, "chunk": k, "pid": os.getpid(),
                     "wall": time.perf_counter() - wall0, "cpu": time.process_time() - cpu0, "found": found})


# -- section 7: parse --dask on a LocalCluster ------------------------------------------------------

def dask_throughput(inputs: Iterable[str | Path], n_workers: int, *, settings: Settings | None = None,
                    limit: int | None = None, chunk_lines: int | None = None, partitions_per_worker: int = 8,
                    details: dict | None = None) -> float:
    """Documents per second of a distributed parse (Parquet written) on a fresh LocalCluster of
    `n_workers` single-threaded processes; worker start-up and model loading are not counted.
    Each call parses into a temporary directory. `details`, if given, receives the run's figures."""
    import math
    import tempfile

    from distributed import Client

    from geodata.config import Settings
    from geodata.scale import parse_to_parquet, plan, planned_lines
    from geodata.scale.run import local_cluster, preserved_environ

    settings = (settings or Settings()).with_(offline=True)
    inputs = list(inputs)
    if chunk_lines is None:  # the same cut whatever the number of workers: enough partitions to balance
        lines = planned_lines(plan(inputs, chunk_lines=10**9, limit=limit))
        chunk_lines = max(1, math.ceil(lines / (2 * partitions_per_worker)))
    with preserved_environ(), tempfile.TemporaryDirectory(prefix="geodata-throughput-") as tmp, \
            local_cluster(n_workers) as cluster, Client(cluster) as client:
        report = parse_to_parquet(inputs, Path(tmp) / "out", settings, client=client, chunk_lines=chunk_lines,
                                  limit=limit, force=True)
    rate = report.docs_per_second
    if details is not None:
        details.update({"workers": n_workers, "documents": report.documents, "mentions": report.mentions,
                        "seconds": report.seconds, "cpu_seconds": report.cpu_seconds,
                        "docs_per_cpu_second": report.documents / report.cpu_seconds if report.cpu_seconds else 0.0,
                        "partitions": report.partitions, "chunk_lines": chunk_lines, "docs_per_second": rate,
                        "rehomed": report.rehomed,
                        "load_average": os.getloadavg()[0]})
    return rate


# -- subprocess tasks ---------------------------------------------------------------------------

def task_sources(args: dict) -> dict:
    from geodata.gazetteer.sources import builtin_places

    t0 = time.perf_counter()
    places = names = 0
    for _place, place_names in builtin_places():
        places += 1
        names += len(place_names)
    return {"seconds": time.perf_counter() - t0, "places": places, "names": names}


def task_build(args: dict) -> dict:
    from geodata.gazetteer import open_gazetteer

    path = Path(args["path"])
    t0 = time.perf_counter()
    gazetteer = open_gazetteer(path)
    seconds = time.perf_counter() - t0
    places = gazetteer.count()
    gazetteer.close()
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as raw:  # a figure of the file, not an API
        names = raw.execute("SELECT COUNT(*) FROM names").fetchone()[0]
    return {"seconds": seconds, "places": places, "names": names, "bytes": common.db_size(path)}


def _documents(args: dict) -> list:
    return common.seed_documents() if args.get("seed") else common.corpus_documents(int(args["n"]))


def task_ingest(args: dict) -> dict:
    """Parse and store articles one at a time, as `geodata ingest` does; time the store's part apart."""
    from geodata.pipeline import Pipeline
    from geodata.store import Store

    settings = _settings(args["home"])
    documents = _documents(args)
    t0 = time.perf_counter()
    pipeline = Pipeline(settings)
    store = Store(settings.store_path)
    load = time.perf_counter() - t0
    added = mentions = 0
    in_store = 0.0
    t1 = time.perf_counter()
    for parsed in pipeline.parse(documents):
        s0 = time.perf_counter()
        if store.add(parsed) is not None:
            added += 1
            mentions += len(parsed.mentions)
        in_store += time.perf_counter() - s0
    total = time.perf_counter() - t1
    store.close()
    return {"load": load, "seconds": total, "store_seconds": in_store, "added": added, "mentions": mentions,
            "documents": len(documents), "text_bytes": sum(len(d.text.encode()) for d in documents),
            "store_bytes": common.db_size(settings.store_path)}


def task_parse(args: dict) -> dict:
    """Parse `n` articles and drop the results (peak memory of parsing itself)."""
    from geodata.pipeline import Pipeline

    documents = _documents(args)
    t0 = time.perf_counter()
    pipeline = Pipeline(_settings(args["home"]))
    load = time.perf_counter() - t0
    t1 = time.perf_counter()
    mentions = sum(len(p.mentions) for p in pipeline.parse(documents))
    return {"load": load, "seconds": time.perf_counter() - t1, "documents": len(documents), "mentions": mentions}


TASKS = {"sources": task_sources, "build": task_build, "ingest": task_ingest, "parse": task_parse}


def run_task(task: str, args: dict, log_dir: Path) -> dict:
    """Run a task in a fresh interpreter; returns its figures, `peak_rss` in bytes."""
    import subprocess

    log_dir.mkdir(parents=True, exist_ok=True)
    out = log_dir / f"{task}-{time.monotonic_ns()}.json"
    log = out.with_suffix(".log")
    with log.open("wb") as handle:
        proc = subprocess.Popen([sys.executable, __file__, task, json.dumps(args), str(out)],
                                stdout=handle, stderr=subprocess.STDOUT, cwd=common.ROOT)
    if proc.wait() != 0:
        raise RuntimeError(f"benchmark task {task} failed ({proc.returncode}):\n{log.read_text()[-3000:]}")
    return json.loads(out.read_text())


def vm_hwm(pid: int | str = "self") -> int | None:
    """Peak resident set size (bytes) of a process, from /proc/PID/status (VmHWM, kB)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


if __name__ == "__main__":
    name, raw, out_path = sys.argv[1:4]
    figures = TASKS[name](json.loads(raw))
    figures["peak_rss"] = vm_hwm()
    Path(out_path).write_text(json.dumps(figures))
