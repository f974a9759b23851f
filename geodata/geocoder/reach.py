"""Whether the online geocoder's service can be reached now, without a lookup: a TCP connection to its
host (or to the proxy that would carry the request), bounded in time. For a status line (the dashboard's
sidebar checks now and then, never on every page); a parse learns it from its own lookups instead."""

from __future__ import annotations

import socket
import threading
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

from ..config import Settings
from .errors import GeocoderConfigError, unreachable_reason
from .providers import provider_for
from .service import RequestLog, build_service

PROBE_TIMEOUT_S = 1.5  # longest a check may take, DNS included: a status line must not hold up a page
DEFAULT_PORTS = {"http": 80, "https": 443}


def service_address(settings: Settings) -> tuple[str, int]:
    """Host and port a lookup connects to: the configured service's (`GEODATA_GEOCODER_URL`, else the
    provider's own), or its proxy's. Raises `GeocoderConfigError` when the service cannot be set up."""
    service = build_service(provider_for(settings.geocoder.strip().lower()), settings, RequestLog())
    url = urlsplit(str(getattr(service, "api", "") or ""))
    if not url.hostname:
        raise GeocoderConfigError(f"no address known for geocoder {settings.geocoder!r}")
    proxy = getproxies().get(url.scheme)
    if proxy and not proxy_bypass(url.hostname) and getattr(service, "proxies", None) != {}:
        url = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    return url.hostname or "", url.port or DEFAULT_PORTS.get(url.scheme, 443)


def unreachable(settings: Settings, timeout: float = PROBE_TIMEOUT_S) -> str | None:
    """Why the geocoder cannot be reached now ("connection refused", "cannot resolve the host name...",
    "no answer within 1.5 s", a setup problem), or None when a connection opened. Sends no request; returns
    within `timeout` (a host name lookup that hangs is left to finish in a daemon thread)."""
    try:
        address = service_address(settings)
    except GeocoderConfigError as exc:
        return str(exc)
    outcome: list[str | None] = []

    def connect() -> None:
        try:
            socket.create_connection(address, timeout=timeout).close()
            outcome.append(None)
        except OSError as exc:
            outcome.append(unreachable_reason(exc) or (exc.strerror or str(exc) or type(exc).__name__).lower())

    thread = threading.Thread(target=connect, name="geocoder-probe", daemon=True)
    thread.start()
    thread.join(timeout)
    return outcome[0] if outcome else f"no answer within {timeout:g} s"
