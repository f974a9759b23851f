"""Online geocoding fallback: names the local gazetteer cannot place are asked of a geopy geocoder.

`Geocoder` is the resolver's `Fallback` (`geocoder(name, countries) -> Place | None`): a thin layer
around a geopy geocoder (Nominatim by default; Photon, GeoNames, ArcGIS or any other geopy service
by name) that adds what a batch geoparser needs:

- a cache in the gazetteer database (`geocode_cache`): every answer, hit or miss, keyed by
  provider, normalised name and country context, with the request sent and the raw reply. A hit
  also becomes an ordinary gazetteer place (`source="geocoder:<provider>"`), so the next run finds
  it offline through `Gazetteer.lookup`; a miss is asked again only after `miss_ttl_days`;
- context: the article's countries restrict the query where the provider can (Nominatim
  `countrycodes`, GeoNames `country`) and otherwise bias the choice among its results;
- politeness: geopy's `RateLimiter` spaces requests by `geocoder_min_delay` (at least 1 s for the
  public Nominatim, per its usage policy) and every request carries the configured user agent;
- faults: 429, 5xx and timeouts are retried a bounded number of times with exponential back-off
  (honouring Retry-After up to a cap); a malformed reply is a miss that is not cached; an
  unreachable network, a refusal (401/403/404, quota) or repeated faults switch the geocoder offline
  for the rest of the run, said once through `notify`. A call never raises.
"""

from __future__ import annotations

import errno
import inspect
import ipaddress
import json
import logging
import math
import re
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit
from urllib.request import proxy_bypass

from geopy.adapters import AdapterHTTPError, BaseSyncAdapter, RequestsAdapter, URLLibAdapter
from geopy.exc import (
    GeocoderAuthenticationFailure,
    GeocoderInsufficientPrivileges,
    GeocoderParseError,
    GeocoderQueryError,
    GeocoderQuotaExceeded,
    GeocoderRateLimited,
    GeocoderTimedOut,
    GeocoderUnavailable,
    GeopyError,
)
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import get_geocoder_for_service
from geopy.location import Location
from geopy.point import Point

from .config import Settings
from .gazetteer import Gazetteer, normalize
from .gazetteer.db import insert_places
from .records import COUNTRY_CODES, Place

log = logging.getLogger(__name__)

Notify = Callable[[str], None]

PUBLIC_NOMINATIM = "nominatim.openstreetmap.org"
PUBLIC_MIN_DELAY = 1.0  # https://operations.osmfoundation.org/policies/nominatim/: max 1 request/s
RESULT_LIMIT = 5
LANGUAGE = "en"


# --- errors ------------------------------------------------------------------------------------


class GeocoderError(Exception):
    """Base of this module's errors; `Geocoder.__call__` never lets one escape."""


class GeocoderConfigError(GeocoderError):
    """Unknown provider or missing provider option (e.g. a GeoNames username)."""


class ServiceFault(GeocoderError):
    """A request that produced no usable answer.

    `retryable`: worth asking again after a pause; `fatal`: pointless to ask anything else this run.
    """

    retryable = False
    fatal = False

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class Transient(ServiceFault):
    """429, 5xx, a timeout or a dropped connection."""

    retryable = True


class Unreachable(ServiceFault):
    """No route to the service: connection refused, DNS failure, network down."""

    fatal = True


class Refused(ServiceFault):
    """401/403/404/quota: the service refuses us (user agent, username, key) or is not at that URL."""

    fatal = True


class BadReply(ServiceFault):
    """The reply is not the JSON the provider should send."""


class BadQuery(ServiceFault):
    """The service rejected this one query (HTTP 400)."""


_SECRET_VALUE = re.compile(r"\b((?:username|password|key|api_key|apikey|token|access_token)=)[^&\s'\"]+", re.IGNORECASE)
_UNREACHABLE_ERRNOS = {errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN,
                       errno.EADDRNOTAVAIL, errno.EHOSTDOWN}


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (cause, context, urllib3 `reason`, exception args)."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
        stack.extend(e for e in linked if isinstance(e, BaseException))


