"""Start the dashboard with the options it must have wherever it is started from.

`.streamlit/config.toml` is read from the current folder only: `streamlit run dashboard/app.py` from
elsewhere would listen on every interface, send usage statistics and serve no static files (so no
map offline). This launcher passes those options on the command line and runs from the project folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .config import Settings

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboard" / "app.py"


def streamlit_command(settings: Settings, address: str, port: int) -> list[str]:
    """The `streamlit run` command line with the dashboard's safe options."""
    options = {
        "server.address": address,
        "server.port": str(port),
        "server.headless": "true",
        "server.enableStaticServing": "true",
        "server.runOnSave": "false",
        "server.maxUploadSize": str(settings.max_file_mb),
        "browser.gatherUsageStats": "false",
        "browser.serverAddress": "localhost" if address in ("127.0.0.1", "localhost", "::1") else address,
        "client.toolbarMode": "minimal",
    }
    return [sys.executable, "-m", "streamlit", "run", str(APP), *(f"--{k}={v}" for k, v in options.items())]


def exec_dashboard(settings: Settings, address: str = "127.0.0.1", port: int = 8501) -> None:
    """Replace this process by the dashboard's server (the data folder resolved before moving to ROOT)."""
    os.environ["GEODATA_HOME"] = str(settings.home.resolve())
    os.environ["GEODATA_OFFLINE"] = "1" if settings.offline else "0"
    os.environ["GEODATA_MODEL"] = settings.model
    os.chdir(ROOT)
    command = streamlit_command(settings, address, port)
    os.execv(command[0], command)
