"""An RSS or Atom feed (bytes already fetched or read) into the URLs of its items, by feedparser.
feedparser is only ever handed bytes, never a URL or a path, so it fetches and opens nothing itself."""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin

import feedparser

from .errors import FetchError
from .pages import Hints

_FEED_START = re.compile(rb"^(\xef\xbb\xbf)?\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(rss|feed|rdf:RDF)[\s>]", re.S)


@dataclass(frozen=True)
class Item:
    link: str  # absolute, as the feed gives it
    hints: Hints


@dataclass
class Feed:
    title: str | None
    items: list[Item] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # items without a link


def looks_like_feed(body: bytes, content_type: str = "") -> bool:
    """Whether fetched bytes are a feed: an RSS/Atom type, or XML that opens with <rss>, <feed> or <rdf:RDF>."""
    if content_type in ("application/rss+xml", "application/atom+xml", "application/rdf+xml"):
        return True
    return bool(_FEED_START.match(body[:4096]))


def _date(entry: feedparser.FeedParserDict) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return time.strftime("%Y-%m-%d", parsed) if parsed else None


def _link(entry: feedparser.FeedParserDict, base: str) -> str | None:
    link = entry.get("link") or next((alt.get("href") for alt in entry.get("links", []) if alt.get("href")), None)
    guid = entry.get("id") or ""
    if not link and entry.get("guidislink", guid.startswith(("http://", "https://"))):
        link = guid
    return urljoin(base, link.strip()) if link and link.strip() else None


def parse_feed(body: bytes, base_url: str) -> Feed:
    """The feed's title and items; `FetchError` when the bytes are no readable feed."""
    try:
        parsed = feedparser.parse(io.BytesIO(body), response_headers={"content-location": base_url},
                                  sanitize_html=True, resolve_relative_uris=True)
    except Exception as exc:  # feedparser on hostile XML: whatever it raises is this feed's problem
        raise FetchError(f"could not read the feed ({exc.__class__.__name__})") from None
    if not parsed.get("version") and not parsed.entries:
        why = parsed.get("bozo_exception")
        raise FetchError(f"not an RSS or Atom feed{f' ({why})' if why else ''}")
    title = parsed.feed.get("title") or None
    feed = Feed(title)
    for number, entry in enumerate(parsed.entries, start=1):
        link = _link(entry, base_url)
        if link is None:
            feed.problems.append(f"item {number} ({entry.get('title') or 'untitled'}) has no link")
        else:
            feed.items.append(Item(link, Hints(entry.get("title") or None, _date(entry), title)))
    return feed
