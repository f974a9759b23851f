"""Online geocoding fallback: names the local gazetteer cannot place are asked of a geopy geocoder.

`Geocoder` is the resolver's `Fallback` (`geocoder(name, countries) -> Place | None`): a thin layer
around a geopy geocoder (Nominatim by default; Photon, GeoNames, ArcGIS or any other geopy service
by name) that adds what a batch geoparser needs:

- a cache in the gazetteer database (`Gazetteer.cached_answer` / `remember_answer`): every answer,
  hit or miss, keyed by provider, normalised name and country context, with the request sent and
  the raw reply. A hit also becomes an ordinary gazetteer place (`source="geocoder:<provider>"`),
  so the next run finds it offline through `Gazetteer.lookup`; a miss is asked again only after
  `miss_ttl_days`;
- context: the article's countries restrict the query where the provider can (Nominatim
  `countrycodes`, GeoNames `country`) and otherwise bias the choice among its results;
- politeness: geopy's `RateLimiter` spaces requests by `geocoder_min_delay` (at least 1 s for the
  public Nominatim, per its usage policy) and every request carries the configured user agent;
- faults: 429, 5xx and timeouts are retried a bounded number of times with exponential back-off
  (honouring Retry-After up to a cap); a malformed reply is a miss that is not cached; an
  unreachable network, a refusal (401/403/404, quota) or repeated faults switch the geocoder offline
  for the rest of the run, said once through `notify`. A call never raises.

Modules: `fallback` (the Geocoder: cache, choice, going offline), `errors` (our error types, one
table of HTTP statuses), `rate_limiter` (spacing and retries), `service` (the geopy geocoder and
its HTTP adapter), `providers/` (one module per service: its query parameters and its parsing).
"""

from __future__ import annotations

from .errors import (
    BadQuery,
    BadReply,
    GeocoderConfigError,
    GeocoderError,
    Refused,
    ServiceFault,
    Transient,
    Unreachable,
    classify,
    describe,
    redact,
    unreachable_reason,
)
from .fallback import Geocoder, GeocoderStatus, Notify, context_key, country_codes, make_geocoder
from .providers import Found, Provider, osm_feature, parse_arcgis, parse_geonames, parse_nominatim, parse_photon
from .rate_limiter import RetryPolicy
from .reach import unreachable

__all__ = [
    "BadQuery", "BadReply", "Found", "Geocoder", "GeocoderConfigError", "GeocoderError", "GeocoderStatus", "Notify",
    "Provider", "Refused", "RetryPolicy", "ServiceFault", "Transient", "Unreachable", "classify", "context_key",
    "country_codes", "describe", "make_geocoder", "osm_feature", "parse_arcgis", "parse_geonames", "parse_nominatim",
    "parse_photon", "redact", "unreachable", "unreachable_reason",
]
