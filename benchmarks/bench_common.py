"""Shared helpers of the benchmark: the corpora, the temporary data directory, timing and tables."""

from __future__ import annotations

import json
import math
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = Path(os.environ.get("GEODATA_BENCH_CORPORA", ROOT.parent / "shared" / "bench"))
CORPORA = ("lgl.jsonl", "gwn.jsonl")
SEEDS = ROOT / "seeds"

if str(ROOT) not in sys.path:  # `geodata` from this checkout, whatever the current directory
    sys.path.insert(0, str(ROOT))

from devtools.servers import free_port, stop_server, streamlit_healthy  # noqa: E402,F401  (shared with the tests)


# -- corpora -----------------------------------------------------------------------------------

def corpus_rows() -> list[dict]:
    """Every corpus document as its JSON row, LGL and GWN interleaved so that any prefix mixes both."""
    per_file = []
    for name in CORPORA:
        path = CORPUS_DIR / name
        if not path.is_file():
            raise SystemExit(f"benchmark corpus missing: {path} (expected ../shared/bench/ next to the repo)")
        with path.open(encoding="utf-8") as handle:
            per_file.append([json.loads(line) for line in handle if line.strip()])
    keyed = [((i + 0.5) / len(rows), f, row) for f, rows in enumerate(per_file) for i, row in enumerate(rows)]
    return [row for _, _, row in sorted(keyed, key=lambda k: (k[0], k[1]))]


def copy_text(text: str, copy: int) -> str:
    """The text of the `copy`-th repetition of a document: trailing spaces make its content hash new
    (the store skips a text it already holds) without changing what spaCy finds."""
    return text + " " * copy


def ner_texts(documents: Sequence) -> list[str]:
    """What the pipeline gives the NER for articles: each one's title ("" when it has none) and its text
    (`pipeline._with_titles`). The NER-alone baselines read the same, so that the model's time on titles is
    not counted as the pipeline's own."""
    return [text for d in documents for text in (d.title or "", d.text)]


def corpus_documents(n: int) -> list:
    """`n` documents from the corpora, repeated (as distinct texts) when `n` exceeds them."""
    from geodata.records import Document

    rows = corpus_rows()
    out = []
    for i in range(n):
        row, copy = rows[i % len(rows)], i // len(rows)
        out.append(Document(id=f"{row['corpus']}-{row['doc_id']}" + (f"-copy{copy}" if copy else ""),
                            text=copy_text(row["text"], copy), title=row.get("title"),
                            published=(row.get("dltime") or "")[:10] or None, source=row["corpus"],
                            origin=f"{row['corpus']}.jsonl"))
    return out


def word_count(texts: Sequence[str]) -> int:
    """Words as whitespace-separated tokens."""
    return sum(len(t.split()) for t in texts)


def seed_documents() -> list:
    from geodata.documents import load_paths

    return load_paths([SEEDS]).documents


# -- the temporary data directory ----------------------------------------------------------------

def user_gazetteer() -> Path:
    home = Path(os.environ.get("GEODATA_HOME", ROOT / "data"))
    if not home.is_absolute():
        home = ROOT / home
    return home / "gazetteer.sqlite"


def make_home(parent: Path, name: str, source: Path) -> Path:
    """A fresh GEODATA_HOME holding a copy of the user's built gazetteer, or a new build.

    The copy goes through SQLite's backup API (read-only on the user's side), so a gazetteer in WAL
    mode is copied consistently and the user's file is never written."""
    home = parent / name
    home.mkdir(parents=True, exist_ok=True)
    target = home / "gazetteer.sqlite"
    if source.is_file() and not target.exists():
        try:
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            dst = sqlite3.connect(target)
            with dst:
                src.backup(dst)
            src.close()
            dst.close()
        except sqlite3.Error:
            target.unlink(missing_ok=True)
            shutil.copyfile(source, target)
    from geodata.gazetteer import open_gazetteer

    open_gazetteer(target).close()  # builds it if missing or out of date
    return home


def clone_home(home: Path, parent: Path, name: str) -> Path:
    """Another data directory with the same gazetteer (and no store)."""
    new = parent / name
    new.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(home / "gazetteer.sqlite")
    dst = sqlite3.connect(new / "gazetteer.sqlite")
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    return new


def temp_root() -> Path:
    return Path(tempfile.mkdtemp(prefix="geodata-bench-"))


def db_size(path: Path) -> int:
    """Bytes of an SQLite file after folding its write-ahead log in."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())


# -- statistics and formatting ----------------------------------------------------------------------

def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def fmt(value: object, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.{digits}f}"
    return str(value)


def mb(n_bytes: float) -> float:
    return n_bytes / 1e6


def label_n(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else f"{n:,}"


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *row: object) -> None:
        self.rows.append(list(row))

    def render(self) -> str:
        cells = [[fmt(v) for v in row] for row in self.rows]
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(self.columns)]

        def line(values: Sequence[str]) -> str:
            first = values[0].ljust(widths[0])
            rest = [v.rjust(w) for v, w in zip(values[1:], widths[1:])]
            return "  ".join([first, *rest]).rstrip()

        out = [self.title, "=" * len(self.title), line(self.columns), line(["-" * w for w in widths])]
        out += [line(r) for r in cells]
        out += [f"  note: {n}" for n in self.notes]
        return "\n".join(out)

    def to_json(self) -> dict:
        return {"title": self.title, "columns": self.columns, "rows": self.rows, "notes": self.notes}


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0 or (isinstance(a, float) and math.isnan(a)):
        return None
    return a / b


# -- CPU accounting -----------------------------------------------------------------------------

def cpu_jiffies() -> tuple[int, int]:
    """Machine-wide (busy, steal) clock ticks so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (values + [0] * 8)[:8]
    return user + nice + system + irq + softirq, steal


def own_cpu() -> float:
    """CPU-seconds of this process and its waited-for children (workers, servers, the browser)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def others_cores(start: tuple[float, int, float], end: tuple[float, int, float]) -> float:
    """Cores the rest of the machine kept busy between two (wall, busy+steal jiffies, own CPU) marks."""
    wall = end[0] - start[0]
    busy = (end[1] - start[1]) / os.sysconf("SC_CLK_TCK")
    return max(0.0, busy - (end[2] - start[2])) / wall if wall > 0 else 0.0


def mark() -> tuple[float, int, float]:
    busy, steal = cpu_jiffies()
    return time.perf_counter(), busy + steal, own_cpu()
