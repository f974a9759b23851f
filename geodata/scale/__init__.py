"""Geoparse a large corpus on a Dask cluster; write the result as partitioned Parquet; load it into the store.

    result = parse_to_parquet(["archive/*.jsonl"], "out/", settings)            # a LocalCluster on this machine
    result = parse_to_parquet(inputs, "out/", settings, address="tcp://sched:8786")  # an existing cluster
    report = ingest_result("out/", Store(settings.store_path))                  # the same Store.add as `ingest`

One job per module:

- `partitions`: inputs into partitions (JSONL chunks of lines, groups of files), and one partition's
  documents read back with the whole file's line numbers;
- `worker`: what runs in a worker process: the pipeline loaded once, the task that parses a partition, and
  the one that reads some of its articles again with the home their outlet's articles settle across partitions;
- `parquet`: a partition's two Parquet files, written atomically, and read back;
- `result`: the result directory (manifest, stale files), read back whole or ingested into the store;
- `run`: the client: connect to (or start) a cluster, map the partitions over it, settle outlets' homes across
  partitions, sum up.
"""

from .partitions import DistributedError, PartitionSpec, load_partition, plan, planned_lines
from .result import ingest_result, is_result, read_result
from .run import RunReport, looks_like_address, parse_to_parquet

__all__ = [
    "DistributedError", "PartitionSpec", "RunReport", "ingest_result", "is_result", "load_partition",
    "looks_like_address", "parse_to_parquet", "plan", "planned_lines", "read_result",
]
