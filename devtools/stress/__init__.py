"""`make stress`: bad input, injected faults and concurrent writers against the real CLI and store.

Every scenario runs real subprocesses on real files and SQLite databases, then checks what was
stored. The table at the end counts the inputs tried, the faults injected, the concurrent writers and
operations held, and the records lost or corrupted, which must be 0 (the exit code is 1 otherwise,
or when a fault was not reported clearly). tests/test_reliability.py and tests/test_concurrency.py
run the same scenarios through these helpers.

The scenarios: `scenarios_damage` (bad input, killed processes, damaged files), `scenarios_hostile`
(read-only folders, full disks, hostile text), `scenarios_concurrency`. What they build on: `inputs`,
`processes`, `faults`, `checks`, `outcome`.

    python -m devtools.stress                               # everything, in a temporary GEODATA_HOME (make stress)
    python -m devtools.stress worker correct|read ...       # one concurrent worker (started by `concurrent`)
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout: subprocesses run here
