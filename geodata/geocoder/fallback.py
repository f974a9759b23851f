"""`Geocoder`, the resolver's online fallback: the gazetteer's cache first, then the service, and
offline for the rest of the run once the service is unreachable, refuses us or keeps failing."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from geopy.location import Location

from ..config import Settings
from ..gazetteer import GazetteerError, GeocodeAnswer, Gazetteer, normalize
from ..records import Place
from .errors import BadReply, GeocoderConfigError, ServiceFault, Unreachable, redact
from .providers import Found, provider_for
from .rate_limiter import Limiter, RetryPolicy
from .service import RequestLog, build_service

log = logging.getLogger(__name__)

Notify = Callable[[str], None]


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
class Settled:
    """An answer known without asking the service (a cached hit, or a miss not yet expired)."""

    place: Place | None


def country_codes(countries: Sequence[str]) -> list[str]:
    """Upper-case country codes without blanks or repeats, the main country first."""
    return list(dict.fromkeys(c.strip().upper() for c in countries if c and c.strip()))


def context_key(countries: Sequence[str]) -> str:
    """The cache's `context`: the article's country codes, sorted ("IQ,SY"), '' for none."""
    return ",".join(sorted(country_codes(countries)))


def tell(notify: Notify, message: str) -> None:
    """Log `message` and pass it to `notify`; a broken callback must not break the parse."""
    log.info(message)
    try:
        notify(message)
    except Exception:
        log.exception("geocoder: notify callback failed")


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
        self.provider = provider_for(self.provider_name)
        self.requests = RequestLog()
        self._lock = threading.RLock()
        self._online = not settings.offline
        self._message: str | None = "offline mode: no online geocoding" if settings.offline else None
        self._from_cache = 0
        self._faults = 0
        self._consecutive_faults = 0
        self._memo: dict[tuple[str, str], Place | None] = {}  # answers the database would not take
        self._cache_writable = True
        self._service = build_service(self.provider, settings, self.requests)
        self.endpoint = getattr(self._service, "api", None) or self.provider_name
        self.min_delay = self.provider.min_delay(settings.geocoder_min_delay, str(self.endpoint))
        self._geocode = Limiter(self._service.geocode, self.min_delay, retry)

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
            locations = self._geocode(name.strip(), **self.provider.options(codes, self.gazetteer))
        except ServiceFault as fault:
            self._count_fault(fault)
            return None
        self._consecutive_faults = 0
        request = redact(self.requests.last_url or name.strip())
        place = self._choose(locations, codes)
        raw = json.dumps([loc.raw for loc in locations], ensure_ascii=False)
        return self._store(GeocodeAnswer(self.provider_name, query, context, request, place, raw, time.time()), name)

    def _settled(self, query: str, context: str) -> Settled | None:
        """The answer when the cache settles the query; None to ask the service."""
        if (query, context) in self._memo:
            return Settled(self._memo[query, context])
        cached = self.gazetteer.cached_answer(self.provider_name, query, context)
        if cached is None:
            return None
        if cached.place_id is None:
            fresh = time.time() - cached.fetched_at < self.settings.miss_ttl_days * 86400
            return Settled(None) if fresh else None
        place = self.gazetteer.get(cached.place_id)
        return Settled(place) if place is not None else None  # a dangling hit is asked again

    def _choose(self, locations: list[Location], countries: Sequence[str]) -> Place | None:
        """The first acceptable result, preferring one in the article's countries."""
        found: list[Found] = [f for f in map(self.provider.parse, locations) if f is not None and f.place.name]
        if countries and not self.provider.restricts:
            found.sort(key=lambda f: f.place.country not in countries)  # stable: keeps the service's order
        if not found:
            return None
        best = found[0]
        place = best.place
        if place.admin1 is None and best.state and place.country:
            place = replace(place, admin1=self._admin1(best.state, place.country))
        return place

    def _store(self, answer: GeocodeAnswer, name: str) -> Place | None:
        """Cache the answer through the gazetteer (kept for this run only if it cannot be written);
        returns the place as stored."""
        try:
            return self.gazetteer.remember_answer(answer, name)
        except GazetteerError as exc:
            self._memo[answer.query, answer.context] = answer.place
            if self._cache_writable:
                self._cache_writable = False
                tell(self.notify, f"geocoder: cannot write the cache in {self.gazetteer.path} ({exc}); "
                                  "answers are kept for this run only")
            return answer.place

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
        tell(self.notify, message)

    def _admin1(self, state: str, country: str) -> str | None:
        """GeoNames admin1 code of a first-level division named `state` in `country`, if known."""
        for place, _ in self.gazetteer.lookup(state):
            if place.country == country and place.feature_code == "ADM1" and place.admin1:
                return place.admin1
        return None


def make_geocoder(settings: Settings, gazetteer: Gazetteer, notify: Notify = lambda message: None) -> Geocoder | None:
    """The fallback for a run: None when offline or when the provider cannot be set up (said once)."""
    if settings.offline:
        return None
    try:
        return Geocoder(settings, gazetteer, notify)
    except GeocoderConfigError as exc:
        tell(notify, f"geocoder: {exc}; continuing offline")
        return None
