"""Reports from the web: article URLs, RSS/Atom feeds and saved pages into `Document` records, fetched
politely and safely, then stored through `pipeline.ingest`.

Modules: `urls` (canonical URLs, tracking parameters), `guard` (http(s) only; no private, loopback or
link-local address unless `GEODATA_ALLOW_HOSTS` allows it), `fetch` (the HTTP client: robots.txt,
delay per host, conditional GET, timeouts, retries, redirects, size cap), `pages` (HTML -> Document by
trafilatura), `feeds` (feed -> item links by feedparser), `web` (inputs -> a batch of documents and
errors; what was seen), `run` (`ingest_web` once, `Watcher` polling)."""

from .errors import FetchError
from .fetch import Fetcher, Response
from .run import Watcher, WebReport, ingest_web, parse_duration
from .urls import canonical, is_url
from .web import Batch, WebSources, is_web_input, split_inputs

__all__ = ["Batch", "FetchError", "Fetcher", "Response", "Watcher", "WebReport", "WebSources", "canonical",
           "ingest_web", "is_url", "is_web_input", "parse_duration", "split_inputs"]
