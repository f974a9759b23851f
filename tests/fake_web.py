"""A real HTTP server on 127.0.0.1 that serves a small news site: article pages with the boilerplate of
real ones (menus, cookie banner, 'Read more', related links, footer), an RSS feed, redirects, errors,
slow, huge and non-HTML answers. Each route is set per test; every request is recorded (path, headers,
arrival time). ETag and Last-Modified of a route are checked against conditional requests (304)."""

from __future__ import annotations

import html
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from tests.local_server import LocalServer

BOILERPLATE_MARKERS = ("Accept all cookies", "Read more", "Related stories", "Subscribe to our newsletter",
                       "Home | World | Business", "All rights reserved", "Most read")
"""Phrases of the page chrome below that must never become sentences."""


def article_page(title: str, paragraphs: list[str], *, published: str = "2026-11-20",
                 canonical: str | None = None, outlet: str = "The Daily Courier") -> str:
    """An article page as news sites write them: the article among navigation, a cookie banner,
    'Read more' teasers, a related-links block, a newsletter box and a footer."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    link = f'<link rel="canonical" href="{html.escape(canonical)}">' if canonical else ""
    teaser = ("Officials in a distant capital announced a new budget for roads and schools on Monday, "
              "saying the plan would take years to complete.")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} | {outlet}</title>
{link}
<meta property="og:site_name" content="{outlet}">
<meta property="og:title" content="{html.escape(title)}">
<meta property="article:published_time" content="{published}T08:30:00Z">
<script>window.dataLayer = [];</script></head>
<body>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience.
  <button>Accept all cookies</button> <a href="/privacy">Manage preferences</a></div>
<header><nav class="main-menu"><ul><li><a href="/">Home | World | Business</a></li><li><a href="/world">World</a></li>
  <li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav></header>
<main>
<article>
<h1>{html.escape(title)}</h1>
<p class="byline">By Staff Reporter, <time datetime="{published}">{published}</time></p>
{body}
</article>
<aside class="related"><h2>Related stories</h2><ul>
  <li><a href="/news/other-1">Floods close roads in the north</a></li>
  <li><a href="/news/other-2">Markets rally after a quiet week</a></li></ul></aside>
<section class="teasers"><div class="teaser"><p>{teaser}</p><a href="/news/other-3">Read more</a></div>
  <div class="most-read"><h3>Most read</h3><ol><li><a href="/a">Ten things to do this weekend</a></li></ol></div>
</section>
<div class="newsletter"><h3>Subscribe to our newsletter</h3><form><input type="email"></form></div>
</main>
<footer><p>&copy; 2026 {outlet}. All rights reserved.</p><a href="/terms">Terms</a> <a href="/contact">Contact</a>
</footer></body></html>"""


def rss_feed(title: str, links: list[str], *, base: str) -> str:
    """An RSS 2.0 feed with one item per link (relative links are made absolute on `base`)."""
    items = "\n".join(
        f"<item><title>Item {i}</title><link>{html.escape(link if ':' in link else base + link)}</link>"
        f"<guid>{i}</guid><pubDate>Fri, 20 Nov 2026 0{i % 10}:00:00 GMT</pubDate></item>"
        for i, link in enumerate(links))
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>{html.escape(title)}</title>'
            f"<link>{base}/</link><description>News</description>\n{items}\n</channel></rss>")


@dataclass
class Route:
    """What a path answers: `statuses` are sent (and consumed) first, then `status` with `body`."""

    body: bytes | str = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    statuses: list[int] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    etag: str | None = None
    last_modified: str | None = None
    send_length: bool = True  # False: no Content-Length (the body streams until the connection closes)


@dataclass(frozen=True)
class Request:
    path: str  # with the query
    headers: dict[str, str]
    time: float  # time.monotonic() on arrival
    status: int = 0


class FakeWeb(LocalServer):
    """Start with `with FakeWeb() as web:`; `web.url` is its base URL; `web.routes[path] = Route(...)`."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        super().__init__(host)

    def paths(self) -> list[str]:
        """The paths requested, in order (query included)."""
        with self._lock:
            return [r.path for r in self.requests]

    def answered(self, status: int) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests if r.status == status]

    def _answer(self, path: str, headers: dict[str, str]) -> tuple[int, Route]:
        route = self.routes.get(path) or self.routes.get(urlsplit(path).path)
        if route is None:
            return 404, Route(body="<h1>Not found</h1>")
        with self._lock:
            status = route.statuses.pop(0) if route.statuses else route.status
        fresh = headers.get("If-None-Match") == route.etag if route.etag and "If-None-Match" in headers else (
            route.last_modified is not None and headers.get("If-Modified-Since") == route.last_modified)
        return (304 if status == 200 and fresh else status), route

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                arrived = time.monotonic()
                headers = dict(self.headers.items())
                status, route = web._answer(self.path, headers)
                with web._lock:
                    web.requests.append(Request(self.path, headers, arrived, status))
                if route.delay and web._stopping.wait(route.delay):
                    return
                self._send(status, route)

            def _send(self, status: int, route: Route) -> None:
                body = route.body.encode("utf-8") if isinstance(route.body, str) else route.body
                body = b"" if status == 304 else body
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", route.content_type)
                    if route.send_length:
                        self.send_header("Content-Length", str(len(body)))
                    self.send_header("Connection", "close")
                    for key, value in {**route.headers, "ETag": route.etag,
                                       "Last-Modified": route.last_modified}.items():
                        if value:
                            self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (size cap, timeout)
                self.close_connection = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
