"""Files we write (exports, `parse --out`) are written whole or not at all: into a temporary file
beside the target, then renamed over it. A missing folder, a folder in the way, a read-only place
or a full disk raise `OutputError` saying so, and leave no partial file behind."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

_WHY = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied (read-only folder?)",
    errno.EPERM: "permission denied (read-only folder?)",
    errno.EFBIG: "the file is too large for this disk or limit",
}


class OutputError(Exception):
    """A file could not be written; nothing was left at its path."""


def _problem(path: Path) -> str | None:
    """What is wrong with `path` as a place for a new file, before anything is written."""
    if path.is_dir():
        return f"{path}: is a folder; give a file name"
    if not path.parent.is_dir():
        return f"{path}: the folder {path.parent} does not exist"
    return None


@contextmanager
def open_output(path: str | Path) -> Iterator[TextIO]:
    """A text file to write `path` through: renamed into place only when the block ends without error."""
    path = Path(path)
    problem = _problem(path)
    if problem:
        raise OutputError(problem)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write here: {_WHY.get(exc.errno, exc.strerror or exc)}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"{path}: not written: {_WHY.get(exc.errno, exc.strerror or exc)}") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text(path: str | Path, text: str) -> None:
    """`text` into `path`, whole or not at all."""
    with open_output(path) as out:
        out.write(text)
