"""The feeds a store follows and the feed items it has seen: functions over an open `Store`, so that a
restarted `watch` asks each feed conditionally and fetches no item twice."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from . import Store


@dataclass(frozen=True)
class FeedState:
    url: str  # canonical feed URL
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    polled_at: float | None = None
    status: str | None = None  # what the last poll found

    @property
    def validators(self) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) for the next conditional GET."""
        return self.etag, self.last_modified


@dataclass(frozen=True)
class SeenItem:
    url: str  # canonical article URL
    feed_url: str
    outcome: str  # 'stored', 'duplicate', or why it was refused


_FEED_COLUMNS = "url, title, etag, last_modified, polled_at, status"


def feed_state(store: Store, url: str) -> FeedState | None:
    row = store.conn.execute(f"SELECT {_FEED_COLUMNS} FROM feeds WHERE url = ?", (url,)).fetchone()
    return FeedState(*row) if row else None


def feeds(store: Store) -> list[FeedState]:
    """Every feed followed, in the order they were added."""
    return [FeedState(*row) for row in store.conn.execute(f"SELECT {_FEED_COLUMNS} FROM feeds ORDER BY added_at")]


def has_article_url(store: Store, url: str) -> bool:
    """Whether an article with this canonical URL is stored."""
    return store.conn.execute("SELECT 1 FROM articles WHERE url = ? LIMIT 1", (url,)).fetchone() is not None


def item_seen(store: Store, url: str) -> bool:
    """Whether a feed item's article was seen before (stored, a duplicate, or refused for good)."""
    return store.conn.execute("SELECT 1 FROM feed_items WHERE url = ?", (url,)).fetchone() is not None \
        or has_article_url(store, url)


def seen_items(store: Store, feed_url: str | None = None) -> list[SeenItem]:
    sql, params = "SELECT url, feed_url, outcome FROM feed_items", ()
    if feed_url is not None:
        sql, params = sql + " WHERE feed_url = ?", (feed_url,)
    return [SeenItem(*row) for row in store.conn.execute(sql + " ORDER BY seen_at, url", params)]


def remember(store: Store, states: Iterable[FeedState], seen: Iterable[SeenItem]) -> None:
    """Record what a poll found, in one transaction: each feed's validators and status, the items seen."""
    now = time.time()
    states, seen = list(states), list(seen)
    with store._transaction(f"the state of {len(states)} feed(s)"):
        store.conn.executemany(
            "INSERT INTO feeds (url, title, etag, last_modified, added_at, polled_at, status) VALUES (?,?,?,?,?,?,?) "
            "ON CONFLICT (url) DO UPDATE SET title = COALESCE(excluded.title, title), etag = excluded.etag, "
            "last_modified = excluded.last_modified, polled_at = excluded.polled_at, status = excluded.status",
            [(s.url, s.title, s.etag, s.last_modified, now, s.polled_at or now, s.status) for s in states])
        store.conn.executemany("INSERT OR IGNORE INTO feed_items (url, feed_url, seen_at, outcome) VALUES (?,?,?,?)",
                               [(s.url, s.feed_url, now, s.outcome) for s in seen])
