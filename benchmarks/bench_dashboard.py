"""Section 5 of `make bench`: the dashboard in the real browser: `streamlit run` to the first map
painted, and a filter change to the map painted again, in Debian's Chromium driven by Playwright,
offline (every request off this machine is aborted), as in tests/browser/conftest.py."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import bench_common as common
from bench_common import Table, label_n, mb, ratio
from bench_ingest import run_ingest
from bench_maps import build_map_stores
from bench_workers import run_task, vm_hwm

if TYPE_CHECKING:
    from bench import Context

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
TIMEOUT_MS = 180_000

# Number of marker layers (client-side clusters and circle markers) on a st_folium map that is not
# marked as old; 0 while there is none. The component's iframe is same-origin, and its script sets
# `window.map`; a new map (a filter changed the figure) comes in a new iframe.
MARKERS_JS = """
() => {
    for (const frame of document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]')) {
        const w = frame.contentWindow;
        const m = w && w.map;
        if (!m || m.__benchOld || !w.L) continue;
        let n = 0;
        for (const layer of Object.values(m._layers)) {
            if (layer instanceof w.L.CircleMarker || (w.L.MarkerCluster && layer instanceof w.L.MarkerCluster)) n++;
        }
        if (n > 0) return n;
    }
    return 0;
}
"""
MARK_OLD_JS = """
() => {
    for (const frame of document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]')) {
        const w = frame.contentWindow;
        if (w && w.map) w.map.__benchOld = true;
    }
}
"""

FLOOR_APP = """
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geodata import assets, maps

st.set_page_config(page_title="floor", layout="wide")


@st.cache_resource
def outlines():
    return assets.country_outlines()


places = pd.DataFrame({"place_id": ["a", "b", "c"], "name": ["Paris", "Nairobi", "Sydney"],
                       "lat": [48.8566, -1.2864, -33.8688], "lon": [2.3522, 36.8172, 151.2093],
                       "country": ["FR", "KE", "AU"], "kind": ["populated place"] * 3,
                       "mentions": [3, 2, 1], "articles": [1, 1, 1]})
mentions = pd.DataFrame({"place_id": [], "title": [], "sentence": [], "sentence_start": [], "sentence_end": []})
m = maps.build_map(places, mentions, outlines())
assets.localize(m)
st_folium(m, key="map", height=560, use_container_width=True, returned_objects=["last_object_clicked_tooltip"])
"""


@dataclass
class Run:
    label: str
    first_paint: float | None = None  # s from `streamlit run` to markers on the map
    healthy: float | None = None  # s from `streamlit run` to the health endpoint answering
    markers: int = 0
    repaint: float | None = None  # s from the filter change to the new map's markers
    repaint_markers: int = 0
    vm_hwm: int | None = None  # bytes, peak RSS of the server process
    blocked: list[str] = field(default_factory=list)
    error: str | None = None


def floor_app(parent: Path) -> Path:
    """A minimal app: the same map component and base map with three markers (the framework's floor)."""
    folder = parent / "floor-app"
    folder.mkdir(parents=True, exist_ok=True)
    app = folder / "app.py"
    app.write_text(textwrap.dedent(FLOOR_APP))
    from geodata import assets

    assets.install_static(folder / "static")
    return app


class Browser:
    """One headless Chromium for every run (its start-up is not the dashboard's)."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        if not CHROMIUM.exists():
            raise RuntimeError(f"{CHROMIUM} is missing (apt-get install -y chromium)")
        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)

    def close(self) -> None:
        self.browser.close()
        self._pw.stop()

    def page(self, blocked: list[str]) -> tuple[Any, Any]:
        context = self.browser.new_context(viewport={"width": 1280, "height": 900})

        def route(route: Any) -> None:
            parts = urlsplit(route.request.url)
            if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname not in LOCAL_HOSTS:
                blocked.append(route.request.url)
                route.abort("internetdisconnected")
            else:
                route.continue_()

        context.route("**/*", route)
        return context, context.new_page()


IDLE_JS = """
() => { const app = document.querySelector('[data-testid="stApp"]');
        return !!app && app.getAttribute('data-test-script-state') === 'notRunning'; }
"""


def _wait_idle(page: Any, settle_ms: int = 750) -> None:
    """Until the app's script run (and any rerun the map component asks for) is over."""
    while True:
        page.wait_for_function(IDLE_JS, timeout=TIMEOUT_MS)
        page.wait_for_timeout(settle_ms)
        if page.evaluate(IDLE_JS):
            return


def _change_kind_filter(page: Any, kind: str) -> float:
    """Pick `kind` in the sidebar's Kinds filter; returns the perf_counter time of the choice."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Kinds")
    box.locator("input").click()
    page.keyboard.type(kind)
    page.get_by_role("option", name=kind, exact=True).wait_for(timeout=30_000)
    page.evaluate(MARK_OLD_JS)
    started = time.perf_counter()
    page.keyboard.press("Enter")
    return started


def run_dashboard(browser: Browser, label: str, app: Path, home: Path | None, log_dir: Path, *,
                  change_filter: bool) -> Run:
    """Start `streamlit run app`, open it, time the first map; optionally change a filter and time the
    repaint; read the server's peak RSS; stop the server."""
    run = Run(label)
    port = common.free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(common.ROOT), "GEODATA_OFFLINE": "1"}
    if home is not None:
        env["GEODATA_HOME"] = str(home)
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
               "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
               "--server.enableStaticServing", "true", "--server.runOnSave", "false",
               "--server.fileWatcherType", "none"]
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"streamlit-{label.replace(' ', '-').replace(',', '')}.log"
    context, page = browser.page(run.blocked)
    cwd = common.ROOT if home is not None else app.parent  # the repo's .streamlit/config.toml for the app
    with log_path.open("wb") as log:
        started = time.perf_counter()
        server = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        while not common.streamlit_healthy(base_url):
            if server.poll() is not None or time.perf_counter() - started > TIMEOUT_MS / 1000:
                raise RuntimeError(f"streamlit did not start:\n{log_path.read_text()[-3000:]}")
            page.wait_for_timeout(50)
        run.healthy = time.perf_counter() - started
        page.goto(base_url, wait_until="commit")
        page.wait_for_function(MARKERS_JS, timeout=TIMEOUT_MS)
        run.first_paint = time.perf_counter() - started
        run.markers = page.evaluate(MARKERS_JS)
        if change_filter:
            _wait_idle(page)  # the first run's tail (tables, exports) and the component's rerun
            chosen = _change_kind_filter(page, "country")
            page.wait_for_function(MARKERS_JS, timeout=TIMEOUT_MS)
            run.repaint = time.perf_counter() - chosen
            run.repaint_markers = page.evaluate(MARKERS_JS)
            if "kind=country" not in page.url:
                page.wait_for_url("**kind=country**", timeout=30_000)
        page.wait_for_timeout(1000)
        run.vm_hwm = vm_hwm(server.pid)
    except Exception as exc:  # one failed run should not lose the other sections
        run.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} (log: {log_path})"
    finally:
        context.close()
        common.stop_server(server, timeout=15)
    return run


