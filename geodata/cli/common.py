"""What every command shares: its error type, messages on stderr, settings from flags, inputs,
the store and the pipeline."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from ..config import Settings
from ..documents import LoadResult, declare_language, load_paths
from ..language import LanguageError, check_code
from ..store import Store

EXIT_OK, EXIT_INPUT, EXIT_FAIL = 0, 1, 2


class CliError(Exception):
    """A user-facing failure: printed as one line, no traceback."""


# Control characters other than newline and tab (ESC sequences, a lone CR) in a message carrying a
# page's URL, title or a file's name: shown as \x escapes, so no text of an article drives the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def say(message: str) -> None:
    """A message for the user on stderr, its control characters escaped (`_CONTROL`)."""
    print(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", message), file=sys.stderr, flush=True)


def settings_for(args: argparse.Namespace) -> Settings:
    changes: dict[str, object] = {}
    if getattr(args, "home", None):
        changes["home"] = Path(args.home)
    if getattr(args, "offline", False):
        changes["offline"] = True
    if getattr(args, "model", None):
        changes["model"] = args.model
    return Settings().with_(**changes)


def report_inputs(result: LoadResult) -> None:
    for note in result.notes:
        say(f"note: {note}")
    for error in result.errors:
        say(f"error: {error}")


def language_code(value: str) -> str:
    """A `--language` value as its ISO 639-1 code."""
    try:
        return check_code(value)
    except LanguageError as exc:
        raise CliError(f"--language: {exc}") from None


def load(paths: Sequence[str], language: str | None = None) -> LoadResult:
    """The documents of files and folders, problems told; `language` (a code): every one read in it."""
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise CliError(f"no such file: {', '.join(missing)}")
    result = load_paths(paths)
    result.documents = declare_language(result.documents, language)
    report_inputs(result)
    return result


def report_languages(notes: Sequence[str]) -> None:
    """Once per article stored but not geoparsed, in what language it is and what to do."""
    for note in notes:
        say(f"note: {note}")


def pipeline_for(settings: Settings, *, explain: bool = False):
    from ..pipeline import Pipeline  # spaCy loads only for the commands that need it

    return Pipeline.from_settings(settings, notify=say, explain=explain)


def open_store(args: argparse.Namespace, settings: Settings, *, readonly: bool = False) -> Store:
    return Store(Path(args.db) if args.db else settings.store_path, readonly=readonly)


def article_ids(store: Store, wanted: Sequence[str]) -> list[int]:
    """Store ids of the articles named by store id or document id, as users know them."""
    articles = store.articles()
    ids = []
    for name in wanted:
        hits = articles[(articles.id.astype(str) == name) | (articles.doc_id == name)]
        if hits.empty:
            raise CliError(f"--article {name!r}: no such article in the store")
        ids.extend(int(i) for i in hits.id)
    return ids
