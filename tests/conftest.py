"""Shared fixtures: one real gazetteer built per test session, the real spaCy model, real stores."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from devtools.stress.checks import copy_sqlite  # noqa: F401  (shared with the stress script)
from geodata.config import Settings

ROOT = Path(__file__).resolve().parents[1]
SEED = next((ROOT / "seeds").glob("*.txt"))
IN_CI = os.environ.get("CI", "").lower() == "true"
pytest_plugins = ["tests.apptest"]  # the dashboard's AppTest fixtures, for every module that drives the app


def require(condition: bool, why: str) -> None:
    """Skip locally when something external is missing; in CI that is a failure."""
    if not condition:
        if IN_CI:
            pytest.fail(f"{why} (CI=true: missing dependencies fail, not skip)")
        pytest.skip(why)


@pytest.fixture(scope="session")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory whose gazetteer is built once for the whole session."""
    path = tmp_path_factory.mktemp("geodata-home")
    from geodata.gazetteer import open_gazetteer

    open_gazetteer(path / "gazetteer.sqlite").close()
    return path


@pytest.fixture(scope="session")
def settings(home: Path) -> Settings:
    return Settings(home=home, offline=True)


@pytest.fixture(scope="session")
def gazetteer(settings: Settings):
    from geodata.gazetteer import open_gazetteer

    return open_gazetteer(settings.gazetteer_path)


@pytest.fixture(scope="session")
def pipeline(settings: Settings, gazetteer):
    try:
        import spacy

        spacy.load(settings.model)
    except OSError:
        require(False, f"spaCy model {settings.model} is not installed")
    from geodata.pipeline import Pipeline

    return Pipeline(settings, gazetteer=gazetteer)


def foreign_sqlite(path: Path) -> bytes:
    """An SQLite file of some other application; returns its bytes to compare after."""
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.commit()
    conn.close()
    return path.read_bytes()


def run_cli(*args: str, home: Path, input_text: str | None = None, env: dict[str, str] | None = None,
            timeout: float = 300, preexec_fn=None) -> subprocess.CompletedProcess[str]:
    """`python -m geodata ARGS` in a subprocess, as a user runs it (`preexec_fn`: a fault to inject)."""
    full_env = {**os.environ, "GEODATA_HOME": str(home), "GEODATA_OFFLINE": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "geodata", *args], cwd=ROOT, env=full_env, input=input_text,
                          capture_output=True, text=True, timeout=timeout, preexec_fn=preexec_fn)


@contextmanager
def local_dask(workers: int) -> Iterator[Any]:
    """A `distributed.Client` of a real LocalCluster: `workers` single-threaded processes on loopback."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client
