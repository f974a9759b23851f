"""A polite, safe HTTP client for articles and feeds (standard library only).

Polite: a user agent naming the tool, robots.txt obeyed (RFC 9309: unreadable for a server error means
"disallowed for now", a 4xx means "no rules"; `Crawl-delay` honoured up to a minute), at least
`GEODATA_FETCH_DELAY` seconds between two requests to one host, conditional GET (ETag, Last-Modified).
Safe: every hop checked by `guard` and connected to the address checked, at most 5 redirects,
`GEODATA_FETCH_TIMEOUT` to connect and between bytes (a response must arrive within 4 times that),
`GEODATA_MAX_PAGE_MB` per response (refused from its Content-Length before reading), content types
refused before the body is read, and 2 retries with backoff for 429, 5xx and dropped connections
(a `Retry-After` over a minute gives up). Every failure is a `FetchError`; nothing else escapes.
One `Fetcher` serves one thread; keep it for a run (its robots cache and host clocks live in it)."""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urljoin
from urllib.robotparser import RobotFileParser

from ..config import Settings
from .errors import FetchError
from .guard import Allowed, Target, check

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
                        "text/xml"})
REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 5
RETRIES = 2  # after the first try, for 429, 5xx and dropped connections
MAX_RETRY_WAIT = 60.0  # seconds; a server asking for longer is given up on for this run
MAX_CRAWL_DELAY = 60.0
ROBOTS_TTL, ROBOTS_FAILED_TTL = 3600.0, 300.0  # seconds a robots.txt (or its failure) is trusted


@dataclass(frozen=True)
class Response:
    """A 2xx answer (with its body) or a 304 (`not_modified`, no body) for `url`, the last hop."""

    url: str
    status: int
    content_type: str  # lower-case media type, '' when the server sent none
    charset: str | None
    body: bytes
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class _Answer:
    status: int
    reason: str
    headers: Message
    body: bytes


class _Retry(FetchError):
    """A failure worth another try after `wait` seconds (None: the backoff's)."""

    def __init__(self, message: str, wait: float | None = None) -> None:
        super().__init__(message, transient=True)
        self.wait = wait


def _media_type(headers: Message) -> str:
    return headers.get_content_type() if headers.get("Content-Type") else ""


def _retry_after(headers: Message) -> float | None:
    value = (headers.get("Retry-After") or "").strip()
    return float(value) if value.isdigit() else None


def _connection(target: Target, timeout: float) -> http.client.HTTPConnection:
    """A connection to the checked address, speaking to the host by its name (Host header, TLS SNI)."""
    kind = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    conn = kind(target.host, target.port, timeout=timeout)
    conn._create_connection = lambda address, *args, **kwargs: socket.create_connection(  # type: ignore[attr-defined]
        (target.ip, target.port), *args, **kwargs)
    return conn


