"""The word lists the extractor's and resolver's rules use (`data/*.txt`), read as data.

Format: one entry a line; a line starting with `#` is a comment (each file opens with one saying
what the list is for and who reads it); blank lines are skipped; the fields of a table are
separated by `|`. Order is kept: where a list is tried in order, the file says so.

The gazetteer's fingerprint (`build.builtin_version`) covers its own `*.csv` and `*.jsonl` files
only: editing a word list changes how names are read, not which places are built.
"""

from __future__ import annotations

from functools import lru_cache

from .sources import DATA_DIR


class WordListError(ValueError):
    """A word list file is malformed (a row with the wrong number of fields)."""


@lru_cache(maxsize=None)
def read_table(name: str, columns: int = 1) -> tuple[tuple[str, ...], ...]:
    """The rows of `data/<name>`, each `columns` fields long, in file order."""
    rows = []
    with open(DATA_DIR / name, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            fields = tuple(f.strip() for f in line.split("|"))
            if len(fields) != columns or not all(fields):
                raise WordListError(f"{name}:{number}: expected {columns} non-empty field(s) separated by '|'")
            rows.append(fields)
    return tuple(rows)


def read_words(name: str) -> tuple[str, ...]:
    """The entries of a one-column list, in file order."""
    return tuple(row[0] for row in read_table(name))
