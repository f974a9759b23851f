"""Geoparse a large corpus on a Dask cluster; write the result as partitioned Parquet; load it into the store.

    result = parse_to_parquet(["archive/*.jsonl"], "out/", settings)            # a LocalCluster on this machine
    result = parse_to_parquet(inputs, "out/", settings, address="tcp://sched:8786")  # an existing cluster
    report = ingest_result("out/", Store(settings.store_path))                  # the same Store.add as `ingest`

How the work is cut and run:

- The inputs (files, folders, glob patterns) are planned on the client into partitions: a JSONL file
  is cut into chunks of `chunk_lines` lines (byte ranges found by one pass over the file, so that line
  numbers, `origin` and default ids stay those of the whole file); other files (.txt/.md/.csv, and a
  JSONL file in UTF-16 or not text at all) are grouped `files_per_partition` at a time. A partition's
  key comes from its first file and its chunk index, so it is the same on every run over the same inputs.
- A `dask.bag` with one partition per planned chunk maps `run_partition` over them. Each worker process
  loads the spaCy model and opens the gazetteer (read-only) once, on its first task, and keeps them in
  a module-level cache keyed by the settings; documents are parsed by the same `Pipeline.parse` as the
  single-process CLI, so the result is the same, row for row.
- The online geocoder is off on workers: Nominatim's usage policy (1 request/s) is per client, and N
  workers would each keep their own 1/s. With `online=True` the workers share one cache, the gazetteer
  SQLite file (opened read-write, WAL, busy timeout; it must then be on a disk all workers see as a local
  disk, not NFS), and every call to the geocoder holds one cluster-wide `distributed.Lock`, kept for
  `geocoder_min_delay` after each real request: at most one request per delay for the whole cluster,
  and a name geocoded by one worker is a cache hit for all the others. Online results depend on which
  worker asks first, so only the offline result is guaranteed equal to a single-process run.

The result directory (`DIR/`):

    _manifest.json                     inputs, settings and the planned partitions, in input order
    articles/part-<key>.parquet        one row per article (text, metadata, content hash, sentences)
    mentions/part-<key>.parquet        one row per mention (span, sentence, label, kind, confidence, place)

A partition is written to hidden temporary files, fsync'ed, then renamed: mentions first, articles last.
The articles file is the commit mark; its Parquet metadata holds the partition's fingerprint (its input
files' names, sizes, mtimes and byte range, the model, offline or not) and counts. A partition is
complete when both files exist and the fingerprint matches, so a re-run skips complete partitions
(unless `force`), re-does a partition whose inputs changed, and a worker killed mid-partition leaves
only temporary files behind: Dask runs the task again elsewhere and its rename replaces nothing but
them. Both tables are ordinary Parquet datasets (`pyarrow.dataset`, `dask.dataframe.read_parquet`,
DuckDB) joined on `article_id`.
"""

from __future__ import annotations

import codecs
import contextlib
import glob
import hashlib
import json
import logging
import math
import os
import re
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .config import Settings
from .documents import BINARY_MAGIC, InputError, LoadResult, expand, load_paths, read_bytes
from .records import Document, Mention, ParsedDocument, Place, Sentence
from .store import IngestReport, Store, content_hash

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "_manifest.json"
ARTICLES, MENTIONS = "articles", "mentions"
META_KEY = b"geodata"
DEFAULT_CHUNK_LINES = 200
DEFAULT_FILES_PER_PARTITION = 50
GEOCODER_LOCK = "geodata-geocoder"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

Progress = Callable[[str], None]

