"""The result directory as a whole, and loading it into the store.

    DIR/_manifest.json                 inputs, settings and the planned partitions, in input order
    DIR/articles/part-<key>.parquet    see `parquet`
    DIR/mentions/part-<key>.parquet

Both tables are ordinary Parquet datasets (`pyarrow.dataset`, `dask.dataframe.read_parquet`, DuckDB).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..records import ParsedDocument
from ..store import IngestReport, Store
from .parquet import ARTICLES, MENTIONS, completed, read_partition
from .partitions import FORMAT_VERSION, READABLE_FORMATS, DistributedError, PartitionSpec

MANIFEST = "_manifest.json"


def is_result(path: str | Path) -> bool:
    """Whether `path` is the output directory of a distributed parse."""
    return (Path(path) / MANIFEST).is_file()


# -- the manifest --------------------------------------------------------------------------------------


def _write_json_atomic(path: Path, payload: dict[str, Any]) -> None:
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    temp.write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(temp, path)


def start_manifest(out: Path, specs: Sequence[PartitionSpec], settings: dict[str, Any]) -> None:
    """The manifest of a run that has begun: its settings and planned partitions, not yet complete."""
    _write_json_atomic(out / MANIFEST, {
        "format": FORMAT_VERSION, "complete": False, "created": time.time(), "settings": settings,
        "partitions": [asdict(s) for s in specs],
    })


def finish_manifest(out: Path, documents: int, mentions: int) -> None:
    """Mark the run's manifest complete, with its counts."""
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    _write_json_atomic(out / MANIFEST, {**manifest, "complete": True, "documents": documents, "mentions": mentions})


def _manifest(out: Path) -> dict[str, Any]:
    try:
        return json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DistributedError(f"{out}: not the output of `parse --dask` (no {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise DistributedError(f"{out}/{MANIFEST}: unreadable ({exc})") from exc


# -- the partition files -------------------------------------------------------------------------------


def clean(out: Path, keys: set[str]) -> list[str]:
    """Remove temporary files left by killed attempts; list finished partitions of other inputs."""
    stale = []
    for table in (ARTICLES, MENTIONS):
        folder = out / table
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.name.startswith(".") and path.name.endswith(".tmp"):
                path.unlink(missing_ok=True)
            elif path.name.startswith("part-") and path.name.endswith(".parquet"):
                if path.name[len("part-"):-len(".parquet")] not in keys and table == ARTICLES:
                    stale.append(path.name)
    return sorted(stale)


def result_partitions(out: str | Path) -> list[PartitionSpec]:
    """The partitions of a result, in input order; all must be complete."""
    out = Path(out)
    manifest = _manifest(out)
    if manifest.get("format") not in READABLE_FORMATS:
        raise DistributedError(f"{out}: result format {manifest.get('format')}, expected one of {READABLE_FORMATS}")
    specs = [PartitionSpec(**{**p, "names": tuple(p["names"]), "paths": tuple(p["paths"])})
             for p in manifest["partitions"]]
    missing = [s.key for s in specs if completed(out, s) is None]
    if missing:
        raise DistributedError(f"{out}: {len(missing)} of {len(specs)} partition(s) incomplete "
                               f"({', '.join(missing[:3])}...); run the same `parse --dask` again to finish them")
    return specs


# -- reading it back -----------------------------------------------------------------------------------


def read_result(out: str | Path) -> Iterator[ParsedDocument]:
    """Every parsed article of a result, in input order, one partition in memory at a time."""
    out = Path(out)
    for spec in result_partitions(out):
        yield from read_partition(out, spec.key)


def ingest_result(out: str | Path, store: Store) -> IngestReport:
    """Load a result into the store through `Store.add` (one transaction per article, same-text articles
    skipped): exactly what `ingest` of the inputs would store."""
    return store.add_all(read_result(out))