class Fetcher:
    def __init__(self, settings: Settings, *, backoff: float = 1.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.allowed = Allowed.parse(settings.allow_hosts)
        self.backoff = backoff
        self.sleep = sleep
        self.requests = 0  # HTTP requests sent, robots.txt and retries included
        self._last: dict[str, float] = {}  # host -> when its last request was sent
        self._crawl_delay: dict[str, float] = {}  # host -> its robots.txt Crawl-delay
        self._robots: dict[str, tuple[float, RobotFileParser | FetchError]] = {}

    @property
    def offline(self) -> bool:
        return self.settings.offline

    def get(self, url: str, *, types: frozenset[str] | None, validators: tuple[str | None, str | None] = (None, None),
            robots: bool = True) -> Response:
        """GET `url` following redirects; `types`: the media types accepted (None: any); `validators`:
        the ETag and Last-Modified of the copy we have (a 304 then has no body)."""
        if self.offline:
            raise FetchError("offline (GEODATA_OFFLINE=1 or --offline): not fetched", transient=True)
        headers = {"User-Agent": self.settings.fetch_user_agent, "Accept-Encoding": "identity", "Connection": "close",
                   "Accept": ", ".join(sorted(types)) + ", */*;q=0.1" if types else "*/*"}
        if validators[0]:
            headers["If-None-Match"] = validators[0]
        if validators[1]:
            headers["If-Modified-Since"] = validators[1]
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            target = check(current, self.allowed)
            if robots:
                self._obey_robots(target)
            answer = self._with_retries(target, headers, types)
            if answer.status in REDIRECTS:
                location = answer.headers.get("Location")
                if not location:
                    raise FetchError(f"HTTP {answer.status} redirect without a Location")
                current = urljoin(current, location.strip())
                continue
            if answer.status == 304 or 200 <= answer.status < 300:
                return Response(current, answer.status, _media_type(answer.headers),
                                answer.headers.get_content_charset(), answer.body, answer.headers.get("ETag"),
                                answer.headers.get("Last-Modified"))
            raise FetchError(f"HTTP {answer.status} {answer.reason}".strip())
        raise FetchError(f"more than {MAX_REDIRECTS} redirects (last to {current})")

    # -- one hop -------------------------------------------------------------------------------

    def _with_retries(self, target: Target, headers: dict[str, str], types: frozenset[str] | None) -> _Answer:
        for attempt in range(RETRIES + 1):
            try:
                return self._attempt(target, headers, types)
            except _Retry as exc:
                wait = exc.wait if exc.wait is not None else self.backoff * 2**attempt
                if wait > MAX_RETRY_WAIT:
                    raise FetchError(f"{exc}; asked to wait {wait:g} s, over {MAX_RETRY_WAIT:g} s: given up for now",
                                     transient=True) from None
                if attempt == RETRIES:
                    raise FetchError(f"{exc} (after {RETRIES + 1} tries)", transient=True) from None
                self.sleep(wait)
        raise AssertionError("unreachable")

    def _attempt(self, target: Target, headers: dict[str, str], types: frozenset[str] | None) -> _Answer:
        """One request; 429 and 5xx come back as `_Retry`, connection faults as `FetchError`s."""
        self._pace(target.host)
        timeout = self.settings.fetch_timeout
        conn = _connection(target, timeout)
        try:
            conn.request("GET", target.path, headers=headers)
            resp = conn.getresponse()
            if resp.status == 429 or resp.status >= 500:
                raise _Retry(f"HTTP {resp.status} {resp.reason}".strip(), _retry_after(resp.headers))
            body = b""
            if 200 <= resp.status < 300:
                self._check_type(resp.headers, types)
                body = self._read(resp, time.monotonic() + 4 * timeout)
            return _Answer(resp.status, resp.reason or "", resp.headers, body)
        except (TimeoutError, socket.timeout):
            raise FetchError(f"no answer within {timeout:g} s (GEODATA_FETCH_TIMEOUT)", transient=True) from None
        except (ConnectionError, http.client.RemoteDisconnected) as exc:
            raise _Retry(f"connection failed ({exc.strerror or exc.__class__.__name__})"
                         if isinstance(exc, OSError) else f"connection closed ({exc})") from None
        except ssl.SSLError as exc:
            raise FetchError(f"TLS failed ({exc.reason or exc})") from None
        except http.client.HTTPException as exc:
            raise FetchError(f"malformed HTTP answer ({exc.__class__.__name__})", transient=True) from None
        except OSError as exc:
            raise FetchError(f"network error ({exc.strerror or exc})", transient=True) from None
        finally:
            conn.close()

    def _check_type(self, headers: Message, types: frozenset[str] | None) -> None:
        media = _media_type(headers)
        if types is not None and media and media not in types:
            wanted = "a web page" if types <= PAGE_TYPES else "an RSS or Atom feed" if types <= FEED_TYPES else \
                "a web page or a feed"
            raise FetchError(f"content type {media} is not {wanted}; not downloaded")
        length = (headers.get("Content-Length") or "").strip()
        if length.isdigit() and int(length) > self.settings.max_page_bytes:
            raise self._too_big(int(length))

    def _too_big(self, size: int | None) -> FetchError:
        limit = self.settings.max_page_mb
        size_is = f"{size / 2**20:.1f} MB is " if size else ""
        return FetchError(f"{size_is}over the {limit:g} MB limit for one page (GEODATA_MAX_PAGE_MB); not downloaded")

    def _read(self, resp: http.client.HTTPResponse, deadline: float) -> bytes:
        limit, chunks, size = self.settings.max_page_bytes, [], 0
        while chunk := resp.read1(65536):
            size += len(chunk)
            if size > limit:
                raise self._too_big(None)
            if time.monotonic() > deadline:
                raise FetchError(f"still arriving after {4 * self.settings.fetch_timeout:g} s; given up",
                                 transient=True)
            chunks.append(chunk)
        return b"".join(chunks)

    def _pace(self, host: str) -> None:
        """Wait until this host's last request is the delay ago (Crawl-delay if robots.txt asks for more)."""
        delay = max(self.settings.fetch_delay, self._crawl_delay.get(host, 0.0))
        wait = self._last.get(host, -1e9) + delay - time.monotonic()
        if wait > 0:
            self.sleep(wait)
        self._last[host] = time.monotonic()
        self.requests += 1

    # -- robots.txt ----------------------------------------------------------------------------

    def _obey_robots(self, target: Target) -> None:
        rules = self._robots_of(target)
        if isinstance(rules, FetchError):
            raise FetchError(f"robots.txt of {target.host} could not be read ({rules}); not fetched for now",
                             transient=True)
        if not rules.can_fetch(self.settings.fetch_user_agent, target.url):
            raise FetchError(f"robots.txt of {target.host} disallows it; not fetched")

    def _robots_of(self, target: Target) -> RobotFileParser | FetchError:
        cached = self._robots.get(target.origin)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        rules: RobotFileParser | FetchError = RobotFileParser()
        try:
            answer = self.get(f"{target.origin}/robots.txt", types=None, robots=False)
            rules.parse(answer.body.decode("utf-8", "replace").splitlines())
        except FetchError as exc:
            if exc.transient:  # a server error or no answer: assume disallowed for a while (RFC 9309)
                rules = exc
            else:  # 404 and other 4xx: no rules
                rules.parse([])
        if isinstance(rules, RobotFileParser):
            delay = rules.crawl_delay(self.settings.fetch_user_agent)
            self._crawl_delay[target.host] = min(float(delay or 0), MAX_CRAWL_DELAY)
        ttl = ROBOTS_FAILED_TTL if isinstance(rules, FetchError) else ROBOTS_TTL
        self._robots[target.origin] = (time.monotonic() + ttl, rules)
        return rules