ARTICLE_SCHEMA = pa.schema([
    ("article_id", pa.string()),  # "<partition key>:<position>", unique in the result
    ("position", pa.int32()),  # order in the partition (= input order)
    ("doc_id", pa.string()),
    ("title", pa.string()),
    ("published", pa.string()),
    ("source", pa.string()),
    ("origin", pa.string()),
    ("text", pa.string()),
    ("content_hash", pa.string()),  # the store's dedupe key (sha256 of the text)
    ("sentence_starts", pa.list_(pa.int32())),
    ("sentence_ends", pa.list_(pa.int32())),
    ("gold_spans", pa.list_(pa.list_(pa.int32()))),  # given toponym spans, or null
    ("mentions", pa.int32()),
])

MENTION_SCHEMA = pa.schema([
    ("article_id", pa.string()),
    ("doc_id", pa.string()),
    ("mention_index", pa.int32()),  # order in the article (text order)
    ("sentence", pa.int32()),
    ("sentence_start", pa.int32()),
    ("sentence_end", pa.int32()),
    ("start", pa.int32()),
    ("end", pa.int32()),
    ("text", pa.string()),
    ("label", pa.string()),
    ("kind", pa.string()),
    ("confidence", pa.float64()),  # unrounded
    ("reason", pa.string()),
    ("place_id", pa.string()),
    ("place_name", pa.string()),
    ("lat", pa.float64()),
    ("lon", pa.float64()),
    ("country", pa.string()),
    ("feature", pa.string()),  # GeoNames "class.code"
    ("feature_class", pa.string()),
    ("feature_code", pa.string()),
    ("admin1", pa.string()),
    ("population", pa.int64()),
    ("geonameid", pa.int64()),
    ("place_source", pa.string()),
])


class DistributedError(Exception):
    """A user-facing failure of a distributed parse or of loading its result."""


# -- planning --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartitionSpec:
    """One unit of work: a byte range of one JSONL file, or a group of whole files."""

    key: str
    kind: str  # "lines" or "files"
    names: tuple[str, ...]  # as the user gave them: quoted in `origin` and in messages
    paths: tuple[str, ...]  # absolute: what workers open
    start: int = 0  # "lines": byte range and the line number of its first line
    stop: int = 0
    first_line: int = 1
    digest: str = ""  # "lines": of the range's bytes, so appending to a file keeps its earlier chunks
    fingerprint: str = ""


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:40] or "input"


def _key(path: Path, index: int) -> str:
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:8]
    return f"{_slug(path.stem)}-{digest}-{index:05d}"


def _stat(path: Path) -> list[int]:
    try:
        st = path.stat()
        return [st.st_size, st.st_mtime_ns]
    except OSError:
        return [-1, -1]


def _fingerprint(spec: PartitionSpec, salt: str) -> str:
    """What a partition was made from: its bytes (a JSONL range), or its files' sizes and mtimes."""
    content = spec.digest if spec.kind == "lines" else [_stat(Path(p)) for p in spec.paths]
    payload = json.dumps([FORMAT_VERSION, salt, spec.kind, spec.names, content, spec.start, spec.stop,
                          spec.first_line])
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def expand_inputs(inputs: Iterable[str | Path]) -> list[Path]:
    """Files named, files in folders named (sorted), and glob patterns (`*`, `?`, `[...]`, `**`) expanded."""
    paths: list[str | Path] = []
    for raw in inputs:
        text = str(raw)
        if not Path(text).exists() and any(ch in text for ch in "*?["):
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                raise DistributedError(f"no file matches {text}")
            paths.extend(matches)
        else:
            paths.append(raw)
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise DistributedError(f"no such file: {', '.join(missing)}")
    return expand(paths)


def _chunkable(path: Path) -> bool:
    """A JSONL file that can be cut at newline bytes (not UTF-16, not a binary file)."""
    if path.suffix.lower() != ".jsonl":
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError:
        return False
    return not head.startswith(UTF16_BOMS) and not any(head.startswith(m) for m in BINARY_MAGIC)


