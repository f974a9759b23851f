"""Mentions over time: the store's counts per publication day gathered into the bars of a timeline,
and the same counts as a static HTML block for the exported map.

The rule: one bar per day while the days with mentions span at most `DAILY_MAX_SPAN_DAYS` days
(first to last), else one bar per week (ISO weeks, Monday to Sunday), so a long span stays a
readable number of bars. Mentions with no publication day (undated articles, or a date with no
day such as "2019-02") are counted apart: they have no place on the axis."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

DAILY_MAX_SPAN_DAYS = 120
Unit = Literal["day", "week"]


@dataclass(frozen=True)
class Bucket:
    """One bar: the mentions published from `first` to `last` (both included)."""

    first: date
    last: date
    mentions: int


@dataclass(frozen=True)
class Timeline:
    unit: Unit
    buckets: tuple[Bucket, ...]
    undated: int  # mentions with no publication day, not on the axis

    @property
    def dated(self) -> int:
        return sum(b.mentions for b in self.buckets)

    @property
    def heading(self) -> str:
        return "Mentions per day" if self.unit == "day" else "Mentions per week (Monday to Sunday)"

    def span(self, lo: date, hi: date) -> tuple[date, date]:
        """The date filter for a range selected on the chart: from the first day of the day (or week) where
        the selection starts to the last day of the one where it ends."""
        lo, hi = min(lo, hi), max(lo, hi)
        return bucket_start(lo, self.unit), bucket_start(hi, self.unit) + _length(self.unit) - timedelta(days=1)

    def label(self, bucket: Bucket) -> str:
        """"2019-02-17", or "2019-02-11 to 2019-02-17" for a week."""
        first = bucket.first.isoformat()
        return first if self.unit == "day" else f"{first} to {bucket.last.isoformat()}"


def _length(unit: Unit) -> timedelta:
    return timedelta(days=1 if unit == "day" else 7)


def bucket_start(day: date, unit: Unit) -> date:
    return day if unit == "day" else day - timedelta(days=day.weekday())


def timeline(day_counts: Iterable[tuple[str | None, int]]) -> Timeline:
    """The bars for `(day, mentions)` rows (`Store.mentions_per_day`: ISO days, None for no day)."""
    days: Counter[date] = Counter()
    undated = 0
    for day, count in day_counts:
        if day is None:
            undated += count
        else:
            days[date.fromisoformat(day)] += count
    if not days:
        return Timeline("day", (), undated)
    unit: Unit = "week" if (max(days) - min(days)).days > DAILY_MAX_SPAN_DAYS else "day"
    bars: Counter[date] = Counter()
    for day, count in days.items():
        bars[bucket_start(day, unit)] += count
    step = _length(unit) - timedelta(days=1)
    return Timeline(unit, tuple(Bucket(first, first + step, n) for first, n in sorted(bars.items())), undated)


# -- the exported map's copy: a box in its top right corner (zoom top left, legend bottom right) ---------

CHART_WIDTH, CHART_HEIGHT = 300, 60
BOX_STYLE = ("position:fixed;right:10px;top:10px;z-index:1000;max-width:340px;background:rgba(255,255,255,.94);"
             "border:1px solid #bbb;border-radius:4px;padding:4px 8px;font:12px/1.4 sans-serif;color:#222")


def undated_note(tl: Timeline) -> str:
    return f"{tl.undated} mention(s) with no publication day are not on the timeline." if tl.undated else ""


def static_html(tl: Timeline) -> str:
    """A box for the exported map: the bars as an inline SVG (no script) and the counts as a table. Every
    value passes `html.escape`, though only dates and numbers reach it."""
    summary = html.escape(f"{tl.heading}: {tl.dated} dated" + (f", {tl.undated} undated" if tl.undated else ""))
    if not tl.buckets:
        return f"<div class='gd-timeline' style='{BOX_STYLE}'>{summary}</div>"
    rows = "".join(f"<tr><td>{html.escape(tl.label(b))}</td><td style='text-align:right'>{b.mentions}</td></tr>"
                   for b in tl.buckets)
    note = html.escape(undated_note(tl))
    return (f"<details class='gd-timeline' open style='{BOX_STYLE}'><summary>{summary}</summary>{_svg(tl)}"
            f"<div style='max-height:160px;overflow:auto'><table style='border-collapse:collapse;width:100%'>"
            f"<tr><th style='text-align:left'>{html.escape(tl.unit)}</th><th style='text-align:right'>mentions"
            f"</th></tr>{rows}</table></div><div style='color:#555'>{note}</div></details>")


def _svg(tl: Timeline) -> str:
    """Bars on a time axis from the first bucket to the last, each with its count as a tooltip."""
    start, end = tl.buckets[0].first, tl.buckets[-1].last + timedelta(days=1)
    days = (end - start).days
    top = max(b.mentions for b in tl.buckets)
    bars = []
    for b in tl.buckets:
        x = (b.first - start).days / days * CHART_WIDTH
        width = ((b.last - b.first).days + 1) / days * CHART_WIDTH
        height = max(b.mentions / top * (CHART_HEIGHT - 2), 1)
        bars.append(f"<rect x='{x:.1f}' y='{CHART_HEIGHT - height:.1f}' width='{max(width - 1, 1):.1f}' "
                    f"height='{height:.1f}' fill='#4c78a8'><title>{html.escape(tl.label(b))}: {b.mentions}"
                    "</title></rect>")
    axis = (f"<div style='display:flex;justify-content:space-between;color:#555'><span>"
            f"{html.escape(start.isoformat())}</span><span>{html.escape(tl.buckets[-1].last.isoformat())}</span></div>")
    return (f"<svg width='{CHART_WIDTH}' height='{CHART_HEIGHT}' viewBox='0 0 {CHART_WIDTH} {CHART_HEIGHT}' "
            f"role='img' aria-label='mentions over time'>{''.join(bars)}</svg>{axis}")
