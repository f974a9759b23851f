"""Read articles from .txt/.md (optional front matter), .jsonl and .csv into `Document` records.

Article files are hostile input. Bad input never raises: every problem becomes an `InputError` naming
the file and line, and the good documents of the same file still load. Files over `GEODATA_MAX_FILE_MB`
are refused unread and articles over `GEODATA_MAX_TEXT_CHARS` are refused before any parsing, so memory
stays bounded. Also:

- Only regular files are read: a pipe, device or socket named is refused, one inside a folder skipped.
  Bytes of a file name that are not UTF-8 are shown escaped (`bad\\xff.txt`), in messages and documents.
- UTF-32 or UTF-16 with a BOM, UTF-8, else Windows-1252 with a note. Known binary formats, mostly NUL
  bytes, and articles over 10 % control or replacement characters are refused as binary; an article of
  only whitespace and control characters is empty; a lone surrogate (JSON `"\\ud800"`) in any field refuses it.
- JSONL: a line must be a JSON object with a string `text`, not nested too deeply. `id`/`doc_id` may be a
  string or a number; `title`, `source`, `published`/`date` must be strings; null, NaN, Infinity and ""
  are missing. Duplicate `spans` are dropped (order kept).
- CSV: a quote left open swallows the following lines into one row; that row is refused (named by its
  first line) and the lines it swallowed are read again, one row to a line.
- Front matter (`---` lines at the top of a text file) that is never closed is read as text, with a note.
- A `language` (front matter key, JSONL field, CSV column) declares the article's ISO 639-1 code ("fr");
  a value that is not one is a note, and the article's language is then detected.
- A `url` (or `link`) gives the article's address (its outlet's country domain is evidence for the
  resolver, and the article view links to it); one that is no http(s) address is a note, and left out.
"""

from __future__ import annotations

import codecs
import csv
import json
import math
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from .config import Settings
from .csvrows import csv_rows
from .language import LanguageError, check_code
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
# UTF-32 first: the UTF-32-LE BOM starts with the UTF-16-LE one.
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
BINARY_SHARE = 0.10  # an article with more control or replacement characters than this is binary
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")  # all but \t \n \f \r
_VISIBLE = re.compile(r"[^\s\x00-\x1f\x7f-\x9f\ufffd]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_FRONT_MATTER_END = re.compile(r"^---[ \t]*$\n?", re.M)
_FIELDS = tuple(item.name for item in fields(Document))
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)  # a pipe opens at once


def max_text_chars() -> int:
    """Longest article accepted: `GEODATA_MAX_TEXT_CHARS` (see config)."""
    return Settings().max_text_chars


def max_file_bytes() -> int:
    """Largest file read: `GEODATA_MAX_FILE_MB` megabytes (see config)."""
    return Settings().max_file_bytes


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


class _BadLine(Exception):
    """What is wrong with one line (or row) of a file."""


def _safe_name(name: str) -> str:
    """A file name as valid Unicode: bytes that were not UTF-8 (surrogate escapes) shown as `\\xff`."""
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # other lone surrogates
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


def decode(name: str, data: bytes, result: LoadResult) -> str | None:
    """Bytes to text: UTF-32 or UTF-16 with a BOM, UTF-8 (with or without BOM), else cp1252 with a note.
    Binary files are refused with what they look like; NUL characters become spaces, with a note."""
    for magic, what in BINARY_MAGIC.items():
        if data.startswith(magic):
            result.errors.append(InputError(name, None, f"this is {what}, not text"))
            return None
    with_bom = [codec for bom, codec in BOMS if data.startswith(bom)]
    text = _decode_unicode(name, data, with_bom, result) if with_bom else _decode_8bit(name, data, result)
    if text is not None and "\x00" in text:
        text = text.replace("\x00", " ")
        result.notes.append(InputError(name, None, "NUL bytes replaced by spaces"))
    return text


def _decode_unicode(name: str, data: bytes, candidates: list[str], result: LoadResult) -> str | None:
    """`data` in the first of `candidates` (codecs whose BOM it starts with) that decodes it."""
    reason = ""
    for codec in candidates:
        try:
            return data.decode(codec)
        except UnicodeDecodeError as exc:
            reason = f"broken {codec.upper()} text ({exc.reason})"
    result.errors.append(InputError(name, None, reason))
    return None


def _decode_8bit(name: str, data: bytes, result: LoadResult) -> str | None:
    """UTF-8, else Windows-1252 with a note; refused when mostly NUL bytes (UTF-16 without a BOM, binary)."""
    if b"\x00" in data[:8192] and data.count(b"\x00") > len(data) // 10:
        result.errors.append(InputError(name, None, "binary data (NUL bytes), not text"))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        result.notes.append(InputError(name, line, "not UTF-8; read as Windows-1252 (Latin-1)"))
        return data.decode("cp1252", errors="replace")


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


