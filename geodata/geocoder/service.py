"""The geopy geocoder for a provider name, set up from the settings, with an HTTP adapter that
counts its requests and never retries on its own."""

from __future__ import annotations

import inspect
import ipaddress
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit
from urllib.request import proxy_bypass

from geopy.adapters import BaseSyncAdapter, RequestsAdapter, URLLibAdapter
from geopy.exc import GeopyError
from geopy.geocoders import get_geocoder_for_service

from ..config import Settings
from .errors import GeocoderConfigError
from .providers import Provider


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
    """A geopy adapter that records each request and never retries on its own (`rate_limiter` does)."""
    base: type[BaseSyncAdapter] = RequestsAdapter if RequestsAdapter.is_available else URLLibAdapter
    extra: dict[str, Any] = {"max_retries": 0} if base is RequestsAdapter else {}

    class RecordingAdapter(base):  # type: ignore[valid-type, misc]
        def get_json(self, url: str, *, timeout: float, headers: dict[str, str]) -> Any:
            requests_log.record(url)
            return super().get_json(url, timeout=timeout, headers=headers)

    def make(**kwargs: Any) -> BaseSyncAdapter:
        return RecordingAdapter(**kwargs, **extra)

    return make


def _is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_options(url: str) -> dict[str, Any]:
    """geopy's `scheme` and `domain` (with any path) for a service URL; no proxy for a local one."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    options: dict[str, Any] = {"scheme": parts.scheme, "domain": parts.netloc + parts.path.rstrip("/")}
    if _is_local(parts.hostname or "") or proxy_bypass(parts.hostname or ""):
        options["proxies"] = {}  # a local server is never reached through a proxy
    return options


def build_service(provider: Provider, settings: Settings, requests_log: RequestLog) -> Any:
    """The geopy geocoder for `provider`; raises GeocoderConfigError if it cannot be set up."""
    try:
        cls = get_geocoder_for_service(provider.name)
    except GeopyError as exc:
        raise GeocoderConfigError(f"unknown geocoder {provider.name!r}: {exc}") from exc
    provider.check(settings)
    options: dict[str, Any] = {
        "user_agent": settings.geocoder_user_agent,
        "timeout": settings.geocoder_timeout,
        "adapter_factory": adapter_factory(requests_log),
    }
    if settings.geocoder_username is not None:
        options["username"] = settings.geocoder_username
    if settings.geocoder_url:
        options.update(_url_options(settings.geocoder_url.strip()))
    accepted = set(inspect.signature(cls).parameters)
    try:
        return cls(**{k: v for k, v in options.items() if k in accepted})
    except (GeopyError, TypeError, ValueError) as exc:
        raise GeocoderConfigError(f"cannot set up geocoder {provider.name!r}: {exc}") from exc
