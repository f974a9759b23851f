"""CSV text into rows, each with the line it starts on (`csv_rows`, for `documents`): a quote left open
never swallows the rest of a file."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator


def _open_quote(lines: list[str], first: int, last: int) -> bool:
    """Whether the row on lines `first` to `last` has a quote left open: it spans lines and does not read
    strictly (each quoted field closed and followed by a comma), or it ends the file inside quotes."""
    if first == last < len(lines):
        return False
    try:
        for _ in csv.reader(lines[first - 1 : last], strict=True):
            pass
    except csv.Error as exc:
        return last > first or "end of data" in str(exc)
    return False


def _one_line_rows(lines: list[str], first: int, last: int) -> Iterator[tuple[int, list[str] | str]]:
    """Lines `first` to `last` read strictly as rows of one line each."""
    for number in range(first, last + 1):
        try:
            yield number, next(csv.reader([lines[number - 1]], strict=True), [])
        except csv.Error as exc:
            yield number, f"unreadable CSV row ({exc})"


def csv_rows(text: str) -> Iterator[tuple[int, list[str] | str]]:
    """(first line, fields) of each CSV row, or (first line, what is wrong with it).

    A quote left open swallows the lines that follow into one field, to the end of the file or to the
    next quote: such a row is refused and the lines it swallowed are read again, one row to a line."""
    lines = io.StringIO(text, newline="").readlines()  # the lines the csv module sees
    start = 0  # lines before the current reader's first
    while start < len(lines):
        reader = csv.reader(lines[i] for i in range(start, len(lines)))
        while True:
            first = start + reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield first, f"unreadable CSV row ({exc})"
                continue
            last = start + reader.line_num
            if not _open_quote(lines, first, last):
                yield first, row
                continue
            yield first, ("unmatched quote" + (f": the row starting on this line ran on to line {last}"
                                               if last > first else " in this row"))
            yield from _one_line_rows(lines, first + 1, last)
            start = last
            break