def _problem(doc: Document, max_chars: int, label: str) -> str | None:
    """Why `doc` cannot be kept: empty, too long, not valid Unicode, or binary."""
    text = doc.text
    if not _VISIBLE.search(text):
        return f"empty {label}"
    if len(text) > max_chars:
        return (f"text of {len(text):,} characters is over the {max_chars:,}-character limit for one article "
                "(GEODATA_MAX_TEXT_CHARS); split it into articles")
    for name in _FIELDS:
        value = getattr(doc, name)
        if isinstance(value, str) and not value.isascii() and (bad := _SURROGATE.search(value)):
            return f"invalid Unicode (lone surrogate U+{ord(bad.group()):04X} in `{name}`)"
    if sum(1 for _ in _CONTROL.finditer(text)) > BINARY_SHARE * len(text):
        return "binary data, not text"
    return None


def accept(result: LoadResult, name: str, line: int | None, doc: Document, max_chars: int,
            label: str = "`text`") -> None:
    """Keep `doc`, or name what is wrong with it; `label` names its text in the message for empty text."""
    problem = _problem(doc, max_chars, label)
    if problem:
        result.errors.append(InputError(name, line, problem))
    else:
        result.documents.append(doc)


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _url(value: str | None, result: LoadResult, name: str, line: int | None) -> str | None:
    """A declared address, if it is an http(s) one; else None, with a note."""
    if value is None or re.match(r"https?://[^\s/]", value, re.I):
        return value
    result.notes.append(InputError(name, line, f"`url` is no http(s) address ({value[:60]!r}); left out"))
    return None


def _language(value: object, result: LoadResult, name: str, line: int | None) -> str | None:
    """A declared `language` as its ISO 639-1 code; None when missing, or unusable (with a note: detected)."""
    if value is None or value == "" or (isinstance(value, float) and not math.isfinite(value)):
        return None
    try:
        if not isinstance(value, str):
            raise LanguageError(f"`language` must be a string such as \"fr\", got {type(value).__name__}")
        return check_code(value if len(value) <= 40 else value[:40] + "…")
    except LanguageError as exc:
        result.notes.append(InputError(name, line, f"{exc}; the article's language is detected instead"))
        return None


def declare_language(documents: Iterable[Document], language: str | None) -> list[Document]:
    """The documents read in `language` (an ISO 639-1 code, checked: `LanguageError`), whatever they
    declare; None leaves each its own."""
    if language is None:
        return list(documents)
    code = check_code(language)
    return [replace(doc, language=code) for doc in documents]


def _front_matter(text: str) -> tuple[dict[str, str], str] | None:
    """`---` / `key: value` lines / `---` at the top of a text file, and the body; None when not closed."""
    if not text.startswith("---\n"):
        return {}, text
    end = _FRONT_MATTER_END.search(text, 4)
    if end is None:
        return None
    pairs = (line.partition(":") for line in text[4 : end.start()].splitlines())
    return {key.strip().lower(): value.strip().strip('"') for key, sep, value in pairs if sep}, text[end.end() :]


def _meta_line(text: str, key: str) -> int | None:
    """The line (from 1) of `key:` in a text file's front matter."""
    found = re.search(rf"^{key}[ \t]*:", text, re.M | re.I)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _text_document(name: str, stem: str, text: str, result: LoadResult, max_chars: int) -> None:
    text = _normalise_newlines(text)
    parsed = _front_matter(text)
    if parsed is None:
        result.notes.append(InputError(name, 1, "front matter not closed with '---'; read as text"))
        parsed = {}, text
    meta, body = parsed
    language = meta.get("language")
    doc = Document(id=meta.get("id") or stem, text=body, title=meta.get("title") or stem,
                   published=meta.get("published") or meta.get("date"), source=meta.get("source"), origin=name,
                   language=_language(language, result, name, _meta_line(text, "language") if language else None),
                   url=_url(meta.get("url") or meta.get("link"), result, name, _meta_line(text, "(?:url|link)")))
    accept(result, name, None, doc, max_chars, label="text")


def _spans(value: object, text: str) -> tuple[tuple[int, int], ...] | None:
    """Gold spans, duplicates dropped (order kept)."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise _BadLine("`spans` must be a list of [start, end] pairs")
    spans: dict[tuple[int, int], None] = {}
    for pair in value:
        if (not isinstance(pair, list | tuple) or len(pair) != 2
                or not all(isinstance(x, int) and not isinstance(x, bool) for x in pair)):
            raise _BadLine(f"bad span {pair!r}: expected [start, end]")
        start, end = pair
        if not 0 <= start < end <= len(text):
            raise _BadLine(f"span {pair!r} is outside the text (length {len(text)})")
        spans[(start, end)] = None
    return tuple(spans)


def _field(obj: dict[str, object], *keys: str, numbers: bool = False) -> str | None:
    """The first of `keys` with a value, as text. null, NaN, Infinity and "" are missing; a number is
    text only where `numbers` is set; any other value is an error naming the field."""
    for key in keys:
        value = obj.get(key)
        if value is None or value == "" or (isinstance(value, float) and not math.isfinite(value)):
            continue
        if isinstance(value, str):
            return value
        if numbers and isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise _BadLine(f"`{key}` must be {'a string or a number' if numbers else 'a string'}, "
                       f"got {type(value).__name__}")
    return None


def _jsonl_document(name: str, number: int, line: str, result: LoadResult) -> Document:
    """The document on one JSONL line; `_BadLine` says what is wrong with the line."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _BadLine(f"broken JSON ({exc.msg} at column {exc.colno})") from None
    except ValueError:  # an integer of over 4,300 digits
        raise _BadLine("broken JSON (a number too long to read)") from None
    except RecursionError:
        raise _BadLine("broken JSON (nested too deeply)") from None
    if not isinstance(obj, dict):
        raise _BadLine(f"expected a JSON object, got {type(obj).__name__}")
    body = obj.get("text")
    if body is None:
        raise _BadLine("no `text` field")
    if not isinstance(body, str):
        raise _BadLine(f"`text` must be a string, got {type(body).__name__}")
    return Document(id=_field(obj, "id", "doc_id", numbers=True) or str(number), text=body,
                    title=_field(obj, "title"), published=_field(obj, "published", "date"),
                    source=_field(obj, "source"), origin=f"{name}:{number}", spans=_spans(obj.get("spans"), body),
                    language=_language(obj.get("language"), result, name, number),
                    url=_url(_field(obj, "url", "link"), result, name, number))


