"""Commands that geoparse: parse (also on Dask), ingest (files, folders, a Dask result, web inputs), evaluate."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..config import Settings
from ..gazetteer import open_gazetteer
from ..outputs import open_output, write_text
from .common import (EXIT_INPUT, EXIT_OK, CliError, language_code, load, open_store, pipeline_for, report_languages,
                     say, settings_for)
from .web import cmd_ingest_web


def cmd_parse(args: argparse.Namespace) -> int:
    if args.dask is not None:
        return cmd_parse_dask(args)
    if not args.inputs:
        raise CliError("no input: give files, folders, .jsonl or .csv")
    settings = settings_for(args)
    loaded = load(args.inputs, language_code(args.language) if args.language else None)
    pipeline = pipeline_for(settings, explain=args.explain)
    lines = (json.dumps(parsed.to_json(args.explain), ensure_ascii=False) + "\n"
             for parsed in pipeline.parse_together(loaded.documents))  # one collection: outlets' homes
    if args.out in (None, "-"):
        sys.stdout.writelines(lines)
    else:
        with open_output(args.out) as out:
            out.writelines(lines)
        say(f"parsed {len(loaded.documents)} document(s) into {args.out}")
    return EXIT_INPUT if loaded.errors else EXIT_OK


def cmd_parse_dask(args: argparse.Namespace) -> int:
    """`parse --dask [SCHEDULER_ADDRESS] INPUT... --out DIR/`: partitioned Parquet from a Dask cluster. Inputs
    may be article and feed URLs (fetched here, politely, before the workers parse)."""
    from ..scale import DistributedError, looks_like_address, parse_to_parquet

    inputs, address = list(args.inputs), args.dask or None
    if address and not looks_like_address(address):  # `--dask a.jsonl b.jsonl`: no address, a is an input
        inputs, address = [address, *inputs], None
    if not inputs:
        raise CliError("no input: give files, folders, glob patterns, or article and feed URLs")
    if args.out in (None, "-"):
        raise CliError("--dask writes a directory of Parquet files: give --out DIR/")
    if args.online and args.offline:
        raise CliError("--online and --offline contradict each other")
    language = language_code(args.language) if args.language else None
    settings = settings_for(args)
    if not args.worker_home:  # build it here once; workers open it read-only
        open_gazetteer(settings.gazetteer_path, progress=say).close()
    try:
        report = parse_to_parquet(inputs, args.out, settings, address=address, n_workers=args.workers,
                                  chunk_lines=args.chunk_lines, force=args.force, online=args.online,
                                  worker_home=args.worker_home, language=language, progress=say)
    except DistributedError as exc:
        raise CliError(str(exc)) from exc
    for note in report.notes:
        say(f"note: {note}")
    for error in report.errors:
        say(f"error: {error}")
    if report.stale:
        say(f"note: {len(report.stale)} partition(s) in {report.out} come from other inputs and are not part of "
            f"this result (ingest ignores them)")
    rate = f", {report.docs_per_second:.1f} documents/s on {report.workers} worker(s)" if report.seconds else ""
    rehomed = f", {report.rehomed} read again with their outlet's home" if report.rehomed else ""
    say(f"parsed {report.documents} document(s), {report.mentions} mention(s) into {report.out}/ "
        f"({report.partitions} partition(s), {report.skipped} already complete{rate}{rehomed})")
    return EXIT_INPUT if report.errors else EXIT_OK


def cmd_ingest_result(args: argparse.Namespace, settings: Settings) -> int:
    """`ingest DIR/`: a `parse --dask` result into the store, through the same `Store.add`."""
    from ..scale import DistributedError, ingest_result

    store = open_store(args, settings)
    try:
        report = ingest_result(args.inputs[0], store)
    except DistributedError as exc:
        raise CliError(str(exc)) from exc
    report_languages(report.notes)
    say(f"ingested {report.added} article(s), {report.skipped} already stored, {report.mentions} mention(s) "
        f"from {args.inputs[0]}; store: {store.path}")
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    language = language_code(args.language) if args.language else None
    if len(args.inputs) == 1 and (Path(args.inputs[0]) / "_manifest.json").is_file():
        if language:
            raise CliError("--language does not apply to a `parse --dask` result: it was read already")
        return cmd_ingest_result(args, settings)
    from ..sources import split_inputs

    web, files = split_inputs(args.inputs)
    if web:
        return cmd_ingest_web(args, settings, web, files, language)
    from ..pipeline import ingest

    loaded = load(args.inputs, language)
    store = open_store(args, settings)
    report = ingest(loaded.documents, store, lambda: pipeline_for(settings))
    report_languages(report.notes)
    say(f"ingested {report.added} article(s), {report.skipped} already stored, "
        f"{len(loaded.errors)} input error(s); store: {store.path}")
    return EXIT_INPUT if loaded.errors else EXIT_OK


def cmd_evaluate(args: argparse.Namespace) -> int:
    from ..evaluation import CorpusError, evaluate, summary_table

    corpus = Path(args.corpus)
    if not corpus.exists():
        raise CliError(f"no such corpus: {corpus}")
    try:
        report = evaluate(pipeline_for(settings_for(args)), corpus, spans=args.spans, limit=args.limit)
    except CorpusError as exc:
        raise CliError(str(exc)) from exc
    print(summary_table(report))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        write_text(args.out, json.dumps(report, indent=2, ensure_ascii=False))
        say(f"report written to {args.out}")
    return EXIT_OK
