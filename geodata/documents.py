"""Read articles from .txt/.md (optional front matter), .jsonl and .csv into `Document` records.

Bad input never raises: every problem becomes an `InputError` naming the file and line, and the
good documents of the same file still load. Files over `GEODATA_MAX_FILE_MB` are refused unread and
articles over `GEODATA_MAX_TEXT_CHARS` are refused before any parsing, so memory stays bounded.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .records import Document

TEXT_SUFFIXES = {".txt", ".md", ".text", ".markdown"}
SUFFIXES = TEXT_SUFFIXES | {".jsonl", ".csv"}
TEXT_COLUMNS = ("text", "body", "content", "article")
DATE_COLUMNS = ("published", "date", "published_at", "pubdate")
BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"PK\x03\x04": "a zip archive (or an Office document)",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"SQLite format 3": "an SQLite database",
}
# spaCy's NER needs ~0.8 GB and ~10 s for 200,000 characters and grows linearly; 1,000,000 is its hard limit.
MAX_TEXT_CHARS = 250_000
SPACY_MAX_CHARS = 1_000_000
MAX_FILE_MB = 100  # a file is read into memory whole


def _env_int(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


def max_text_chars() -> int:
    """Longest article accepted: `GEODATA_MAX_TEXT_CHARS` (default 250,000; at most 1,000,000)."""
    return min(_env_int("GEODATA_MAX_TEXT_CHARS", MAX_TEXT_CHARS), SPACY_MAX_CHARS)


def max_file_bytes() -> int:
    """Largest file read: `GEODATA_MAX_FILE_MB` megabytes (default 100)."""
    return _env_int("GEODATA_MAX_FILE_MB", MAX_FILE_MB) * 2**20


@dataclass(frozen=True)
class InputError:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass
class LoadResult:
    documents: list[Document] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    notes: list[InputError] = field(default_factory=list)  # decoded with a fallback, etc.

    def extend(self, other: "LoadResult") -> None:
        self.documents.extend(other.documents)
        self.errors.extend(other.errors)
        self.notes.extend(other.notes)


def decode(name: str, data: bytes, result: LoadResult) -> str | None:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252 with a note.
    Binary files are refused with what they look like."""
    for magic, what in BINARY_MAGIC.items():
        if data.startswith(magic):
            result.errors.append(InputError(name, None, f"this is {what}, not text"))
            return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            result.errors.append(InputError(name, None, f"broken UTF-16 text ({exc.reason})"))
            return None
    if b"\x00" in data[:8192] and data.count(b"\x00") > len(data) // 10:
        result.errors.append(InputError(name, None, "binary data (NUL bytes), not text"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        text = data.decode("cp1252", errors="replace")
        result.notes.append(InputError(name, line, "not UTF-8; read as Windows-1252 (Latin-1)"))
    if "\x00" in text:
        text = text.replace("\x00", " ")
        result.notes.append(InputError(name, None, "NUL bytes replaced by spaces"))
    return text


def _refusal(name: str, size: int, limit: int) -> InputError | None:
    """Why a file is not read at all: its type or its size."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        return InputError(name, None, f"unsupported file type {suffix or '(none)'}; "
                                      f"expected one of {', '.join(sorted(SUFFIXES))}")
    if size > limit:
        return InputError(name, None, f"{size / 2**20:.1f} MB is over the {limit / 2**20:g} MB limit for one file "
                                      "(GEODATA_MAX_FILE_MB); split it or raise the limit")
    return None


def _accept(result: LoadResult, name: str, line: int | None, doc: Document, max_chars: int) -> None:
    """Keep `doc` unless its text is longer than one article may be."""
    if len(doc.text) > max_chars:
        result.errors.append(InputError(name, line, f"text of {len(doc.text):,} characters is over the "
                                                    f"{max_chars:,}-character limit for one article "
                                                    "(GEODATA_MAX_TEXT_CHARS); split it into articles"))
    else:
        result.documents.append(doc)


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """`---` / `key: value` lines / `---` at the top of a text file."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---\n", 4)
    if end < 0:
        return {}, text
    meta = {}
    for line in text[4:end].splitlines():
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip().lower()] = value.strip().strip('"')
    return meta, text[end + 5 :]


def _text_document(name: str, stem: str, text: str, result: LoadResult, max_chars: int) -> None:
    meta, body = _front_matter(_normalise_newlines(text))
    if not body.strip():
        result.errors.append(InputError(name, None, "empty: no text to read"))
        return
    doc = Document(id=meta.get("id") or stem, text=body, title=meta.get("title") or stem,
                   published=meta.get("published") or meta.get("date"), source=meta.get("source"), origin=name)
    _accept(result, name, None, doc, max_chars)


def _spans(value: object, text: str) -> tuple[tuple[int, int], ...] | None | str:
    """Gold spans, or an error message."""
    if value is None:
        return None
    if not isinstance(value, list):
        return "`spans` must be a list of [start, end] pairs"
    spans = []
    for pair in value:
        if (not isinstance(pair, list | tuple) or len(pair) != 2
                or not all(isinstance(x, int) and not isinstance(x, bool) for x in pair)):
            return f"bad span {pair!r}: expected [start, end]"
        start, end = pair
        if not 0 <= start < end <= len(text):
            return f"span {pair!r} is outside the text (length {len(text)})"
        spans.append((start, end))
    return tuple(spans)


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


