"""Fixtures for real-browser tests: Debian's Chromium driven by Playwright, offline.

Every request whose host is not this machine is aborted and recorded, so a test
proves the page works with no internet. Without Chromium or Playwright the tests
skip, or fail when CI=true.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from devtools.servers import free_port, stop_server, streamlit_healthy
from devtools.stress.checks import copy_sqlite
from geodata.records import Document
from geodata.store import IngestReport, Store

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "dashboard" / "app.py"
STARTUP_TIMEOUT_S = 60


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    """A headless Chromium (``playwright.sync_api.Browser``) for the session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright)")
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def blocked_urls() -> list[str]:
    """URLs the page tried to fetch from anywhere but this machine."""
    return []


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors and uncaught exceptions of the page and its frames (with the URL concerned)."""
    return []


@pytest.fixture
def dialogs() -> list[str]:
    """Messages of every alert/confirm/prompt the page opened (each dismissed)."""
    return []


@pytest.fixture
def offline_page(
    chromium_browser: Any, blocked_urls: list[str], console_errors: list[str], dialogs: list[str]
) -> Iterator[Any]:
    """A fresh page (``playwright.sync_api.Page``) that can reach only localhost."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)

    def route(route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname not in LOCAL_HOSTS:
            blocked_urls.append(url)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    context.route("**/*", route)
    page = context.new_page()

    def on_console(message: Any) -> None:
        if message.type == "error":
            url = (message.location or {}).get("url") or ""
            console_errors.append(f"{message.text} [{url}]" if url else message.text)

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("console", on_console)
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    page.on("dialog", on_dialog)
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """``tests/artifacts/`` for screenshots (not committed)."""
    path = Path(__file__).resolve().parents[1] / "artifacts"
    path.mkdir(exist_ok=True)
    return path


def start_streamlit(
    app_path: Path, log_dir: Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> tuple[str, subprocess.Popen[bytes]]:
    """Start ``streamlit run app_path`` on a free localhost port; returns its URL and process.

    ``cwd`` (default: the app's folder) is where Streamlit looks for ``.streamlit/config.toml``.
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = log_dir / "server.log"
    command = [
        sys.executable, "-m", "streamlit", "run", str(app_path),
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.enableStaticServing", "true",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            command,
            cwd=cwd or app_path.parent,
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not streamlit_healthy(base_url):
        if server.poll() is not None or time.monotonic() > deadline:
            stop_server(server)
            pytest.fail(f"streamlit did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.25)
    return base_url, server


@pytest.fixture
def streamlit_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., str]]:
    """Factory: ``streamlit_server(app_path, env={...}, cwd=None)`` starts the app, returns its URL.

    The server runs headless on a free localhost port with static serving on and
    usage stats off, and is stopped when the test ends. ``cwd`` defaults to the
    app's folder; pass the repository root to use its ``.streamlit/config.toml``.
    """
    servers: list[subprocess.Popen[bytes]] = []

    def start(app_path: Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
        base_url, server = start_streamlit(app_path, tmp_path_factory.mktemp("streamlit"), env, cwd)
        servers.append(server)
        return base_url

    yield start
    for server in servers:
        stop_server(server)


def home_with(tmp_path_factory: pytest.TempPathFactory, name: str, session_home: Path, pipeline: Any,
              documents: Iterable[Document]) -> tuple[Path, IngestReport]:
    """A GEODATA_HOME for a dashboard: a copy of the session's gazetteer, and a store holding `documents`
    as the one pipeline parses them; with the ingest report, for the caller to check."""
    path = tmp_path_factory.mktemp(name)
    copy_sqlite(session_home / "gazetteer.sqlite", path / "gazetteer.sqlite")
    store = Store(path / "store.sqlite")
    try:
        report = store.add_all(pipeline.parse(list(documents)))
    finally:
        store.close()
    return path, report


@contextmanager
def dashboard_over(geodata_home: Path, tmp_path_factory: pytest.TempPathFactory,
                   env: dict[str, str] | None = None) -> Iterator[str]:
    """The dashboard (its URL) over `geodata_home`, offline unless `env` says otherwise; stopped at the end."""
    url, server = start_streamlit(DASHBOARD, tmp_path_factory.mktemp("server"), cwd=ROOT,
                                  env={"GEODATA_HOME": str(geodata_home), "GEODATA_OFFLINE": "1", **(env or {})})
    try:
        yield url
    finally:
        stop_server(server)


def open_options(page: Any, box: Any, attempts: int = 3) -> Any:
    """Click a select box until its list of options shows; return the list.

    A rerun of the app that lands just after the click closes the list again, so one click is
    not enough on a loaded machine.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    listbox = page.get_by_role("listbox")
    for _ in range(attempts):
        box.click()
        try:
            listbox.wait_for(state="visible", timeout=5_000)
            return listbox
        except PlaywrightTimeout:
            page.wait_for_timeout(500)
    raise AssertionError(f"no list of options opened after {attempts} clicks")


def settled(page: Any, timeout_ms: int = 60_000) -> None:
    """Wait until no script run is in progress and none starts for 3 s.

    The map's first value reruns the script once after the page loads; a click that lands in that
    rerun is lost (a chart redrawn under the mouse, a deferred download whose callable is gone).
    """
    quiet = 0
    for _ in range(timeout_ms // 250):
        running = page.locator('[data-testid="stApp"]').get_attribute("data-test-script-state") != "notRunning"
        quiet = 0 if running else quiet + 1
        if quiet >= 12:
            return
        page.wait_for_timeout(250)
    pytest.fail("the app never stopped running")


def download(page: Any, label: str, timeout_ms: int = 60_000) -> Any:
    """Click the download button `label` once the app is settled; the Download.

    The file is made on the click (a deferred callable of the last script run), so the click waits
    for the reruns that follow a page load.
    """
    from playwright.sync_api import expect

    button = page.get_by_role("button", name=label)
    expect(button).to_be_visible(timeout=timeout_ms)
    settled(page, timeout_ms)
    with page.expect_download(timeout=timeout_ms) as started:
        button.click()
    return started.value