def dashboard_runs(ctx: Context) -> list:
    if ctx.dashboard_runs is not None:
        return ctx.dashboard_runs
    from geodata import assets
    from geodata.store import Store

    assets.install_static(common.ROOT / "dashboard" / "static")  # the app does it once; not timed
    run_ingest(ctx)
    seed_home = common.clone_home(ctx.home, ctx.root, "home-seed")
    run_task("ingest", {"home": str(seed_home), "seed": True}, ctx.logs)
    cases = [("floor: 3-marker st_folium app", floor_app(ctx.root), None, False),
             ("seed article only", common.ROOT / "dashboard" / "app.py", seed_home, True),
             (f"{ctx.sizes.articles:,} articles ingested", common.ROOT / "dashboard" / "app.py", ctx.ingest_home,
              True)]
    if ctx.sizes.dashboard_big:
        big = max(ctx.sizes.mentions)
        if big not in ctx.map_homes:
            build_map_stores(ctx, (big,))
        cases.append((f"{label_n(big)} mentions (section 4 store)", common.ROOT / "dashboard" / "app.py",
                      ctx.map_homes[big], True))
        empty = common.clone_home(ctx.home, ctx.root, "home-empty")
        cases.append(("first run: empty store, app geoparses the seed", common.ROOT / "dashboard" / "app.py", empty,
                      False))
    try:
        browser = Browser()
    except Exception as exc:  # no Chromium or Playwright: the other sections still run
        ctx.figures["dashboard_skipped"] = f"{type(exc).__name__}: {exc}"
        ctx.dashboard_runs = []
        return []
    runs = []
    try:
        for label, app, home, change in cases:
            counts = {}
            if home is not None and (home / "store.sqlite").exists():
                store = Store(home / "store.sqlite")
                counts = store.counts()
                store.close()
            run = run_dashboard(browser, label, app, home, ctx.logs, change_filter=change)
            runs.append((run, counts))
    finally:
        browser.close()
    ctx.dashboard_runs = runs
    return runs


def section_dashboard(ctx: Context) -> Table:
    runs = dashboard_runs(ctx)
    if not runs:
        table = Table("5. Dashboard", ["case"])
        table.notes.append(f"skipped: {ctx.figures.get('dashboard_skipped')} (bash scripts/ensure-chromium.sh)")
        return table
    table = Table("5. Dashboard: `streamlit run` to the first map painted, in headless Chromium (offline)",
                  ["case", "articles", "mentions", "server up s", "first paint s", "vs floor", "marker layers",
                   "filter repaint s", "vs seed", "server peak RSS MB"])
    floor = runs[0][0].first_paint
    seed = next((r.repaint for r, _ in runs if r.label.startswith("seed")), None)
    for run, counts in runs:
        table.add(run.label, counts.get("articles"), counts.get("mentions"), run.healthy, run.first_paint,
                  ratio(run.first_paint, floor) if run is not runs[0][0] else None, run.markers or None,
                  run.repaint, ratio(run.repaint, seed) if run.repaint is not None and not run.label.startswith("seed")
                  else None, mb(run.vm_hwm) if run.vm_hwm else None)
        if run.error:
            table.notes.append(f"{run.label}: FAILED {run.error}")
        if run.blocked:
            table.notes.append(f"{run.label}: {len(run.blocked)} request(s) off this machine blocked, "
                               f"e.g. {run.blocked[0]}")
    table.notes += [
        "first paint = from starting `python -m streamlit run dashboard/app.py` (browser already up) to marker "
        "layers (clusters or circle markers) on the st_folium map's window.map",
        "filter repaint = from choosing 'country' in the sidebar's Kinds filter (Enter), the app idle, to the new "
        "map's markers",
        "marker layers = clusters plus single markers at the first view, not places",
    ]
    by_label = {run.label: run for run, _ in runs}
    articles_run = by_label.get(f"{ctx.sizes.articles:,} articles ingested")
    ctx.figures["dash_first_paint_articles"] = articles_run.first_paint if articles_run else None
    ctx.figures["dash_repaint_articles"] = articles_run.repaint if articles_run else None
    big = next((run for run, _ in runs if "mentions (section 4" in run.label), None)
    ctx.figures["dash_repaint_big"] = big.repaint if big else None
    ctx.figures["dash_big_label"] = big.label if big else None
    return table
