"""The timeline under the map: mentions per day (per week over a long span, see `geodata.timeline`) for the
current filters, drawn with Altair (Vega-Lite from Streamlit's own bundle: no internet needed). A range
dragged on it becomes the date filter: the sidebar's from/to widgets, which the URL follows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import partial

import altair as alt
import pandas as pd
import streamlit as st

from geodata.filters import Filters
from geodata.store import Store
from geodata.timeline import Timeline, timeline, undated_note

CHART_KEY = "timeline"  # + the date bounds: new bounds, a new chart with no brush left on it
BRUSH = "dates"  # the chart's interval selection, along X
X = "first"  # the field on the x axis: a bar's first day
HEIGHT = 130


def chart_frame(tl: Timeline) -> pd.DataFrame:
    """One row per bar; `stop` is the day after its last (a bar covers its whole day or week)."""
    return pd.DataFrame({
        X: [b.first.isoformat() for b in tl.buckets],
        "stop": [(b.last + timedelta(days=1)).isoformat() for b in tl.buckets],
        "mentions": [b.mentions for b in tl.buckets],
        "label": [tl.label(b) for b in tl.buckets],
    })


def chart(tl: Timeline) -> alt.Chart:
    """Bars on a UTC time axis (ISO days are UTC midnights to Vega, so a day never shifts with the
    browser's time zone) with an interval brush along it."""
    brush = alt.selection_interval(name=BRUSH, encodings=["x"])
    ticks = {"tickCount": {"interval": "day", "step": 1}} if tl.unit == "day" else {}  # no "12 PM" ticks
    return alt.Chart(chart_frame(tl)).mark_rect(color="#4c78a8", stroke="white", strokeWidth=0.5).encode(
        x=alt.X(f"{X}:T", title=None, scale=alt.Scale(type="utc"), axis=alt.Axis(**ticks)),
        x2="stop:T",
        y=alt.Y("mentions:Q", title="mentions", axis=alt.Axis(tickMinStep=1)),
        y2=alt.datum(0),
        tooltip=[alt.Tooltip("label:N", title=tl.unit), alt.Tooltip("mentions:Q")],
    ).add_params(brush).properties(height=HEIGHT)


def selected_day(value: object) -> date:
    """A brush end from Vega: milliseconds since the epoch (UTC), or an ISO date string."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return datetime.fromtimestamp(float(value) / 1000, tz=UTC).date()


def on_brush(key: str, tl: Timeline) -> None:
    """The brush moved: its days (or weeks) become the sidebar's date bounds. An emptied brush changes nothing."""
    state = st.session_state.get(key) or {}
    ends = (state.get("selection") or {}).get(BRUSH, {}).get(X) or []
    if len(ends) != 2:
        return
    first, last = tl.span(selected_day(ends[0]), selected_day(ends[1]))
    st.session_state["f_from"], st.session_state["f_to"] = first.isoformat(), last.isoformat()


def clear_dates() -> None:
    st.session_state["f_from"] = st.session_state["f_to"] = ""


def filtered_timeline(db: Store, filters: Filters) -> Timeline:
    return timeline(db.mentions_per_day(filters))


def timeline_view(db: Store, filters: Filters) -> None:
    """The chart and a caption saying what it counts and how many mentions have no day."""
    tl = filtered_timeline(db, filters)
    words = [f"{tl.heading}: {tl.dated} dated.", undated_note(tl)]
    if tl.buckets:
        words.append("Drag across the chart to set the dates.")
        key = f"{CHART_KEY}:{filters.date_from or ''}:{filters.date_to or ''}"
        st.altair_chart(chart(tl), key=key, on_select=partial(on_brush, key, tl), selection_mode=BRUSH,
                        width="stretch")
    else:
        words[0] = "No dated mention matches the filters."
    cols = st.columns([3, 1], vertical_alignment="center") if filters.date_from or filters.date_to else [st]
    cols[0].caption(" ".join(w for w in words if w))
    if len(cols) > 1:
        cols[1].button("Clear dates", on_click=clear_dates, key="timeline_clear_dates")
