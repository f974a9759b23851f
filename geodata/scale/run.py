"""The client's side of a run: fetch the web inputs (`web`), plan, connect to (or start) a Dask cluster, map
the partitions, sum up.

A `dask.bag` with one partition per planned chunk maps `worker.run_partition` over them; a re-run skips
the partitions already complete (unless `force`), and Dask retries those whose worker died. Then the articles
whose outlet's home, as its articles in every partition settle it, is not the one they were read with are read
again (`worker.rehome_partition`): the result is the one `parse` gives reading all inputs together.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Settings
from ..documents import LoadResult
from ..resolve.context import Division
from ..resolve.outlet import OutletHomes
from .parquet import completed, read_outlets
from .partitions import (
    DEFAULT_CHUNK_LINES, DEFAULT_FILES_PER_PARTITION, DistributedError, PartitionSpec, plan, plan_documents,
    reader_version,
)
from .result import clean, finish_manifest, start_manifest
from .worker import rehome_partition, run_partition, warm

Progress = Callable[[str], None]


@dataclass
class RunReport:
    out: Path
    partitions: int = 0
    skipped: int = 0  # already complete before this run
    documents: int = 0
    mentions: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    workers: int = 0
    seconds: float = 0.0  # the distributed part: submitting the partitions to the last one written, then the
    # articles read again with their outlet's home (`rehomed`)
    cpu_seconds: float = 0.0  # CPU time of the worker processes while they ran this run's partitions
    stale: list[str] = field(default_factory=list)  # partition files in `out` from other inputs
    rehomed: int = 0  # articles read again with the home their outlet's articles in other partitions settle

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


def looks_like_address(text: str) -> bool:
    """A Dask scheduler address (tcp://host:8786, tls://..., host:8786), not an input path or web address."""
    if Path(text).exists() or text.lower().startswith(("http://", "https://", "file:")):
        return False
    return "://" in text or re.fullmatch(r"[\w.\-]+:\d{2,5}", text) is not None


def worker_settings(settings: Settings, *, online: bool = False, worker_home: str | Path | None = None) -> Settings:
    """The settings the workers get: the data directory as an absolute path (or `worker_home`, where the
    gazetteer is on the workers' machines), and no online geocoding unless asked."""
    home = Path(worker_home) if worker_home else Path(settings.home).resolve()
    return settings.with_(home=home, offline=not online)


def parse_to_parquet(inputs: Iterable[str | Path], out: str | Path, settings: Settings, *,
                     address: str | None = None, client: Any = None, n_workers: int | None = None,
                     chunk_lines: int = DEFAULT_CHUNK_LINES, files_per_partition: int = DEFAULT_FILES_PER_PARTITION,
                     force: bool = False, online: bool = False, worker_home: str | Path | None = None,
                     retries: int = 2, limit: int | None = None, language: str | None = None,
                     progress: Progress = lambda message: None) -> RunReport:
    """Geoparse `inputs` on a Dask cluster into partitioned Parquet under `out`. Article and feed URLs, saved
    pages and feeds among `inputs` are fetched and read here first, politely (see `web`), and parsed after
    the files; each one that fails is an error of the report. `language` (an ISO 639-1 code): every document
    read in it, whatever it declares (`--language`); else each its declared `language`, else the detected one.

    The cluster is `client` if given, else the scheduler at `address`, else a LocalCluster of `n_workers`
    single-threaded worker processes (default: one per core) on 127.0.0.1, closed at the end."""
    from ..sources import split_inputs  # trafilatura and feedparser: on the client only, never in workers

    out = Path(out).resolve()
    wsettings = worker_settings(settings, online=online, worker_home=worker_home)
    reader = reader_version()
    salt = json.dumps({"model": wsettings.model, "model_fr": wsettings.model_fr, "online": online,
                       "language": language, "outlets": 1,  # 1: partitions keep what articles tell of outlets
                       "reader": reader})
    web, files = split_inputs([str(i) for i in inputs])  # URLs, saved pages and feeds; the rest for `plan`
    specs = plan(files, chunk_lines=chunk_lines, files_per_partition=files_per_partition, limit=limit, salt=salt)
    out.mkdir(parents=True, exist_ok=True)
    fetched = LoadResult()
    if web:
        from .web import fetch_web

        documents, fetched = fetch_web(web, out, settings, progress)
        specs += plan_documents(documents, "web", chunk_lines=chunk_lines, salt=salt) if documents else []
    start_manifest(out, specs, {"model": wsettings.model, "model_fr": wsettings.model_fr, "online": online,
                                "language": language, "home": str(wsettings.home), "reader": reader})
    report = RunReport(out=out, partitions=len(specs))
    summaries = {} if force else {s.key: done for s in specs if (done := completed(out, s)) is not None}
    todo = [s for s in specs if s.key not in summaries]
    report.skipped = len(summaries)
    if report.skipped:
        progress(f"{report.skipped} of {len(specs)} partition(s) already complete in {out}: skipped")
    unsettled = {} if todo else _unsettled(out, specs)
    if todo or unsettled:
        with preserved_environ(), _connected(client, address, n_workers) as cluster:  # nannies change os.environ
            report.workers = _warm_up(cluster, wsettings, online, len(todo) or len(unsettled), progress)
            if todo:
                report.seconds = _compute(cluster, todo, out, wsettings, online=online, force=force,
                                          retries=retries, language=language, summaries=summaries, progress=progress)
                _check_written(out, specs)
                unsettled = _unsettled(out, specs)
            if unsettled:
                started = time.perf_counter()
                report.rehomed = _rehome(cluster, unsettled, {s.key: s for s in specs}, out, wsettings, online=online,
                                         retries=retries, language=language, summaries=summaries, progress=progress)
                report.seconds += time.perf_counter() - started
    _check_written(out, specs)
    for spec in specs:
        summary = summaries[spec.key]
        report.documents += summary["documents"]
        report.mentions += summary["mentions"]
        report.cpu_seconds += summary.get("cpu_seconds", 0.0)
        report.errors.extend(summary["errors"])
        report.notes.extend(summary["notes"])
    report.errors.extend(str(e) for e in fetched.errors)
    report.notes.extend(str(n) for n in fetched.notes)
    report.stale = clean(out, {s.key for s in specs})
    finish_manifest(out, report.documents, report.mentions)
    return report


def _check_written(out: Path, specs: list[PartitionSpec]) -> None:
    missing = [s.key for s in specs if completed(out, s) is None]
    if missing:
        raise DistributedError(f"{len(missing)} partition(s) not written: {', '.join(missing[:5])}; run again to "
                               f"redo only those")


def _unsettled(out: Path, specs: list[PartitionSpec]) -> dict[str, dict[int, Division | None]]:
    """The articles whose home (`OutletHomes`), as what every partition's articles told of their outlets settles
    it, is not the one they were read with: by partition key, position -> home. An article's partition settled its
    home from its own articles; its outlet's articles in other partitions may say otherwise."""
    rows = {s.key: read_outlets(out, s.key) for s in specs}
    homes = OutletHomes(told=((row.url, row.told) for articles in rows.values() for row in articles if row.url))
    unsettled = {}
    for key, articles in rows.items():
        changed = {row.position: home for row in articles if (home := homes.home(row.url)) != row.home}
        if changed:
            unsettled[key] = changed
    return unsettled


def _rehome(client: Any, unsettled: dict[str, dict[int, Division | None]], specs: dict[str, PartitionSpec], out: Path,
            wsettings: Settings, *, online: bool, retries: int, language: str | None,
            summaries: dict[str, dict[str, Any]], progress: Progress) -> int:
    """Read again, on the cluster, the articles `_unsettled` lists, each with its home; each rewritten partition's
    summary into `summaries`; how many articles were read again."""
    total = sum(len(homes) for homes in unsettled.values())
    progress(f"outlets: {total} article(s) in {len(unsettled)} partition(s) read again with the home their "
             f"outlet's articles in other partitions settle")
    run_id = uuid.uuid4().hex[:8]
    futures = [client.submit(rehome_partition, specs[key], homes, out=str(out), settings=wsettings, online=online,
                             run_id=run_id, language=language, retries=retries, pure=False,
                             key=f"geodata-rehome-{key}-{run_id}") for key, homes in unsettled.items()]
    try:
        for summary in client.gather(futures):
            first = summaries.get(summary["key"], {})
            summaries[summary["key"]] = {**summary, "cpu_seconds": first.get("cpu_seconds", 0.0)
                                         + summary["cpu_seconds"]}
    except Exception as exc:
        client.cancel(futures)
        raise DistributedError(
            f"a partition failed on the cluster while its outlets' homes were settled ({type(exc).__name__}: "
            f"{exc}); every partition is written: run the same command again to settle the rest") from exc
    return total


# -- the cluster ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def preserved_environ() -> Iterator[None]:
    """Give back os.environ as it was: a LocalCluster's nannies run in this process and set their workers'
    variables (OMP_NUM_THREADS=1...) in it before each spawn, which later subprocesses would inherit."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        for key in set(os.environ) - set(saved):
            del os.environ[key]
        os.environ.update(saved)


def local_cluster(n_workers: int | None = None) -> Any:
    """A LocalCluster for the geoparser: `n_workers` (default: one per core) single-threaded processes on
    127.0.0.1, no Dask dashboard. Workers are spawned without Dask's default MALLOC_TRIM_THRESHOLD_=65536:
    setting it pins glibc's mmap threshold at 128 KiB, so every large numpy buffer spaCy allocates is an
    mmap/munmap pair, measured at about 13% more CPU per document (the model's memory is steady anyway)."""
    import dask
    from distributed import LocalCluster

    environ = {k: v for k, v in dask.config.get("distributed.nanny.pre-spawn-environ", {}).items()
               if k != "MALLOC_TRIM_THRESHOLD_"}
    if os.environ.get("MALLOC_TRIM_THRESHOLD_") == "65536":  # left in os.environ by an earlier nanny
        del os.environ["MALLOC_TRIM_THRESHOLD_"]
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
        return LocalCluster(n_workers=n_workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                            host="127.0.0.1", dashboard_address=None)


@contextlib.contextmanager
def _connected(client: Any, address: str | None, n_workers: int | None) -> Iterator[Any]:
    """`client`; else a client of the scheduler at `address`, or of a new LocalCluster: closed at the end."""
    with contextlib.ExitStack() as owned:
        if client is None:
            from distributed import Client

            if address:
                try:
                    client = Client(address, timeout=30)
                except (OSError, TimeoutError) as exc:
                    raise DistributedError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
            else:
                cluster = local_cluster(n_workers)
                owned.callback(cluster.close)
                client = Client(cluster)
            owned.callback(client.close)
        yield client


def _warm_up(client: Any, wsettings: Settings, online: bool, partitions: int, progress: Progress) -> int:
    """Load the pipeline on every worker before any partition, so that a worker that cannot fails early
    and clearly; the number of workers."""
    workers = list(client.scheduler_info()["workers"])
    if not workers:
        client.wait_for_workers(1, timeout=60)
        workers = list(client.scheduler_info()["workers"])
    progress(f"dask: {partitions} partition(s) on {len(workers)} worker(s) at {client.scheduler.address}; "
             f"loading the model and gazetteer on each...")
    warmups = [client.submit(warm, wsettings, online, workers=[w], allow_other_workers=True, pure=False,
                             key=f"geodata-warm-{uuid.uuid4().hex[:8]}") for w in workers]
    try:
        client.gather(warmups)
    except Exception as exc:
        raise DistributedError(
            f"the workers cannot load the geoparser ({type(exc).__name__}: {exc}); each worker needs this "
            f"package and its requirements installed, and the gazetteer at {wsettings.gazetteer_path} "
            f"(worker_home, --worker-home)") from exc
    return len(workers)


def _compute(client: Any, todo: list[PartitionSpec], out: Path, wsettings: Settings, *, online: bool, force: bool,
             retries: int, language: str | None, summaries: dict[str, dict[str, Any]], progress: Progress) -> float:
    """Run `todo` on the cluster, each partition's summary into `summaries` as it is written; the seconds
    from submitting the partitions to the last one written."""
    import dask.bag as db
    from distributed import as_completed

    run_id = uuid.uuid4().hex[:8]
    bag = db.from_sequence(todo, npartitions=len(todo)).map(
        run_partition, out=str(out), settings=wsettings, online=online, force=force, run_id=run_id, language=language)
    started = time.perf_counter()
    futures = client.compute(bag.to_delayed(), retries=retries)
    done = 0
    said = 0.0
    try:
        for future in as_completed(futures):
            for summary in future.result():
                summaries[summary["key"]] = summary
                done += 1
                if done == len(todo) or time.monotonic() - said >= 2:
                    said = time.monotonic()
                    progress(f"partition {done}/{len(todo)} written ({summary['key']}: "
                             f"{summary['documents']} document(s), {summary['mentions']} mention(s))")
    except Exception as exc:
        client.cancel(futures)
        raise DistributedError(
            f"a partition failed on the cluster ({type(exc).__name__}: {exc}); the {done} partition(s) "
            f"written are kept: run the same command again to do only the others") from exc
    return time.perf_counter() - started
