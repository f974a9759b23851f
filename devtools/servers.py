"""Local servers for the tests and the benchmarks: a free port, Streamlit's health check, stopping."""

from __future__ import annotations

import socket
import subprocess
import urllib.request


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def streamlit_healthy(base_url: str) -> bool:
    """Whether the Streamlit server at `base_url` answers its health check."""
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def stop_server(server: subprocess.Popen, timeout: float = 10) -> None:
    """Stop a server process: SIGTERM, then SIGKILL if it has not exited within `timeout` seconds."""
    server.terminate()
    try:
        server.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
