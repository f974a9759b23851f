"""Concurrent use (issue 6): dashboard sessions correcting and reading while the CLI ingests, as real
processes on one SQLite store (WAL, busy timeout). The scenario is `make stress`'s
(devtools/stress/scenarios_concurrency.py), smaller."""

from __future__ import annotations

from devtools.stress.checks import store_problems
from devtools.stress.scenarios_concurrency import scenario_concurrent, scenario_first_open


def test_two_correcting_sessions_a_reader_and_a_cli_ingest_at_once_lose_nothing(home, tmp_path):
    out = scenario_concurrent(home, tmp_path, articles=60, writers=2, min_ops=60, seconds=60)
    facts = out.facts
    assert facts["errors"] == [] and "database is locked" not in facts["stderr"]
    assert "Traceback" not in facts["stderr"]
    assert facts["elapsed"] < 60
    # every article exactly once
    assert facts["doc_ids"] == sorted(f"c{i}" for i in range(60))
    # every correction kept as made, every undo kept, and the last word on each key is the active one
    assert facts["corrections"] >= 120 and facts["undos"] > 0 and facts["rows"] == facts["corrections"]
    assert facts["lost_corrections"] == [] and facts["lost_undos"] == [] and facts["latest_not_active"] == []
    assert facts["reads"] > 0
    assert out.failures == [] and (out.lost, out.corrupted) == (0, 0)


def test_sessions_opening_a_new_store_at_the_same_moment_all_get_it(tmp_path):
    """The first run: dashboard sessions and the CLI create the store together. The schema is made in
    one transaction, so no opener sees a half-made file and refuses it as another application's."""
    out = scenario_first_open(tmp_path, trials=50, openers=6)
    assert out.facts["errors"] == []
    assert all(store_problems(path) == [] for path in tmp_path.glob("new-*.sqlite"))