def line_chunks(path: Path, chunk_lines: int, max_lines: int | None = None) -> list[tuple[int, int, int, str]]:
    """(start byte, stop byte, first line number, digest of the bytes) of consecutive `chunk_lines`-line
    chunks of a file, up to `max_lines` lines; one pass over the file, counting newlines block by block.

    Empty when the file must be read whole to read as `load_paths` reads it: blank (an "empty file"
    error), not UTF-8 (decoded as a whole in Windows-1252) or with NUL bytes (replaced, or binary)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    blank = True
    chunks: list[tuple[int, int, int, str]] = []
    start, first, digest = 0, 1, hashlib.sha1()
    line = 0  # complete lines seen
    pos = 0
    size = path.stat().st_size
    limit = max_lines if max_lines is not None else math.inf
    with path.open("rb") as handle:
        while line < limit and (block := handle.read(1 << 20)):
            if b"\x00" in block:
                return []
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                return []
            blank = blank and not block.strip()
            i = 0
            while line < limit:
                need = min(chunk_lines - line % chunk_lines, limit - line)
                if block.count(b"\n", i) < need:
                    line += block.count(b"\n", i)
                    break
                j = i
                for _ in range(int(need)):
                    j = block.index(b"\n", j) + 1
                digest.update(block[i:j])
                i = j
                line += int(need)
                chunks.append((start, pos + i, first, digest.hexdigest()))
                start, first, digest = pos + i, line + 1, hashlib.sha1()
            if line < limit:
                digest.update(block[i:])
            pos += len(block)
    end = start if line >= limit else size
    if end >= size:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return []
        if blank:
            return []
    if end > start:
        chunks.append((start, end, first, digest.hexdigest()))
    return chunks


def plan(inputs: Iterable[str | Path], *, chunk_lines: int = DEFAULT_CHUNK_LINES,
         files_per_partition: int = DEFAULT_FILES_PER_PARTITION, limit: int | None = None,
         salt: str = "") -> list[PartitionSpec]:
    """The partitions of a run over `inputs`, in input order (the order `load_paths` reads them).
    `limit` keeps only the first `limit` lines/files (for benchmarks)."""
    if chunk_lines < 1 or files_per_partition < 1:
        raise DistributedError("chunk sizes must be at least 1")
    specs: list[PartitionSpec] = []
    group: list[Path] = []
    budget = math.inf if limit is None else limit

    def flush() -> None:
        if group:
            specs.append(PartitionSpec(_key(group[0], 0), "files", tuple(str(p) for p in group),
                                       tuple(str(p.resolve()) for p in group)))
            group.clear()

    for path in expand_inputs(inputs):
        if budget <= 0:
            break
        chunks = line_chunks(path, chunk_lines, None if budget == math.inf else int(budget)) \
            if _chunkable(path) else []
        if chunks:
            flush()
            for index, (start, stop, first, digest) in enumerate(chunks):
                specs.append(PartitionSpec(_key(path, index), "lines", (str(path),), (str(path.resolve()),),
                                           start, stop, first, digest))
            if budget != math.inf:
                budget -= _count_lines(path, chunks)
        else:
            group.append(path)
            budget -= 1
            if len(group) >= files_per_partition:
                flush()
    flush()
    keys = [s.key for s in specs]
    if len(set(keys)) != len(keys):  # the same file named twice
        raise DistributedError("an input file is named more than once")
    return [replace(s, fingerprint=_fingerprint(s, salt)) for s in specs]


def planned_lines(specs: Iterable[PartitionSpec]) -> int:
    """Lines (JSONL) and files planned: about the number of documents."""
    total = 0
    for spec in specs:
        if spec.kind == "lines":
            total += _count_lines(Path(spec.paths[0]), [(spec.start, spec.stop, spec.first_line, "")]) \
                - spec.first_line + 1
        else:
            total += len(spec.paths)
    return total


def _count_lines(path: Path, chunks: list[tuple[int, int, int, str]]) -> int:
    """The line number of the last line of the last chunk."""
    if not chunks:
        return 0
    with path.open("rb") as handle:
        handle.seek(chunks[-1][0])
        tail = handle.read(chunks[-1][1] - chunks[-1][0])
    last = chunks[-1][2] - 1 + tail.count(b"\n") + (0 if tail.endswith(b"\n") or not tail else 1)
    return last


# -- loading one partition ---------------------------------------------------------------------------


def _shift_lines(result: LoadResult, name: str, data: bytes, shift: int) -> LoadResult:
    """Line numbers of a chunk read on its own (1, 2...) back to the file's (first_line, ...)."""
    if not shift:
        return result
    lines: list[bytes] | None = None
    documents = []
    for doc in result.documents:
        rel = int(doc.origin.rsplit(":", 1)[1])  # type: ignore[union-attr]
        changes: dict[str, Any] = {"origin": f"{name}:{rel + shift}"}
        if doc.id == str(rel):  # the id may be the line number by default: check the record itself
            lines = lines if lines is not None else data.split(b"\n")
            obj = json.loads(lines[rel - 1].decode("utf-8-sig", errors="replace"))
            if "id" not in obj and "doc_id" not in obj:
                changes["id"] = str(rel + shift)
        documents.append(replace(doc, **changes))
    moved = [replace(e, line=e.line + shift) if e.line else e for e in result.errors]
    notes = [replace(e, line=e.line + shift) if e.line else e for e in result.notes]
    return LoadResult(documents, moved, notes)


