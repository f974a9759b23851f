"""Web inputs into documents for `pipeline.ingest`: article URLs, feed URLs (every item's article), saved
pages (`.html`, `.htm`) and saved feeds (`.xml`, `.rss`, `.atom`) on disk.

A URL whose article is stored (same canonical URL) is not fetched again, nor is a feed item seen before;
a feed is asked conditionally with the validators of its last answer. Every problem becomes an
`InputError` naming the URL or file; the good items still load. After the documents are ingested,
`remember` records the feeds and the items seen (stored, duplicates, refusals that will not change; a
timeout or a 5xx is tried again at the next poll)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..config import Settings
from ..documents import InputError, LoadResult, accept
from ..records import Document
from ..store import Store
from ..store.feeds import FeedState, SeenItem, feed_state, has_article_url, item_seen, remember
from .errors import FetchError
from .feeds import Feed, Item, looks_like_feed, parse_feed
from .fetch import FEED_TYPES, PAGE_TYPES, Fetcher, Response
from .pages import Hints, page_document
from .urls import canonical, is_url

PAGE_SUFFIXES = frozenset({".html", ".htm"})
FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom"})
MAX_NEW_ITEMS = 200  # articles fetched from one feed in one poll (a hostile feed may list thousands)
OFFLINE = "offline (GEODATA_OFFLINE=1 or --offline): nothing was downloaded"

Progress = Callable[[int, int, str], None]
"""Told before each input or feed item is read, with (inputs and items done, inputs and items known so far
(a feed adds its new items), the URL or path read next). The URL is untrusted text: show it as data."""


def is_web_input(arg: str) -> bool:
    """Whether a command-line input is for this module: a URL, or a saved page or feed."""
    return is_url(arg) or Path(arg).suffix.lower() in PAGE_SUFFIXES | FEED_SUFFIXES


def split_inputs(args: Sequence[str]) -> tuple[list[str], list[str]]:
    """(web inputs, file inputs) of a command line: URLs, saved pages and feeds, and the saved pages
    inside folders named; the rest for the file loaders."""
    web, files = [], []
    for arg in args:
        if is_web_input(arg):
            web.append(arg)
            continue
        files.append(arg)
        if Path(arg).is_dir():
            web.extend(str(p) for p in sorted(Path(arg).rglob("*")) if p.suffix.lower() in PAGE_SUFFIXES
                       and p.is_file())
    return web, files


@dataclass(frozen=True)
class Pending:
    """A feed item handled in this batch, to remember once its document is ingested (or not)."""

    url: str
    feed_url: str
    document: Document | None
    outcome: str
    transient: bool = False


@dataclass
class Batch(LoadResult):
    """Documents and errors (as from the file loaders), plus what the feeds said."""

    duplicates: int = 0  # articles already stored under their canonical URL
    new_items: int = 0  # feed items not seen before
    feeds: list[FeedState] = field(default_factory=list)
    pending: list[Pending] = field(default_factory=list)


def _quiet(done: int, total: int, url: str) -> None:
    """No progress to tell."""


def _read_saved(path: Path, limit: int) -> bytes:
    """A regular file of at most `limit` bytes, or a `FetchError` saying why not."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise FetchError("not a regular file; not read")
        if info.st_size > limit:
            raise FetchError(f"{info.st_size / 2**20:.1f} MB is over the {limit / 2**20:g} MB limit for one page "
                             "(GEODATA_MAX_PAGE_MB)")
        with open(path, "rb") as handle:
            return handle.read(limit)
    except OSError as exc:
        raise FetchError(f"cannot read: {exc.strerror or exc}") from None


