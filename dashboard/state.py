"""The dashboard's view state <-> URL query parameters, so a view can be bookmarked and shared."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import fields
from urllib.parse import urlencode

from geodata.filters import Filters

LIST_PARAMS = {"places": "place", "articles": "article", "countries": "country", "kinds": "kind",
               "languages": "lang"}
FILTER_PARAMS = (*LIST_PARAMS.values(), "min_conf", "from", "to", "demonyms", "undated")
"""Every URL parameter the filters own (the others: `selected`, `doc`, `tab`)."""
_ID_RE = re.compile(r"[0-9]{1,18}")


def as_id(value: str | None) -> int | None:
    """A row id from a URL parameter: ASCII digits only (`str.isdigit` accepts "²", which `int` refuses)."""
    return int(value) if value and _ID_RE.fullmatch(value) else None


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
    if min_conf != min_conf:  # NaN
        min_conf = 0.0
    return Filters(
        places=tuple(values("place")),
        articles=tuple(i for i in map(as_id, values("article")) if i is not None),
        countries=tuple(values("country")),
        kinds=tuple(values("kind")),
        languages=tuple(values("lang")),
        min_confidence=min_conf,
        date_from=first("from"),
        date_to=first("to"),
        demonyms=first("demonyms") != "0",
        undated=first("undated") != "0",
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
    if not filters.undated:
        out["undated"] = "0"
    return out


def url_changes(current: Mapping[str, list[str]], filters: Filters) -> tuple[dict[str, list[str] | str], list[str]]:
    """What to set and which filter parameters to delete so the URL shows `filters`; other parameters stay."""
    wanted = params_from_filters(filters)
    to_set = {k: v for k, v in wanted.items()
              if list(current.get(k, [])) != (v if isinstance(v, list) else [v])}
    to_delete = [k for k in FILTER_PARAMS if k in current and k not in wanted]
    return to_set, to_delete


def link(params: Mapping[str, list[str]], **changes: str | None) -> str:
    """A relative link (`?a=1&b=2`) to this view with some parameters changed (None removes one)."""
    merged: dict[str, list[str]] = {k: list(v) for k, v in params.items()}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = [value]
    return "?" + urlencode(merged, doseq=True)