def _renamed(result: LoadResult, path: str, name: str) -> LoadResult:
    """Messages and origins of a file read by its absolute path, as if read by the name the user gave."""
    if path == name:
        return result

    def rename(text: str | None) -> str | None:
        return name + text[len(path):] if text is not None and text.startswith(path) else text

    return LoadResult([replace(d, origin=rename(d.origin)) for d in result.documents],
                      [replace(e, path=rename(e.path)) for e in result.errors],
                      [replace(e, path=rename(e.path)) for e in result.notes])


def load_partition(spec: PartitionSpec) -> LoadResult:
    """The documents of one partition, exactly as `load_paths` reads them from the whole files."""
    result = LoadResult()
    if spec.kind == "files":  # whole files: `load_paths` itself (size limits and all)
        for name, path in zip(spec.names, spec.paths):
            result.extend(_renamed(load_paths([path]), path, name))
        return result
    name, path = spec.names[0], spec.paths[0]
    try:
        with open(path, "rb") as handle:
            handle.seek(spec.start)
            data = handle.read(spec.stop - spec.start)
    except OSError as exc:
        result.errors.append(InputError(name, spec.first_line, f"cannot read: {exc.strerror or exc}"))
        return result
    if not data.strip() and not (spec.start == 0 and spec.stop >= os.path.getsize(path)):
        return result  # blank lines only: nothing, as in the whole file
    return _shift_lines(read_bytes(name, data), name, data, spec.first_line - 1)


# -- on the workers -----------------------------------------------------------------------------------


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
            from .pipeline import Pipeline

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


def _article_row(key: str, position: int, parsed: ParsedDocument) -> dict[str, Any]:
    doc = parsed.document
    return {
        "article_id": f"{key}:{position:06d}", "position": position, "doc_id": doc.id, "title": doc.title,
        "published": doc.published, "source": doc.source, "origin": doc.origin, "text": doc.text,
        "content_hash": content_hash(doc.text), "sentence_starts": [s.start for s in parsed.sentences],
        "sentence_ends": [s.end for s in parsed.sentences],
        "gold_spans": [list(s) for s in doc.spans] if doc.spans is not None else None,
        "mentions": len(parsed.mentions),
    }