def _jsonl_documents(name: str, text: str, result: LoadResult, max_chars: int) -> None:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            result.errors.append(InputError(name, number, f"broken JSON ({exc.msg} at column {exc.colno})"))
            continue
        if not isinstance(obj, dict):
            result.errors.append(InputError(name, number, f"expected a JSON object, got {type(obj).__name__}"))
            continue
        body = obj.get("text")
        if body is None:
            result.errors.append(InputError(name, number, "no `text` field"))
            continue
        if not isinstance(body, str):
            result.errors.append(InputError(name, number, f"`text` must be a string, got {type(body).__name__}"))
            continue
        if not body.strip():
            result.errors.append(InputError(name, number, "empty `text`"))
            continue
        spans = _spans(obj.get("spans"), body)
        if isinstance(spans, str):
            result.errors.append(InputError(name, number, spans))
            continue
        doc = Document(id=str(obj.get("id", obj.get("doc_id", number))), text=body,
                       title=_optional_str(obj.get("title")),
                       published=_optional_str(obj.get("published", obj.get("date"))),
                       source=_optional_str(obj.get("source")), origin=f"{name}:{number}", spans=spans)
        _accept(result, name, number, doc, max_chars)


def _pick(columns: dict[str, str], candidates: Iterable[str]) -> str | None:
    return next((columns[c] for c in candidates if c in columns), None)


def _csv_documents(name: str, text: str, result: LoadResult, max_chars: int) -> None:
    # the csv module refuses fields over 128 KiB with an obscure message; the length check below is ours
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        result.errors.append(InputError(name, None, "empty: no header row"))
        return
    except csv.Error as exc:
        result.errors.append(InputError(name, 1, f"unreadable CSV header ({exc})"))
        return
    columns = {h.strip().lower(): h for h in header}
    index = {h: i for i, h in enumerate(header)}
    text_col = _pick(columns, TEXT_COLUMNS)
    if text_col is None:
        result.errors.append(InputError(name, 1, f"no text column (expected one of: {', '.join(TEXT_COLUMNS)}; "
                                                 f"found: {', '.join(header)})"))
        return
    optional = {key: _pick(columns, names) for key, names in
                {"id": ("id", "doc_id"), "title": ("title", "headline"), "published": DATE_COLUMNS,
                 "source": ("source", "publisher")}.items()}
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.errors.append(InputError(name, line, f"unreadable CSV row ({exc})"))
            continue
        if not row:
            continue
        if len(row) != len(header):
            result.errors.append(InputError(name, line, f"{len(row)} fields where the header has {len(header)}"))
            continue
        body = row[index[text_col]]
        if not body.strip():
            result.errors.append(InputError(name, line, f"empty `{text_col}`"))
            continue
        get = {key: (row[index[col]] or None) if col else None for key, col in optional.items()}
        doc = Document(id=get["id"] or str(line), text=_normalise_newlines(body), title=get["title"],
                       published=get["published"], source=get["source"], origin=f"{name}:{line}")
        _accept(result, name, line, doc, max_chars)


def read_bytes(name: str, data: bytes, *, max_chars: int | None = None,
               max_bytes: int | None = None) -> LoadResult:
    """Documents from one file's content; `name` gives its type and is quoted in messages.
    Limits default to `max_text_chars()` and `max_file_bytes()`."""
    result = LoadResult()
    suffix = Path(name).suffix.lower()
    limit = max_file_bytes() if max_bytes is None else max_bytes
    refused = _refusal(name, len(data), limit)
    if refused:
        result.errors.append(refused)
        return result
    if not data.strip():
        result.errors.append(InputError(name, None, "empty: no text to read"))
        return result
    text = decode(name, data, result)
    if text is None:
        return result
    chars = max_text_chars() if max_chars is None else max_chars
    if suffix == ".jsonl":
        _jsonl_documents(name, text, result, chars)
    elif suffix == ".csv":
        _csv_documents(name, text, result, chars)
    else:
        _text_document(name, Path(name).stem, text, result, chars)
    return result


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and readable files inside directories named (sorted)."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES))
        else:
            files.append(path)
    return files


def load_paths(paths: Iterable[str | Path], *, max_chars: int | None = None,
               max_bytes: int | None = None) -> LoadResult:
    """Documents from files and folders; a file over the size limit is refused without reading it."""
    result = LoadResult()
    limit = max_file_bytes() if max_bytes is None else max_bytes
    for path in expand(paths):
        try:
            refused = _refusal(str(path), path.stat().st_size, limit)
            if refused:
                result.errors.append(refused)
                continue
            data = path.read_bytes()
        except OSError as exc:
            result.errors.append(InputError(str(path), None, f"cannot read: {exc.strerror or exc}"))
            continue
        result.extend(read_bytes(str(path), data, max_chars=max_chars, max_bytes=limit))
    return result
