"""The CLI (and the concurrent workers) as real subprocesses whose output goes to files; a kill at the
right moment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import ROOT


@dataclass
class Finished:
    returncode: int
    stderr: str
    stdout: str
    seconds: float


class Running:
    """A `python -m geodata ...` (or worker) subprocess whose output goes to files, never a full pipe."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], log_dir: Path,
                 preexec_fn: Callable[[], None] | None = None):
        log_dir.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=log_dir, prefix="run-", suffix=".err")
        os.close(handle)
        self.err_path, self.out_path = Path(name), Path(name[:-4] + ".out")
        self.started = time.monotonic()
        with self.out_path.open("w") as out, self.err_path.open("w") as err:
            self.proc = subprocess.Popen(list(argv), cwd=ROOT, env=env, stdout=out, stderr=err,
                                         preexec_fn=preexec_fn)

    def running(self) -> bool:
        return self.proc.poll() is None

    def stderr(self) -> str:
        return self.err_path.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        if self.running():
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def finish(self, timeout: float = 300) -> Finished:
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        return Finished(self.proc.returncode, self.stderr(), self.out_path.read_text(encoding="utf-8"),
                        time.monotonic() - self.started)


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "GEODATA_HOME": str(home), "GEODATA_OFFLINE": "1", "PYTHONUNBUFFERED": "1", **extra}


def start_cli(*args: str, home: Path, log_dir: Path, env: dict[str, str] | None = None,
              preexec_fn: Callable[[], None] | None = None) -> Running:
    return Running([sys.executable, "-m", "geodata", *args], cli_env(home, **(env or {})), log_dir, preexec_fn)


def cli(*args: str, home: Path, log_dir: Path, env: dict[str, str] | None = None,
        preexec_fn: Callable[[], None] | None = None, timeout: float = 300) -> Finished:
    return start_cli(*args, home=home, log_dir=log_dir, env=env, preexec_fn=preexec_fn).finish(timeout)


def kill_when(run: Running, ready: Callable[[], bool], timeout: float = 120, interval: float = 0.01) -> bool:
    """SIGKILL `run` as soon as `ready()`; False if it ended (or the time ran out) first."""
    deadline = time.monotonic() + timeout
    while run.running() and time.monotonic() < deadline:
        if ready():
            run.kill()
            return True
        time.sleep(interval)
    run.kill()
    return False
