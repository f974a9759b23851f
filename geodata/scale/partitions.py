"""Inputs into partitions, and one partition's documents read back exactly as `load_paths` reads them.

A JSONL file is cut into chunks of `chunk_lines` lines (byte ranges found by one pass over the file);
a chunk read on its own gets the whole file's line numbers, `origin` and default ids back. Other files
(.txt/.md/.csv, and a JSONL file in UTF-16 or not text at all) are grouped `files_per_partition` at a
time. A partition's key comes from its first file and its chunk index, so it is the same on every run
over the same inputs; its fingerprint says what it was made from. Documents fetched from the web are
written by the client to a file of `Document` records, one a line, cut the same way (kind "documents").
"""

from __future__ import annotations

import codecs
import glob
import hashlib
import json
import math
import os
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from ..documents import BINARY_MAGIC, InputError, LoadResult, expand, load_paths, read_bytes
from ..gazetteer.sources import source_versions
from ..records import Document

FORMAT_VERSION = 3  # of the result: in every fingerprint and in the manifest (2: title mentions, 3: languages)
READABLE_FORMATS = (1, 2, 3)  # format 1 reads with no title mentions; 1 and 2 with every article read as English
# What makes a reader's results what they are, besides the partition's inputs and settings (`reader_version`).
PACKAGE = Path(__file__).resolve().parents[1]
READER_SUFFIXES = (".py", ".csv", ".txt", ".jsonl")
DEFAULT_CHUNK_LINES = 200
DEFAULT_FILES_PER_PARTITION = 50
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

Chunk = tuple[int, int, int, str]  # start byte, stop byte, line number of its first line, digest of its bytes


class DistributedError(Exception):
    """A user-facing failure of a distributed parse or of loading its result."""


@dataclass(frozen=True)
class PartitionSpec:
    """One unit of work: a byte range of one JSONL file or of the client's web documents, or a group of
    whole files."""

    key: str
    kind: str  # "lines", "files" or "documents"
    names: tuple[str, ...]  # as the user gave them: quoted in `origin` and in messages
    paths: tuple[str, ...]  # absolute: what workers open
    start: int = 0  # "lines", "documents": byte range and the line number of its first line
    stop: int = 0
    first_line: int = 1
    digest: str = ""  # "lines", "documents": of the range's bytes, so appending to a file keeps its earlier chunks
    fingerprint: str = ""


# -- planning --------------------------------------------------------------------------------------


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


def reader_version(package: Path = PACKAGE) -> str:
    """A fingerprint of what reads an article: the package's modules and data files (the rules, the calibration,
    the curated tables, the word lists) and the versions of the packages the built-in gazetteer is made from. In
    every partition's fingerprint (through the run's salt): a partition an older reader wrote is read again, so
    that a result equals what `parse` gives now. (A GeoNames dump imported since is not in it: `--force`.)"""
    digest = hashlib.sha256(json.dumps(sorted(source_versions().items())).encode())
    for path in sorted(p for p in package.rglob("*") if p.suffix in READER_SUFFIXES and "__pycache__" not in p.parts):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _fingerprint(spec: PartitionSpec, salt: str) -> str:
    """What a partition was made from: its bytes (a JSONL range), or its files' sizes and mtimes."""
    content = [_stat(Path(p)) for p in spec.paths] if spec.kind == "files" else spec.digest
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


def line_chunks(path: Path, chunk_lines: int, max_lines: int | None = None) -> list[Chunk]:
    """Consecutive `chunk_lines`-line chunks of a file, up to `max_lines` lines; one pass over the file,
    counting newlines block by block.

    Empty when the file must be read whole to read as `load_paths` reads it: blank (an "empty file"
    error), not UTF-8 (decoded as a whole in Windows-1252) or with NUL bytes (replaced, or binary)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    blank = True
    chunks: list[Chunk] = []
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


def _lines_in(path: Path, start: int, stop: int) -> int:
    """The number of lines in a byte range (the last one may lack its newline)."""
    with path.open("rb") as handle:
        handle.seek(start)
        data = handle.read(stop - start)
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


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
                start, stop, first, _ = chunks[-1]
                budget -= first - 1 + _lines_in(path, start, stop)
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


def plan_documents(path: Path, name: str, *, chunk_lines: int = DEFAULT_CHUNK_LINES,
                   salt: str = "") -> list[PartitionSpec]:
    """The partitions of a file of `Document` records (`document_line`), called `name` in messages."""
    chunks = enumerate(line_chunks(path, chunk_lines))
    specs = [PartitionSpec(_key(path, index), "documents", (name,), (str(path.resolve()),), start, stop, first, digest)
             for index, (start, stop, first, digest) in chunks]
    return [replace(s, fingerprint=_fingerprint(s, salt)) for s in specs]


def planned_lines(specs: Iterable[PartitionSpec]) -> int:
    """Lines (JSONL) and files planned: about the number of documents."""
    return sum(len(s.paths) if s.kind == "files" else _lines_in(Path(s.paths[0]), s.start, s.stop) for s in specs)


# -- reading one partition ---------------------------------------------------------------------------


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


def document_line(document: Document) -> str:
    """One line of a documents file: every field of the record, as JSON."""
    return json.dumps(asdict(document), ensure_ascii=True) + "\n"


def read_documents(data: bytes) -> list[Document]:
    """The records of a byte range of a documents file (written by the client with `document_line`)."""
    documents = []
    for line in data.decode("utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            spans = record.pop("spans")
            documents.append(Document(**record, spans=None if spans is None else tuple(map(tuple, spans))))
    return documents


def load_partition(spec: PartitionSpec) -> LoadResult:
    """The documents of one partition, exactly as `load_paths` reads them from the whole files (or as the
    client wrote them, for "documents")."""
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
    if spec.kind == "documents":
        result.documents.extend(read_documents(data))
        return result
    if not data.strip() and not (spec.start == 0 and spec.stop >= os.path.getsize(path)):
        return result  # blank lines only: nothing, as in the whole file
    return _shift_lines(read_bytes(name, data), name, data, spec.first_line - 1)