def unreachable_reason(exc: BaseException) -> str | None:
    """Why the service could not be reached at all (refused, DNS, no route), or None if it could."""
    errors = list(_causes(exc))
    for err in errors:  # the most precise reason first
        if isinstance(err, ConnectionRefusedError):
            return "connection refused"
        if isinstance(err, socket.gaierror) or type(err).__name__ == "NameResolutionError":
            return "cannot resolve the host name (no network or DNS?)"
        if isinstance(err, OSError) and err.errno in _UNREACHABLE_ERRNOS:
            return (err.strerror or "network unreachable").lower()
    # urllib3's wrappers, by name: urllib3 is optional (geopy falls back to urllib)
    if any(type(err).__name__ in ("NewConnectionError", "ConnectTimeoutError") for err in errors):
        return "cannot connect"
    return None


def _http_status(exc: BaseException) -> int | None:
    for err in _causes(exc):
        if isinstance(err, AdapterHTTPError):
            return err.status_code
    return None


def describe(exc: BaseException) -> str:
    """A short reason for a message: 'connection refused', 'HTTP 503', 'timed out'..."""
    reason = unreachable_reason(exc)
    if reason:
        return reason
    status = _http_status(exc)
    if status is not None:
        return f"HTTP {status}"
    if isinstance(exc, GeocoderTimedOut):
        return "timed out"
    if isinstance(exc, GeocoderParseError):
        return "malformed reply (not JSON)"
    text = f"{type(exc).__name__}: {exc}"
    text = redact(text)
    return text if len(text) <= 160 else text[:157] + "..."


def classify(exc: BaseException) -> ServiceFault:
    """Map whatever geopy (or its parsing of a bad reply) raised to one of our fault types."""
    if isinstance(exc, ServiceFault):
        return exc
    message = describe(exc)
    if isinstance(exc, GeocoderRateLimited):
        return Transient(message, retry_after=exc.retry_after)
    if isinstance(exc, (GeocoderAuthenticationFailure, GeocoderInsufficientPrivileges, GeocoderQuotaExceeded)):
        return Refused(message)
    if isinstance(exc, GeocoderParseError):
        return BadReply(message)
    if isinstance(exc, GeocoderQueryError):
        # Nominatim also raises this for a JSON object with an "error" key: a reply it should not send.
        return BadQuery(message) if _http_status(exc) == 400 else BadReply(message)
    if unreachable_reason(exc):
        return Unreachable(message)
    if isinstance(exc, (GeocoderTimedOut, GeocoderUnavailable, TimeoutError, socket.timeout)):
        return Transient(message)
    status = _http_status(exc)
    if status is not None:
        return Transient(message) if status >= 500 else Refused(message) if status == 404 else BadQuery(message)
    if isinstance(exc, GeopyError):
        return Transient(message)  # e.g. "Unable to read the response"
    return BadReply(message)  # KeyError, TypeError, ValueError... from parsing an unexpected shape


# --- small records -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries of transient faults, waiting backoff * 2**attempt (or Retry-After), capped."""

    retries: int = 2
    backoff: float = 1.0
    max_wait: float = 10.0
    faults_before_offline: int = 3  # consecutive failed lookups that switch the run offline

    def wait(self, attempt: int, retry_after: float | None) -> float:
        wait = self.backoff * 2**attempt
        if retry_after is not None:
            wait = max(wait, retry_after)
        return min(wait, self.max_wait)


@dataclass(frozen=True)
class GeocoderStatus:
    """What the dashboard shows: whether lookups happen, and why not."""

    online: bool
    provider: str
    message: str | None = None
    requests: int = 0  # HTTP requests made, retries included
    from_cache: int = 0  # answers served from the cache without a request
    faults: int = 0  # lookups that ended without an answer because of a fault


@dataclass(frozen=True)
class CacheEntry:
    """One `geocode_cache` row: `place_id` is None for a miss."""

    place_id: str | None
    fetched_at: float


@dataclass(frozen=True)
class Settled:
    """An answer known without asking the service (a cached hit, or a miss not yet expired)."""

    place: Place | None


# --- providers ---------------------------------------------------------------------------------

