"""What runs in a worker process: its pipeline, loaded once, and the task that parses and writes a partition.

Each worker process loads the spaCy model and opens the gazetteer (read-only) on its first task and keeps
them in a module-level cache keyed by the settings; documents are read by the same `Pipeline.read_together` as
the single-process CLI reads its inputs, and the client then has the articles whose outlet's home other
partitions settle read again (`rehome_partition`), so the offline result is the same, row for row.

The online geocoder is off on workers: Nominatim's usage policy (1 request/s) is per client, and N workers
would each keep their own 1/s. With `online=True` the workers share one cache, the gazetteer SQLite file
(opened read-write, WAL, busy timeout; it must then be on a disk all workers see as a local disk, not NFS),
and every call to the geocoder holds one cluster-wide `distributed.Lock`, kept for `geocoder_min_delay`
after each real request: at most one request per delay for the whole cluster, and a name geocoded by one
worker is a cache hit for all the others. Online results depend on which worker asks first, so only the
offline result is guaranteed equal to a single-process run.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Settings
from ..documents import declare_language
from ..records import Document, Place
from ..resolve.context import Division
from .parquet import completed, read_outlets, read_partition, write_partition
from .partitions import PartitionSpec, load_partition

log = logging.getLogger(__name__)

GEOCODER_LOCK = "geodata-geocoder"


class PacedFallback:
    """The online geocoder behind one cluster-wide lock, held `min_delay` after every real request:
    the whole cluster asks at most once per `min_delay`, and sees the answers others cached."""

    def __init__(self, geocoder: Any, lock_name: str = GEOCODER_LOCK):
        self.geocoder = geocoder
        self.lock_name = lock_name

    def __call__(self, name: str, countries: Sequence[str] = ()) -> Place | None:
        from distributed import Lock

        if not self.geocoder.online:
            return None
        with Lock(self.lock_name):
            before = self.geocoder.requests.count
            place = self.geocoder(name, countries)
            if self.geocoder.requests.count > before:
                time.sleep(self.geocoder.min_delay)
        return place


@dataclass
class _Loaded:
    pipeline: Any
    lock: threading.Lock = field(default_factory=threading.Lock)


_LOADED: dict[tuple[Settings, bool], _Loaded] = {}
_LOADING = threading.Lock()


def worker_pipeline(settings: Settings, online: bool = False) -> _Loaded:
    """This process's pipeline for `settings`: the spaCy model and the gazetteer, loaded on first use
    and kept for every later task (a worker process runs many partitions)."""
    key = (settings, online)
    with _LOADING:
        loaded = _LOADED.get(key)
        if loaded is None:
            from ..pipeline import Pipeline

            started = time.perf_counter()
            # Offline workers only read the gazetteer; online ones share its cache and one request rate.
            loaded = _Loaded(Pipeline.from_settings(settings.with_(offline=settings.offline or not online),
                                                    notify=log.warning, readonly_gazetteer=not online,
                                                    wrap_fallback=PacedFallback))
            _LOADED[key] = loaded
            log.info("geodata: pipeline loaded in %.1f s (pid %d)", time.perf_counter() - started, os.getpid())
    return loaded


def warm(settings: Settings, online: bool = False) -> int:
    """Load the pipeline in this worker process now (and parse a line), so that failures show early."""
    loaded = worker_pipeline(settings, online)
    with loaded.lock:
        list(loaded.pipeline.parse([Document("warm-up", "Rain fell on Paris and Lyon.")]))
    return os.getpid()


def run_partition(spec: PartitionSpec, *, out: str, settings: Settings, online: bool = False, force: bool = False,
                  run_id: str = "run", language: str | None = None) -> dict[str, Any]:
    """The task: parse one partition on this worker, its articles read together (`Pipeline.read_together`:
    each with its outlet's home as the partition's other articles settle it), and write it, with what each
    article tells of its outlet's home (`rehome_partition` then settles homes across partitions). Idempotent: a
    complete partition (e.g. written by an attempt whose worker died before reporting) is not done again.
    `language` (an ISO 639-1 code): every document read in it, as `--language` does for `parse`."""
    out_dir = Path(out)
    if not force:
        done = completed(out_dir, spec)
        if done is not None:
            return {**done, "skipped": True, "seconds": 0.0, "pid": os.getpid()}
    started, cpu = time.perf_counter(), time.process_time()
    loaded_docs = load_partition(spec)
    loaded = worker_pipeline(settings, online)
    with loaded.lock:  # one pipeline per process; threads of the same worker take turns
        readings = sorted(loaded.pipeline.read_together(declare_language(loaded_docs.documents, language)),
                          key=lambda reading: reading.index)
    summary = write_partition(out_dir, spec, [r.parsed for r in readings], loaded_docs, run_id,
                              [(r.told, r.home) for r in readings])
    return {**summary, "skipped": False, "seconds": time.perf_counter() - started,
            "cpu_seconds": time.process_time() - cpu, "pid": os.getpid()}


def rehome_partition(spec: PartitionSpec, homes: dict[int, Division | None], *, out: str, settings: Settings,
                     online: bool = False, run_id: str = "run", language: str | None = None) -> dict[str, Any]:
    """The task of the second pass: parse again the articles at the positions of `homes`, each with the home the
    articles of its outlet in every partition settle (`run._unsettled`), and write the partition again with them
    (the other articles as written; what each article told stays its first reading's)."""
    out_dir = Path(out)
    started, cpu = time.perf_counter(), time.process_time()
    loaded_docs = load_partition(spec)
    documents = declare_language(loaded_docs.documents, language)
    parsed = read_partition(out_dir, spec.key)
    outlets = [(row.told, row.home) for row in read_outlets(out_dir, spec.key)]
    loaded = worker_pipeline(settings, online)
    positions = sorted(homes)
    with loaded.lock:
        again = list(loaded.pipeline.parse_at_home((documents[p], homes[p]) for p in positions))
    for position, result in zip(positions, again):
        parsed[position], outlets[position] = result, (outlets[position][0], homes[position])
    summary = write_partition(out_dir, spec, parsed, loaded_docs, run_id, outlets)
    return {**summary, "rehomed": len(positions), "seconds": time.perf_counter() - started,
            "cpu_seconds": time.process_time() - cpu, "pid": os.getpid()}
