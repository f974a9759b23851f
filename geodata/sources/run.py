"""Web inputs through the one ingest path (`pipeline.ingest`), once (`ingest_web`) or polled until stopped
(`Watcher`, the `watch` command)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..config import Settings
from ..documents import declare_language
from ..records import Document
from ..store import IngestReport, Store
from ..store.feeds import feeds as stored_feeds
from .fetch import Fetcher
from .urls import canonical, is_url
from .web import Batch, Progress, WebSources

Notify = Callable[[str], None]
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_EVERY = 1.0  # seconds between polls at the least


def parse_duration(text: str) -> float:
    """Seconds in `30s`, `15m`, `1h`, `1d` or a plain number of seconds; ValueError otherwise."""
    match = _DURATION.fullmatch(text.strip().lower())
    if not match:
        raise ValueError(f"{text!r} is not a duration (like 30s, 15m, 1h)")
    seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds < MIN_EVERY:
        raise ValueError(f"{text!r} is shorter than {MIN_EVERY:g} s")
    return seconds


@dataclass
class WebReport:
    """One ingest of web inputs: what the sources gave (`batch`) and what the store took (`ingest`)."""

    batch: Batch
    ingest: IngestReport

    @property
    def added(self) -> int:
        return self.ingest.added

    @property
    def already_stored(self) -> int:
        """Known by canonical URL before or after fetching, or by identical text."""
        return self.ingest.skipped + self.batch.duplicates


def ingest_web(inputs: Sequence[str], store: Store, pipeline, settings: Settings, *,
               documents: Sequence[Document] = (), fetcher: Fetcher | None = None,
               feeds_only: bool = False, progress: Progress | None = None, language: str | None = None) -> WebReport:
    """Fetch and read the web inputs (URLs, saved pages and feeds), ingest them with `documents` (from the
    file loaders) through `pipeline.ingest`, then record the feeds and the items seen. `pipeline`: a
    `Pipeline` or a factory called only when something is new. Never raises for a bad URL or page: each
    is an error in `report.batch.errors`; a store that cannot be written raises `StoreError`. `progress`:
    told before each input and feed item is read (`WebSources.collect`). `language` (an ISO 639-1 code):
    the fetched articles read in it (`--language`), as `documents` already are."""
    from ..pipeline import ingest  # spaCy loads only when something is parsed

    sources = WebSources(settings, store, fetcher=fetcher)
    batch = sources.collect(list(inputs), feeds_only=feeds_only, progress=progress)
    report = ingest([*documents, *declare_language(batch.documents, language)], store, pipeline)
    sources.remember(batch)
    return WebReport(batch, report)


class Watcher:
    """Polls feeds: each poll ingests the items not seen before and tells one line of what it added.
    The feeds and the items seen live in the store, so a restarted watcher fetches nothing twice.
    `language`: the articles read in it (`--language`), else each in its detected one."""

    def __init__(self, feeds: Sequence[str], store: Store, pipeline, settings: Settings, *,
                 notify: Notify = lambda message: None, fetcher: Fetcher | None = None,
                 language: str | None = None) -> None:
        self.feeds = [canonical(f) if is_url(f) else f for f in feeds] or [f.url for f in stored_feeds(store)]
        if not self.feeds:
            raise ValueError("no feed to watch: name one (a URL or a saved .xml/.rss/.atom file)")
        self.store, self.settings, self.notify, self.language = store, settings, notify, language
        self._pipeline, self._loaded = pipeline, None
        self.fetcher = fetcher or Fetcher(settings)
        self.polls = self.added = self.errors = 0

    def pipeline(self):
        """The pipeline, made (if given as a factory) at the first poll that finds something new, once."""
        if self._loaded is None:
            from ..pipeline import Pipeline

            self._loaded = self._pipeline if isinstance(self._pipeline, Pipeline) else self._pipeline()
        return self._loaded

    def poll(self) -> WebReport:
        """One poll of every feed; the errors, the articles stored but not geoparsed, then one line, go to
        `notify`."""
        started, requests = time.monotonic(), self.fetcher.requests
        report = ingest_web(self.feeds, self.store, self.pipeline, self.settings, fetcher=self.fetcher,
                            feeds_only=True, language=self.language)
        self.polls += 1
        self.added += report.added
        self.errors += len(report.batch.errors)
        for error in report.batch.errors:
            self.notify(f"error: {error}")
        for note in report.ingest.notes:
            self.notify(f"note: {note}")
        self.notify(self.line(report, self.fetcher.requests - requests, time.monotonic() - started))
        return report

    def line(self, report: WebReport, requests: int, seconds: float) -> str:
        batch = report.batch
        unchanged = sum(f.status == "not modified" for f in batch.feeds)
        return (f"{time.strftime('%Y-%m-%d %H:%M:%S')} poll {self.polls}: {len(self.feeds)} feed(s)"
                f"{f' ({unchanged} unchanged)' if unchanged else ''}, {batch.new_items} new item(s), "
                f"{report.added} article(s) added, {report.already_stored} already stored, "
                f"{len(batch.errors)} error(s); {requests} request(s) in {seconds:.1f} s")

    def run(self, every: float, polls: int | None = None, *, sleep: Callable[[float], None] = time.sleep) -> None:
        """Poll every `every` seconds (from the start of one poll to the next), `polls` times or until
        interrupted (KeyboardInterrupt goes to the caller; the store is consistent at any point)."""
        while polls is None or self.polls < polls:
            started = time.monotonic()
            self.poll()
            if polls is not None and self.polls >= polls:
                return
            sleep(max(0.0, every - (time.monotonic() - started)))