# Nominatim / Photon (OSM) feature -> GeoNames-like (class, code).
OSM_PLACE = {
    "city": ("P", "PPL"), "town": ("P", "PPL"), "village": ("P", "PPL"), "hamlet": ("P", "PPL"),
    "isolated_dwelling": ("P", "PPL"), "farm": ("P", "PPL"), "suburb": ("P", "PPLX"),
    "quarter": ("P", "PPLX"), "neighbourhood": ("P", "PPLX"), "borough": ("P", "PPLX"),
    "city_block": ("P", "PPLX"), "locality": ("L", "LCTY"), "region": ("L", "RGN"),
    "island": ("T", "ISL"), "islet": ("T", "ISL"), "archipelago": ("T", "ISLS"),
    "country": ("A", "PCLI"), "state": ("A", "ADM1"), "province": ("A", "ADM1"),
    "county": ("A", "ADM2"), "district": ("A", "ADM2"), "municipality": ("A", "ADM3"),
    "sea": ("H", "SEA"), "ocean": ("H", "OCN"),
}
OSM_NATURAL = {
    "water": ("H", "LK"), "bay": ("H", "BAY"), "strait": ("H", "STRT"), "spring": ("H", "SPNG"),
    "wetland": ("H", "MRSH"), "peak": ("T", "PK"), "volcano": ("T", "VLC"), "ridge": ("T", "RDGE"),
    "valley": ("T", "VAL"), "cape": ("T", "CAPE"), "mountain_range": ("T", "MTS"), "plateau": ("T", "PLAT"),
    "desert": ("T", "DSRT"), "sand": ("T", "DSRT"),
}
OSM_WATERWAY = {"river": ("H", "STM"), "stream": ("H", "STM"), "canal": ("H", "CNL"), "wadi": ("H", "WAD"),
                "dam": ("S", "DAM")}
# OSM keys worth a place for a news geoparser; streets, shops, offices... are not what a toponym means.
OSM_ACCEPTED = {"place", "boundary", "natural", "waterway", "landuse", "aeroway", "historic", "military", "leisure"}


def osm_feature(key: str, value: str, rank: int | None = None) -> tuple[str, str | None] | None:
    """GeoNames-like (class, code) for an OSM key=value, or None when it is not a place."""
    if key == "amenity":
        return ("S", "CMPRF") if value == "refugee_site" else None
    if key not in OSM_ACCEPTED:
        return None
    if key == "place":
        return OSM_PLACE.get(value, ("L", None))
    if key == "boundary":
        if value != "administrative":
            return ("L", None)
        if rank is None:
            return ("A", "ADMD")
        return ("A", "PCLI") if rank <= 4 else ("A", "ADM1") if rank <= 8 else ("A", "ADM2") if rank <= 12 \
            else ("A", "ADMD")
    if key == "natural":
        return OSM_NATURAL.get(value, ("T", None))
    if key == "waterway":
        return OSM_WATERWAY.get(value, ("H", None))
    if key == "aeroway":
        return ("S", "AIRP") if value == "aerodrome" else ("S", None)
    if key in ("historic", "military"):
        return ("S", None)
    return ("L", None)


@dataclass(frozen=True)
class Found:
    """One result of a provider as a place the gazetteer can hold, with its first-level division's
    name when the provider gives a name rather than a code (mapped to `admin1` later)."""

    place: Place
    state: str | None = None


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _upper(value: Any) -> str | None:
    return value.upper() if isinstance(value, str) and value else None


def parse_nominatim(raw: dict[str, Any], provider: str) -> Found | None:
    lat, lon = _float(raw.get("lat")), _float(raw.get("lon"))
    feature = osm_feature(str(raw.get("class", "")), str(raw.get("type", "")), _int(raw.get("place_rank")))
    if lat is None or lon is None or feature is None:
        return None
    if raw.get("osm_type") and raw.get("osm_id") is not None:
        pid = f"osm:{raw['osm_type']}/{raw['osm_id']}"
    else:
        pid = f"osm:place/{raw.get('place_id')}"
    address = _dict(raw.get("address"))
    name = raw.get("name") or str(raw.get("display_name") or "").split(",")[0].strip()
    place = Place(pid, name, lat, lon, _upper(address.get("country_code")), feature[0], feature[1],
                  source=f"geocoder:{provider}")
    return Found(place, address.get("state") or address.get("province"))


PHOTON_OSM_TYPES = {"N": "node", "W": "way", "R": "relation"}


