"""A folder of French, English and German reports ingested by the CLI, shown in Chromium: the French and
English places are on the map, the German report is stored but not geoparsed, and the Languages filter
(`?lang=`) narrows the map to one language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geodata.store import Filters, Store
from tests.browser.conftest import dashboard_over, open_options
from tests.browser.test_dashboard import TIMEOUT_MS, map_frame, settle, wait_markers
from tests.conftest import copy_sqlite, run_cli

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixtures then skip, or fail when CI=true
    expect = None

FOLDER = {
    "mali.txt": "---\ntitle: Attaque près de Tombouctou\npublished: 2024-03-02\n---\n"
                "Des jihadistes ont attaqué un camp militaire près de Tombouctou, dans le nord du Mali, "
                "a indiqué l'armée malienne. Les renforts sont partis de Gao et de Bamako.\n",
    "syria.txt": "---\ntitle: Shelling near Idlib\npublished: 2024-03-01\n---\n"
                 "Shelling was reported near Idlib and Aleppo on Monday, in northwest Syria, "
                 "a monitor said. Civilians fled towards the Turkish border.\n",
    "berlin.txt": "---\ntitle: Demonstration in Berlin\npublished: 2024-03-03\n---\n"
                  "In Berlin haben am Samstag Tausende Menschen gegen den Krieg demonstriert, teilte die "
                  "Polizei mit. Auch in Hamburg und München gingen viele auf die Straße.\n",
}


@pytest.fixture(scope="module")
def languages_home(tmp_path_factory: pytest.TempPathFactory, home: Path, gazetteer) -> Path:
    """GEODATA_HOME whose store holds the mixed folder, ingested as a user does (`python -m geodata ingest`)."""
    path = tmp_path_factory.mktemp("languages-home")
    copy_sqlite(home / "gazetteer.sqlite", path / "gazetteer.sqlite")
    folder = path / "reports"
    folder.mkdir()
    for name, text in FOLDER.items():
        (folder / name).write_text(text, encoding="utf-8")
    done = run_cli("ingest", str(folder), home=path, timeout=600)
    assert done.returncode == 0, done.stderr
    assert re.search(r"berlin\.txt.*language de: not geoparsed", done.stdout + done.stderr), done.stderr
    return path


@pytest.fixture(scope="module")
def store(languages_home: Path) -> Iterator[Store]:
    db = Store(languages_home / "store.sqlite", readonly=True)
    yield db
    db.close()


@pytest.fixture(scope="module")
def dashboard(languages_home: Path, chromium_browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with dashboard_over(languages_home, tmp_path_factory) as url:
        yield url


def test_a_mixed_folder_is_mapped_and_filtered_by_language(dashboard: str, offline_page: Any, store: Store,
                                                           artifacts_dir: Path) -> None:
    languages = dict(zip(store.articles().doc_id, store.articles().language))
    assert languages == {"mali": "fr", "syria": "en", "berlin": "de"}
    french = set(store.place_summary(Filters(languages=("fr",))).place_id)
    english = set(store.place_summary(Filters(languages=("en",))).place_id)
    names = set(store.place_summary(Filters(languages=("fr",))).name)
    assert {"Mali", "Gao", "Bamako"} <= names and any("Tombouctou" in n or "Timbuktu" in n for n in names), names
    assert {"Idlib", "Syria"} <= set(store.place_summary(Filters(languages=("en",))).name)
    assert store.place_summary(Filters(languages=("de",))).empty  # stored, not geoparsed
    page = offline_page
    page.goto(dashboard)
    wait_markers(page, french | english)

    open_options(page, page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").filter(has_text="Languages"))
    page.get_by_role("option", name=re.compile(r"French")).click()
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(r"[?&]lang=fr"), timeout=TIMEOUT_MS)
    wait_markers(page, french)
    expect(page.get_by_text(f"{len(french)} place(s),")).to_be_visible(timeout=TIMEOUT_MS)
    settle(page, map_frame(page))
    page.screenshot(path=artifacts_dir / "languages_french.png")

    page.goto(f"{dashboard}/?lang=en")
    wait_markers(page, english)
