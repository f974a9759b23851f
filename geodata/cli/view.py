"""Commands over the store: export, search, delete; and starting the dashboard."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..filters import checked_dates, confidence_problem
from ..store import Filters
from .common import EXIT_FAIL, EXIT_OK, CliError, article_ids, language_code, open_store, say, settings_for


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
        places=tuple(place_ids), articles=tuple(article_ids(store, args.article or [])),
        countries=tuple(c.upper() for c in args.country or []), kinds=tuple(args.kind or []),
        languages=tuple(language_code(code) for code in args.language or []),
        min_confidence=args.min_confidence, date_from=args.date_from, date_to=args.date_to,
        demonyms=not args.no_demonyms, undated=not args.no_undated))
    if problems:
        raise CliError("; ".join(problems))
    return filters


def cmd_export(args: argparse.Namespace) -> int:
    from ..export import write_exports

    if not (args.html or args.geojson or args.csv or args.kml):
        raise CliError("nothing to export: give --html, --kml, --geojson and/or --csv")
    store = open_store(args, settings_for(args), readonly=True)
    counts = write_exports(store, _filters(args, store), html=Path(args.html) if args.html else None,
                           geojson_path=Path(args.geojson) if args.geojson else None,
                           csv_path=Path(args.csv) if args.csv else None,
                           kml_path=Path(args.kml) if args.kml else None)
    say(f"exported {counts['places']} place(s), {counts['mentions']} mention(s)")
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    """`search QUERY`: one JSON line per sentence found (mentions of the places it names, by any of their
    names in the gazetteer, then its words)."""
    from ..export import json_value
    from ..gazetteer import open_gazetteer

    settings = settings_for(args)
    store = open_store(args, settings, readonly=True)
    gazetteer = open_gazetteer(settings.gazetteer_path, progress=say)
    try:
        found = store.search(args.query, limit=args.limit, gazetteer=gazetteer)
    finally:
        gazetteer.close()
    if found.attrs.get("note"):
        say(found.attrs["note"])
    for row in found.to_dict("records"):
        row = {k: json_value(v) for k, v in row.items()}
        place = {k: row.pop(f"place_{k}" if k in ("id", "name") else k) for k in ("id", "name", "lat", "lon",
                                                                                  "country")}
        print(json.dumps({**row, "place": place if place["id"] else None}, ensure_ascii=False))
    return EXIT_OK


def cmd_delete(args: argparse.Namespace) -> int:
    """`delete --article ID`: an article, its mentions and their corrections leave the store."""
    store = open_store(args, settings_for(args))
    for article_id in article_ids(store, args.article):
        title = store.article(article_id)["title"] or "(untitled)"
        store.delete_article(article_id)
        say(f"deleted article {article_id} ({json.dumps(title, ensure_ascii=False)}) with its mentions")
    return EXIT_OK


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Start the dashboard with its safe options, wherever this is run from (never returns)."""
    from ..launcher import exec_dashboard

    exec_dashboard(settings_for(args), address=args.address, port=args.port)
    return EXIT_FAIL  # not reached: exec replaces this process
