"""`python -m devtools.stress` (make stress): every scenario in a temporary GEODATA_HOME, then the table;
`python -m devtools.stress worker correct|read ...`: one concurrent worker."""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from . import ROOT
from .checks import copy_sqlite
from .outcome import Outcome, table
from .scenarios_concurrency import scenario_concurrent, scenario_delete_while_reading, scenario_first_open, worker_main
from .scenarios_damage import (scenario_bad_inputs, scenario_damaged_files, scenario_gazetteer_build_kill,
                               scenario_geonames_kill, scenario_ingest_kill)
from .scenarios_hostile import (scenario_disk_full, scenario_export_disk_full, scenario_hostile_text,
                                scenario_read_only, scenario_read_only_home)


def prepare_home(work: Path) -> tuple[Path, int]:
    """A data directory with a current gazetteer (a copy of ./data's when there is one) and its place count."""
    from geodata.gazetteer import open_gazetteer

    home = work / "home"
    shipped = ROOT / "data" / "gazetteer.sqlite"
    if shipped.exists():
        copy_sqlite(shipped, home / "gazetteer.sqlite")
    gaz = open_gazetteer(home / "gazetteer.sqlite", progress=lambda m: print(m, file=sys.stderr))  # if stale
    places = gaz.count()
    gaz.conn.close()
    return home, places


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="geodata-stress-") as tmp:
        work = Path(tmp)
        home, places = prepare_home(work)
        steps: list[tuple[str, Callable[[Path], Outcome]]] = [
            ("bad-inputs", lambda w: scenario_bad_inputs(home, w)),
            ("hostile-text", lambda w: scenario_hostile_text(home, w)),
            ("ingest-kill", lambda w: scenario_ingest_kill(home, w, articles=80, kill_at=(3, 20, 45, 70))),
            ("gazetteer-kill", lambda w: scenario_gazetteer_build_kill(w, reference_places=places)),
            ("geonames-kill", lambda w: scenario_geonames_kill(home / "gazetteer.sqlite", w)),
            ("damaged", lambda w: scenario_damaged_files(home, w)),
            ("read-only", lambda w: scenario_read_only(home, w)),
            ("read-only-home", lambda w: scenario_read_only_home(home, w)),
            ("disk-full", lambda w: scenario_disk_full(home, w)),
            ("export-disk-full", lambda w: scenario_export_disk_full(home, w)),
            ("concurrent", lambda w: scenario_concurrent(home, w, articles=200, writers=3, min_ops=200)),
            ("first-open", lambda w: scenario_first_open(w, trials=300)),
            ("delete-reading", lambda w: scenario_delete_while_reading(home, w, articles=200, deletes=100)),
        ]
        outcomes = []
        for label, step in steps:
            t = time.monotonic()
            (work / label).mkdir()
            outcome = step(work / label)
            outcomes.append(outcome)
            status = "ok" if outcome.ok else "FAILED: " + "; ".join(outcome.failures)[:600]
            print(f"{label}: {time.monotonic() - t:.1f} s, {status}", file=sys.stderr, flush=True)
    print(table(outcomes))
    print(f"\n{time.monotonic() - started:.0f} s in all")
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        sys.exit(worker_main(sys.argv[2:]))
    sys.exit(main())
