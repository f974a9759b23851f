"""Spacing and retries of the requests to the service: the one place for both.

geopy's `RateLimiter` spaces the starts of requests by `min_delay` (its own retries are off: it
would retry every geopy service error at a fixed pace, malformed replies and refusals included).
`Limiter` retries only transient faults (429, 5xx, timeouts), a bounded number of times, with
exponential back-off honouring Retry-After up to a cap. geopy's HTTP adapter never retries either
(`service.adapter_factory`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from geopy.extra.rate_limiter import RateLimiter
from geopy.location import Location

from .errors import classify

log = logging.getLogger(__name__)


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


class Limiter:
    """A geopy `geocode`, spaced by `min_delay` and retried by `policy`."""

    def __init__(self, geocode: Callable[..., Any], min_delay: float, policy: RetryPolicy):
        self.policy = policy
        self._spaced = RateLimiter(geocode, min_delay_seconds=min_delay, max_retries=0,
                                   error_wait_seconds=min_delay, swallow_exceptions=False)

    def __call__(self, query: str, **options: Any) -> list[Location]:
        """The service's results for `query`; raises ServiceFault when there is no usable answer."""
        for attempt in range(self.policy.retries + 1):
            try:
                result = self._spaced(query, **options)
            except Exception as exc:
                fault = classify(exc)
                if not fault.retryable or attempt == self.policy.retries:
                    raise fault from exc
                wait = self.policy.wait(attempt, fault.retry_after)
                log.info("geocoder: %s for %r; retrying in %.1f s", fault, query, wait)
                time.sleep(wait)
                continue
            return result if isinstance(result, list) else [result] if result else []
        raise AssertionError("unreachable")  # pragma: no cover
