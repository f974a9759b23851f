"""Commands that read the web: ingest of URLs, saved pages and feeds (with files), and `watch`."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from ..config import Settings
from ..documents import LoadResult
from .common import (EXIT_INPUT, EXIT_OK, CliError, language_code, load, open_store, pipeline_for, report_inputs,
                     report_languages, say, settings_for)


def _missing_files(inputs: Sequence[str]) -> None:
    from ..sources import is_url

    missing = [p for p in inputs if not is_url(p) and not Path(p).exists()]
    if missing:
        raise CliError(f"no such file: {', '.join(missing)}")


def cmd_ingest_web(args: argparse.Namespace, settings: Settings, web: list[str], files: list[str],
                   language: str | None = None) -> int:
    """`ingest` with URLs, saved pages or feeds among the inputs: fetched, read, and ingested with the files;
    `language` (a code, `--language`): every one of them read in it."""
    from ..sources import ingest_web

    _missing_files(args.inputs)
    loaded = load(files, language) if files else LoadResult()
    store = open_store(args, settings)
    report = ingest_web(web, store, lambda: pipeline_for(settings), settings, documents=loaded.documents,
                        progress=_tell_reading, language=language)
    report_inputs(report.batch)
    report_languages(report.ingest.notes)
    errors = len(loaded.errors) + len(report.batch.errors)
    say(f"ingested {report.added} article(s), {report.already_stored} already stored, {errors} input error(s); "
        f"store: {store.path}")
    return EXIT_INPUT if errors else EXIT_OK


def _tell_reading(done: int, total: int, url: str) -> None:
    say(f"reading {done + 1} of {total}: {url}")


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def cmd_watch(args: argparse.Namespace) -> int:
    """`watch FEED... --every 15m`: poll feeds until stopped (Ctrl-C, SIGTERM) or `--polls` are done."""
    import signal

    from ..sources import Watcher, parse_duration

    settings = settings_for(args)
    if settings.offline:
        raise CliError("offline (GEODATA_OFFLINE=1 or --offline): watching feeds needs the network")
    try:
        every = parse_duration(args.every)
    except ValueError as exc:
        raise CliError(f"--every: {exc}") from None
    if args.polls is not None and args.polls < 1:
        raise CliError("--polls: give at least 1")
    _missing_files(args.feeds)
    store = open_store(args, settings)
    try:
        watcher = Watcher(args.feeds, store, lambda: pipeline_for(settings), settings, notify=say,
                          language=language_code(args.language) if args.language else None)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    say(f"watching {len(watcher.feeds)} feed(s) every {args.every}; Ctrl-C stops")
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        watcher.run(every, args.polls)
    except KeyboardInterrupt:
        say("interrupted")
    finally:
        signal.signal(signal.SIGTERM, previous)
    say(f"stopped after {watcher.polls} poll(s): {watcher.added} article(s) added, {watcher.errors} error(s); "
        f"store: {store.path}")
    return EXIT_INPUT if watcher.errors else EXIT_OK