def parse_photon(raw: dict[str, Any], provider: str) -> Found | None:
    props = _dict(raw.get("properties"))
    coords = _dict(raw.get("geometry")).get("coordinates")
    lon, lat = (_float(coords[0]), _float(coords[1])) if isinstance(coords, list) and len(coords) >= 2 else (None, None)
    feature = osm_feature(str(props.get("osm_key", "")), str(props.get("osm_value", "")))
    if lat is None or lon is None or feature is None or not props.get("osm_id"):
        return None
    pid = f"osm:{PHOTON_OSM_TYPES.get(str(props.get('osm_type')), 'node')}/{props['osm_id']}"
    place = Place(pid, props.get("name") or "", lat, lon, _upper(props.get("countrycode")), feature[0], feature[1],
                  source=f"geocoder:{provider}")
    return Found(place, props.get("state"))


def parse_geonames(raw: dict[str, Any], provider: str) -> Found | None:
    lat, lon, gid = _float(raw.get("lat")), _float(raw.get("lng")), _int(raw.get("geonameId"))
    if lat is None or lon is None or gid is None:
        return None
    place = Place(f"gn:{gid}", raw.get("name") or raw.get("toponymName") or "", lat, lon,
                  _upper(raw.get("countryCode")), raw.get("fcl") or None, raw.get("fcode") or None,
                  raw.get("adminCode1") or None, _int(raw.get("population")) or 0, gid, f"geocoder:{provider}")
    return Found(place)


def _point_place(provider: str, address: Any, lat: float | None, lon: float | None) -> Found | None:
    """A place of unknown kind from an address and a point; its id is the rounded point."""
    if lat is None or lon is None:
        return None
    name = str(address or "").split(",")[0].strip()
    return Found(Place(f"{provider}:{lat:.5f},{lon:.5f}", name, lat, lon, feature_class="L",
                       source=f"geocoder:{provider}"))


def parse_arcgis(raw: dict[str, Any], provider: str) -> Found | None:
    location = _dict(raw.get("location"))
    return _point_place(provider, raw.get("address"), _float(location.get("y")), _float(location.get("x")))


def parse_location(location: Location, provider: str) -> Found | None:
    """Any other geopy service: only the Location's address and point."""
    return _point_place(provider, location.address, _float(location.latitude), _float(location.longitude))


Parser = Callable[[dict[str, Any], str], Found | None]


@dataclass(frozen=True)
class Provider:
    """How to ask one geopy service and read its raw results."""

    name: str
    parse: Parser | None  # reads a raw result; None: only the Location's address and point are used
    restricts: bool  # the service itself restricts results to the given countries

    def options(self, countries: Sequence[str], bias: Point | None) -> dict[str, Any]:
        """Keyword arguments of `geocode` for this service."""
        if self.name == "nominatim":
            return {"exactly_one": False, "limit": RESULT_LIMIT, "addressdetails": True, "language": LANGUAGE,
                    "country_codes": [c.lower() for c in countries] or None}
        if self.name == "photon":
            return {"exactly_one": False, "limit": RESULT_LIMIT, "language": LANGUAGE, "location_bias": bias}
        if self.name == "geonames":
            return {"exactly_one": False, "country": list(countries) or None}
        return {"exactly_one": False}


PROVIDERS = {
    "nominatim": Provider("nominatim", parse_nominatim, restricts=True),
    "photon": Provider("photon", parse_photon, restricts=False),
    "geonames": Provider("geonames", parse_geonames, restricts=True),
    "arcgis": Provider("arcgis", parse_arcgis, restricts=False),
}


class RequestLog:
    """Counts the HTTP requests geopy makes and keeps the last URL (for the cache's `request`)."""

    def __init__(self) -> None:
        self.count = 0
        self.last_url: str | None = None
        self._lock = threading.Lock()

    def record(self, url: str) -> None:
        with self._lock:
            self.count += 1
            self.last_url = url


