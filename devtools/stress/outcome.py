"""A scenario's outcome (inputs, faults, lost, corrupted, failures) and the table `make stress` prints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Outcome:
    """One scenario's figures for the table, and the facts the tests assert on."""

    name: str
    inputs: int = 0
    faults: int = 0
    writers: int = 0
    ops: int = 0
    lost: int = 0
    corrupted: int = 0
    failures: list[str] = field(default_factory=list)  # a fault not reported clearly, a wrong exit code...
    facts: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.corrupted or self.failures)

    def expect(self, condition: bool, failure: str) -> None:
        if not condition:
            self.failures.append(failure)


def compare_stores(outcome: Outcome, got: dict[str, tuple], want: dict[str, tuple]) -> None:
    """Lost: articles of `want` missing in `got`; corrupted: stored differently or not wanted at all."""
    outcome.lost += len(want.keys() - got.keys())
    outcome.corrupted += sum(got[k] != want[k] for k in want.keys() & got.keys()) + len(got.keys() - want.keys())


def table(outcomes: Sequence[Outcome]) -> str:
    head = ("scenario", "inputs tried", "faults injected", "writers", "ops held", "lost", "corrupted", "result")
    rows = [(o.name, o.inputs, o.faults, o.writers, o.ops, o.lost, o.corrupted,
             "skipped" if o.facts.get("skipped") else "ok" if o.ok else "FAILED") for o in outcomes]
    total = ("total", sum(o.inputs for o in outcomes), sum(o.faults for o in outcomes),
             max((o.writers for o in outcomes), default=0), sum(o.ops for o in outcomes),
             sum(o.lost for o in outcomes), sum(o.corrupted for o in outcomes),
             "ok" if all(o.ok for o in outcomes) else "FAILED")
    cells = [tuple(str(c) for c in r) for r in [head, *rows, total]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(head))]
    line = "| " + " | ".join("{:<%d}" % w if i == 0 else "{:>%d}" % w for i, w in enumerate(widths)) + " |"
    rule = "|" + "|".join(("-" * (w + 2)) if i == 0 else ("-" * (w + 1) + ":") for i, w in enumerate(widths)) + "|"
    return "\n".join([line.format(*cells[0]), rule, *(line.format(*r) for r in cells[1:])])