class WebSources:
    """Collects one batch of web inputs for a store (with a `Fetcher` kept across polls)."""

    def __init__(self, settings: Settings, store: Store, *, fetcher: Fetcher | None = None) -> None:
        self.settings = settings
        self.store = store
        self.fetcher = fetcher or Fetcher(settings)
        self._requested: set[str] = set()  # canonical URLs asked for in this batch
        self._kept: set[str] = set()  # canonical URLs of the documents kept in this batch
        self._progress: Progress = _quiet
        self._done = self._total = 0

    def collect(self, inputs: list[str], *, feeds_only: bool = False, progress: Progress | None = None) -> Batch:
        """Documents from `inputs`; `feeds_only`: each input must be a feed (`watch`); `progress`: told
        before each input and feed item is read."""
        batch, self._requested, self._kept = Batch(), set(), set()
        urls = [arg for arg in inputs if is_url(arg)]
        if urls and self.fetcher.offline:
            more = f" (and {len(urls) - 1} more URL(s))" if len(urls) > 1 else ""
            batch.errors.append(InputError(urls[0] + more, None, OFFLINE))
        work = [arg for arg in inputs if not (is_url(arg) and self.fetcher.offline)]
        self._progress, self._done, self._total = progress or _quiet, 0, len(work)
        for arg in work:
            self._step(arg)
            if is_url(arg):
                self._url(arg, batch, feeds_only)
            else:
                self._saved(arg, batch, feeds_only)
        return batch

    def _step(self, url: str) -> None:
        """Tell `progress` that `url` is read next."""
        self._progress(self._done, self._total, url)
        self._done += 1

    def remember(self, batch: Batch) -> None:
        """Record the feeds polled and the items seen: stored ones, and refusals that will not change."""
        seen = [SeenItem(p.url, p.feed_url, self._outcome(p)) for p in batch.pending if not p.transient]
        remember(self.store, [f for f in batch.feeds if is_url(f.url)], [s for s in seen if s.outcome])

    def _outcome(self, pending: Pending) -> str:
        """'stored', 'duplicate' (its text was stored from another URL), the refusal, or '' (not stored: retry)."""
        if pending.document is None:
            return pending.outcome
        if not self.store.has_text(pending.document.text):
            return ""
        url = pending.document.url
        return "stored" if url and has_article_url(self.store, url) else "duplicate"

    # -- inputs --------------------------------------------------------------------------------

    def _url(self, arg: str, batch: Batch, feeds_only: bool) -> None:
        try:
            url = canonical(arg)
        except ValueError as exc:
            batch.errors.append(InputError(arg, None, f"not a valid URL ({exc})"))
            return
        if url in self._requested:
            return
        self._requested.add(url)
        if not feeds_only and has_article_url(self.store, url):
            batch.duplicates += 1
            batch.notes.append(InputError(url, None, "already stored; not fetched again"))
            return
        state = feed_state(self.store, url)
        try:
            response = self.fetcher.get(url, types=FEED_TYPES if feeds_only else FEED_TYPES | PAGE_TYPES,
                                        validators=state.validators if state else (None, None))
        except FetchError as exc:
            batch.errors.append(InputError(arg, None, str(exc)))
            if state or feeds_only:
                batch.feeds.append(replace(state or FeedState(url), status=f"error: {exc}"))
            return
        if response.not_modified:
            batch.feeds.append(replace(state or FeedState(url), status="not modified"))
        elif looks_like_feed(response.body, response.content_type):
            self._feed(url, response, batch, state)
        elif feeds_only:
            what = response.content_type or "no content type"
            batch.errors.append(InputError(arg, None, f"not an RSS or Atom feed ({what})"))
        else:
            try:
                self._keep(self._page(response, url, Hints()), batch)
            except FetchError as exc:
                batch.errors.append(InputError(arg, None, str(exc)))

    def _saved(self, arg: str, batch: Batch, feeds_only: bool) -> None:
        path = Path(arg)
        try:
            data = _read_saved(path, self.settings.max_page_bytes)
            if feeds_only or path.suffix.lower() in FEED_SUFFIXES or looks_like_feed(data):
                self._items(str(path), parse_feed(data, path.resolve().as_uri()), batch)  # a file is read each time
            else:
                self._keep(page_document(data, fetched_url=None, origin=str(path), name=path.stem), batch)
        except FetchError as exc:
            batch.errors.append(InputError(str(path), None, str(exc)))

    def _feed(self, url: str, response: Response, batch: Batch, state: FeedState | None) -> None:
        try:
            feed = parse_feed(response.body, response.url)
            status, ok = self._items(url, feed, batch)
        except FetchError as exc:
            batch.errors.append(InputError(url, None, str(exc)))
            feed, status, ok = Feed(None), f"error: {exc}", False
        retry = sum(p.transient for p in batch.pending if p.feed_url == url)
        if retry:
            status += f", {retry} to retry"
        keep = ok and not retry  # else no validators: the next poll reads the feed again (and retries)
        batch.feeds.append(FeedState(url, feed.title or (state.title if state else None),
                                     response.etag if keep else None, response.last_modified if keep else None,
                                     status=status))

    def _items(self, feed_url: str, feed: Feed, batch: Batch) -> tuple[str, bool]:
        """Fetch the feed's items not seen before, at most `MAX_NEW_ITEMS`; returns the feed's status line
        and whether every new item was handled."""
        batch.notes.extend(InputError(feed_url, None, problem) for problem in feed.problems)
        new = [item for item in feed.items if self._new_item(item, feed_url, batch)]
        later = new[MAX_NEW_ITEMS:]
        if later:
            batch.notes.append(InputError(feed_url, None, f"{len(later)} new item(s) left for the next poll"))
        batch.new_items += len(new) - len(later)
        self._total += len(new) - len(later)
        for item in new[:MAX_NEW_ITEMS]:
            self._step(canonical(item.link))
            self._item(item, feed_url, batch)
        return f"{len(feed.items)} item(s), {len(new)} new", not later

    def _new_item(self, item: Item, feed_url: str, batch: Batch) -> bool:
        try:
            url = canonical(item.link)
        except ValueError as exc:
            batch.errors.append(InputError(item.link, None, f"not a valid URL ({exc}) (item of {feed_url})"))
            return False
        if url in self._requested or item_seen(self.store, url):
            return False
        self._requested.add(url)
        return True

    def _item(self, item: Item, feed_url: str, batch: Batch) -> None:
        url = canonical(item.link)
        try:
            response = self.fetcher.get(url, types=PAGE_TYPES)
            document = self._page(response, url, item.hints)
        except FetchError as exc:
            batch.errors.append(InputError(url, None, f"{exc} (item of {feed_url})"))
            batch.pending.append(Pending(url, feed_url, None, f"refused: {exc}", exc.transient))
            return
        kept = self._keep(document, batch)
        batch.pending.append(Pending(url, feed_url, document if kept else None, "duplicate" if kept is None else
                                     "refused: not an article"))

    def _page(self, response: Response, url: str, hints: Hints) -> Document:
        if looks_like_feed(response.body, response.content_type):
            raise FetchError("a feed where an article page was expected")
        return page_document(response.body, fetched_url=response.url, origin=url, charset=response.charset,
                             hints=hints)

    def _keep(self, document: Document, batch: Batch) -> bool | None:
        """Add the document unless its canonical URL is known (None) or it is no article we can parse (False)."""
        if document.url and (document.url in self._kept or has_article_url(self.store, document.url)):
            batch.duplicates += 1
            batch.notes.append(InputError(document.origin or document.url, None,
                                          f"the same article as {document.url}; stored once"))
            return None
        if document.url:
            self._kept.add(document.url)
        before = len(batch.documents)
        accept(batch, document.origin or document.id, None, document, self.settings.max_text_chars)
        return len(batch.documents) > before
