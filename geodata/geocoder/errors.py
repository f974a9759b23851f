"""The geocoder's error types, and the one handler that turns whatever geopy raised into one of them.

An HTTP error is classified by its status alone (`FAULT_BY_STATUS`); an error without one (a
timeout, a refused connection, an error a provider wrote into a 200 reply, a reply that is not
JSON) by its geopy class (`FAULT_BY_ERROR`) or, for a network that cannot be reached, by its cause.
"""

from __future__ import annotations

import errno
import re
import socket
from collections.abc import Iterator

from geopy.adapters import AdapterHTTPError
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


class GeocoderError(Exception):
    """Base of the geocoder's errors; `Geocoder.__call__` never lets one escape."""


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
    """The service rejected this one query (HTTP 400 and the other 4xx not listed)."""


# HTTP status -> fault; a status not listed is Transient from 500 up, BadQuery below.
FAULT_BY_STATUS: dict[int, type[ServiceFault]] = {
    400: BadQuery,
    401: Refused,
    402: Refused,  # quota
    403: Refused,  # e.g. Nominatim's answer to a missing or generic user agent
    404: Refused,  # no such service at that URL
    407: Refused,  # proxy authentication
    408: Transient,
    429: Transient,  # rate limited: retried after Retry-After (capped)
}

# Errors without an HTTP status, first match wins; anything else (KeyError, TypeError... from
# reading an unexpected shape) is a BadReply.
FAULT_BY_ERROR: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], type[ServiceFault]], ...] = (
    (GeocoderRateLimited, Transient),
    ((GeocoderAuthenticationFailure, GeocoderInsufficientPrivileges, GeocoderQuotaExceeded), Refused),  # GeoNames
    ((GeocoderParseError, GeocoderQueryError), BadReply),  # not JSON; Nominatim's {"error": ...} in a 200
    ((GeocoderTimedOut, GeocoderUnavailable, TimeoutError), Transient),
    (GeopyError, Transient),  # e.g. "Unable to read the response"
)

_SECRET_VALUE = re.compile(r"\b((?:username|password|key|api_key|apikey|token|access_token)=)[^&\s'\"]+", re.IGNORECASE)
_UNREACHABLE_ERRNOS = {errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN,
                       errno.EADDRNOTAVAIL, errno.EHOSTDOWN}


def classify(exc: BaseException) -> ServiceFault:
    """Map whatever geopy (or its parsing of a bad reply) raised to one of our fault types."""
    if isinstance(exc, ServiceFault):
        return exc
    status = http_status(exc)
    if status is not None:
        kind = FAULT_BY_STATUS.get(status, Transient if status >= 500 else BadQuery)
    elif unreachable_reason(exc):
        kind = Unreachable
    else:
        kind = next((fault for error, fault in FAULT_BY_ERROR if isinstance(exc, error)), BadReply)
    return kind(describe(exc), retry_after=getattr(exc, "retry_after", None))


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


def http_status(exc: BaseException) -> int | None:
    """The HTTP status the service answered with, if the error comes from one."""
    for err in _causes(exc):
        if isinstance(err, AdapterHTTPError):
            return err.status_code
    return None


def describe(exc: BaseException) -> str:
    """A short reason for a message: 'connection refused', 'HTTP 503', 'timed out'..."""
    reason = unreachable_reason(exc)
    if reason:
        return reason
    status = http_status(exc)
    if status is not None:
        return f"HTTP {status}"
    if isinstance(exc, GeocoderTimedOut):
        return "timed out"
    if isinstance(exc, GeocoderParseError):
        return "malformed reply (not JSON)"
    text = redact(f"{type(exc).__name__}: {exc}")
    return text if len(text) <= 160 else text[:157] + "..."


def redact(text: str) -> str:
    """`text` (a URL, a message) without credentials in query strings (GeoNames sends the username)."""
    return _SECRET_VALUE.sub(r"\1***", text)