def _mention_row(article_id: str, parsed: ParsedDocument, index: int, m: Mention) -> dict[str, Any]:
    sent = parsed.sentences[m.sentence] if 0 <= m.sentence < len(parsed.sentences) else None
    p = m.place
    return {
        "article_id": article_id, "doc_id": parsed.document.id, "mention_index": index, "sentence": m.sentence,
        "sentence_start": sent.start if sent else None, "sentence_end": sent.end if sent else None,
        "start": m.start, "end": m.end, "text": m.text, "label": m.label, "kind": m.kind,
        "confidence": m.confidence, "reason": m.reason,
        "place_id": p.id if p else None, "place_name": p.name if p else None, "lat": p.lat if p else None,
        "lon": p.lon if p else None, "country": p.country if p else None, "feature": p.feature if p else None,
        "feature_class": p.feature_class if p else None, "feature_code": p.feature_code if p else None,
        "admin1": p.admin1 if p else None, "population": p.population if p else None,
        "geonameid": p.geonameid if p else None, "place_source": p.source if p else None,
    }


def tables(key: str, parsed: Sequence[ParsedDocument]) -> tuple[pa.Table, pa.Table]:
    """The articles and mentions tables of one partition."""
    articles, mentions = [], []
    for position, item in enumerate(parsed):
        row = _article_row(key, position, item)
        articles.append(row)
        mentions.extend(_mention_row(row["article_id"], item, i, m) for i, m in enumerate(item.mentions))
    return (pa.Table.from_pylist(articles, schema=ARTICLE_SCHEMA),
            pa.Table.from_pylist(mentions, schema=MENTION_SCHEMA))


def part_path(out: Path, table: str, key: str) -> Path:
    return out / table / f"part-{key}.parquet"