def adapter_factory(requests_log: RequestLog) -> Callable[..., BaseSyncAdapter]:
    """A geopy adapter that records each request and never retries on its own (retries are ours)."""
    base: type[BaseSyncAdapter] = RequestsAdapter if RequestsAdapter.is_available else URLLibAdapter
    extra: dict[str, Any] = {"max_retries": 0} if base is RequestsAdapter else {}

    class RecordingAdapter(base):  # type: ignore[valid-type, misc]
        def get_json(self, url: str, *, timeout: float, headers: dict[str, str]) -> Any:
            requests_log.record(url)
            return super().get_json(url, timeout=timeout, headers=headers)

    def make(**kwargs: Any) -> BaseSyncAdapter:
        return RecordingAdapter(**kwargs, **extra)

    return make


def redact(text: str) -> str:
    """`text` (a URL, a message) without credentials in query strings (GeoNames sends the username)."""
    return _SECRET_VALUE.sub(r"\1***", text)


def _is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def country_codes(countries: Sequence[str]) -> list[str]:
    """Upper-case country codes without blanks or repeats, the main country first."""
    return list(dict.fromkeys(c.strip().upper() for c in countries if c and c.strip()))


def context_key(countries: Sequence[str]) -> str:
    """The cache's `context`: the article's country codes, sorted ("IQ,SY"), '' for none."""
    return ",".join(sorted(country_codes(countries)))


# --- the geocoder ------------------------------------------------------------------------------


