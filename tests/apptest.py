"""The harness of the dashboard's AppTest tests: a data directory per test (`make_home`, `seeded`), a fresh
app session (`fresh_app`), and readers of what the app drew. A pytest plugin (`tests/conftest.py`), so its
fixtures serve every test module that drives the app.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from devtools.stress.checks import copy_sqlite
from geodata.documents import load_paths
from geodata.store import Filters, Store

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboard" / "app.py"
BAGHOUZ = "cache:al-baghuz-fawqani"
# What the parser finds in the seed changes as it improves: the tests compare the app with the store,
# and check only the few facts every version must get right.
RUN_TIMEOUT = 60
INGEST_TIMEOUT = 240  # loads the spaCy model


@pytest.fixture(scope="session")
def gazetteer_file(home: Path, gazetteer) -> Path:
    return home / "gazetteer.sqlite"


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory, pipeline) -> Path:
    """A store holding the seed article, parsed once per session."""
    path = tmp_path_factory.mktemp("seeded") / "store.sqlite"
    store = Store(path)
    report = store.add_all(pipeline.parse(load_paths([ROOT / "seeds"]).documents))
    store.close()
    assert report.added == 1
    return path


@pytest.fixture
def make_home(tmp_path: Path, gazetteer_file: Path, monkeypatch: pytest.MonkeyPatch):
    """`make_home(store=None)`: a data directory for the app (GEODATA_HOME set, caches cleared)."""
    def make(store: Path | None = None) -> Path:
        home = tmp_path / "home"
        home.mkdir()
        copy_sqlite(gazetteer_file, home / "gazetteer.sqlite")
        if store is not None:
            copy_sqlite(store, home / "store.sqlite")
        monkeypatch.setenv("GEODATA_HOME", str(home))
        monkeypatch.setenv("GEODATA_OFFLINE", "1")
        monkeypatch.delenv("GEODATA_SEEDS", raising=False)
        return home
    return make


@pytest.fixture(autouse=True)
def keep_main_module():
    """Streamlit's script runner installs the app as `sys.modules["__main__"]` and leaves it there; a
    process spawned later in the session (Dask's workers) would then run the app as its main module."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


def fresh_app(**params: str | list[str]) -> AppTest:
    """A new browser session on a freshly started server (the app's caches are per process)."""
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(APP), default_timeout=RUN_TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at


@pytest.fixture
def seeded(make_home, seeded_store: Path) -> Path:
    return make_home(seeded_store)


def ok(at: AppTest, timeout: float | None = None) -> AppTest:
    at.run(timeout=timeout)
    assert not at.exception, [e.value for e in at.exception]
    return at


def expected(home: Path, **filters) -> tuple[set[str], str]:
    """The place names and the caption the app must show for these filters, from the store itself."""
    store = Store(home / "store.sqlite")
    places, mentions = store.place_summary(Filters(**filters)), store.mentions(Filters(**filters))
    store.close()
    return set(places.name), f"{len(places)} place(s), {len(mentions)} mention(s)"


def caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if "place(s)," in c.value)


def table_names(at: AppTest) -> set[str]:
    return set(at.dataframe[0].value["name"])


def widget(elements, label: str):
    found = [w for w in elements if w.label == label]
    assert found, f"no widget labelled {label!r} among {[w.label for w in elements]}"
    return found[0]


def html_text(at: AppTest) -> str:
    return "\n".join(h.value for h in at.get("html"))


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def notices(block, kind: str) -> list[str]:
    """The texts of the app's message boxes of one kind (`dashboard.ui.notice`) in `block`, unescaped."""
    found = []
    for element in block.get("html"):
        box = re.fullmatch(r"<div class='gd-notice gd-(\w+)' role='\w+'>(.*)</div>", element.value, re.S)
        if box and box.group(1) == kind:
            found.append(html.unescape(box.group(2)))
    return found
