"""A real HTTP server on 127.0.0.1 that answers like Nominatim's `/search?format=json`.

Tests point geopy at it (`geocoder_url=server.url`) and configure it per test: the places it knows,
a delay before answering, status codes to return first (429, 503...), a garbage body. It records
every request it receives (path, query parameters, headers, arrival time). `online(settings, server.url)`
gives settings that geocode against it; `FAST` is a retry policy quick enough for tests.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from geodata.config import Settings
from geodata.geocoder import RetryPolicy
from tests.local_server import LocalServer

_ids = itertools.count(1000)
FAST = RetryPolicy(retries=2, backoff=0.05, max_wait=0.5, faults_before_offline=3)
AGENT = "geodata-tests/1.0 (test suite)"


@dataclass(frozen=True)
class FakePlace:
    """A place the server knows, found by its name (case-insensitive) and its `aliases`."""

    name: str
    lat: float
    lon: float
    country: str = "SY"
    cls: str = "place"
    type: str = "village"
    osm_type: str = "node"
    osm_id: int = field(default_factory=lambda: next(_ids))
    state: str | None = None
    aliases: tuple[str, ...] = ()

    def json(self, details: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "place_id": self.osm_id * 10,
            "licence": "Data © OpenStreetMap contributors, ODbL 1.0. https://osm.org/copyright",
            "osm_type": self.osm_type,
            "osm_id": self.osm_id,
            "lat": f"{self.lat:.7f}",
            "lon": f"{self.lon:.7f}",
            "class": self.cls,
            "type": self.type,
            "place_rank": 19,
            "importance": 0.35,
            "addresstype": self.type,
            "name": self.name,
            "display_name": ", ".join(p for p in (self.name, self.state, "Syria" if self.country == "SY" else
                                                  self.country) if p),
            "boundingbox": [str(self.lat - 0.01), str(self.lat + 0.01), str(self.lon - 0.01), str(self.lon + 0.01)],
        }
        if details:
            address = {self.type: self.name, "country_code": self.country.lower()}
            if self.state:
                address["state"] = self.state
            out["address"] = address
        return out


@dataclass(frozen=True)
class Request:
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    time: float  # time.monotonic() on arrival


class FakeNominatim(LocalServer):
    """Start with `with FakeNominatim(places) as server:`; `server.url` is its base URL."""

    def __init__(self, places: Iterable[FakePlace] = ()):
        self.places: list[FakePlace] = list(places)
        self.delay = 0.0  # seconds before answering
        self.statuses: list[int] = []  # returned (and consumed) first, one per request
        self.retry_after: str | None = None  # Retry-After header sent with a 429
        self.body: str | None = None  # a body to send instead of the answer (garbage)
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        super().__init__()

    def add(self, *places: FakePlace) -> None:
        with self._lock:
            self.places.extend(places)

    def search_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path == "/search"]

    def answer(self, params: dict[str, str]) -> list[dict[str, Any]]:
        query = params.get("q", "").strip().casefold()
        codes = {c.strip().upper() for c in params.get("countrycodes", "").split(",") if c.strip()}
        limit = int(params.get("limit", "10"))
        details = params.get("addressdetails") == "1"
        with self._lock:
            found = [p for p in self.places
                     if query in {p.name.casefold(), *(a.casefold() for a in p.aliases)}
                     and (not codes or p.country in codes)]
        return [p.json(details) for p in found[:limit]]

    def _next_status(self) -> int:
        with self._lock:
            return self.statuses.pop(0) if self.statuses else 200

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                arrived = time.monotonic()
                parts = urlsplit(self.path)
                params = dict(parse_qsl(parts.query, keep_blank_values=True))
                with fake._lock:
                    fake.requests.append(Request(parts.path, params, dict(self.headers.items()), arrived))
                if fake.delay and fake._stopping.wait(fake.delay):
                    return
                status = fake._next_status()
                if status != 200:
                    headers = {"Retry-After": fake.retry_after} if status == 429 and fake.retry_after else {}
                    self._send(status, json.dumps({"error": {"code": status, "message": "fake error"}}), headers)
                elif parts.path != "/search":
                    self._send(404, "not found")
                elif fake.body is not None:
                    self._send(200, fake.body)
                else:
                    self._send(200, json.dumps(fake.answer(params)))

            def _send(self, status: int, body: str, headers: dict[str, str] | None = None) -> None:
                data = body.encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in (headers or {}).items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def online(settings: Settings, url: str | None, **changes: object) -> Settings:
    """Settings that geocode against `url`, whatever the environment says."""
    base: dict[str, object] = {
        "offline": False, "geocoder": "nominatim", "geocoder_url": url, "geocoder_user_agent": AGENT,
        "geocoder_username": None, "geocoder_timeout": 1.0, "geocoder_min_delay": 0.0, "miss_ttl_days": 30.0,
    }
    return settings.with_(**{**base, **changes})
