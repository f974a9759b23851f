"""Section 9 of `make bench`: French articles (issue 18).

- throughput: the whole parse pipeline (language detection, French model, French rules, resolution)
  against the French NER alone (`nlp.pipe` of the same model object over what the pipeline gives it: each
  article's title and text, `bench_common.ner_texts`), in one fresh process, in chunks alternating the two
  ways (ABBA) so that drifting machine load weighs on both;
- memory: the peak RSS (VmHWM) of a fresh process whose pipeline holds both models (English and
  French articles parsed), against one that parsed English articles only.

Two French corpora, each repeated as distinct texts (`copy_text`):
- "news" (the target's): `benchmarks/corpora/fr-articles.jsonl`, twelve news articles written for this
  benchmark (350-450 words, the English corpora's length; a place every 30 words or so, as in the news);
- "dense": the evaluation set's paragraphs (`fr-news.jsonl`), `PARAGRAPHS` a piece, each with its first
  paragraph's title: a place every six words, so our share per word is several times the news'.

    python benchmarks/bench_french.py TASK ARGS_JSON OUT_JSON   (the child processes)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_common as common  # noqa: E402
from bench_common import Table, mb, ratio  # noqa: E402

FRENCH_CORPUS = common.ROOT / "benchmarks" / "corpora" / "fr-news.jsonl"  # the evaluation set
FRENCH_NEWS = common.ROOT / "benchmarks" / "corpora" / "fr-articles.jsonl"
TARGET = 0.9  # pipeline / NER-alone throughput
PARAGRAPHS = 4  # paragraphs of the French set per benchmark article


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def news_documents(n: int) -> list:
    """`n` French news articles (`FRENCH_NEWS`, repeated as distinct texts); no declared language."""
    from geodata.records import Document

    rows = _rows(FRENCH_NEWS)
    return [Document(f"fr-news-{i}", common.copy_text(rows[i % len(rows)]["text"], i // len(rows)),
                     title=rows[i % len(rows)]["title"]) for i in range(n)]


def french_documents(n: int) -> list:
    """`n` French articles of `PARAGRAPHS` paragraphs of the French set each, as distinct texts; no
    declared language."""
    from geodata.records import Document

    rows = _rows(FRENCH_CORPUS)
    out = []
    for i in range(n):
        first = (i * PARAGRAPHS) % len(rows)
        text = "\n\n".join(rows[(first + k) % len(rows)]["text"] for k in range(PARAGRAPHS))
        out.append(Document(f"fr-{i}", common.copy_text(text, i), title=rows[first].get("title")))
    return out


def _pipeline(home: str):
    from geodata.config import Settings
    from geodata.pipeline import Pipeline

    return Pipeline(Settings(home=Path(home), offline=True))


CORPORA = {"news": news_documents, "dense": french_documents}


def task_throughput(args: dict) -> dict:
    """Warm both ways on the first article, then time each chunk both ways, order reversed every chunk."""
    documents = CORPORA[args["corpus"]](int(args["n"]))
    pipeline = _pipeline(args["home"])
    nlp = pipeline.nlp_for("fr")
    list(pipeline.parse(documents[:1]))
    list(nlp.pipe(common.ner_texts(documents[:1])))
    chunks = int(args["chunks"])
    size = -(-len(documents) // chunks)
    wall = {"ner": 0.0, "pipeline": 0.0}
    cpu = dict(wall)
    mentions = 0
    for k in range(chunks):
        chunk = documents[k * size:(k + 1) * size]
        for way in ("ner", "pipeline") if k % 2 == 0 else ("pipeline", "ner"):
            t0, c0 = time.perf_counter(), time.process_time()
            if way == "ner":
                for _ in nlp.pipe(common.ner_texts(chunk), batch_size=pipeline.settings.batch_size):
                    pass
            else:
                mentions += sum(len(p.mentions) for p in pipeline.parse(chunk))
            wall[way] += time.perf_counter() - t0
            cpu[way] += time.process_time() - c0
    return {"documents": len(documents), "words": common.word_count([d.text for d in documents]),
            "wall": wall, "cpu": cpu, "mentions": mentions, "models": list(pipeline.models_loaded)}


def task_memory(args: dict) -> dict:
    """Parse `n` English articles, and `n` French ones too when `french`; the models the pipeline held."""
    documents = common.corpus_documents(int(args["n"]))
    if args["french"]:
        documents += news_documents(int(args["n"]))
    pipeline = _pipeline(args["home"])
    t0 = time.perf_counter()
    mentions = sum(len(p.mentions) for p in pipeline.parse(documents))
    return {"seconds": time.perf_counter() - t0, "mentions": mentions, "models": list(pipeline.models_loaded)}


TASKS = {"throughput": task_throughput, "memory": task_memory}


def run_task(task: str, args: dict, log_dir: Path) -> dict:
    """One task in a fresh interpreter; its figures, with `peak_rss` in bytes."""
    log_dir.mkdir(parents=True, exist_ok=True)
    out = log_dir / f"french-{task}-{time.monotonic_ns()}.json"
    log = out.with_suffix(".log")
    with log.open("wb") as handle:
        code = subprocess.run([sys.executable, __file__, task, json.dumps(args), str(out)], stdout=handle,
                              stderr=subprocess.STDOUT, cwd=common.ROOT).returncode
    if code != 0:
        raise RuntimeError(f"French benchmark task {task} failed ({code}):\n{log.read_text()[-3000:]}")
    return json.loads(out.read_text())


def run(home: Path, logs: Path, documents: int, chunks: int) -> tuple[Table, dict]:
    """The section's table and its figures."""
    table = Table(f"9. French articles ({documents:,} articles of each corpus; model "
                  f"{os.environ.get('GEODATA_MODEL_FR', 'fr_core_news_md')})",
                  ["case", "wall s", "docs/s", "words/s", "CPU s", "pipeline/NER", "peak RSS MB", "ratio vs English"])
    runs = {}
    for corpus in CORPORA:
        got = runs[corpus] = run_task("throughput", {"home": str(home), "n": documents, "chunks": chunks,
                                                     "corpus": corpus}, logs)
        wall, cpu = got["wall"], got["cpu"]
        for way, name in (("ner", "French NER alone (nlp.pipe)"), ("pipeline", "whole parse pipeline, French")):
            table.add(f"{corpus} ({got['words'] // got['documents']} words an article): {name}", wall[way],
                      got["documents"] / wall[way], got["words"] / wall[way], cpu[way],
                      ratio(wall["ner"], wall["pipeline"]) if way == "pipeline" else None, None, None)
    english = run_task("memory", {"home": str(home), "n": max(documents // 4, 10), "french": False}, logs)
    both = run_task("memory", {"home": str(home), "n": max(documents // 4, 10), "french": True}, logs)
    table.add(f"pipeline after English articles ({', '.join(english['models'])})", None, None, None, None, None,
              mb(english["peak_rss"]), None)
    table.add(f"pipeline after English and French ({', '.join(both['models'])})", None, None, None, None, None,
              mb(both["peak_rss"]), ratio(both["peak_rss"], english["peak_rss"]))
    news, dense = runs["news"], runs["dense"]
    figures = {"french_pipeline_vs_ner": ratio(news["wall"]["ner"], news["wall"]["pipeline"]),
               "french_pipeline_vs_ner_cpu": ratio(news["cpu"]["ner"], news["cpu"]["pipeline"]),
               "french_dense_pipeline_vs_ner": ratio(dense["wall"]["ner"], dense["wall"]["pipeline"]),
               "french_dense_pipeline_vs_ner_cpu": ratio(dense["cpu"]["ner"], dense["cpu"]["pipeline"]),
               "both_models_rss_mb": mb(both["peak_rss"]), "english_only_rss_mb": mb(english["peak_rss"])}
    table.notes += [
        f"one fresh process per corpus, the same model object both ways (Pipeline.nlp_for('fr')), warmed on one "
        f"article; {chunks} chunks, each run both ways in ABBA order; the NER alone reads each article's title and "
        "text, as the pipeline does; the pipeline detects each article's language (none is declared)",
        f"pipeline/NER by CPU time: news {figures['french_pipeline_vs_ner_cpu']:.2f} (the target's, >= {TARGET}), "
        f"dense {figures['french_dense_pipeline_vs_ner_cpu']:.2f} (insensitive to other load)",
        "peak RSS: VmHWM of a fresh process each, after parsing; the models load only when an article needs them",
    ]
    return table, figures


if __name__ == "__main__":
    from bench_workers import vm_hwm

    name, raw, out_path = sys.argv[1:4]
    figures = TASKS[name](json.loads(raw))
    figures["peak_rss"] = vm_hwm()
    Path(out_path).write_text(json.dumps(figures))