def _jsonl_documents(name: str, text: str, result: LoadResult, max_chars: int) -> None:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            doc = _jsonl_document(name, number, line, result)
        except _BadLine as exc:
            result.errors.append(InputError(name, number, str(exc)))
        else:
            accept(result, name, number, doc, max_chars)


def _pick(columns: dict[str, str], candidates: Iterable[str]) -> str | None:
    return next((columns[c] for c in candidates if c in columns), None)


def _csv_documents(name: str, text: str, result: LoadResult, max_chars: int) -> None:
    # the csv module refuses fields over 128 KiB with an obscure message; the length check is ours
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    rows = csv_rows(text)
    first = next(rows, None)
    if first is None:
        result.errors.append(InputError(name, None, "empty: no header row"))
        return
    header = first[1]
    if isinstance(header, str):
        result.errors.append(InputError(name, first[0], f"unreadable CSV header ({header})"))
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
                 "source": ("source", "publisher"), "language": ("language", "lang"), "url": ("url", "link")}.items()}
    for line, row in rows:
        if isinstance(row, str):
            result.errors.append(InputError(name, line, row))
            continue
        if not row:
            continue
        if len(row) != len(header):
            result.errors.append(InputError(name, line, f"{len(row)} fields where the header has {len(header)}"))
            continue
        get = {key: (row[index[col]] or None) if col else None for key, col in optional.items()}
        doc = Document(id=get["id"] or str(line), text=_normalise_newlines(row[index[text_col]]),
                       title=get["title"], published=get["published"], source=get["source"],
                       origin=f"{name}:{line}", language=_language(get["language"], result, name, line),
                       url=_url(get["url"], result, name, line))
        accept(result, name, line, doc, max_chars, label=f"`{text_col}`")


def read_bytes(name: str, data: bytes, *, max_chars: int | None = None,
               max_bytes: int | None = None) -> LoadResult:
    """Documents from one file's content; `name` gives its type and is quoted in messages.
    Limits default to `max_text_chars()` and `max_file_bytes()`."""
    result = LoadResult()
    name = _safe_name(name)
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
    """Files named, and the regular files of a readable type inside directories named (sorted)."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES))
        else:
            files.append(path)
    return files


def _unreadable(name: str, info: os.stat_result, limit: int) -> InputError | None:
    """Why a file with this status is not read: not a regular file, its type or its size."""
    if not stat.S_ISREG(info.st_mode):
        return InputError(name, None, "not a regular file (a pipe, device or socket); not read")
    return _refusal(name, info.st_size, limit)


def _read_file(path: Path, name: str, limit: int) -> bytes | InputError:
    """The bytes of a regular file of a readable type and size, or why it is not read. Opened without
    blocking and checked again once open, so a pipe or device put in its place is never read."""
    try:
        refused = _unreadable(name, os.stat(path), limit)
        if refused:
            return refused
        with open(os.open(path, _OPEN_FLAGS), "rb") as handle:
            refused = _unreadable(name, os.fstat(handle.fileno()), limit)
            data = b"" if refused else handle.read(limit + 1)  # a file still growing stops at the limit
    except OSError as exc:
        return InputError(name, None, f"cannot read: {exc.strerror or exc}")
    return refused or _refusal(name, len(data), limit) or data


def load_paths(paths: Iterable[str | Path], *, max_chars: int | None = None,
               max_bytes: int | None = None) -> LoadResult:
    """Documents from files and folders; a file over the size limit is refused without reading it."""
    result = LoadResult()
    limit = max_file_bytes() if max_bytes is None else max_bytes
    for path in expand(paths):
        name = _safe_name(str(path))
        data = _read_file(path, name, limit)
        if isinstance(data, InputError):
            result.errors.append(data)
        else:
            result.extend(read_bytes(name, data, max_chars=max_chars, max_bytes=limit))
    return result
