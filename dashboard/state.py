"""The dashboard's view state <-> URL query parameters, so a view can be bookmarked and shared."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields

from geodata.store import Filters

LIST_PARAMS = {"places": "place", "articles": "article", "countries": "country", "kinds": "kind"}


def filters_from_params(params: Mapping[str, list[str]]) -> Filters:
    """Filters from `st.query_params.to_dict()`-like data (each key -> list of values); bad values are ignored."""
    def values(key: str) -> list[str]:
        return [v for v in params.get(key, []) if v]

    def first(key: str) -> str | None:
        found = values(key)
        return found[0] if found else None

    try:
        min_conf = min(max(float(first("min_conf") or 0.0), 0.0), 1.0)
    except ValueError:
        min_conf = 0.0
    return Filters(
        places=tuple(values("place")),
        articles=tuple(int(v) for v in values("article") if v.isdigit()),
        countries=tuple(values("country")),
        kinds=tuple(values("kind")),
        min_confidence=min_conf,
        date_from=first("from"),
        date_to=first("to"),
        demonyms=first("demonyms") != "0",
    )


def params_from_filters(filters: Filters) -> dict[str, list[str] | str]:
    """Only what differs from the defaults, so plain URLs stay plain."""
    out: dict[str, list[str] | str] = {}
    for field in fields(Filters):
        if field.name in LIST_PARAMS and getattr(filters, field.name):
            out[LIST_PARAMS[field.name]] = [str(v) for v in getattr(filters, field.name)]
    if filters.min_confidence:
        out["min_conf"] = f"{filters.min_confidence:g}"
    if filters.date_from:
        out["from"] = filters.date_from
    if filters.date_to:
        out["to"] = filters.date_to
    if not filters.demonyms:
        out["demonyms"] = "0"
    return out