def _write_temp(table: pa.Table, final: Path, run_id: str) -> Path:
    """Write next to `final` under a hidden name unique to this attempt, flushed to disk."""
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = final.with_name(f".{final.name}.{run_id}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    with open(temp, "wb") as handle:
        pq.write_table(table, handle)
        handle.flush()
        os.fsync(handle.fileno())
    return temp


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def completed(out: Path, spec: PartitionSpec) -> dict[str, Any] | None:
    """The partition's summary when both of its files are there and were made from the same inputs."""
    articles, mentions = part_path(out, ARTICLES, spec.key), part_path(out, MENTIONS, spec.key)
    if not (articles.exists() and mentions.exists()):
        return None
    try:
        meta = pq.read_schema(articles).metadata or {}
        summary = json.loads(meta[META_KEY])
    except Exception:  # a foreign or damaged file: do it again
        return None
    return summary if summary.get("fingerprint") == spec.fingerprint else None


def write_partition(out: Path, spec: PartitionSpec, parsed: Sequence[ParsedDocument], loaded: LoadResult,
                    run_id: str = "run") -> dict[str, Any]:
    """Write one partition atomically: temp files, then rename mentions, then articles (the commit mark)."""
    articles, mentions = tables(spec.key, parsed)
    summary = {"key": spec.key, "fingerprint": spec.fingerprint, "documents": articles.num_rows,
               "mentions": mentions.num_rows, "errors": [str(e) for e in loaded.errors],
               "notes": [str(e) for e in loaded.notes]}
    articles = articles.replace_schema_metadata({META_KEY: json.dumps(summary).encode()})
    final_m, final_a = part_path(out, MENTIONS, spec.key), part_path(out, ARTICLES, spec.key)
    temp_m = _write_temp(mentions, final_m, run_id)
    temp_a = _write_temp(articles, final_a, run_id)
    os.replace(temp_m, final_m)
    _fsync_dir(final_m.parent)
    os.replace(temp_a, final_a)
    _fsync_dir(final_a.parent)
    return summary


def run_partition(spec: PartitionSpec, *, out: str, settings: Settings, online: bool = False, force: bool = False,
                  run_id: str = "run") -> dict[str, Any]:
    """The task: parse one partition on this worker and write it. Idempotent: a complete partition
    (e.g. written by an attempt whose worker died before reporting) is not done again."""
    out_dir = Path(out)
    if not force:
        done = completed(out_dir, spec)
        if done is not None:
            return {**done, "skipped": True, "seconds": 0.0, "pid": os.getpid()}
    started, cpu = time.perf_counter(), time.process_time()
    loaded_docs = load_partition(spec)
    loaded = worker_pipeline(settings, online)
    with loaded.lock:  # one pipeline per process; threads of the same worker take turns
        parsed = list(loaded.pipeline.parse(loaded_docs.documents))
    summary = write_partition(out_dir, spec, parsed, loaded_docs, run_id)
    return {**summary, "skipped": False, "seconds": time.perf_counter() - started,
            "cpu_seconds": time.process_time() - cpu, "pid": os.getpid()}


# -- on the client ----------------------------------------------------------------------------------


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
    seconds: float = 0.0  # the distributed part: submitting the partitions to the last one written
    cpu_seconds: float = 0.0  # CPU time of the worker processes while they ran this run's partitions
    stale: list[str] = field(default_factory=list)  # partition files in `out` from other inputs

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


def looks_like_address(text: str) -> bool:
    """A Dask scheduler address (tcp://host:8786, tls://..., host:8786), not an input path."""
    if Path(text).exists():
        return False
    return "://" in text or re.fullmatch(r"[\w.\-]+:\d{2,5}", text) is not None


def is_result(path: str | Path) -> bool:
    """Whether `path` is the output directory of a distributed parse."""
    return (Path(path) / MANIFEST).is_file()


def _write_json_atomic(path: Path, payload: dict[str, Any]) -> None:
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    temp.write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(temp, path)


def _salt(settings: Settings, online: bool) -> str:
    return json.dumps({"model": settings.model, "online": online})


def worker_settings(settings: Settings, *, online: bool = False, worker_home: str | Path | None = None) -> Settings:
    """The settings the workers get: the data directory as an absolute path (or `worker_home`, where the
    gazetteer is on the workers' machines), and no online geocoding unless asked."""
    home = Path(worker_home) if worker_home else Path(settings.home).resolve()
    return settings.with_(home=home, offline=not online)


def _cleanup(out: Path, keys: set[str]) -> list[str]:
    """Remove temporary files left by killed attempts; list finished partitions of other inputs."""
    stale = []
    for table in (ARTICLES, MENTIONS):
        folder = out / table
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.name.startswith(".") and path.name.endswith(".tmp"):
                path.unlink(missing_ok=True)
            elif path.name.startswith("part-") and path.name.endswith(".parquet"):
                if path.name[len("part-"):-len(".parquet")] not in keys and table == ARTICLES:
                    stale.append(path.name)
    return sorted(stale)


def parse_to_parquet(inputs: Iterable[str | Path], out: str | Path, settings: Settings, *,
                     address: str | None = None, client: Any = None, n_workers: int | None = None,
                     chunk_lines: int = DEFAULT_CHUNK_LINES, files_per_partition: int = DEFAULT_FILES_PER_PARTITION,
                     force: bool = False, online: bool = False, worker_home: str | Path | None = None,
                     retries: int = 2, limit: int | None = None, progress: Progress = lambda message: None
                     ) -> RunReport:
    """Geoparse `inputs` on a Dask cluster into partitioned Parquet under `out`.

    The cluster is `client` if given, else the scheduler at `address`, else a LocalCluster of `n_workers`
    single-threaded worker processes (default: one per core) on 127.0.0.1, closed at the end."""
    out = Path(out).resolve()
    wsettings = worker_settings(settings, online=online, worker_home=worker_home)
    specs = plan(inputs, chunk_lines=chunk_lines, files_per_partition=files_per_partition, limit=limit,
                 salt=_salt(wsettings, online))
    out.mkdir(parents=True, exist_ok=True)
    _write_json_atomic(out / MANIFEST, {
        "format": FORMAT_VERSION, "complete": False, "created": time.time(),
        "settings": {"model": wsettings.model, "online": online, "home": str(wsettings.home)},
        "partitions": [asdict(s) for s in specs],
    })
    report = RunReport(out=out, partitions=len(specs))
    summaries: dict[str, dict[str, Any]] = {}
    todo = []
    for spec in specs:
        done = None if force else completed(out, spec)
        if done is None:
            todo.append(spec)
        else:
            summaries[spec.key] = done
            report.skipped += 1
    if report.skipped:
        progress(f"{report.skipped} of {len(specs)} partition(s) already complete in {out}: skipped")
    if todo:
        _run(todo, out, wsettings, online=online, force=force, retries=retries, address=address, client=client,
             n_workers=n_workers, summaries=summaries, report=report, progress=progress)
    missing = [s.key for s in specs if completed(out, s) is None]
    if missing:
        raise DistributedError(f"{len(missing)} partition(s) not written: {', '.join(missing[:5])}; run again to "
                               f"redo only those")
    for spec in specs:
        summary = summaries[spec.key]
        report.documents += summary["documents"]
        report.mentions += summary["mentions"]
        report.errors.extend(summary["errors"])
        report.notes.extend(summary["notes"])
    report.stale = _cleanup(out, {s.key for s in specs})
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    _write_json_atomic(out / MANIFEST, {**manifest, "complete": True, "documents": report.documents,
                                        "mentions": report.mentions})
    return report


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


def local_cluster(n_workers: int | None = None, **options: Any) -> Any:
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
    settings = {"n_workers": n_workers or os.cpu_count() or 1, "threads_per_worker": 1, "processes": True,
                "host": "127.0.0.1", "dashboard_address": None, **options}
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
        return LocalCluster(**settings)


def _run(todo: list[PartitionSpec], out: Path, wsettings: Settings, *, online: bool, force: bool, retries: int,
         address: str | None, client: Any, n_workers: int | None, summaries: dict[str, dict[str, Any]],
         report: RunReport, progress: Progress) -> None:
    import dask.bag as db
    from distributed import as_completed

    with preserved_environ():  # our LocalCluster's nannies change os.environ
        own_cluster = own_client = None
        try:
            if client is None:
                from distributed import Client

                if address:
                    try:
                        own_client = client = Client(address, timeout=30)
                    except (OSError, TimeoutError) as exc:
                        raise DistributedError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
                else:
                    own_cluster = local_cluster(n_workers)
                    own_client = client = Client(own_cluster)
            workers = list(client.scheduler_info()["workers"])
            if not workers:
                client.wait_for_workers(1, timeout=60)
                workers = list(client.scheduler_info()["workers"])
            report.workers = len(workers)
            progress(f"dask: {len(todo)} partition(s) on {len(workers)} worker(s) at {client.scheduler.address}; "
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
            run_id = uuid.uuid4().hex[:8]
            bag = db.from_sequence(todo, npartitions=len(todo)).map(
                run_partition, out=str(out), settings=wsettings, online=online, force=force, run_id=run_id)
            started = time.perf_counter()
            futures = client.compute(bag.to_delayed(), retries=retries)
            done = 0
            said = 0.0
            try:
                for future in as_completed(futures):
                    for summary in future.result():
                        summaries[summary["key"]] = summary
                        report.cpu_seconds += summary.get("cpu_seconds", 0.0)
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
            report.seconds = time.perf_counter() - started
        finally:
            if own_client is not None:
                own_client.close()
            if own_cluster is not None:
                own_cluster.close()


# -- reading the result --------------------------------------------------------------------------------


def _manifest(out: Path) -> dict[str, Any]:
    try:
        return json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DistributedError(f"{out}: not the output of `parse --dask` (no {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise DistributedError(f"{out}/{MANIFEST}: unreadable ({exc})") from exc


def result_partitions(out: str | Path) -> list[PartitionSpec]:
    """The partitions of a result, in input order; all must be complete."""
    out = Path(out)
    manifest = _manifest(out)
    if manifest.get("format") != FORMAT_VERSION:
        raise DistributedError(f"{out}: result format {manifest.get('format')}, expected {FORMAT_VERSION}")
    specs = [PartitionSpec(**{**p, "names": tuple(p["names"]), "paths": tuple(p["paths"])})
             for p in manifest["partitions"]]
    missing = [s.key for s in specs if completed(out, s) is None]
    if missing:
        raise DistributedError(f"{out}: {len(missing)} of {len(specs)} partition(s) incomplete "
                               f"({', '.join(missing[:3])}...); run the same `parse --dask` again to finish them")
    return specs


def _place(row: dict[str, Any]) -> Place | None:
    if row["place_id"] is None:
        return None
    return Place(row["place_id"], row["place_name"], row["lat"], row["lon"], row["country"], row["feature_class"],
                 row["feature_code"], row["admin1"], row["population"], row["geonameid"], row["place_source"])


def read_partition(out: Path, key: str) -> list[ParsedDocument]:
    """One partition back as `ParsedDocument`s (the objects `Pipeline.parse` yielded)."""
    articles = pq.read_table(part_path(out, ARTICLES, key), schema=ARTICLE_SCHEMA).to_pylist()
    by_article: dict[str, list[Mention]] = defaultdict(list)
    rows = pq.read_table(part_path(out, MENTIONS, key), schema=MENTION_SCHEMA).to_pylist()
    for row in sorted(rows, key=lambda r: (r["article_id"], r["mention_index"])):
        by_article[row["article_id"]].append(Mention(
            row["start"], row["end"], row["text"], row["sentence"], row["label"], row["kind"], row["confidence"],
            _place(row), row["reason"]))
    parsed = []
    for a in sorted(articles, key=lambda r: r["position"]):
        spans = tuple(tuple(s) for s in a["gold_spans"]) if a["gold_spans"] is not None else None
        document = Document(a["doc_id"], a["text"], a["title"], a["published"], a["source"], a["origin"], spans)
        sentences = [Sentence(i, s, e) for i, (s, e) in enumerate(zip(a["sentence_starts"], a["sentence_ends"]))]
        parsed.append(ParsedDocument(document, sentences, by_article.get(a["article_id"], [])))
    return parsed


def read_result(out: str | Path) -> Iterator[ParsedDocument]:
    """Every parsed article of a result, in input order, one partition in memory at a time."""
    out = Path(out)
    for spec in result_partitions(out):
        yield from read_partition(out, spec.key)


def ingest_result(out: str | Path, store: Store) -> IngestReport:
    """Load a result into the store through `Store.add` (one transaction per article, same-text articles
    skipped): exactly what `ingest` of the inputs would store."""
    return store.add_all(read_result(out))


# -- benchmark ---------------------------------------------------------------------------------------


def throughput(inputs: Iterable[str | Path], n_workers: int, *, settings: Settings | None = None,
               limit: int | None = None, chunk_lines: int | None = None, partitions_per_worker: int = 8,
               details: dict[str, Any] | None = None) -> float:
    """Documents per second of a distributed parse (Parquet written) on a fresh LocalCluster of
    `n_workers` single-threaded processes; worker start-up and model loading are not counted.
    Each call parses into a temporary directory. `details`, if given, receives the run's figures."""
    from distributed import Client

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
                        "load_average": os.getloadavg()[0]})
    return rate


__all__ = [
    "DistributedError", "PartitionSpec", "RunReport", "expand_inputs", "ingest_result", "is_result", "line_chunks",
    "load_partition", "local_cluster", "looks_like_address", "parse_to_parquet", "plan", "planned_lines",
    "read_partition", "read_result", "result_partitions", "run_partition", "throughput", "worker_pipeline",
    "worker_settings",
]
