"""`gazetteer build | lookup | import`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..gazetteer import open_gazetteer
from .common import EXIT_INPUT, EXIT_OK, say, settings_for


def cmd_gazetteer_build(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    gaz = open_gazetteer(settings.gazetteer_path, progress=say)
    say(f"gazetteer: {gaz.count():,} places in {gaz.path}")
    return EXIT_OK


def cmd_gazetteer_lookup(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    gaz = open_gazetteer(settings.gazetteer_path, progress=say)
    for name in args.names:
        for place, primary in gaz.lookup(name):
            print(json.dumps({"query": name, "primary": primary, **place.to_json(), "population": place.population,
                              "source": place.source}, ensure_ascii=False))
    return EXIT_OK


def cmd_gazetteer_import(args: argparse.Namespace) -> int:
    from ..gazetteer.geonames import import_dump

    settings = settings_for(args)
    gaz = open_gazetteer(settings.gazetteer_path, progress=say)
    report = import_dump(gaz, Path(args.file), alternate_names=Path(args.alternate_names) if args.alternate_names
                         else None, progress=not args.quiet)
    say(str(report))
    return EXIT_INPUT if report.errors else EXIT_OK
