"""The timeline: mentions per publication day counted by the store (with the filters), gathered into days
or weeks (`geodata.timeline`), and the same counts in the exported HTML map."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from geodata.documents import load_paths, read_bytes
from geodata.store import Filters, Store
from geodata.timeline import DAILY_MAX_SPAN_DAYS, Bucket, timeline
from tests.conftest import ROOT, copy_sqlite, run_cli

SEED_DAY = "2019-02-17"  # a Sunday: its week starts on Monday 2019-02-11
ARTICLES = [  # (doc id, published, text); the day each one counts under, None when it has none
    ("paris", "2019-02-18", "Ministers met in Paris on Monday, then flew to Berlin."),
    ("cairo", "2019-02-18T09:30:00Z", "Floods hit Cairo and Alexandria overnight."),
    ("madrid", None, "Talks in Madrid ended without a deal."),
    ("lisbon", "2019-03", "Protests in Lisbon went on for a week."),
    ("athens", "2019-07-01", "Fires burned near Athens for a second day."),
]
DAY_OF = {"seed": SEED_DAY, "paris": "2019-02-18", "cairo": "2019-02-18", "madrid": None, "lisbon": None,
          "athens": "2019-07-01"}


@pytest.fixture(scope="module")
def timeline_store(tmp_path_factory: pytest.TempPathFactory, pipeline) -> Path:
    path = tmp_path_factory.mktemp("timeline") / "store.sqlite"
    docs = load_paths([ROOT / "seeds"]).documents
    lines = [json.dumps({"id": i, "published": p, "text": t} if p else {"id": i, "text": t}) for i, p, t in ARTICLES]
    docs += read_bytes("dated.jsonl", "\n".join(lines).encode()).documents
    store = Store(path)
    assert store.add_all(pipeline.parse(docs)).added == 6
    store.close()
    return path


@pytest.fixture
def store(timeline_store: Path) -> Store:
    db = Store(timeline_store)
    yield db
    db.close()


def expected_per_day(store: Store, filters: Filters = Filters()) -> Counter:
    """The mentions the store lists for these filters, counted by the day each test article was given."""
    mentions = store.mentions(filters)
    doc_ids = dict(zip(store.articles().id, store.articles().doc_id))
    return Counter(DAY_OF["seed" if doc_ids[a].startswith("afp-") else doc_ids[a]] for a in mentions.article_id)


def test_the_store_counts_mentions_per_day_with_the_filters(store: Store) -> None:
    per_day = store.mentions_per_day()
    assert [day for day, _ in per_day] == [None, SEED_DAY, "2019-02-18", "2019-07-01"]  # one row a day
    assert dict(per_day) == expected_per_day(store)
    assert sum(n for _, n in per_day) == store.totals()[0]
    undated = dict(per_day)[None]
    assert undated >= 2  # Madrid (no date) and Lisbon (a month, no day)

    feb18 = Filters(date_from="2019-02-18", date_to="2019-02-18")
    assert dict(store.mentions_per_day(feb18)) == expected_per_day(store, feb18)
    assert {d for d, _ in store.mentions_per_day(feb18)} == {"2019-02-18", None}  # undated included by default
    assert [d for d, _ in store.mentions_per_day(Filters(date_from="2019-02-18", date_to="2019-02-18",
                                                         undated=False))] == ["2019-02-18"]
    paris = store.place_summary().set_index("name").loc["Paris"]
    assert store.mentions_per_day(Filters(places=(paris.place_id,))) == [("2019-02-18", int(paris.mentions))]
    assert store.mentions_per_day(Filters(kinds=("site",), places=(paris.place_id,))) == []


def test_a_long_span_is_counted_per_week_from_monday(store: Store) -> None:
    per_day = dict(store.mentions_per_day())
    tl = timeline(store.mentions_per_day())  # 2019-02-17 to 2019-07-01: 134 days
    assert tl.unit == "week"
    assert tl.buckets == (
        Bucket(date(2019, 2, 11), date(2019, 2, 17), per_day[SEED_DAY]),
        Bucket(date(2019, 2, 18), date(2019, 2, 24), per_day["2019-02-18"]),
        Bucket(date(2019, 7, 1), date(2019, 7, 7), per_day["2019-07-01"]),
    )
    assert tl.undated == per_day[None] and tl.dated + tl.undated == store.totals()[0]
    assert tl.label(tl.buckets[0]) == "2019-02-11 to 2019-02-17"
    # A range dragged across the chart covers whole weeks; within a short span, whole days.
    assert tl.span(date(2019, 2, 20), date(2019, 2, 12)) == (date(2019, 2, 11), date(2019, 2, 24))

    february = timeline(store.mentions_per_day(Filters(date_to="2019-02-28", undated=False)))
    assert february.unit == "day" and february.undated == 0
    assert [(b.first, b.last, b.mentions) for b in february.buckets] == [
        (date(2019, 2, 17), date(2019, 2, 17), per_day[SEED_DAY]),
        (date(2019, 2, 18), date(2019, 2, 18), per_day["2019-02-18"])]
    assert february.span(date(2019, 2, 18), date(2019, 2, 17)) == (date(2019, 2, 17), date(2019, 2, 18))


def test_days_become_weeks_past_the_span_rule() -> None:
    first = date(2020, 1, 1)
    last_daily = date.fromordinal(first.toordinal() + DAILY_MAX_SPAN_DAYS)
    daily = timeline([(first.isoformat(), 2), (last_daily.isoformat(), 3), (None, 4)])
    assert daily.unit == "day" and [b.mentions for b in daily.buckets] == [2, 3] and daily.undated == 4
    weekly = timeline([(first.isoformat(), 2), (date.fromordinal(last_daily.toordinal() + 1).isoformat(), 3)])
    assert weekly.unit == "week" and weekly.buckets[0].first == date(2019, 12, 30)  # the Monday before
    assert timeline([(None, 5)]).buckets == () and timeline([]).dated == 0


def test_the_exported_map_carries_the_counts(timeline_store: Path, tmp_path: Path) -> None:
    db = copy_sqlite(timeline_store, tmp_path / "store.sqlite")
    out = tmp_path / "map.html"
    result = run_cli("export", "--db", str(db), "--html", str(out), home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    page = out.read_text()
    box = re.search(r"<details class='gd-timeline'.*?</details>", page, re.S).group(0)
    tl = timeline(Store(db).mentions_per_day())
    rows = re.findall(r"<tr><td>([^<]*)</td><td[^>]*>(\d+)</td></tr>", box)
    assert [(html.unescape(label), int(n)) for label, n in rows] == [(tl.label(b), b.mentions) for b in tl.buckets]
    assert f"{tl.undated} mention(s) with no publication day" in box
    assert box.count("<rect ") == len(tl.buckets)  # the static chart: one bar a week
    assert "<script" not in box and " on" not in box.replace(" on the", "")  # no script, no handlers
    assert page.index(box) > page.index("</head>")

    result = run_cli("export", "--db", str(db), "--html", str(out), "--from", "2019-02-18", "--to", "2019-02-18",
                     home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    box = re.search(r"<details class='gd-timeline'.*?</details>", out.read_text(), re.S).group(0)
    assert re.findall(r"<tr><td>([^<]*)</td>", box) == ["2019-02-18"]  # the filters reach the counts
