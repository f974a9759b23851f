"""`gazetteer build | lookup | import`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..gazetteer import describe, open_gazetteer
from ..resolve.features import rank_alone
from .common import EXIT_INPUT, EXIT_OK, say, settings_for

LOOKUP_LIMIT = 10


def cmd_gazetteer_build(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    gaz = open_gazetteer(settings.gazetteer_path, progress=say)
    say(f"gazetteer: {gaz.count():,} places in {gaz.path}")
    return EXIT_OK


def lookup_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `gazetteer lookup`."""
    parser.add_argument("names", nargs="+")
    parser.add_argument("--limit", type=int, default=LOOKUP_LIMIT,
                        help=f"show the best N candidates of each name (default {LOOKUP_LIMIT})")
    parser.add_argument("--language", default="",
                        help="also find the names only this language uses, e.g. fr (default: names of any language)")


def cmd_gazetteer_lookup(args: argparse.Namespace) -> int:
    """One JSON object a line per candidate, best first as the resolver ranks them without context."""
    settings = settings_for(args)
    gaz = open_gazetteer(settings.gazetteer_path, progress=say).in_language(getattr(args, "language", ""))
    limit = getattr(args, "limit", LOOKUP_LIMIT)
    for name in args.names:
        for rank, scored in enumerate(rank_alone(gaz, name)[:limit], start=1):
            place = scored.place
            print(json.dumps({"query": name, "rank": rank, "described": describe(gaz, place),
                              "admin1_name": gaz.admin1_name(place.country, place.admin1)
                              if place.country and place.admin1 else None,
                              "score": round(scored.score, 4), "primary": scored.primary, **place.to_json(),
                              "population": place.population, "source": place.source}, ensure_ascii=False))
    return EXIT_OK


def cmd_gazetteer_import(args: argparse.Namespace) -> int:
    from ..gazetteer.geonames import import_dump

    settings = settings_for(args)
    gaz = open_gazetteer(settings.gazetteer_path, progress=say)
    report = import_dump(gaz, Path(args.file), alternate_names=Path(args.alternate_names) if args.alternate_names
                         else None, progress=not args.quiet)
    say(str(report))
    return EXIT_INPUT if report.errors else EXIT_OK
