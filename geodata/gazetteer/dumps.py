"""Read a GeoNames dump (a .txt, or the dump inside a .zip) line by line in bounded memory.

Nothing in a dump is trusted: one line costs at most `MAX_LINE_BYTES` (a longer one is skipped in
chunks, never held), a zip member is refused when its declared size is over a cap or looks like a
zip bomb, and lines that are not UTF-8 text are skipped and reported, never fatal.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import BinaryIO

from tqdm import tqdm

from ..config import Settings

# A GeoNames row is at most ~40 KB (its alternate names are capped at 10,000 characters).
MAX_LINE_BYTES = 1 << 20
SKIP_CHUNK = 1 << 16
READ_BUFFER = 1 << 16
MAX_DUMP_ENV = "GEODATA_MAX_DUMP_BYTES"  # the cap on one zip member (config.Settings.max_dump_bytes)
# Text compresses ~5x; a member over 1 GiB that declares 1000x its compressed size is a zip bomb.
BOMB_RATIO, BOMB_MIN_BYTES = 1000, 1 << 30
# What a damaged or unsupported archive raises while it is read.
STREAM_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError)

Line = tuple[int, str, str | None]  # number, text, why it was skipped


class DumpError(Exception):
    """The file (or from `line` on, the rest of it) cannot be read as a GeoNames dump."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def _pick_member(archive: zipfile.ZipFile, path: Path) -> zipfile.ZipInfo:
    """The dump inside the zip: the .txt named like the zip, else the first .txt that is not a readme."""
    members = [i for i in archive.infolist() if i.filename.endswith(".txt")
               and not Path(i.filename).name.lower().startswith(("readme", "iso-languagecodes"))]
    preferred = [i for i in members if Path(i.filename).stem == path.stem]
    if not (preferred or members):
        raise DumpError("no .txt dump inside the zip")
    return (preferred or members)[0]


def check_member(info: zipfile.ZipInfo, cap: int) -> None:
    """Refuse an encrypted member, or one whose declared size is over `cap` or expands like a zip bomb."""
    size, packed = info.file_size, max(info.compress_size, 1)
    if info.flag_bits & 0x1:
        raise DumpError(f"member {info.filename!r} refused: it is encrypted")
    if size > cap:
        raise DumpError(f"member {info.filename!r} refused: {size:,} bytes uncompressed, over the {cap:,}-byte "
                        f"limit ({MAX_DUMP_ENV})")
    if size > BOMB_MIN_BYTES and size / packed > BOMB_RATIO:
        raise DumpError(f"member {info.filename!r} refused: {size:,} bytes from {packed:,} compressed "
                        f"(over {BOMB_RATIO}x: a zip bomb?)")


def _open(path: Path, stack: ExitStack) -> tuple[BinaryIO, int]:
    """The dump's buffered byte stream (closed with `stack`) and its uncompressed size."""
    if zipfile.is_zipfile(path):
        archive = stack.enter_context(zipfile.ZipFile(path))
        info = _pick_member(archive, path)
        check_member(info, Settings().max_dump_bytes)
        member = stack.enter_context(archive.open(info))
        return stack.enter_context(io.BufferedReader(member, READ_BUFFER)), info.file_size  # type: ignore[arg-type]
    if path.suffix.lower() == ".zip":
        raise DumpError("not a zip archive (damaged, or another kind of file named .zip)")
    return stack.enter_context(open(path, "rb")), path.stat().st_size


@contextmanager
def open_dump(path: Path) -> Iterator[tuple[BinaryIO, int]]:
    """The dump's byte stream and its size in bytes (for progress), from a .zip or a .txt."""
    if not path.exists():
        raise DumpError("no such file")
    if not path.is_file():
        raise DumpError("a directory, not a dump file" if path.is_dir() else "not a regular file")
    with ExitStack() as stack:
        try:
            opened = _open(path, stack)
        except STREAM_ERRORS as exc:
            raise DumpError(f"cannot read it ({exc})") from exc
        yield opened


def _skip_rest(stream: BinaryIO) -> int:
    """Read past the end of the current line in bounded chunks; returns the bytes skipped."""
    skipped = 0
    while chunk := stream.readline(SKIP_CHUNK):
        skipped += len(chunk)
        if chunk.endswith(b"\n"):
            break
    return skipped


def _decode(raw: bytes, number: int) -> str:
    """The line as text without its line break; ValueError says why it is not a text line."""
    try:
        text = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise ValueError(f"invalid UTF-8 at byte {exc.start + 1}; skipped") from None
    if "\x00" in text:
        raise ValueError("NUL byte in the line (binary data?); skipped")
    return text.removeprefix("\ufeff") if number == 1 else text


def _raw_lines(stream: BinaryIO, max_line: int, advance: Callable[[int], object]) -> Iterator[bytes | None]:
    """Each line's bytes, or None for a line over `max_line` bytes (read past, never held)."""
    while raw := stream.readline(max_line + 1):
        advance(len(raw))
        if len(raw) > max_line and not raw.endswith(b"\n"):
            advance(_skip_rest(stream))
            yield None
        else:
            yield raw


def dump_lines(path: Path, *, progress: bool = True, max_line: int = MAX_LINE_BYTES) -> Iterator[Line]:
    """(number, text, problem) for each line of the dump, holding at most `max_line` bytes of it.

    A line that is too long, not UTF-8 or holds NUL bytes comes with `problem` set (and no text).
    Raises DumpError when the file cannot be read (with the line it broke at, mid-way)."""
    number = 0
    with open_dump(path) as (stream, size), \
            tqdm(total=size, unit="B", unit_scale=True, desc=path.name, disable=not progress) as bar:
        try:
            for number, raw in enumerate(_raw_lines(stream, max_line, bar.update), start=1):
                if raw is None:
                    yield number, "", f"line longer than {max_line:,} bytes; skipped"
                    continue
                try:
                    yield number, _decode(raw, number), None
                except ValueError as exc:
                    yield number, "", str(exc)
        except STREAM_ERRORS as exc:
            raise DumpError(f"unreadable after line {number:,} ({exc}); the rest is skipped", number + 1) from exc
