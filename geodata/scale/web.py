"""The web inputs of a distributed parse (article and feed URLs, saved pages and feeds): fetched and read on
the client, before partitioning, by the same `WebSources` as `ingest`; the workers only parse.

Why on the client and not in the workers: politeness is per host (one request per `GEODATA_FETCH_DELAY`,
robots.txt and its Crawl-delay), and a feed's articles are mostly on one host. Workers fetching would each
keep their own clock and robots.txt cache, so N workers would ask a host N times as often as promised,
unless every request waited on a cluster-wide lock per host: as serial as one fetcher, while holding the
worker slots meant for parsing. Fetching waits on the network and the delay, parsing on the CPU, so one
client `Fetcher` loses nothing; and the workers need no network access nor `GEODATA_ALLOW_HOSTS`.

The documents go to `DIR/_web/documents.jsonl` (one `Document` record a line, written atomically) and are
cut into partitions by lines like a JSONL input (partition kind "documents"); a partition's fingerprint is
its bytes, so a re-run that fetches the same articles parses nothing again. Every URL that failed is one
error in the run's report. A run keeps no feed state: each run fetches its URLs again.

Imported by `run` inside `parse_to_parquet` (the client), so that workers never load trafilatura."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ..config import Settings
from ..documents import LoadResult
from ..outputs import write_text
from ..sources import Fetcher, WebSources
from ..store import Store
from .partitions import document_line

DOCUMENTS = Path("_web") / "documents.jsonl"
PROGRESS_EVERY = 10.0  # seconds between two progress lines while fetching

Progress = Callable[[str], None]


class ReportingFetcher(Fetcher):
    """A `Fetcher` that says how far it got every `PROGRESS_EVERY` seconds (a large feed takes minutes)."""

    def __init__(self, settings: Settings, progress: Progress) -> None:
        super().__init__(settings)
        self.progress, self._said = progress, time.monotonic()

    def _pace(self, host: str) -> None:
        super()._pace(host)
        if time.monotonic() - self._said >= PROGRESS_EVERY:
            self._said = time.monotonic()
            self.progress(f"web: {self.requests} request(s) so far")


def fetch_web(inputs: list[str], out: Path, settings: Settings, progress: Progress) -> tuple[Path | None, LoadResult]:
    """Fetch and read `inputs` politely from this machine: the documents file under `out` (None when no
    article was read), and the errors and notes, each naming its URL or file."""
    fetcher = ReportingFetcher(settings, progress)
    progress(f"web: fetching {len(inputs)} input(s) from this machine, one request per host every "
             f"{settings.fetch_delay:g} s at most...")
    with tempfile.TemporaryDirectory(prefix="geodata-web-") as scratch:  # no store: every URL is new to a run
        store = Store(Path(scratch) / "sources.sqlite")
        try:
            batch = WebSources(settings, store, fetcher=fetcher).collect(inputs)
        finally:
            store.close()
    progress(f"web: {len(batch.documents)} article(s) read, {len(batch.errors)} input(s) failed, "
             f"{fetcher.requests} request(s)")
    result = LoadResult(batch.documents, batch.errors, batch.notes)
    if not batch.documents:
        return None, result
    path = out / DOCUMENTS
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, "".join(document_line(d) for d in batch.documents))
    return path, result