class Geocoder:
    """The resolver's online fallback: `geocoder(name, countries) -> Place | None`, cached, polite,
    and safe to call with no network (it then answers None at once)."""

    def __init__(self, settings: Settings, gazetteer: Gazetteer, notify: Notify = lambda message: None, *,
                 retry: RetryPolicy = RetryPolicy()):
        """Build the geopy geocoder for `settings.geocoder`; raises GeocoderConfigError if it cannot."""
        self.settings = settings
        self.gazetteer = gazetteer
        self.notify = notify
        self.retry = retry
        self.provider_name = settings.geocoder.strip().lower()
        self.provider = PROVIDERS.get(self.provider_name, Provider(self.provider_name, None, restricts=False))
        self.requests = RequestLog()
        self._lock = threading.RLock()
        self._online = not settings.offline
        self._message: str | None = "offline mode: no online geocoding" if settings.offline else None
        self._from_cache = 0
        self._faults = 0
        self._consecutive_faults = 0
        self._memo: dict[tuple[str, str], Place | None] = {}  # answers the database would not take
        self._cache_writable = True
        self._service = self._build_service()
        self.endpoint = getattr(self._service, "api", None) or self.provider_name
        self.min_delay = self._min_delay()
        self._geocode = RateLimiter(self._service.geocode, min_delay_seconds=self.min_delay, max_retries=0,
                                    error_wait_seconds=self.min_delay, swallow_exceptions=False)

    # construction

    def _build_service(self) -> Any:
        try:
            cls = get_geocoder_for_service(self.provider_name)
        except GeopyError as exc:
            raise GeocoderConfigError(f"unknown geocoder {self.provider_name!r}: {exc}") from exc
        if self.provider_name == "geonames" and not self.settings.geocoder_username:
            raise GeocoderConfigError("the GeoNames geocoder needs a username (GEODATA_GEOCODER_USERNAME)")
        options: dict[str, Any] = {
            "user_agent": self.settings.geocoder_user_agent,
            "timeout": self.settings.geocoder_timeout,
            "adapter_factory": adapter_factory(self.requests),
            "username": self.settings.geocoder_username,
        }
        if self.settings.geocoder_url:
            url = self.settings.geocoder_url.strip()
            parts = urlsplit(url if "://" in url else f"https://{url}")
            options["scheme"] = parts.scheme
            options["domain"] = parts.netloc + parts.path.rstrip("/")
            if _is_local(parts.hostname or "") or proxy_bypass(parts.hostname or ""):
                options["proxies"] = {}  # a local server is never reached through a proxy
        accepted = _parameters(cls)
        if options["username"] is None:
            del options["username"]
        try:
            return cls(**{k: v for k, v in options.items() if k in accepted})
        except (GeopyError, TypeError, ValueError) as exc:
            raise GeocoderConfigError(f"cannot set up geocoder {self.provider_name!r}: {exc}") from exc

    def _min_delay(self) -> float:
        delay = max(0.0, self.settings.geocoder_min_delay)
        if self.provider_name == "nominatim" and PUBLIC_NOMINATIM in str(self.endpoint):
            delay = max(delay, PUBLIC_MIN_DELAY)
        return delay

    # public API

    @property
    def online(self) -> bool:
        return self._online

    @property
    def status(self) -> GeocoderStatus:
        return GeocoderStatus(self._online, self.provider_name, self._message, self.requests.count,
                              self._from_cache, self._faults)

    def __call__(self, name: str, countries: Sequence[str] = ()) -> Place | None:
        """The place `name` means, from the cache or the service; None for a miss or any fault."""
        if not self._online:
            return None
        try:
            with self._lock:
                return self._lookup(name, countries)
        except Exception as exc:  # the last guard: a bug here must not stop a parse
            log.exception("geocoder: unexpected error for %r", name)
            self._count_fault(BadReply(str(exc)))
            return None

    def close(self) -> None:
        """Release the HTTP session."""
        adapter = getattr(self._service, "adapter", None)
        if adapter is not None and hasattr(adapter, "__exit__"):
            adapter.__exit__(None, None, None)

    # the steps of a lookup

    def _lookup(self, name: str, countries: Sequence[str]) -> Place | None:
        if not self._online:
            return None
        query, codes = normalize(name), country_codes(countries)
        if len(query.replace(" ", "")) < 2 or not any(ch.isalpha() for ch in query):
            return None
        context = context_key(codes)
        settled = self._settled(query, context)
        if settled is not None:
            self._from_cache += 1
            return settled.place
        try:
            locations, request = self._ask(name.strip(), codes)
        except ServiceFault as fault:
            self._count_fault(fault)
            return None
        self._consecutive_faults = 0
        place = self._choose(locations, codes)
        return self._store(name, query, context, request, place, [loc.raw for loc in locations])

    def _settled(self, query: str, context: str) -> Settled | None:
        """The answer when the cache settles the query; None to ask the service."""
        if (query, context) in self._memo:
            return Settled(self._memo[query, context])
        entry = self._cache_entry(query, context)
        if entry is None:
            return None
        if entry.place_id is None:
            fresh = time.time() - entry.fetched_at < self.settings.miss_ttl_days * 86400
            return Settled(None) if fresh else None
        place = self.gazetteer.get(entry.place_id)
        return Settled(place) if place is not None else None  # a dangling hit is asked again

    def _cache_entry(self, query: str, context: str) -> CacheEntry | None:
        row = self.gazetteer.conn.execute(
            "SELECT place_id, fetched_at FROM geocode_cache WHERE provider = ? AND query = ? AND context = ?",
            (self.provider_name, query, context),
        ).fetchone()
        return CacheEntry(row[0], row[1]) if row else None

    def _ask(self, name: str, countries: Sequence[str]) -> tuple[list[Location], str]:
        """The service's results for `name` and the request that got them, retrying transient faults;
        raises ServiceFault."""
        options = self.provider.options(countries, self._bias(countries) if self.provider_name == "photon" else None)
        for attempt in range(self.retry.retries + 1):
            try:
                result = self._geocode(name, **options)
            except Exception as exc:
                fault = classify(exc)
                if not fault.retryable or attempt == self.retry.retries:
                    raise fault from exc
                wait = self.retry.wait(attempt, fault.retry_after)
                log.info("geocoder: %s for %r; retrying in %.1f s", fault, name, wait)
                time.sleep(wait)
                continue
            locations = result if isinstance(result, list) else [result] if result else []
            return locations, redact(self.requests.last_url or name)
        raise AssertionError("unreachable")  # pragma: no cover

    def _choose(self, locations: list[Location], countries: Sequence[str]) -> Place | None:
        """The first acceptable result, preferring one in the article's countries."""
        found = [f for f in map(self._parse, locations) if f is not None and f.place.name]
        if countries and not self.provider.restricts:
            found.sort(key=lambda f: f.place.country not in countries)  # stable: keeps the service's order
        if not found:
            return None
        best = found[0]
        place = best.place
        if place.admin1 is None and best.state and place.country:
            place = replace(place, admin1=self._admin1(best.state, place.country))
        return place

    def _parse(self, location: Location) -> Found | None:
        if self.provider.parse is None:
            return parse_location(location, self.provider_name)
        return self.provider.parse(location.raw, self.provider_name) if isinstance(location.raw, dict) else None

    def _store(self, name: str, query: str, context: str, request: str, place: Place | None,
               raw: list[dict[str, Any]]) -> Place | None:
        """Cache the answer (and make a hit a gazetteer place); returns the place as stored."""
        conn = self.gazetteer.conn
        try:
            conn.execute("SAVEPOINT geocode")
            try:
                if place is not None:
                    insert_places(conn, [(place, [name])])
                    conn.execute("INSERT OR IGNORE INTO names (name, place_id, is_primary) VALUES (?,?,0)",
                                 (query, place.id))  # when the place was already there under other names
                conn.execute(
                    "INSERT OR REPLACE INTO geocode_cache (provider, query, context, request, place_id, raw, fetched_at)"
                    " VALUES (?,?,?,?,?,?,?)",
                    (self.provider_name, query, context, request, place.id if place else None,
                     json.dumps(raw, ensure_ascii=False), time.time()),
                )
                conn.execute("RELEASE geocode")
            except BaseException:
                conn.execute("ROLLBACK TO geocode")
                conn.execute("RELEASE geocode")
                raise
        except sqlite3.Error as exc:
            self._memo[query, context] = place
            if self._cache_writable:
                self._cache_writable = False
                self._say(f"geocoder: cannot write the cache in {self.gazetteer.path} ({exc}); "
                          "answers are kept for this run only")
            return place
        self.gazetteer.clear_cache()
        return self.gazetteer.get(place.id) if place is not None else None

    # helpers

    def _count_fault(self, fault: ServiceFault) -> None:
        self._faults += 1
        self._consecutive_faults += 1
        where = f"{self.provider_name} at {self.endpoint}"
        if isinstance(fault, Unreachable):
            self._go_offline(f"geocoder: {where} is unreachable ({fault}); continuing offline for the rest "
                             "of this run (names the gazetteer lacks stay unresolved)")
        elif fault.fatal:
            self._go_offline(f"geocoder: {where} refused the request ({fault}); check the user agent, "
                             "username or URL; continuing offline for the rest of this run")
        elif self._consecutive_faults >= self.retry.faults_before_offline:
            self._go_offline(f"geocoder: {self._consecutive_faults} lookups in a row failed at {where} "
                             f"(last: {fault}); continuing offline for the rest of this run")
        else:
            log.info("geocoder: no answer from %s: %s", where, fault)

    def _go_offline(self, message: str) -> None:
        if not self._online:
            return
        self._online = False
        self._message = message
        self._say(message)

    def _say(self, message: str) -> None:
        log.info(message)
        try:
            self.notify(message)
        except Exception:  # a broken callback must not break the parse
            log.exception("geocoder: notify callback failed")

    def _bias(self, countries: Sequence[str]) -> Point | None:
        """The main country's representative point (Photon biases results towards it)."""
        if not countries:
            return None
        codes = sorted(COUNTRY_CODES)
        row = self.gazetteer.conn.execute(
            f"SELECT lat, lon FROM places WHERE country = ? AND feature_code IN ({','.join('?' * len(codes))}) "
            "ORDER BY population DESC LIMIT 1", (countries[0], *codes),
        ).fetchone()
        return Point(row[0], row[1]) if row else None

    def _admin1(self, state: str, country: str) -> str | None:
        """GeoNames admin1 code of a first-level division named `state` in `country`, if known."""
        for place, _ in self.gazetteer.lookup(state):
            if place.country == country and place.feature_code == "ADM1" and place.admin1:
                return place.admin1
        return None


def _parameters(cls: type) -> set[str]:
    return set(inspect.signature(cls).parameters)


def make_geocoder(settings: Settings, gazetteer: Gazetteer, notify: Notify = lambda message: None) -> Geocoder | None:
    """The fallback for a run: None when offline or when the provider cannot be set up (said once)."""
    if settings.offline:
        return None
    try:
        return Geocoder(settings, gazetteer, notify)
    except GeocoderConfigError as exc:
        message = f"geocoder: {exc}; continuing offline"
        log.info(message)
        try:
            notify(message)
        except Exception:
            log.exception("geocoder: notify callback failed")
        return None
