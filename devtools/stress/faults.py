"""Faults injected for real: file permissions that bind root too, a file size limit (as a full disk),
damaged database pages."""

from __future__ import annotations

import ctypes
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2


def without_permission_override() -> None:
    """preexec_fn: root loses the capabilities that let it ignore file permissions, so a chmod
    binds it as it binds everyone else (a real EACCES from the kernel, not a simulation)."""
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
            if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) refused")


def permissions_enforced(work: Path) -> bool:
    """Whether a process started with `without_permission_override` is stopped by a 0555 folder."""
    probe = work / "perm-probe"
    probe.mkdir(parents=True, exist_ok=True)
    probe.chmod(0o555)
    try:
        done = subprocess.run([sys.executable, "-c", f"open({str(probe / 'x')!r}, 'w')"],
                              preexec_fn=without_permission_override, capture_output=True)
        return done.returncode != 0 and b"PermissionError" in done.stderr
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        probe.chmod(0o755)
        shutil.rmtree(probe, ignore_errors=True)


def make_read_only(folder: Path, *, files_only: bool = False) -> None:
    for path in folder.iterdir():
        path.chmod(0o444)
    if not files_only:
        folder.chmod(0o555)


def make_writable(folder: Path) -> None:
    folder.chmod(0o755)
    for path in folder.iterdir():
        path.chmod(0o644)


def file_size_limit(limit: int) -> Callable[[], None]:
    """preexec_fn: the kernel refuses writes past `limit` bytes (EFBIG), as a full disk refuses them."""
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an error from write(), not death by signal
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def damage(path: Path, *, skip_pages: int = 2, page: int = 4096) -> None:
    """Overwrite the start (b-tree header, cell pointers) of every page after the first `skip_pages`:
    the file header and the schema stay readable, the tables do not."""
    data = bytearray(path.read_bytes())
    noise = random.Random(7)
    for offset in range(page * skip_pages, len(data), page):
        data[offset: offset + 200] = noise.randbytes(200)
    path.write_bytes(bytes(data))
